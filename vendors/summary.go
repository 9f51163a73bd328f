package vendors

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"hawker/money"
	"hawker/participants"
	"hawker/users"
)

// Totals is what a vendor's business did over some days; voided entries
// do not count.
type Totals struct {
	From, To    time.Time // inclusive
	Sales       money.Amount
	ByMethod    map[Method]money.Amount
	Expenses    money.Amount
	ByCategory  map[Category]money.Amount
	Drawings    money.Amount
	TradingDays int // days with at least one sale
	Entries     int
}

// Profit is sales less expenses (money taken home is not an expense).
func (t Totals) Profit() money.Amount { return t.Sales.Sub(t.Expenses) }

// Net is what the business kept: profit less money taken home.
func (t Totals) Net() money.Amount { return t.Profit().Sub(t.Drawings) }

func newTotals(from, to time.Time) Totals {
	return Totals{From: from, To: to, Sales: money.Zero, Expenses: money.Zero, Drawings: money.Zero,
		ByMethod: map[Method]money.Amount{}, ByCategory: map[Category]money.Amount{}}
}

// Method is the sales paid by m.
func (t Totals) Method(m Method) money.Amount { return t.ByMethod[m] }

// Category is the expenses of category c.
func (t Totals) Category(c Category) money.Amount { return t.ByCategory[c] }

// dayRow is one day's sums for one kind and method or category.
type dayRow struct {
	Date    time.Time    `db:"business_date"`
	Kind    Kind         `db:"kind"`
	What    string       `db:"what"`
	Amount  money.Amount `db:"amount"`
	Entries int          `db:"entries"`
}

// daySumsSQL sums a participant's live (not voided) entries per day, kind
// and method or category: a range scan of vendor_entries_participant_date_idx.
const daySumsSQL = `
	SELECT ve.business_date, ve.kind, COALESCE(ve.method, ve.category, '') AS what,
	       sum(ve.amount) AS amount, count(*) AS entries
	FROM vendor_entries ve
	WHERE ve.participant_id = $1 AND ve.business_date BETWEEN $2::date AND $3::date
	  AND NOT EXISTS (SELECT 1 FROM vendor_voids vv WHERE vv.vendor_entry_id = ve.id)
	GROUP BY 1, 2, 3 ORDER BY 1`

func (s *Store) daySums(ctx context.Context, participantID int64, from, to time.Time) ([]dayRow, error) {
	rows := []dayRow{}
	err := s.db.SelectContext(ctx, &rows, daySumsSQL, participantID, from.Format(time.DateOnly), to.Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("vendors: sums of %d: %w", participantID, err)
	}
	return rows, nil
}

// add folds rows dated within t's days into t.
func (t *Totals) add(rows []dayRow) {
	trading := map[time.Time]bool{}
	for _, r := range rows {
		if r.Date.Before(t.From) || r.Date.After(t.To) {
			continue
		}
		t.Entries += r.Entries
		switch r.Kind {
		case Sale:
			t.Sales = t.Sales.Add(r.Amount)
			t.ByMethod[Method(r.What)] = t.ByMethod[Method(r.What)].Add(r.Amount)
			trading[r.Date] = true
		case Expense:
			t.Expenses = t.Expenses.Add(r.Amount)
			t.ByCategory[Category(r.What)] = t.ByCategory[Category(r.What)].Add(r.Amount)
		case Drawing:
			t.Drawings = t.Drawings.Add(r.Amount)
		}
	}
	t.TradingDays = len(trading)
}

// Totals sums a participant's entries dated from..to (inclusive).
func (s *Store) Totals(ctx context.Context, participantID int64, from, to time.Time) (Totals, error) {
	rows, err := s.daySums(ctx, participantID, from, to)
	if err != nil {
		return Totals{}, err
	}
	t := newTotals(from, to)
	t.add(rows)
	return t, nil
}

// WeekStart is the Monday of day's week.
func WeekStart(day time.Time) time.Time {
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// Overview is a vendor's home page figures: today, this week (from Monday),
// this month, and the cash she should hold now.
type Overview struct {
	Today, Week, Month Totals
	CashOnHand         money.Amount
}

// Overview reads today's, this week's and this month's totals in one query,
// and the cash account's balance.
func (s *Store) Overview(ctx context.Context, participantID int64, today time.Time) (Overview, error) {
	week := WeekStart(today)
	month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	from := month
	if week.Before(from) {
		from = week
	}
	rows, err := s.daySums(ctx, participantID, from, today)
	if err != nil {
		return Overview{}, err
	}
	o := Overview{Today: newTotals(today, today), Week: newTotals(week, today), Month: newTotals(month, today)}
	o.Today.add(rows)
	o.Week.add(rows)
	o.Month.add(rows)
	o.CashOnHand, err = s.CashOnHand(ctx, participantID)
	return o, err
}

// CashOnHand is the balance of the vendor's cash account: what the book says
// she holds in cash now. Zero before her first entry.
func (s *Store) CashOnHand(ctx context.Context, participantID int64) (money.Amount, error) {
	book, err := s.Book(ctx, participantID)
	if errors.Is(err, ErrNotFound) {
		return money.Zero, nil
	}
	if err != nil {
		return money.Amount{}, fmt.Errorf("vendors: cash of %d: %w", participantID, err)
	}
	bal, err := s.ledger.BalanceOf(ctx, book, AccountCash)
	if err != nil {
		return money.Amount{}, fmt.Errorf("vendors: cash of %d: %w", participantID, err)
	}
	return bal, nil
}

// Day is one business day's figures.
type Day struct {
	Date time.Time
	Totals
}

// Days lists the days of month (any day in it) on which the participant
// recorded something, with each day's figures, and the month's totals.
func (s *Store) Days(ctx context.Context, participantID int64, month time.Time) ([]Day, Totals, error) {
	first := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
	rows, err := s.daySums(ctx, participantID, first, last)
	if err != nil {
		return nil, Totals{}, err
	}
	byDate := map[time.Time][]dayRow{}
	var dates []time.Time
	for _, r := range rows {
		if _, ok := byDate[r.Date]; !ok {
			dates = append(dates, r.Date)
		}
		byDate[r.Date] = append(byDate[r.Date], r)
	}
	sort.Slice(dates, func(i, j int) bool { return dates[i].Before(dates[j]) })
	days := make([]Day, 0, len(dates))
	for _, d := range dates {
		t := newTotals(d, d)
		t.add(byDate[d])
		days = append(days, Day{Date: d, Totals: t})
	}
	total := newTotals(first, last)
	total.add(rows)
	return days, total, nil
}

// Call is a vendor an officer should ring: silent for a week or more, or
// selling much less than a month before.
type Call struct {
	ParticipantID int64        `db:"id"`
	Code          string       `db:"code"`
	Name          string       `db:"name"`
	Nickname      string       `db:"nickname"`
	Phone         *string      `db:"phone"`
	LastEntry     *time.Time   `db:"last_entry"`
	Recent        money.Amount `db:"recent"` // sales of the last 28 days
	Prior         money.Amount `db:"prior"`  // sales of the 28 days before
	// DaysSilent is the days since the last entry's business day; -1 when
	// she never recorded anything.
	DaysSilent int  `db:"-"`
	Silent     bool `db:"-"`
	Declining  bool `db:"-"`
}

// DropPercent is how much the last 4 weeks' sales fell against the 4 weeks
// before, in whole percent.
func (c Call) DropPercent() int64 {
	if !c.Prior.IsPositive() {
		return 0
	}
	// A percentage, not money: decimal's division.
	return decimal.NewFromInt(1).Sub(c.Recent.Decimal().Div(c.Prior.Decimal())).Mul(decimal.NewFromInt(100)).Round(0).IntPart()
}

// Thresholds of the early warning.
const (
	SilentDays = 7  // no entry for this many days or more
	Window     = 28 // the two windows of sales compared, in days
)

// Calls lists the vendors who need a call on day today: every participant
// with a vendor account or a book (not erased) who has recorded nothing for
// SilentDays or more (counted from her enrolment when she never has), or whose sales over the last 4 weeks fell by more than a
// third against the 4 weeks before. The longest silent come first, then the
// steepest falls.
func (s *Store) Calls(ctx context.Context, today time.Time) ([]Call, error) {
	withLogin, err := users.ParticipantsWithLogin(ctx, s.db, users.Vendor)
	if err != nil {
		return nil, fmt.Errorf("vendors: calls: %w", err)
	}
	var booked []int64
	if err := s.db.SelectContext(ctx, &booked, `SELECT participant_id FROM vendor_books WHERE erased_at IS NULL`); err != nil {
		return nil, fmt.Errorf("vendors: calls: %w", err)
	}
	ps, err := participants.ByIDs(ctx, s.db, append(withLogin, booked...))
	if err != nil {
		return nil, fmt.Errorf("vendors: calls: %w", err)
	}
	live := make([]int64, 0, len(ps))
	for _, p := range ps {
		if !p.Erased() {
			live = append(live, p.ID)
		}
	}
	var figures []Call
	err = s.db.SelectContext(ctx, &figures, `
		SELECT ve.participant_id AS id, max(ve.business_date) AS last_entry,
		       COALESCE(sum(ve.amount) FILTER (WHERE ve.kind = 'sale'
		                AND ve.business_date > $1::date - $2::int AND ve.business_date <= $1::date), 0) AS recent,
		       COALESCE(sum(ve.amount) FILTER (WHERE ve.kind = 'sale'
		                AND ve.business_date > $1::date - 2 * $2::int AND ve.business_date <= $1::date - $2::int), 0) AS prior
		FROM vendor_entries ve
		WHERE ve.participant_id = ANY($3)
		  AND NOT EXISTS (SELECT 1 FROM vendor_voids vv WHERE vv.vendor_entry_id = ve.id)
		GROUP BY ve.participant_id`, today.Format(time.DateOnly), Window, pq.Array(live))
	if err != nil {
		return nil, fmt.Errorf("vendors: calls: %w", err)
	}
	byID := make(map[int64]Call, len(figures))
	for _, c := range figures {
		byID[c.ParticipantID] = c
	}
	all := make([]Call, 0, len(live))
	enrolled := make(map[int64]time.Time, len(ps))
	for _, p := range ps { // by code
		enrolled[p.ID] = p.EnrolledOn
		if p.Erased() {
			continue
		}
		c := byID[p.ID]
		c.ParticipantID, c.Code, c.Name, c.Nickname, c.Phone = p.ID, p.Code, p.Name, p.Nickname, p.Phone
		all = append(all, c)
	}
	var out []Call
	for _, c := range all {
		c.DaysSilent = -1
		if c.LastEntry != nil {
			c.DaysSilent = int(today.Sub(*c.LastEntry).Hours() / 24)
			c.Silent = c.DaysSilent >= SilentDays
		} else {
			// Never recorded: a call once she has had SilentDays since her
			// enrolment to start, not on the day she joined.
			c.Silent = int(today.Sub(enrolled[c.ParticipantID]).Hours()/24) >= SilentDays
		}
		// Fell by more than a third: recent < prior × 2/3.
		c.Declining = c.Prior.IsPositive() && c.Recent.Mul(3).LessThan(c.Prior.Mul(2))
		if c.Silent || c.Declining {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Silent != b.Silent {
			return a.Silent
		}
		if a.Silent {
			da, db := a.DaysSilent, b.DaysSilent
			if da < 0 {
				da = 1 << 30
			}
			if db < 0 {
				db = 1 << 30
			}
			return da > db
		}
		return a.DropPercent() > b.DropPercent()
	})
	return out, nil
}
