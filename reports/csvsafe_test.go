package reports

import "testing"

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"ข้าวมันไก่":              "ข้าวมันไก่",
		"=HYPERLINK(\"x\",\"y\")": "'=HYPERLINK(\"x\",\"y\")",
		"+66 81 234 5678":         "'+66 81 234 5678",
		"-2+3":                    "'-2+3",
		"@SUM(A1:A9)":             "'@SUM(A1:A9)",
		"\t=1":                    "'\t=1",
		"\r=1":                    "'\r=1",
		"-50.00":                  "-50.00",
		"1234.50":                 "1234.50",
		"+5":                      "+5",
		"a=b":                     "a=b",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}
