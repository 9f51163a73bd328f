package reports

import (
	"testing"
)

func BenchmarkStatementPDF(b *testing.B) {
	st := SampleStatement(60, true)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.PDF(PDFOptions{Lang: "th", VerifyURL: "https://hawker.example.org/verify/abcdefghijklmnopqrstuvwxyz"}); err != nil {
			b.Fatal(err)
		}
	}
}
