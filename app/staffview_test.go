package app

import (
	"net/http"
	"slices"
	"testing"
)

// TestStaffViewsOfBooksAreAudited: the books page shows her name and her
// business, the PromptPay page her id number; staff views of either are
// recorded, the vendor's own are not.
func TestStaffViewsOfBooksAreAudited(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	p := f.participant["vendor"]
	object := "participant:" + p.Code
	for _, path := range []string{"/books", "/books/promptpay", "/vendors/" + p.Code} {
		if resp := f.as("vendor").do("GET", path, nil, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("vendor GET %s: %d", path, resp.StatusCode)
		}
	}
	if slices.Contains(f.auditActions(object), "participant.view") {
		t.Errorf("the vendor's own views were audited: %v", f.auditActions(object))
	}
	for _, path := range []string{"/vendors/" + p.Code, "/vendors/" + p.Code + "/promptpay"} {
		before := len(f.auditActions(object))
		if resp := f.as("manager").do("GET", path, nil, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("manager GET %s: %d", path, resp.StatusCode)
		}
		if as := f.auditActions(object); len(as) <= before || as[len(as)-1] != "participant.view" {
			t.Errorf("manager's GET %s not audited: %v", path, as)
		}
	}
}
