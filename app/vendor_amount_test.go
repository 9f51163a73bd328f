package app

import "testing"

// TestFormAmount: the books forms read amounts as people write them, by
// the rule vendor.js mirrors; what the entry's check must refuse passes
// through as typed.
func TestFormAmount(t *testing.T) {
	for typed, want := range map[string]string{
		"1,250.50": "1250.50", "12,345": "12345.00", "120": "120.00", " 35.5 ": "35.50",
		"1,50": "1,50", "": "", "1,0000": "1,0000", "-5": "-5", "12.345": "12.345",
	} {
		if got := string(formAmount(typed)); got != want {
			t.Errorf("formAmount(%q) = %q, want %q", typed, got, want)
		}
	}
}
