package app

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"hawker/audit"
	"hawker/ledger"
	"hawker/money"
	"hawker/thai"
	"hawker/vendors"
)

// TestStatementAccess: a vendor gets her own statements (API and the
// latest one on her books page), staff anyone's (audited), donors and
// administrators none; bad requests are 422; a closed month's statement
// carries an address that answers without signing in, with no name.
func TestStatementAccess(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t, func(d *Deps) { d.PublicURL = "https://hawker.example.org"; d.JobWorkers = 2 })
	ctx := context.Background()
	today := thai.Today(f.clock.Now())
	this := ledger.MonthOf(today)
	prev := this.AddDate(0, -1, 0)
	p := f.participant["vendor"]
	for i, e := range []struct {
		date               time.Time
		kind, amount, what string
	}{
		{prev, "sale", "1500.00", "cash"}, {prev.AddDate(0, 0, 1), "expense", "230.50", "ingredients"},
		{prev.AddDate(0, 0, 2), "sale", "410.00", "promptpay"}, {today, "sale", "99.00", "cash"},
	} {
		in := vendors.Input{Date: e.date.Format(time.DateOnly), Kind: e.kind, Amount: money.Text(e.amount)}
		if e.kind == "sale" {
			in.Method = e.what
		} else {
			in.Category = e.what
		}
		if _, err := f.s.vendors.Record(ctx, audit.System, vendors.Request{ParticipantID: p.ID, Code: p.Code, Input: in,
			Key: fmt.Sprintf("st-%d", i), Today: today}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.s.vendors.Ledger().CloseMonth(ctx, audit.System, prev, time.Now()); err != nil {
		t.Fatal(err)
	}
	path := func(code string, m time.Time, ext string) string {
		return "/api/v1/participants/" + code + "/statements/" + m.Format("2006-01") + "." + ext
	}
	v, o, m := f.as("vendor"), f.as("officer"), f.as("manager")
	downloads := func() int {
		es, err := audit.List(ctx, f.db, audit.Filter{Action: "statement.download"})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}

	resp := v.do("GET", path(p.Code, prev, "pdf"), nil, nil)
	pdf := readBody(t, resp)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("her own PDF: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	fingerprint := resp.Header.Get("X-Statement-Fingerprint")
	resp = v.do("GET", path(p.Code, prev, "csv"), nil, nil)
	if csv := readBody(t, resp); resp.StatusCode != 200 || !strings.HasPrefix(csv, "\uFEFF") || !strings.Contains(csv, "1679.50") {
		t.Errorf("her own CSV: %d %q", resp.StatusCode, csv)
	}
	if downloads() != 0 {
		t.Error("a vendor's own download was audited as staff's")
	}
	resp = v.do("GET", "/books/statement.pdf", nil, nil)
	if latest := readBody(t, resp); resp.StatusCode != 200 || latest != pdf {
		t.Errorf("the latest statement on her books page: %d, same as last month's: %v", resp.StatusCode, latest == pdf)
	}
	if resp := v.do("GET", "/books", nil, nil); !strings.Contains(readBody(t, resp), "/books/statement.pdf") {
		t.Error("the books page does not link the latest statement")
	}
	if resp := v.do("GET", path(f.participant["vendor2"].Code, prev, "pdf"), nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another vendor's statement: %d", resp.StatusCode)
	}
	for _, who := range []*client{o, m} {
		if resp := who.do("GET", path(p.Code, prev, "pdf")+"?lang=en", nil, nil); resp.StatusCode != 200 || readBody(t, resp) == pdf {
			t.Errorf("staff, in English: %d", resp.StatusCode)
		}
	}
	if n := downloads(); n != 2 {
		t.Errorf("%d staff downloads audited, want 2", n)
	}
	for _, key := range []string{"donor", "admin"} {
		if resp := f.as(key).do("GET", path(p.Code, prev, "pdf"), nil, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", key, resp.StatusCode)
		}
	}
	if resp := f.anon().do("GET", path(p.Code, prev, "pdf"), nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", resp.StatusCode)
	}
	for _, bad := range []string{
		"/api/v1/participants/" + p.Code + "/statements/2026-13.pdf",
		"/api/v1/participants/" + p.Code + "/statements/" + prev.Format("2006-01") + ".txt",
		"/api/v1/participants/" + p.Code + "/statements/nonsense",
		path(p.Code, this.AddDate(0, 2, 0), "pdf"),
		path(p.Code, prev, "pdf") + "?lang=fr",
	} {
		if resp := o.do("GET", bad, nil, nil); resp.StatusCode != http.StatusUnprocessableEntity || apiError(t, resp) != "invalid" {
			t.Errorf("%s: %d, want 422", bad, resp.StatusCode)
		}
	}
	if resp := o.do("GET", path("HSF-0000-0000", prev, "pdf"), nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown vendor: %d", resp.StatusCode)
	}

	// The verification address: no sign-in, month and totals, no name.
	issued, err := f.s.reports.IssuedAs(ctx, p.Code+"-"+prev.Format("2006-01"), fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	resp = f.anon().do("GET", "/verify/"+issued.Token, nil, nil)
	page := readBody(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(page, thai.MonthIn("th", prev)) || !strings.Contains(page, "1,679.50") || !strings.Contains(page, "รายงานฉบับนี้ออกโดยโครงการจริง") {
		t.Errorf("verify: %d\n%s", resp.StatusCode, page)
	}
	if strings.Contains(page, p.Name) || strings.Contains(page, p.PhoneNumber()) {
		t.Error("the verification page names the vendor")
	}
	// The real token with its last character changed (never to itself).
	last := "q"
	if strings.HasSuffix(issued.Token, last) {
		last = "r"
	}
	for _, bad := range []string{strings.Repeat("a", 32), issued.Token[:31] + last, "x", "..%2F..%2Fetc"} {
		resp := f.anon().do("GET", "/verify/"+bad, nil, nil)
		if body := readBody(t, resp); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "ไม่พบรายงานที่ออกด้วยที่อยู่นี้") {
			t.Errorf("verify %q: %d", bad, resp.StatusCode)
		}
	}
}

// TestStatementsZip: an officer asks for a month's statements; the job
// runs in the background, its page shows progress, and the ZIP holds each
// vendor's PDF and CSV; the download is audited.
func TestStatementsZip(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t, func(d *Deps) { d.PublicURL = "https://hawker.example.org" })
	ctx := context.Background()
	today := thai.Today(f.clock.Now())
	prev := ledger.MonthOf(today).AddDate(0, -1, 0)
	for i, key := range []string{"vendor", "vendor2"} {
		p := f.participant[key]
		if _, err := f.s.vendors.Record(ctx, audit.System, vendors.Request{ParticipantID: p.ID, Code: p.Code, Today: today, Key: fmt.Sprintf("z-%d", i),
			Input: vendors.Input{Date: prev.Format(time.DateOnly), Kind: "sale", Amount: "100.00", Method: "cash"}}); err != nil {
			t.Fatal(err)
		}
	}
	o := f.as("officer")
	if resp := o.do("GET", "/statements", nil, nil); resp.StatusCode != 200 {
		t.Fatalf("the statements page: %d", resp.StatusCode)
	}
	for _, bad := range []string{"", "2026-13", "9999-01", "<script>"} {
		resp := o.form("/statements", url.Values{"month": {bad}})
		if body := readBody(t, resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "field-error") {
			t.Errorf("month %q: %d", bad, resp.StatusCode)
		}
	}
	if resp := f.as("vendor").form("/statements", url.Values{"month": {prev.Format("2006-01")}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a vendor starts a bulk run: %d", resp.StatusCode)
	}
	resp := o.form("/statements", url.Values{"month": {prev.Format("2006-01")}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/statements/jobs/") {
		t.Fatalf("start: %d %s", resp.StatusCode, loc)
	}
	if body := readBody(t, o.do("GET", loc, nil, nil)); !strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, "<progress") {
		t.Error("a waiting job's page neither refreshes nor shows progress")
	}
	if resp := o.do("GET", loc+"/statements.zip", nil, nil); resp.StatusCode != http.StatusConflict {
		t.Errorf("the ZIP of an unfinished job: %d", resp.StatusCode)
	}
	if _, ok, err := f.s.jobs.Execute(ctx, 0, nil); !ok || err != nil {
		t.Fatalf("run the job: %v %v", ok, err)
	}
	if body := readBody(t, o.do("GET", loc, nil, nil)); strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, "statements.zip") || !strings.Contains(body, "2 จาก 2") {
		t.Errorf("a finished job's page:\n%s", body)
	}
	id := strings.TrimPrefix(loc, "/statements/jobs/")
	if body := readBody(t, o.do("GET", "/api/v1/statement-jobs/"+id, nil, nil)); !strings.Contains(body, `"state":"done"`) || !strings.Contains(body, `"percent":100`) {
		t.Errorf("the job's JSON: %s", body)
	}
	resp = o.do("GET", loc+"/statements.zip", nil, nil)
	b, _ := io.ReadAll(resp.Body)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if resp.StatusCode != 200 || err != nil {
		t.Fatalf("zip: %d %v", resp.StatusCode, err)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
	}
	want := []string{}
	for _, key := range []string{"vendor", "vendor2"} {
		n := f.participant[key].Code + "-" + prev.Format("2006-01")
		want = append(want, n+".csv", n+".pdf")
	}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("zip holds %v, want %v", names, want)
	}
	if es, _ := audit.List(ctx, f.db, audit.Filter{Action: "statement.download_all"}); len(es) != 1 {
		t.Errorf("%d bulk downloads audited, want 1", len(es))
	}
	for _, bad := range []string{"/statements/jobs/0", "/statements/jobs/abc", "/statements/jobs/999999", "/api/v1/statement-jobs/-1"} {
		if resp := o.do("GET", bad, nil, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", bad, resp.StatusCode)
		}
	}
}
