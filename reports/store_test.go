package reports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"hawker/audit"
	"hawker/ledger"
	"hawker/money"
	"hawker/participants"
	"hawker/pg/pgtest"
	"hawker/vendors"
)

var (
	ctx   = context.Background()
	now   = time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	oct   = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	nov   = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	dec2  = func(s string) money.Amount { return money.Round(decimal.RequireFromString(s)) }
	today = time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
)

// book is a vendor with October closed and November open: sales by every
// method, expenses, a drawing, a voided sale, a grant tranche and a cart.
type book struct {
	db  *sqlx.DB
	s   *Store
	vs  *vendors.Store
	p   participants.Participant
	key int
}

func newBook(t *testing.T) *book {
	t.Helper()
	db := pgtest.New(t)
	phone := "0812345678"
	p, err := participants.NewStore(db).Enrol(ctx, audit.System, participants.Participant{
		Name: "นางสาวปิ่นแก้ว ฟุ้งเฟื่องฟู", Phone: &phone, Province: "กรุงเทพมหานคร", District: "บางรัก",
		Cohort: "2569-1", EnrolledOn: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Language: "th",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	vs := vendors.NewStore(db)
	return &book{db: db, s: NewStore(db, vs, "https://hawker.example.org"), vs: vs, p: p}
}

func (b *book) record(t *testing.T, date, kind, amount, what string) vendors.Recorded {
	t.Helper()
	b.key++
	in := vendors.Input{Date: date, Kind: kind, Amount: money.Text(amount)}
	switch kind {
	case "sale":
		in.Method = what
	case "expense":
		in.Category = what
	}
	r, err := b.vs.Record(ctx, audit.System, vendors.Request{ParticipantID: b.p.ID, Code: b.p.Code, Input: in,
		Key: fmt.Sprintf("k-%d", b.key), Today: today})
	if err != nil {
		t.Fatalf("record %s %s: %v", kind, amount, err)
	}
	return r
}

// post writes a programme movement into the vendor's book: a grant.
func (b *book) post(t *testing.T, date, memo string, debit, credit, amount string) {
	t.Helper()
	book, err := b.vs.Book(ctx, b.p.ID)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := time.Parse(time.DateOnly, date)
	b.key++
	if _, err := b.vs.Ledger().Post(ctx, ledger.Posting{Book: book, BusinessDate: d, Memo: memo, IdempotencyKey: fmt.Sprintf("g-%d", b.key),
		Lines: []ledger.Line{{Code: debit, Amount: dec2(amount).Decimal()}, {Code: credit, Amount: dec2(amount).Neg().Decimal()}}}); err != nil {
		t.Fatal(err)
	}
}

func (b *book) fill(t *testing.T) {
	b.record(t, "2026-10-01", "sale", "1200.00", "cash")
	b.record(t, "2026-10-01", "sale", "350.50", "promptpay")
	b.record(t, "2026-10-02", "sale", "99.25", "credit")
	b.record(t, "2026-10-02", "expense", "400.00", "ingredients")
	b.record(t, "2026-10-03", "expense", "120.00", "gas")
	b.record(t, "2026-10-05", "drawing", "300.00", "")
	wrong := b.record(t, "2026-10-06", "sale", "999.00", "cash")
	if _, err := b.vs.Void(ctx, audit.System, wrong.ID, "บันทึกซ้ำ", 0); err != nil {
		t.Fatal(err)
	}
	b.post(t, "2026-10-07", "ทุนงวดที่ 1", vendors.AccountCash, vendors.AccountGrantIncome, "5000.00")
	b.post(t, "2026-10-08", "รถเข็น AT-0042", vendors.AccountEquipment, vendors.AccountGrantCapital, "30000.00")
	b.record(t, "2026-10-31", "sale", "800.00", "cash")
	if _, err := b.vs.Ledger().CloseMonth(ctx, audit.System, oct, time.Now()); err != nil {
		t.Fatal(err)
	}
	b.record(t, "2026-11-01", "sale", "700.00", "cash")
	b.record(t, "2026-11-02", "expense", "50.00", "ice")
	b.record(t, "2026-11-30", "sale", "25.00", "promptpay")
}

// TestFiguresEqualTheLedger recomputes each month's figures through other
// paths (the vendors' own sums of her entries, the ledger's account
// statements) and checks that the closing cash of October opens November.
func TestFiguresEqualTheLedger(t *testing.T) {
	b := newBook(t)
	b.fill(t)
	book, _ := b.vs.Book(ctx, b.p.ID)
	var prevClosing *money.Amount
	for _, month := range []time.Time{oct, nov} {
		st, err := b.s.Statement(ctx, b.p.Code, month, today)
		if err != nil {
			t.Fatal(err)
		}
		if st.Closed != month.Equal(oct) {
			t.Errorf("%s closed = %v", st.Number, st.Closed)
		}
		totals, err := b.vs.Totals(ctx, b.p.ID, month, month.AddDate(0, 1, -1))
		if err != nil {
			t.Fatal(err)
		}
		check := func(what string, got, want money.Amount) {
			t.Helper()
			if !got.Equal(want) {
				t.Errorf("%s %s = %s, want %s", st.Number, what, got, want)
			}
		}
		check("sales", st.Sales, totals.Sales)
		for _, a := range st.SalesBy {
			check("sales "+a.Key, a.Amount, totals.Method(vendors.Method(a.Key)))
		}
		check("expenses", st.Expenses, totals.Expenses)
		for _, a := range st.ExpensesBy {
			check("expenses "+a.Key, a.Amount, totals.Category(vendors.Category(a.Key)))
		}
		check("drawings", st.Drawings, totals.Drawings)
		check("profit", st.Profit, totals.Profit())

		// Money: the cash and PromptPay accounts' own statements.
		var opening, closing money.Amount
		rows := 0
		for _, code := range []string{vendors.AccountCash, vendors.AccountPromptPay} {
			a, err := b.vs.Ledger().AccountByCode(ctx, book, code)
			if err != nil {
				t.Fatal(err)
			}
			ls, err := b.vs.Ledger().Statement(ctx, a.ID, month)
			if err != nil {
				t.Fatal(err)
			}
			opening, closing = opening.Add(ls.Opening), closing.Add(ls.Closing)
			rows += len(ls.Lines)
		}
		check("opening", st.Opening, opening)
		check("closing", st.Closing, closing)
		if rows != len(st.Rows) {
			t.Errorf("%s: %d table rows, the money accounts have %d lines", st.Number, len(st.Rows), rows)
		}
		check("receipts - payments", st.Receipts.Sub(st.Payments), closing.Sub(opening))
		if prevClosing != nil {
			check("opening (October's closing)", st.Opening, *prevClosing)
		}
		c := st.Closing
		prevClosing = &c

		if month.Equal(oct) {
			check("grants", st.GrantsTotal, dec2("35000"))
			check("equipment held", st.EquipmentVal, dec2("30000"))
			if len(st.Equipment) != 1 || st.Equipment[0].Text != "รถเข็น AT-0042" {
				t.Errorf("equipment %+v", st.Equipment)
			}
			voids := 0
			for _, r := range st.Rows {
				if r.Void {
					voids++
				}
			}
			if voids != 1 {
				t.Errorf("%d void rows, want 1", voids)
			}
			check("opening", st.Opening, money.Zero)
			check("closing", st.Closing, dec2("6530.50")) // 1200+350.50-400-120-300+5000+800
		}
		if month.Equal(nov) {
			check("equipment held", st.EquipmentVal, dec2("30000")) // still held
			check("grants", st.GrantsTotal, money.Zero)
		}
	}
	if _, err := b.s.Statement(ctx, b.p.Code, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), today); !errors.Is(err, ErrFutureMonth) {
		t.Errorf("a future month: %v", err)
	}
	if _, err := b.s.Statement(ctx, "HSF-9999-9999", oct, today); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown vendor: %v", err)
	}
}

// TestLateEntriesAreMarked: an entry booked into November whose own date
// is in October (closed) is listed in November, marked with its own date.
func TestLateEntriesAreMarked(t *testing.T) {
	v, bm, described, eq := SampleMonth(20, true)
	st, err := BuildStatement(v, bm, described, eq)
	if err != nil {
		t.Fatal(err)
	}
	late := 0
	for _, r := range st.Rows {
		if r.Late {
			late++
			if !r.Own.Equal(time.Date(2026, 10, 30, 0, 0, 0, 0, time.UTC)) || r.Date.Month() != time.November {
				t.Errorf("late row %+v", r)
			}
			p := &statementPDF{lang: "th", st: st}
			if got := p.describe(r); !strings.Contains(got, "ล่าช้า") || !strings.Contains(got, "30 ต.ค. 2569") {
				t.Errorf("late row reads %q", got)
			}
			p.lang = "en"
			if got := p.describe(r); !strings.Contains(got, "late") || !strings.Contains(got, "30 Oct 2026") {
				t.Errorf("late row reads %q", got)
			}
		}
	}
	if late != 1 {
		t.Errorf("%d late rows, want 1", late)
	}
}

func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	cmd := exec.Command(tool(t, "pdftotext"), "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestPrintIsReproducibleAndVerifiable: a closed month prints as the same
// bytes every time, with a QR of an issued address; an open month is
// provisional on every page and has none; verify tells an edited file.
func TestPrintIsReproducibleAndVerifiable(t *testing.T) {
	b := newBook(t)
	b.fill(t)
	first, err := b.s.Print(ctx, b.p.Code, oct, "th", now)
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.s.Print(ctx, b.p.Code, oct, "th", now.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.PDF, again.PDF) || !bytes.Equal(first.CSV, again.CSV) {
		t.Fatal("a closed month's statement differs between two prints")
	}
	text := pdftotext(t, first.PDF)
	for _, want := range []string{"รายงานการเงินประจำเดือน", "ตุลาคม 2569", b.p.Name, b.p.Code, "หกพันห้าร้อยสามสิบบาทห้าสิบสตางค์", "ยกเลิกรายการ", "รถเข็น AT-0042", "/verify/"} {
		if !strings.Contains(text, want) {
			t.Errorf("the October statement lacks %q", want)
		}
	}
	if strings.Contains(text, "ฉบับชั่วคราว") {
		t.Error("a closed month's statement says provisional")
	}
	if !bytes.HasPrefix(first.CSV, []byte("\uFEFF")) || !bytes.Contains(first.CSV, []byte("6530.50")) {
		t.Error("the CSV twin lacks its BOM or the closing cash")
	}

	// The register answers the printed token and nothing else.
	issued, err := b.s.IssuedAs(ctx, first.Statement.Number, first.Statement.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, issued.Token) || !issued.Totals.Closing.Equal(money.MustParse("6530.50")) || !issued.Month.Equal(oct) {
		t.Errorf("register %+v", issued)
	}
	for _, bad := range []string{"", "x", strings.Repeat("a", 32), issued.Token[:31] + "b", "../../etc/passwd", strings.ToUpper(issued.Token)} {
		if bad == issued.Token {
			continue
		}
		if _, err := b.s.Lookup(ctx, bad); !errors.Is(err, ErrNotIssued) {
			t.Errorf("token %q: %v, want not issued", bad, err)
		}
	}

	en, err := b.s.Print(ctx, b.p.Code, oct, "en", now)
	if err != nil {
		t.Fatal(err)
	}
	if en.Statement.Fingerprint != first.Statement.Fingerprint || !strings.Contains(pdftotext(t, en.PDF), "Monthly statement") {
		t.Error("the English print should share the fingerprint and be in English")
	}

	// The open month: provisional on every page, no QR, not issued.
	open, err := b.s.Print(ctx, b.p.Code, nov, "th", now)
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(pdftotext(t, open.PDF), "\f")
	for i, pg := range pages {
		if strings.TrimSpace(pg) == "" {
			continue
		}
		if !strings.Contains(pg, "ฉบับชั่วคราว") || !strings.Contains(pg, fmt.Sprintf("หน้า %d จาก", i+1)) {
			t.Errorf("page %d of the open month lacks the provisional mark or its number:\n%s", i+1, pg)
		}
	}
	if strings.Contains(pdftotext(t, open.PDF), "/verify/") {
		t.Error("a provisional statement carries a verification address")
	}
	if _, err := b.s.IssuedAs(ctx, open.Statement.Number, open.Statement.Fingerprint); !errors.Is(err, ErrNotIssued) {
		t.Error("a provisional statement was issued")
	}

	// Verify: the genuine file passes; an edited one does not.
	v, err := b.s.Verify(ctx, first.PDF, now)
	if err != nil || !v.OK() {
		t.Fatalf("genuine: %v %v", v, err)
	}
	edited := bytes.Replace(first.PDF, []byte("/Producer (Hawker)"), []byte("/Producer (Hackr)"), 1)
	if v, err := b.s.Verify(ctx, edited, now); err != nil || v.OK() || !v.Figures {
		t.Errorf("edited: %v %v", v, err)
	}
	forged := bytes.Replace(first.PDF, []byte("fingerprint="+first.Statement.Fingerprint[:8]), []byte("fingerprint=00000000"), 1)
	if v, err := b.s.Verify(ctx, forged, now); err != nil || v.OK() || v.Figures {
		t.Errorf("forged fingerprint: %v %v", v, err)
	}
	if _, err := b.s.Verify(ctx, []byte("%PDF-1.4 nothing"), now); !errors.Is(err, ErrNotStatement) {
		t.Errorf("not a statement: %v", err)
	}
	if v, err := b.s.Verify(ctx, open.PDF, now); err != nil || !v.OK() {
		t.Errorf("provisional, unchanged: %v %v", v, err)
	}
	b.record(t, "2026-11-15", "sale", "10.00", "cash")
	if v, err := b.s.Verify(ctx, open.PDF, now); err != nil || v.OK() {
		t.Errorf("provisional, since changed: %v %v", v, err)
	}
}

// TestLateEntryFromTheBooks: a sale dated in October recorded after
// October closed is booked into November by package vendors; November's
// statement lists it, marked with its own date, and its figures count it.
func TestLateEntryFromTheBooks(t *testing.T) {
	b := newBook(t)
	b.fill(t)
	before, err := b.s.Statement(ctx, b.p.Code, nov, today)
	if err != nil {
		t.Fatal(err)
	}
	b.record(t, "2026-10-20", "sale", "64.50", "cash")
	st, err := b.s.Statement(ctx, b.p.Code, nov, today)
	if err != nil {
		t.Fatal(err)
	}
	late := 0
	for _, r := range st.Rows {
		if r.Late {
			late++
			if !r.Own.Equal(time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)) || r.Date.Before(nov) || !r.Receipt.Equal(dec2("64.50")) {
				t.Errorf("late row %+v", r)
			}
		}
	}
	if late != 1 || !st.Sales.Equal(before.Sales.Add(dec2("64.50"))) || !st.Closing.Equal(before.Closing.Add(dec2("64.50"))) {
		t.Errorf("%d late rows; sales %s (was %s), closing %s (was %s)", late, st.Sales, before.Sales, st.Closing, before.Closing)
	}
	if oct, err := b.s.Statement(ctx, b.p.Code, oct, today); err != nil || !oct.Closing.Equal(dec2("6530.50")) {
		t.Errorf("October changed after its close: %v %v", oct.Closing, err)
	}
}
