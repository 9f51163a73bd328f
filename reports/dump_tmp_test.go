package reports

import (
	"os"
	"testing"
	"time"
)

func TestDumpTmp(t *testing.T) {
	for _, c := range []struct{ closed bool; lang, name string }{{true, "th", "closed-th"}, {false, "en", "open-en"}} {
		st := SampleStatement(60, c.closed)
		b, err := st.PDF(PDFOptions{Lang: c.lang, VerifyURL: "https://hawker.example.org/verify/3q7m4x2kd9f8h6j5p1c0v", Created: time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile("/tmp/"+c.name+".pdf", b, 0o644)
	}
}
