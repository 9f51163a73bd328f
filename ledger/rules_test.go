package ledger

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"hawker/pg"
	"hawker/pg/pgtest"
)

// The posting rules exist twice, where they must: in SQL (ledger_post, the
// one-round-trip path of Post) and in Go (apply, for the COPY path of
// Bulk). One table of cases holds the Go function, Post and Bulk to the
// same answers: running balances, floors, and which account a refusal names.

type ruleAccount struct {
	code, floor, start string // floor "": none
}

type ruleLine struct{ code, amount string }

type ruleCase struct {
	name     string
	accounts []ruleAccount // created in this order: ids rise in it
	lines    []ruleLine
	after    []string // each line's running balance, when accepted
	// refused: the account named, what it held before and what is missing
	short, balance, shortfall string
}

var postingRules = []ruleCase{
	{name: "a sale", accounts: []ruleAccount{{"cash", "0", "100"}, {"sales", "", "0"}},
		lines: []ruleLine{{"cash", "30"}, {"sales", "-30"}}, after: []string{"130", "-30"}},
	{name: "down to the floor exactly", accounts: []ruleAccount{{"fund", "0", "20"}, {"grants", "", "0"}},
		lines: []ruleLine{{"grants", "20"}, {"fund", "-20"}}, after: []string{"20", "0"}},
	{name: "below the floor", accounts: []ruleAccount{{"fund", "0", "10"}, {"grants", "", "0"}},
		lines: []ruleLine{{"grants", "30"}, {"fund", "-30"}}, short: "fund", balance: "10", shortfall: "20"},
	{name: "a negative floor (an overdraft limit) held", accounts: []ruleAccount{{"bank", "-50", "0"}, {"cost", "", "0"}},
		lines: []ruleLine{{"cost", "50"}, {"bank", "-50"}}, after: []string{"50", "-50"}},
	{name: "a negative floor passed by a satang", accounts: []ruleAccount{{"bank", "-50", "0"}, {"cost", "", "0"}},
		lines: []ruleLine{{"cost", "50.01"}, {"bank", "-50.01"}}, short: "bank", balance: "0", shortfall: "0.01"},
	{name: "one account twice: each line's own running balance", accounts: []ruleAccount{{"a", "0", "2"}, {"b", "", "0"}},
		lines: []ruleLine{{"a", "5"}, {"b", "-2"}, {"a", "-3"}}, after: []string{"7", "-2", "4"}},
	{name: "a dip below the floor within the entry is not a refusal", accounts: []ruleAccount{{"a", "0", "0"}, {"b", "", "0"}},
		lines: []ruleLine{{"a", "-5"}, {"b", "5"}, {"a", "5"}, {"b", "-5"}}, after: []string{"-5", "5", "0", "0"}},
	{name: "one account twice, ending below its floor", accounts: []ruleAccount{{"a", "0", "2"}, {"b", "", "0"}},
		lines: []ruleLine{{"a", "5"}, {"a", "-8"}, {"b", "3"}}, short: "a", balance: "2", shortfall: "1"},
	{name: "two short: the lower account id is named, whatever the line order",
		accounts: []ruleAccount{{"first", "0", "1"}, {"second", "0", "0"}, {"other", "", "0"}},
		lines:    []ruleLine{{"second", "-4"}, {"first", "-3"}, {"other", "7"}}, short: "first", balance: "1", shortfall: "2"},
}

var errRollback = errors.New("roll back")

// ruleBook makes a book for case c: a source account (no floor) and c's
// accounts, each given its opening balance from the source.
func ruleBook(t *testing.T, s *Store, name string, accounts []ruleAccount) (Book, map[string]Account) {
	t.Helper()
	b, err := s.CreateBook(ctx, Vendor, name, name)
	if err != nil {
		t.Fatal(err)
	}
	src, err := s.CreateAccount(ctx, Account{BookID: b.ID, Code: "source", Type: Equity})
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]Account{}
	for _, a := range accounts {
		acct := Account{BookID: b.ID, Code: a.code, Type: Asset}
		if a.floor != "" {
			acct.Floor = decimal.NewNullDecimal(dec(a.floor))
		}
		if byCode[a.code], err = s.CreateAccount(ctx, acct); err != nil {
			t.Fatal(err)
		}
		if start := dec(a.start); !start.IsZero() {
			if _, err := s.Post(ctx, Posting{Book: b.ID, BusinessDate: day("2025-01-02"), Lines: []Line{
				{Account: byCode[a.code].ID, Amount: start}, {Account: src.ID, Amount: start.Neg()}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return b, byCode
}

// checkRule compares one path's answer with the case.
func checkRule(t *testing.T, path string, c ruleCase, byCode map[string]Account, after []decimal.Decimal, err error) {
	t.Helper()
	if c.short != "" {
		var ife *InsufficientFundsError
		if !errors.As(err, &ife) {
			t.Errorf("%s: %s: %v, want insufficient funds in %s", c.name, path, err, c.short)
			return
		}
		want := InsufficientFundsError{Account: byCode[c.short].ID, Code: c.short, Balance: amt(c.balance), Shortfall: amt(c.shortfall)}
		if ife.Account != want.Account || ife.Code != want.Code || !ife.Balance.Equal(want.Balance) || !ife.Shortfall.Equal(want.Shortfall) {
			t.Errorf("%s: %s: refused with %v, want %v", c.name, path, ife, &want)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: %s: %v", c.name, path, err)
		return
	}
	got := make([]string, len(after))
	for i, a := range after {
		got[i] = a.String()
	}
	if fmt.Sprint(got) != fmt.Sprint(c.after) {
		t.Errorf("%s: %s: running balances %v, want %v", c.name, path, got, c.after)
	}
}

func TestPostingRules(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	s := NewStore(db)
	for i, c := range postingRules {
		b, byCode := ruleBook(t, s, fmt.Sprintf("RULE-%d", i), c.accounts)
		p := Posting{Book: b.ID, BusinessDate: day("2025-01-03"), Memo: c.name}
		for _, l := range c.lines {
			p.Lines = append(p.Lines, Line{Code: l.code, Amount: dec(l.amount)})
		}

		// Go: apply, on the accounts as they stand.
		held := map[string]*lockedAccount{}
		accts := make([]*lockedAccount, len(p.Lines))
		for j, l := range c.lines {
			if held[l.code] == nil {
				a := byCode[l.code]
				bal, err := s.Balance(ctx, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				held[l.code] = &lockedAccount{ID: a.ID, BookID: a.BookID, Code: a.Code, Balance: bal.Decimal(), Floor: a.Floor}
			}
			accts[j] = held[l.code]
		}
		after, err := apply(p, accts)
		checkRule(t, "apply (Go)", c, byCode, after, err)

		// SQL: ledger_post through Post, and Go through Bulk, each in a
		// transaction rolled back afterwards.
		paths := map[string]func(in *Store) (Entry, error){
			"Post (ledger_post)": func(in *Store) (Entry, error) { return in.Post(ctx, p) },
			"Bulk (COPY)": func(in *Store) (Entry, error) {
				r, err := in.Bulk(ctx, []Posting{p})
				if err != nil {
					return Entry{}, err
				}
				return in.Entry(ctx, r.IDs[0])
			},
		}
		for name, run := range paths {
			_ = pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
				e, err := run(s.In(tx))
				var after []decimal.Decimal
				for _, l := range e.Lines {
					after = append(after, l.BalanceAfter.Decimal())
				}
				checkRule(t, name, c, byCode, after, err)
				return errRollback
			})
		}
	}
	mustVerify(t, s)
}

// TestClosedPeriodRule holds Closed (Go, for checks before writing, as the
// CSV import makes) and the database's refusal of a line dated in a closed
// period (for Post and Bulk alike) to one table of cases.
func TestClosedPeriodRule(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	s := NewStore(db)
	for i, c := range []struct {
		closes, reopens []string
		date            string
		closed          bool
	}{
		{date: "2025-01-15", closed: false},
		{closes: []string{"2025-02"}, date: "2025-02-28", closed: true},
		{closes: []string{"2025-02"}, date: "2025-03-01", closed: false},
		{closes: []string{"2025-02"}, date: "2025-01-10", closed: true},
		{closes: []string{"2025-01", "2025-02"}, date: "2025-02-01", closed: true},
		{closes: []string{"2025-01", "2025-02"}, reopens: []string{"2025-02"}, date: "2025-02-10", closed: false},
		{closes: []string{"2025-01", "2025-02"}, reopens: []string{"2025-02"}, date: "2025-01-31", closed: true},
	} {
		name := fmt.Sprintf("case %d (closed %v, reopened %v, dated %s)", i, c.closes, c.reopens, c.date)
		b, byCode := ruleBook(t, s, fmt.Sprintf("CLOSE-%d", i), []ruleAccount{{"cash", "", "0"}, {"sales", "", "0"}})
		for _, m := range c.closes {
			if _, err := s.ClosePeriod(ctx, by(0), b.ID, day(m+"-01"), time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range c.reopens {
			if err := s.ReopenPeriod(ctx, by(0), b.ID, day(m+"-01"), "a correction"); err != nil {
				t.Fatal(err)
			}
		}
		latest, err := s.LatestClosed(ctx, []int64{b.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got := Closed(day(c.date), latest[b.ID]); got != c.closed {
			t.Errorf("%s: Closed = %v, want %v", name, got, c.closed)
		}
		p := Posting{Book: b.ID, BusinessDate: day(c.date), Lines: move(byCode["cash"], byCode["sales"], "10")}
		for path, run := range map[string]func(in *Store) error{
			"Post": func(in *Store) error { _, err := in.Post(ctx, p); return err },
			"Bulk": func(in *Store) error { _, err := in.Bulk(ctx, []Posting{p}); return err },
		} {
			_ = pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
				err := run(s.In(tx))
				if got := errors.Is(err, ErrClosedPeriod); got != c.closed || !got && err != nil {
					t.Errorf("%s: %s: %v, want closed = %v", name, path, err, c.closed)
				}
				return errRollback
			})
		}
	}
}
