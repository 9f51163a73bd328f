// Package reports makes the documents Hawker hands out: each vendor's
// monthly statement as PDF and CSV, built from the ledger, and the
// background jobs that make them in bulk.
//
// It owns report_statements, report_jobs, report_job_items and
// report_job_files. It reads books through ledger, participants and vendors,
// and what a vendor received through grants; its words come from catalog.
// It imports audit, catalog, fonts, grants, ledger, participants, pg, thai,
// valid and vendors.
package reports

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/jung-kurt/gofpdf"

	"hawker/fonts"
	"hawker/thai"
)

// Font families registered in every document.
const (
	face = "laksaman"
)

// doc is an A4 portrait PDF set in Laksaman. Its text methods shape Thai
// for the font (thai.Shape) and wrap each shaped run in ActualText marked
// content carrying the original, so that copying, searching and screen
// readers get the Thai that was meant, not the font's legacy glyphs.
// Pages break only where the caller says, so a marked run never straddles
// two pages.
type doc struct {
	pdf *gofpdf.Fpdf
}

// fixedTime is the creation date of a document whose bytes must not depend
// on when it was made.
var fixedTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// newDoc starts a document. created is its creation date; a zero created
// uses fixedTime, so that the same content gives the same bytes.
func newDoc(title string, created time.Time) *doc {
	p := gofpdf.NewCustom(&gofpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	p.SetAutoPageBreak(false, 0)
	p.SetMargins(15, 15, 15)
	p.SetCatalogSort(true)
	if created.IsZero() {
		created = fixedTime
	}
	p.SetCreationDate(created)
	p.SetModificationDate(created)
	p.SetProducer("Hawker", false)
	p.SetCreator("Hawker", false)
	p.SetTitle(title, true)
	// Every document shares the embedded fonts: our gofpdf
	// (third_party/gofpdf) parses each once per process and never writes
	// into the file while subsetting it.
	p.AddUTF8FontFromBytes(face, "", fonts.Laksaman)
	p.AddUTF8FontFromBytes(face, "B", fonts.LaksamanBold)
	p.AliasNbPages("{nb}")
	p.SetFont(face, "", 14)
	return &doc{pdf: p}
}

// actualText is the marked-content opener that gives a run its original
// text: /Span <</ActualText <FEFF…>>> BDC, the text in UTF-16BE hex.
func actualText(s string) string {
	var b strings.Builder
	b.WriteString("/Span <</ActualText <FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteString(">>> BDC\n")
	return b.String()
}

// marked draws with draw the shaped form of s, inside ActualText when the
// shaping changed it.
func (d *doc) marked(s string, draw func(shaped string)) {
	shaped := thai.Shape(s)
	if shaped == s {
		draw(s)
		return
	}
	d.pdf.RawWriteStr(actualText(s))
	draw(shaped)
	d.pdf.RawWriteStr("EMC\n")
}

// font sets the face: bold or not, at size points.
func (d *doc) font(bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	d.pdf.SetFont(face, style, size)
}

// text draws s with its baseline at (x, y).
func (d *doc) text(x, y float64, s string) {
	d.marked(s, func(t string) { d.pdf.Text(x, y, t) })
}

// cell draws s in a w×h box at the current position, as gofpdf's
// CellFormat: align is "L", "C" or "R"; border "" or "1" or sides "LTRB".
// A cell never wraps: Thai has no spaces to break at, so a text wider than
// the box is cut to fit with an ellipsis rather than spilling.
func (d *doc) cell(w, h float64, s, border, align string, fill bool, ln int) {
	s = d.fit(s, w-2*d.pdf.GetCellMargin())
	d.marked(s, func(t string) { d.pdf.CellFormat(w, h, t, border, ln, align, fill, 0, "") })
}

// width is the drawn width of s in the current font.
func (d *doc) width(s string) float64 { return d.pdf.GetStringWidth(thai.Shape(s)) }

// fit cuts s at a character boundary so it fits w, ending it with "…".
func (d *doc) fit(s string, w float64) string {
	if w <= 0 || d.width(s) <= w {
		return s
	}
	rs := []rune(s)
	for n := len(rs) - 1; n > 0; n-- {
		// Never cut before a mark or after a leading vowel: a cut keeps
		// each cluster whole.
		if isMark(rs[n]) || (rs[n-1] >= 0x0E40 && rs[n-1] <= 0x0E44) {
			continue
		}
		t := string(rs[:n]) + "…"
		if d.width(t) <= w {
			return t
		}
	}
	return "…"
}

func isMark(r rune) bool {
	return r == 0x0E31 || (r >= 0x0E33 && r <= 0x0E3A) || (r >= 0x0E47 && r <= 0x0E4E)
}

// bytes ends the document and returns it.
func (d *doc) bytes() ([]byte, error) {
	var b bytes.Buffer
	if err := d.pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("reports: pdf: %w", err)
	}
	return b.Bytes(), nil
}
