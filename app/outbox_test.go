package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"hawker/reports"
)

// TestOutbox: an administrator adds a donor's report contact (a bad or repeated
// address is 422 with its message); the month's report made without a mail
// server is kept on the outbox page, where an administrator
// opens it, its message as sent and the report as issued, and nobody else
// reaches any of it; removing the contact is audited like adding it.
func TestOutbox(t *testing.T) {
	ctx := context.Background()
	f := newAccessFixture(t)
	m := f.as("admin")
	donor := f.donor["donor"]
	add := func(email, lang string) *http.Response {
		return m.form("/admin/outbox/contacts", url.Values{"donor": {fmt.Sprint(donor.ID)}, "email": {email}, "language": {lang}})
	}
	if res := add("somchai@donor.example", "en"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add contact: %d %s", res.StatusCode, readBody(t, res))
	}
	for _, bad := range []struct{ email, lang, want string }{
		{"not an address", "th", "กรุณากรอกอีเมล เช่น"},
		{"SOMCHAI@donor.example", "th", "มีผู้รับรายงานที่อีเมลนี้แล้ว"},
		{"other@donor.example", "fr", "กรุณาเลือกภาษาไทยหรือภาษาอังกฤษ"},
	} {
		res := add(bad.email, bad.lang)
		if body := readBody(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, bad.want) || !strings.Contains(body, "<details open>") {
			t.Errorf("contact %q %q: %d, want 422 with %q and the form open", bad.email, bad.lang, res.StatusCode, bad.want)
		}
	}

	// The month begins: the report is made and, with no mail server, kept.
	if _, err := f.s.delivery.Schedule(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.jobs.Execute(ctx, 0, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := f.s.delivery.SendDue(ctx); n != 1 || err != nil {
		t.Fatalf("kept %d messages, %v", n, err)
	}
	out, err := f.s.reports.Outbox(ctx, 10)
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox %v %v", out, err)
	}
	id := out[0].ID
	month := reports.LastMonth(f.clock.Now())
	for _, who := range []string{"admin"} {
		c := f.as(who)
		body := readBody(t, c.page("/admin/outbox"))
		for _, want := range []string{"somchai@donor.example", donor.Name, "เก็บไว้ที่นี่ (ไม่มีเซิร์ฟเวอร์อีเมล)", fmt.Sprintf("/admin/outbox/%d", id), "HAWKER_SMTP_URL"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the outbox lacks %q", who, want)
			}
		}
		res := c.page(fmt.Sprintf("/admin/outbox/%d", id))
		body = readBody(t, res)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "เรียน "+donor.Name) || !strings.Contains(body, "Dear "+donor.Name) ||
			!strings.Contains(body, fmt.Sprintf("impact-%d-%s-en.pdf", donor.ID, month.Format("2006-01"))) {
			t.Errorf("%s: the message page: %d", who, res.StatusCode)
		}
		res = c.page(fmt.Sprintf("/admin/outbox/%d/message.eml", id))
		if body := readBody(t, res); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "message/rfc822" || !strings.HasPrefix(body, "From: hawker@localhost\r\nTo: somchai@donor.example\r\n") {
			t.Errorf("%s: the message as sent: %d %s", who, res.StatusCode, res.Header.Get("Content-Type"))
		}
		res = c.page(fmt.Sprintf("/admin/outbox/%d/report.pdf", id))
		if body := readBody(t, res); res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "%PDF-") {
			t.Errorf("%s: the report as issued: %d", who, res.StatusCode)
		}
		if res := c.page("/admin/outbox/999999"); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: a guessed message: %d", who, res.StatusCode)
		}
	}
	for _, who := range []string{"manager", "officer", "donor", "vendor"} {
		for _, path := range []string{"/admin/outbox", fmt.Sprintf("/admin/outbox/%d", id), fmt.Sprintf("/admin/outbox/%d/message.eml", id), fmt.Sprintf("/admin/outbox/%d/report.pdf", id)} {
			if res := f.as(who).page(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s: %d, want 403", who, path, res.StatusCode)
			}
		}
		res := f.as(who).form("/admin/outbox/contacts", url.Values{"donor": {fmt.Sprint(donor.ID)}, "email": {"x@donor.example"}, "language": {"th"}})
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s adds a contact: %d, want 403", who, res.StatusCode)
		}
	}

	cs, err := f.s.donors.Contacts(ctx, donor.ID)
	if err != nil || len(cs) != 1 {
		t.Fatalf("contacts %v %v", cs, err)
	}
	if res := m.form(fmt.Sprintf("/admin/outbox/contacts/%d/remove", cs[0].ID), url.Values{"donor": {fmt.Sprint(f.donor["donor2"].ID)}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("removing a contact under another donor: %d, want 404", res.StatusCode)
	}
	if res := m.form(fmt.Sprintf("/admin/outbox/contacts/%d/remove", cs[0].ID), url.Values{"donor": {fmt.Sprint(donor.ID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove contact: %d", res.StatusCode)
	}
	if cs, _ := f.s.donors.Contacts(ctx, donor.ID); len(cs) != 0 {
		t.Errorf("contacts after removal: %v", cs)
	}
	got := f.auditActions(fmt.Sprintf("donor:%d", donor.ID))
	if !slices.Contains(got, "donor.contact_add") || !slices.Contains(got, "donor.contact_remove") {
		t.Errorf("audit of the donor: %v", got)
	}
	// The message sent keeps the address it went to.
	if body := readBody(t, m.page("/admin/outbox")); !strings.Contains(body, "somchai@donor.example") {
		t.Error("the outbox lost the address the message went to")
	}
}
