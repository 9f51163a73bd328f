package vendors_test

import (
	"context"
	"errors"
	"fmt"
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
	"hawker/valid"
	"hawker/vendors"
)

var today = time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)

func dec(s string) money.Amount {
	a, err := money.FromDecimal(decimal.RequireFromString(s))
	if err != nil {
		panic(err)
	}
	return a
}

// enrol adds a participant for the books to belong to.
func enrol(t testing.TB, db *sqlx.DB, n int) participants.Participant {
	t.Helper()
	phone := fmt.Sprintf("08%08d", 10000000+n)
	p, err := participants.NewStore(db).Enrol(context.Background(), audit.System, participants.Participant{
		Name: fmt.Sprintf("แม่ค้า %d", n), Phone: &phone, Province: "กรุงเทพมหานคร", District: "บางรัก",
		Cohort: "2569-1", EnrolledOn: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Language: "th",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func request(p participants.Participant, key string, in vendors.Input) vendors.Request {
	return vendors.Request{ParticipantID: p.ID, Code: p.Code, Input: in, Key: key, Today: today}
}

func sale(date, amount, method string) vendors.Input {
	return vendors.Input{Date: date, Kind: "sale", Amount: money.Text(amount), Method: method}
}

// ledgerRows is how many entries and lines the ledger holds.
func ledgerRows(t testing.TB, db *sqlx.DB) (entries, lines int) {
	t.Helper()
	c, err := ledger.NewStore(db).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(c.Entries), int(c.Lines)
}

func count(t testing.TB, db *sqlx.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAmountKey(t *testing.T) {
	ceiling := vendors.DefaultCeiling
	for _, c := range []struct {
		in, want, key string
	}{
		{"120", "120", ""},
		{" 35.50 ", "35.5", ""},
		{"0.01", "0.01", ""},
		{"100000", "100000", ""},
		{"100000.00", "100000", ""},
		{"100000.01", "", "vendor.amount_ceiling"},
		{"0", "", "vendor.amount_positive"},
		{"0.00", "", "vendor.amount_positive"},
		{"", "", "vendor.amount_required"},
		{"1.005", "", "vendor.amount_decimals"},
		{"12.345", "", "vendor.amount_decimals"},
		{"-5", "", "vendor.amount_invalid"},
		{"+5", "", "vendor.amount_invalid"},
		{"1e3", "", "vendor.amount_invalid"},
		{"1,000", "", "vendor.amount_invalid"},
		{".5", "", "vendor.amount_invalid"},
		{"5.", "", "vendor.amount_invalid"},
		{"NaN", "", "vendor.amount_invalid"},
		{"๑๒๐", "", "vendor.amount_invalid"},
		{"12 0", "", "vendor.amount_invalid"},
	} {
		d, err := money.Parse(c.in)
		key := vendors.AmountKey(d, err, ceiling)
		if key != c.key {
			t.Errorf("AmountKey(Parse(%q)) key = %q, want %q", c.in, key, c.key)
			continue
		}
		if key == "" && !d.Equal(dec(c.want)) {
			t.Errorf("Parse(%q) = %s, want %s", c.in, d, c.want)
		}
	}
	if key := vendors.AmountKey(money.MustParse("500.00"), nil, dec("499.99")); key != "vendor.amount_ceiling" {
		t.Errorf("a lower ceiling is not applied: %q", key)
	}
}

func TestInputCheck(t *testing.T) {
	for _, c := range []struct {
		name  string
		in    vendors.Input
		field string
		key   string
	}{
		{"sale", sale("2026-03-14", "100", "cash"), "", ""},
		{"backdated sale", sale("2026-01-02", "100", "promptpay"), "", ""},
		{"tomorrow", sale("2026-03-15", "100", "cash"), "date", "vendor.date_future"},
		{"bad date", sale("14/03/2026", "100", "cash"), "date", "vendor.date_invalid"},
		{"no date", sale("", "100", "cash"), "date", "vendor.date_required"},
		{"no method", sale("2026-03-14", "100", ""), "method", "vendor.method_invalid"},
		{"bad method", sale("2026-03-14", "100", "card"), "method", "vendor.method_invalid"},
		{"sale with category", vendors.Input{Date: "2026-03-14", Kind: "sale", Amount: "1", Method: "cash", Category: "ice"}, "category", "vendor.category_not_for_kind"},
		{"expense", vendors.Input{Date: "2026-03-14", Kind: "expense", Amount: "45", Category: "ice"}, "", ""},
		{"expense without category", vendors.Input{Date: "2026-03-14", Kind: "expense", Amount: "45"}, "category", "vendor.category_invalid"},
		{"expense bad category", vendors.Input{Date: "2026-03-14", Kind: "expense", Amount: "45", Category: "rent"}, "category", "vendor.category_invalid"},
		{"drawing", vendors.Input{Date: "2026-03-14", Kind: "drawing", Amount: "300"}, "", ""},
		{"drawing with category", vendors.Input{Date: "2026-03-14", Kind: "drawing", Amount: "300", Category: "gas"}, "category", "vendor.category_not_for_kind"},
		{"bad kind", vendors.Input{Date: "2026-03-14", Kind: "refund", Amount: "300"}, "kind", "vendor.kind_invalid"},
		{"long note", vendors.Input{Date: "2026-03-14", Kind: "drawing", Amount: "3", Note: strings.Repeat("ก", 201)}, "note", "vendor.note_too_long"},
	} {
		_, err := c.in.Check(today, vendors.DefaultCeiling)
		if c.key == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var fields valid.Errors
		if !errors.As(err, &fields) || fields[c.field] != c.key {
			t.Errorf("%s: err = %v, want %s: %s", c.name, err, c.field, c.key)
		}
	}
}

func TestRecordIsIdempotent(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	s := vendors.NewStore(db)
	p := enrol(t, db, 1)

	first, err := s.Record(ctx, audit.System, request(p, "k-1", sale("2026-03-14", "120.50", "cash")))
	if err != nil {
		t.Fatal(err)
	}
	if first.Replayed || first.ID == 0 || first.EntryID == 0 {
		t.Fatalf("first = %+v", first)
	}
	again, err := s.Record(ctx, audit.System, request(p, "k-1", sale("2026-03-14", "120.5", "cash")))
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed || again.ID != first.ID || again.EntryID != first.EntryID || !again.RecordedAt.Equal(first.RecordedAt) {
		t.Fatalf("replay = %+v, want the first entry %+v", again, first)
	}
	entries, lines := ledgerRows(t, db)
	if _, err := s.Record(ctx, audit.System, request(p, "k-1", sale("2026-03-14", "121", "cash"))); !errors.Is(err, vendors.ErrIdempotencyConflict) {
		t.Fatalf("other body under the key: %v, want conflict", err)
	}
	other := enrol(t, db, 2)
	if _, err := s.Record(ctx, audit.System, request(other, "k-1", sale("2026-03-14", "120.50", "cash"))); !errors.Is(err, vendors.ErrIdempotencyConflict) {
		t.Fatalf("the key for another vendor: %v, want conflict", err)
	}
	// A refused request writes nothing, so its key is judged afresh.
	var fields valid.Errors
	if _, err := s.Record(ctx, audit.System, request(p, "k-2", sale("2026-03-15", "10", "cash"))); !errors.As(err, &fields) {
		t.Fatalf("future date: %v", err)
	}
	if e, l := ledgerRows(t, db); e != entries || l != lines {
		t.Fatalf("refused requests wrote: %d→%d entries, %d→%d lines", entries, e, lines, l)
	}
	if _, err := s.Record(ctx, audit.System, request(p, "k-2", sale("2026-03-14", "10", "cash"))); err != nil {
		t.Fatalf("retry of a refused key: %v", err)
	}
	if n := count(t, db, "vendor_entries"); n != 2 {
		t.Fatalf("vendor entries = %d, want 2", n)
	}
	// The ledger holds one balanced entry per vendor entry, in her book.
	book, err := s.Book(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	le, err := s.Ledger().Entry(ctx, first.EntryID)
	if err != nil || le.BookID != book || len(le.Lines) != 2 {
		t.Fatalf("ledger entry %+v, %v", le, err)
	}
	cash, err := s.CashOnHand(ctx, p.ID)
	if err != nil || !cash.Equal(dec("130.50")) {
		t.Fatalf("cash = %s, %v; want 130.50", cash, err)
	}
}

func TestConcurrentRetriesCountOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	s := vendors.NewStore(db)
	p := enrol(t, db, 1)
	const n = 8
	errs := make(chan error, n)
	ids := make(chan int64, n)
	for i := 0; i < n; i++ {
		go func() {
			r, err := s.Record(ctx, audit.System, request(p, "same", sale("2026-03-14", "99", "promptpay")))
			errs <- err
			ids <- r.ID
		}()
	}
	var first int64
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		id := <-ids
		if first == 0 {
			first = id
		}
		if id != first {
			t.Fatalf("ids differ: %d and %d", first, id)
		}
	}
	if c := count(t, db, "vendor_entries"); c != 1 {
		t.Fatalf("%d entries, want 1", c)
	}
}

func TestVoid(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	s := vendors.NewStore(db)
	p := enrol(t, db, 1)
	r, err := s.Record(ctx, audit.System, request(p, "a", vendors.Input{Date: "2026-03-13", Kind: "expense", Amount: "80", Category: "gas"}))
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Void(ctx, audit.System, r.ID, "typed twice", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Voided() || v.ReversalID == nil {
		t.Fatalf("void = %+v", v)
	}
	rev, err := s.Ledger().Entry(ctx, *v.ReversalID)
	if err != nil || rev.Reverses == nil || *rev.Reverses != r.EntryID || !rev.BusinessDate.Equal(r.Date) {
		t.Fatalf("reversal %+v, %v", rev, err)
	}
	if cash, _ := s.CashOnHand(ctx, p.ID); !cash.IsZero() {
		t.Fatalf("cash after void = %s", cash)
	}
	if _, err := s.Void(ctx, audit.System, r.ID, "again", 0); !errors.Is(err, vendors.ErrAlreadyVoided) {
		t.Fatalf("second void: %v", err)
	}
	tot, err := s.Totals(ctx, p.ID, today.AddDate(0, 0, -7), today)
	if err != nil || !tot.Expenses.IsZero() || tot.Entries != 0 {
		t.Fatalf("totals count a voided entry: %+v, %v", tot, err)
	}
	if _, err := s.Void(ctx, audit.System, 999999, "x", 0); !errors.Is(err, vendors.ErrNotFound) {
		t.Fatalf("void of nothing: %v", err)
	}
}

func TestClosedMonthVoidRefusedEntryLate(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	s := vendors.NewStore(db)
	p := enrol(t, db, 1)
	r, err := s.Record(ctx, audit.System, request(p, "a", sale("2026-02-10", "50", "cash")))
	if err != nil {
		t.Fatal(err)
	}
	book, _ := s.Book(ctx, p.ID)
	if _, err := s.Ledger().ClosePeriod(ctx, audit.System, book, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Void(ctx, audit.System, r.ID, "wrong", 0); !errors.Is(err, ledger.ErrClosedPeriod) {
		t.Fatalf("void in a closed month: %v", err)
	}
	// An entry dated in the closed month is never refused: it is booked
	// late, on the first day of the first open month, and keeps its date.
	late, err := s.Record(ctx, audit.System, request(p, "b", sale("2026-02-11", "50", "cash")))
	if err != nil {
		t.Fatalf("entry in a closed month: %v", err)
	}
	march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if !late.Late() || !late.LedgerDate().Equal(march) || late.Date.Format(time.DateOnly) != "2026-02-11" {
		t.Fatalf("late entry: late %v, booked %v, date %v", late.Late(), late.LedgerDate(), late.Date)
	}
	if d := late.Doc(); !d.Late || d.BookedOn != "2026-03-01" || d.Date != "2026-02-11" {
		t.Fatalf("late entry's document: %+v", d)
	}
	if le, err := s.Ledger().Entry(ctx, late.EntryID); err != nil || !le.BusinessDate.Equal(march) {
		t.Fatalf("its ledger entry is dated %v (%v), want 2026-03-01", le.BusinessDate, err)
	}
	again, err := s.Entry(ctx, late.ID)
	if err != nil || !again.Late() || !again.LedgerDate().Equal(march) {
		t.Fatalf("read back: %+v, %v", again, err)
	}
	// On time entries are not late; a late one is voided in its booking month.
	if r.Late() {
		t.Fatal("an entry of an open month reads as late")
	}
	if _, err := s.Void(ctx, audit.System, late.ID, "typed twice", 0); err != nil {
		t.Fatalf("void of a late entry: %v", err)
	}
}

func TestSummaries(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	s := vendors.NewStore(db)
	p := enrol(t, db, 1)
	key := 0
	rec := func(in vendors.Input) vendors.Recorded {
		t.Helper()
		key++
		r, err := s.Record(ctx, audit.System, request(p, fmt.Sprint(key), in))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Saturday 14 March 2026; the week began on Monday the 9th.
	rec(sale("2026-03-14", "500", "cash"))
	rec(sale("2026-03-14", "250.50", "promptpay"))
	rec(vendors.Input{Date: "2026-03-14", Kind: "expense", Amount: "120", Category: "ingredients"})
	rec(vendors.Input{Date: "2026-03-14", Kind: "drawing", Amount: "200"})
	rec(sale("2026-03-10", "800", "credit"))
	rec(vendors.Input{Date: "2026-03-10", Kind: "expense", Amount: "30", Category: "ice"})
	rec(sale("2026-03-02", "1000", "cash"))
	voided := rec(sale("2026-03-02", "999", "cash"))
	if _, err := s.Void(ctx, audit.System, voided.ID, "wrong amount", 0); err != nil {
		t.Fatal(err)
	}
	rec(sale("2026-02-27", "700", "cash"))

	o, err := s.Overview(ctx, p.ID, today)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want money.Amount) {
		t.Helper()
		if !got.Equal(want) {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	check("today sales", o.Today.Sales, dec("750.50"))
	check("today cash sales", o.Today.Method(vendors.Cash), dec("500"))
	check("today promptpay", o.Today.Method(vendors.PromptPay), dec("250.50"))
	check("today expenses", o.Today.Expenses, dec("120"))
	check("today profit", o.Today.Profit(), dec("630.50"))
	check("today drawings", o.Today.Drawings, dec("200"))
	check("week sales", o.Week.Sales, dec("1550.50"))
	check("week ice", o.Week.Category(vendors.Ice), dec("30"))
	check("month sales", o.Month.Sales, dec("2550.50"))
	check("month profit", o.Month.Profit(), dec("2400.50"))
	if o.Week.TradingDays != 2 || o.Month.TradingDays != 3 || o.Today.TradingDays != 1 {
		t.Errorf("trading days today/week/month = %d/%d/%d, want 1/2/3", o.Today.TradingDays, o.Week.TradingDays, o.Month.TradingDays)
	}
	// Cash: 500 + 1000 + 700 in, 120 + 200 + 30 out.
	check("cash on hand", o.CashOnHand, dec("1850"))

	days, month, err := s.Days(ctx, p.ID, today)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 3 || !days[0].Date.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("days = %+v", days)
	}
	check("2 March sales (voided one left out)", days[0].Sales, dec("1000"))
	check("14 March net", days[2].Net(), dec("430.50"))
	check("month total", month.Sales, dec("2550.50"))
}

func TestCalls(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	s := vendors.NewStore(db)
	steady, silent, falling, never := enrol(t, db, 1), enrol(t, db, 2), enrol(t, db, 3), enrol(t, db, 4)
	var es []vendors.Entry
	add := func(p participants.Participant, daysAgo int, amount string) {
		d := today.AddDate(0, 0, -daysAgo)
		e, err := vendors.NewEntry(p.ID, p.Code, d, vendors.Sale, dec(amount), "cash", "", fmt.Sprintf("%s-%d", p.Code, daysAgo))
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	for d := 0; d < 56; d++ {
		add(steady, d, "1000")
		if d >= 8 {
			add(silent, d, "1000")
		}
		if d < 28 {
			add(falling, d, "600") // 16,800 against 28,000: a 40% fall
		} else {
			add(falling, d, "1000")
		}
	}
	if _, err := s.RecordBulk(ctx, es, nil); err != nil {
		t.Fatal(err)
	}
	// A vendor account with no entries yet; another enrolled today, who
	// has had no time to record anything and needs no call.
	if _, err := db.Exec(`INSERT INTO users (login, name, role, password_hash, participant_id) VALUES ('vendor4', 'vendor4', 'vendor', 'x', $1)`, never.ID); err != nil {
		t.Fatal(err)
	}
	newcomer := enrol(t, db, 5)
	if _, err := db.Exec(`UPDATE participants SET enrolled_on = $2 WHERE id = $1`, newcomer.ID, today); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO users (login, name, role, password_hash, participant_id) VALUES ('vendor5', 'vendor5', 'vendor', 'x', $1)`, newcomer.ID); err != nil {
		t.Fatal(err)
	}
	calls, err := s.Calls(ctx, today)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]vendors.Call{}
	var order []string
	for _, c := range calls {
		got[c.Code] = c
		order = append(order, c.Code)
	}
	if _, ok := got[steady.Code]; ok {
		t.Errorf("a steady vendor needs no call: %+v", got[steady.Code])
	}
	if c, ok := got[silent.Code]; !ok || !c.Silent || c.DaysSilent != 8 || c.Phone == nil {
		t.Errorf("silent vendor: %+v", c)
	}
	if c, ok := got[falling.Code]; !ok || !c.Declining || c.Silent || c.DropPercent() != 40 {
		t.Errorf("falling vendor: %+v (drop %d%%)", c, c.DropPercent())
	}
	if c, ok := got[never.Code]; !ok || !c.Silent || c.DaysSilent != -1 {
		t.Errorf("vendor who never recorded: %+v", c)
	}
	if c, ok := got[newcomer.Code]; ok {
		t.Errorf("a vendor enrolled today is flagged: %+v", c)
	}
	if len(order) != 3 || order[0] != never.Code || order[1] != silent.Code || order[2] != falling.Code {
		t.Errorf("order = %v", order)
	}
}

func TestPromptPayPayload(t *testing.T) {
	id, err := vendors.ParsePromptPayID("081-234-5678")
	if err != nil {
		t.Fatal(err)
	}
	const want = "00020101021129370016A0000006770101110113006681234567853037645802TH6304823E"
	if got := vendors.Payload(id, nil); got != want {
		t.Fatalf("payload\n got %s\nwant %s", got, want)
	}
	if got := vendors.CRC16("123456789"); got != 0x29B1 {
		t.Fatalf("CRC-16/CCITT-FALSE check value = %04X, want 29B1", got)
	}
	amount := dec("150")
	p := vendors.Payload(id, &amount)
	if !strings.HasPrefix(p, "000201010212") || !strings.Contains(p, "5406150.00") {
		t.Fatalf("dynamic payload %s", p)
	}
	if crc := fmt.Sprintf("%04X", vendors.CRC16(p[:len(p)-4])); crc != p[len(p)-4:] {
		t.Fatalf("dynamic payload CRC %s, want %s", p[len(p)-4:], crc)
	}
	nid, err := vendors.ParsePromptPayID("1 1014 00123 45 1")
	if err != nil || nid.Kind != vendors.PromptPayNationalID {
		t.Fatalf("national id: %+v, %v", nid, err)
	}
	if p := vendors.Payload(nid, nil); !strings.Contains(p, "0213"+nid.Value) {
		t.Fatalf("national id payload %s", p)
	}
	for _, bad := range []string{"", "1101400123450", "02123456", "abc", "0212345678"} {
		if _, err := vendors.ParsePromptPayID(bad); err == nil {
			t.Errorf("ParsePromptPayID(%q) accepted", bad)
		}
	}
	svg, err := vendors.QRSVG(want)
	if err != nil || !strings.HasPrefix(string(svg), "<svg") || !strings.Contains(string(svg), "<path") {
		t.Fatalf("svg: %v %.80s", err, svg)
	}
}

func TestPromptPayStore(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	s := vendors.NewStore(db)
	p := enrol(t, db, 1)
	if _, err := s.PromptPay(ctx, p.ID); !errors.Is(err, vendors.ErrNotFound) {
		t.Fatalf("none yet: %v", err)
	}
	id, _ := vendors.ParsePromptPayID("0812345678")
	if err := s.SetPromptPay(ctx, audit.System, p.ID, p.Code, id); err != nil {
		t.Fatal(err)
	}
	id2, _ := vendors.ParsePromptPayID("1101400123451")
	if err := s.SetPromptPay(ctx, audit.System, p.ID, p.Code, id2); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PromptPay(ctx, p.ID); err != nil || got != id2 {
		t.Fatalf("saved %+v, %v", got, err)
	}
}

// TestCeilingLimits: the per-line ceiling an administrator sets is read
// and bounded here, whatever page or command sets it.
func TestCeilingLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want, key string }{
		{"50,000", "50000", ""},
		{" 1,234.50 ", "1234.5", ""},
		{"10000000", "10000000", ""},
		{"10000000.01", "", "settings.ceiling_too_large"},
		{"0", "", "vendor.amount_positive"},
		{"12.345", "", "vendor.amount_decimals"},
		{"", "", "vendor.amount_required"},
	} {
		d, err := vendors.ParseCeiling(tc.in)
		var fields valid.Errors
		switch {
		case tc.key == "" && (err != nil || !d.Equal(dec(tc.want))):
			t.Errorf("ParseCeiling(%q) = %s, %v; want %s", tc.in, d, err, tc.want)
		case tc.key != "" && (!errors.As(err, &fields) || fields["ceiling"] != tc.key):
			t.Errorf("ParseCeiling(%q) = %s, %v; want %s on ceiling", tc.in, d, err, tc.key)
		}
	}
	db := pgtest.New(t)
	s := vendors.NewStore(db)
	var fields valid.Errors
	if err := s.SetCeiling(context.Background(), audit.System, dec("10000000.01")); !errors.As(err, &fields) || fields["ceiling"] != "settings.ceiling_too_large" {
		t.Errorf("SetCeiling above the bound: %v", err)
	}
	if err := s.SetCeiling(context.Background(), audit.System, dec("2500")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Ceiling(context.Background()); err != nil || !got.Equal(dec("2500")) {
		t.Errorf("ceiling now %s, %v", got, err)
	}
}
