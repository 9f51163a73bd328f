package reports

import (
	"bytes"
	"flag"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// thaiSamples are the words whose marks go wrong without shaping, and a
// long name with stacked marks over tall and descending consonants.
var thaiSamples = []string{
	"ที่ ปู่ ญุ ฐุ น้ำ",
	"ปี่ ฟ้า ปั้น กั้น หนึ่ง",
	"นางสาวปิ่นแก้ว ฟุ้งเฟื่องฟู ญาญ่า ฐิติรัตน์ ปั้มน้ำมัน",
	"หนึ่งล้านเอ็ดบาทถ้วน ยอดเงินสดคงเหลือ 1,000,001.00",
}

func thaiSamplePDF(t *testing.T) []byte {
	t.Helper()
	d := newDoc("Thai", fixedTime)
	d.pdf.AddPage()
	y := 25.0
	for _, s := range thaiSamples {
		d.font(false, 24)
		d.text(15, y, s)
		y += 14
	}
	d.font(true, 20)
	d.pdf.SetXY(15, y)
	d.cell(120, 10, "ปู่ฟ้า ผู้ใหญ่บ้าน", "1", "L", false, 1)
	b, err := d.bytes()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tool finds a poppler-utils program; make test installs it
// (scripts/ensure-poppler.sh), and without it the test fails, never skips.
func tool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: run scripts/ensure-poppler.sh (make test does)", name)
	}
	return p
}

// TestThaiCopiesOut checks that the shaped runs read back as the original
// Thai: pdftotext follows the ActualText around each run.
func TestThaiCopiesOut(t *testing.T) {
	pdf := thaiSamplePDF(t)
	cmd := exec.Command(tool(t, "pdftotext"), "-raw", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, s := range append(thaiSamples, "ปู่ฟ้า ผู้ใหญ่บ้าน") {
		if !strings.Contains(got, s) {
			t.Errorf("pdftotext lost %q; got:\n%s", s, got)
		}
	}
	if strings.ContainsFunc(got, func(r rune) bool { return r >= 0xF700 && r <= 0xF8FF }) {
		t.Errorf("private-use glyphs leaked into the text: %+q", got)
	}
}

// TestThaiGolden renders the samples with pdftoppm and compares them with
// a reviewed image: a mark that moves (a tone mark back on top of ป, ญ
// keeping its tail) changes hundreds of pixels, antialiasing a handful.
func TestThaiGolden(t *testing.T) {
	pdf := thaiSamplePDF(t)
	// The samples fill the top of the page; the blank rest would only
	// dilute the tolerance.
	got := crop(rasterize(t, pdf, 1), image.Rect(0, 0, 827, 380))
	golden := filepath.Join("testdata", "thai.png")
	if *update {
		f, err := os.Create(golden)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, got); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	f, err := os.Open(golden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if diff, total := pixelDiff(got, want); diff > total/1000 {
		seen := filepath.Join(os.TempDir(), "hawker-thai.got.png")
		os.WriteFile(seen, encodePNG(t, got), 0o644)
		t.Errorf("rendering (%s) differs from testdata/thai.png in %d of %d pixels (tolerance %d); look at both, then -update",
			seen, diff, total, total/1000)
	}
}

// rasterize renders one page of pdf to a grey image at 100 dpi.
func rasterize(t *testing.T, pdf []byte, page int) image.Image {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	pg := strconv.Itoa(page)
	cmd := exec.Command(tool(t, "pdftoppm"), "-r", "100", "-gray", "-png", "-f", pg, "-l", pg, "-singlefile", in, filepath.Join(dir, "out"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "out.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// crop copies r of img into a grey image of its own.
func crop(img image.Image, r image.Rectangle) *image.Gray {
	r = r.Intersect(img.Bounds())
	g := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(g, g.Bounds(), img, r.Min, draw.Src)
	return g
}

// pixelDiff counts the pixels whose grey level differs by more than a
// quarter of the range; images of different sizes differ everywhere.
func pixelDiff(a, b image.Image) (diff, total int) {
	ra, rb := a.Bounds(), b.Bounds()
	total = ra.Dx() * ra.Dy()
	if ra.Size() != rb.Size() {
		return total, total
	}
	for y := 0; y < ra.Dy(); y++ {
		for x := 0; x < ra.Dx(); x++ {
			ga, _, _, _ := a.At(ra.Min.X+x, ra.Min.Y+y).RGBA()
			gb, _, _, _ := b.At(rb.Min.X+x, rb.Min.Y+y).RGBA()
			d := int(ga) - int(gb)
			if d < 0 {
				d = -d
			}
			if d > 0x4000 {
				diff++
			}
		}
	}
	return diff, total
}

func encodePNG(t *testing.T, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestThaiGoldenCatchesUnshaped proves the comparison can fail: the same
// samples drawn without the shaping pass (marks colliding with ป ฟ, ญ ฐ
// keeping their tails) are far outside the tolerance.
func TestThaiGoldenCatchesUnshaped(t *testing.T) {
	d := newDoc("Thai", fixedTime)
	d.pdf.AddPage()
	y := 25.0
	for _, s := range thaiSamples {
		d.font(false, 24)
		d.pdf.Text(15, y, s)
		y += 14
	}
	d.font(true, 20)
	d.pdf.SetXY(15, y)
	d.pdf.CellFormat(120, 10, "ปู่ฟ้า ผู้ใหญ่บ้าน", "1", 1, "L", false, 0, "")
	pdf, err := d.bytes()
	if err != nil {
		t.Fatal(err)
	}
	got := crop(rasterize(t, pdf, 1), image.Rect(0, 0, 827, 380))
	f, err := os.Open(filepath.Join("testdata", "thai.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if diff, total := pixelDiff(got, want); diff <= total/1000 {
		t.Errorf("unshaped text differs in only %d of %d pixels: the golden comparison would not notice", diff, total)
	} else {
		t.Logf("unshaped differs in %d of %d pixels", diff, total)
	}
}
