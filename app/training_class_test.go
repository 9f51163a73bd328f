package app

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"hawker/audit"
	"hawker/thai"
	"hawker/training"
)

// TestClassFormDoesNotGuess (issue 14, point 10): the class form starts
// with no one ticked and no result chosen; a ticked attendee with no result
// is refused beside her row, and so is a result given to someone not
// ticked; nothing is recorded until the officer has chosen. Someone left
// untouched was not in the class and gets no record; a failed result is
// recorded as failed.
func TestClassFormDoesNotGuess(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	ctx := context.Background()
	mf := training.ModuleForm{NameTH: "สุขาภิบาลอาหาร", NameEN: "Food sanitation", Kind: string(training.FoodHandler), Required: true, Active: true, ValidityMonths: "24"}
	m, err := mf.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if m, err = training.NewStore(f.db).AddModule(ctx, audit.System, m); err != nil {
		t.Fatal(err)
	}
	officer := f.as("officer")
	a, b := f.participant["vendor"], f.participant["vendor2"]
	ida, idb := strconv.FormatInt(a.ID, 10), strconv.FormatInt(b.ID, 10)
	cohort := a.Cohort
	body := readBody(t, officer.do("GET", "/training/classes/new?cohort="+url.QueryEscape(cohort), nil, nil))
	for _, id := range []string{ida, idb} {
		if !strings.Contains(body, `name="passed_`+id+`"`) {
			t.Fatalf("class form lists no result for %s: %s", id, body)
		}
	}
	if strings.Contains(body, " checked") || strings.Contains(body, `value="yes" selected`) || strings.Contains(body, `value="no" selected`) ||
		strings.Count(body, `<option value="" selected>— เลือกผล —</option>`) != 2 {
		t.Fatalf("the class form guesses: %s", body)
	}

	completions := func() int {
		t.Helper()
		var n int
		if err := f.db.Get(&n, `SELECT count(*) FROM training_completions`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	post := func(v url.Values) (int, string) {
		t.Helper()
		v.Set("cohort", cohort)
		v.Set("module", strconv.FormatInt(m.ID, 10))
		v.Set("session_on", thai.FormatDate("th", thai.Today(f.clock.Now())))
		resp := officer.form("/training/classes", v)
		return resp.StatusCode, readBody(t, resp)
	}

	// Ticked, no result chosen: refused beside her row.
	status, body := post(url.Values{"attendee": {ida}, "passed_" + ida: {""}, "score_" + ida: {"75"}})
	if status != 422 || !strings.Contains(body, `id="passed_`+ida+`-error">ระบุว่าผ่านหรือไม่ผ่าน`) || !strings.Contains(body, `value="75"`) {
		t.Errorf("a ticked attendee without a result: %d %s", status, body)
	}
	// A result for someone not ticked: refused, and shown back as chosen.
	status, body = post(url.Values{"attendee": {ida}, "passed_" + ida: {"yes"}, "passed_" + idb: {"no"}})
	if status != 422 || !strings.Contains(body, "มีการระบุผลให้ผู้ที่ไม่ได้ติ๊กว่ามาเข้าอบรม") || strings.Count(body, `" selected>`) < 2 ||
		!strings.Contains(body, `<option value="no" selected>`) || !strings.Contains(body, `<option value="yes" selected>`) {
		t.Errorf("a result for someone not ticked: %d %s", status, body)
	}
	if n := completions(); n != 0 {
		t.Fatalf("refused classes recorded %d completions", n)
	}
	// She passed, her classmate was not there: one record.
	if status, body := post(url.Values{"attendee": {ida}, "passed_" + ida: {"yes"}, "passed_" + idb: {""}}); status != 303 {
		t.Fatalf("a class with one result: %d %s", status, body)
	}
	// Her classmate, at another session, failed.
	if status, body := post(url.Values{"attendee": {idb}, "passed_" + idb: {"no"}}); status != 303 {
		t.Fatalf("a class with a failed result: %d %s", status, body)
	}
	for id, want := range map[int64]bool{a.ID: true, b.ID: false} {
		cs, err := training.Completions(ctx, f.db, id)
		if err != nil || len(cs) != 1 || cs[0].Passed != want {
			t.Errorf("completions of %d: %+v (%v), want one with passed=%v", id, cs, err, want)
		}
	}
}
