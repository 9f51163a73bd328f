package ledger

import (
	"bytes"
	"errors"
	"hawker/thai"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestValidate(t *testing.T) {
	d := time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)
	amt := decimal.RequireFromString
	tests := []struct {
		name string
		p    Posting
		err  error
	}{
		{"ok", Posting{Book: 1, BusinessDate: d, Lines: []Line{{Account: 1, Amount: amt("10")}, {Code: "x", Amount: amt("-10")}}}, nil},
		{"one line", Posting{Book: 1, BusinessDate: d, Lines: []Line{{Account: 1, Amount: amt("10")}}}, ErrUnbalanced},
		{"unbalanced", Posting{Book: 1, BusinessDate: d, Lines: []Line{{Account: 1, Amount: amt("10")}, {Account: 2, Amount: amt("-9.99")}}}, ErrUnbalanced},
		{"three decimals", Posting{Book: 1, BusinessDate: d, Lines: []Line{{Account: 1, Amount: amt("10.001")}, {Account: 2, Amount: amt("-10.001")}}}, ErrInvalidAmount},
		{"zero line", Posting{Book: 1, BusinessDate: d, Lines: []Line{{Account: 1, Amount: amt("0")}, {Account: 2, Amount: amt("5")}, {Account: 3, Amount: amt("-5")}}}, ErrInvalidAmount},
		{"no book", Posting{BusinessDate: d, Lines: []Line{{Account: 1, Amount: amt("1")}, {Account: 2, Amount: amt("-1")}}}, ErrInvalid},
		{"no date", Posting{Book: 1, Lines: []Line{{Account: 1, Amount: amt("1")}, {Account: 2, Amount: amt("-1")}}}, ErrInvalid},
		{"no account", Posting{Book: 1, BusinessDate: d, Lines: []Line{{Amount: amt("1")}, {Account: 2, Amount: amt("-1")}}}, ErrInvalid},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if (tt.err == nil && err != nil) || (tt.err != nil && !errors.Is(err, tt.err)) {
			t.Errorf("%s: Validate() = %v, want %v", tt.name, err, tt.err)
		}
	}
}

func TestRequestHash(t *testing.T) {
	d := time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)
	base := func() Posting {
		return Posting{Book: 1, BusinessDate: d, Memo: "sale", Reference: "r", IdempotencyKey: "k",
			Lines: []Line{{Account: 1, Amount: decimal.RequireFromString("10.50")}, {Account: 2, Amount: decimal.RequireFromString("-10.5")}}}
	}
	h := RequestHash(base())
	same := []struct {
		name string
		edit func(*Posting)
	}{
		{"trailing zeros", func(p *Posting) { p.Lines[0].Amount = decimal.RequireFromString("10.5") }},
		{"date in another zone", func(p *Posting) { p.BusinessDate = time.Date(2025, 3, 4, 23, 0, 0, 0, thai.Bangkok) }},
		{"key is not part of the request", func(p *Posting) { p.IdempotencyKey = "other" }},
	}
	for _, tt := range same {
		p := base()
		tt.edit(&p)
		if !bytes.Equal(RequestHash(p), h) {
			t.Errorf("%s: hash changed", tt.name)
		}
	}
	differ := []struct {
		name string
		edit func(*Posting)
	}{
		{"amount", func(p *Posting) { p.Lines[0].Amount = decimal.RequireFromString("10.51") }},
		{"date", func(p *Posting) { p.BusinessDate = d.AddDate(0, 0, 1) }},
		{"memo", func(p *Posting) { p.Memo = "sales" }},
		{"memo into reference", func(p *Posting) { p.Memo, p.Reference = "saler", "" }},
		{"book", func(p *Posting) { p.Book = 2 }},
		{"line order", func(p *Posting) { p.Lines[0], p.Lines[1] = p.Lines[1], p.Lines[0] }},
		{"code for id", func(p *Posting) { p.Lines[0].Account, p.Lines[0].Code = 0, "1" }},
		{"created by", func(p *Posting) { p.CreatedBy = 9 }},
	}
	for _, tt := range differ {
		p := base()
		tt.edit(&p)
		if bytes.Equal(RequestHash(p), h) {
			t.Errorf("%s: hash unchanged", tt.name)
		}
	}
}

// TestMayClose: a month closes once it has ended in Bangkok (UTC+7), not
// before, whatever the server's own zone.
func TestMayClose(t *testing.T) {
	march := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		month time.Time
		now   time.Time
		ok    bool
	}{
		{march, time.Date(2026, 3, 31, 16, 59, 0, 0, time.UTC), false}, // 23:59 on the 31st in Bangkok
		{march, time.Date(2026, 3, 31, 17, 0, 0, 0, time.UTC), true},   // midnight, 1 April in Bangkok
		{march, time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC), false},
		{march, time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC), false}, // a month to come
		{march.AddDate(0, 0, 20), time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC), true},
		{march, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), true},
	} {
		err := MayClose(c.month, c.now)
		if (err == nil) != c.ok || err != nil && !errors.Is(err, ErrMonthNotEnded) {
			t.Errorf("MayClose(%s, %s) = %v, want ok %v", c.month.Format("2006-01-02"), c.now.Format(time.RFC3339), err, c.ok)
		}
	}
}
