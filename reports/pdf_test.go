package reports

import (
	"bytes"
	"sync"
	"testing"
)

// TestDocumentsAtOnce builds documents on several goroutines, as the bulk
// job does: each must come out as the one built alone (and, under -race,
// none may write into the font another is subsetting).
func TestDocumentsAtOnce(t *testing.T) {
	build := func() []byte {
		d := newDoc("ทดสอบ", fixedTime)
		d.pdf.AddPage()
		d.text(20, 30, "ที่ ปู่ ญุ ฐุ น้ำ ปี่ ฟ้า ปั้น กั้น หนึ่ง")
		d.font(true, 12)
		d.text(20, 40, "ยอดเงินสดคงเหลือ 1,000,001.00")
		b, err := d.bytes()
		if err != nil {
			t.Error(err)
		}
		return b
	}
	want := build()
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = build()
		}()
	}
	wg.Wait()
	for i, b := range got {
		if !bytes.Equal(b, want) {
			t.Errorf("document %d built at once with others differs from one built alone", i)
		}
	}
}
