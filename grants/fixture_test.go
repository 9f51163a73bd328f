package grants_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/donors"
	"hawker/grants"
	"hawker/ledger"
	"hawker/money"
	"hawker/participants"
	"hawker/pg/pgtest"
	"hawker/users"
	"hawker/valid"
	"hawker/vendors"
)

var today = time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)

func dec(s string) money.Amount {
	if n, neg := strings.CutPrefix(s, "-"); neg {
		return money.MustParse(n).Neg()
	}
	return money.MustParse(s)
}

type fixture struct {
	db                                   *sqlx.DB
	store                                *grants.Store
	people                               *participants.Store
	vendors                              *vendors.Store
	officer, officer2, manager, manager2 audit.Actor
	donor                                donors.Donor
	fund                                 grants.Fund
	phones, tags                         int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := pgtest.New(t)
	v := vendors.NewStore(db)
	f := &fixture{db: db, store: grants.NewStore(db, v), people: participants.NewStore(db), vendors: v}
	us := users.NewStore(db)
	for _, x := range []struct {
		login string
		role  users.Role
		to    *audit.Actor
	}{{"officer", users.Officer, &f.officer}, {"officer2", users.Officer, &f.officer2},
		{"manager", users.Manager, &f.manager}, {"manager2", users.Manager, &f.manager2}} {
		u, err := us.Add(ctx, users.New{Login: x.login, Role: x.role, Password: "password-123"})
		if err != nil {
			t.Fatal(err)
		}
		*x.to = audit.Actor{UserID: u.ID, Role: string(u.Role)}
	}
	var err error
	if f.donor, err = donors.NewStore(db).Add(ctx, f.manager, donors.New{Name: "มูลนิธิรถเข็นสะอาด"}); err != nil {
		t.Fatal(err)
	}
	if f.fund, err = f.store.CreateFund(ctx, f.manager, grants.NewFund{Donor: f.donor.ID, Name: "กองทุนรถเข็น 2569", Purpose: "รถเข็นและทุนตั้งต้น"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// receive puts amount into fund.
func (f *fixture) receive(t *testing.T, fund grants.Fund, amount string) {
	t.Helper()
	_, err := f.store.Receive(context.Background(), f.manager, fund.ID, fmt.Sprintf("r-%d-%s-%d", fund.ID, amount, time.Now().UnixNano()),
		grants.ReceiptInput{Amount: money.Text(amount), ReceivedOn: "2026-06-01"}, today)
	if err != nil {
		t.Fatal(err)
	}
}

// eligible enrols a participant with consent and an approved plan.
func (f *fixture) eligible(t *testing.T) participants.Participant {
	t.Helper()
	ctx := context.Background()
	f.phones++
	p, err := participants.Enrolment{Name: fmt.Sprintf("แม่ค้า %d", f.phones), Phone: fmt.Sprintf("08%08d", 20000000+f.phones),
		Province: "กรุงเทพมหานคร", District: "ดินแดง", Cohort: "รุ่น 1/2569", EnrolledOn: "2026-02-01"}.Parse(today)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	c, _ := participants.ConsentForm{Purpose: "programme", Given: &yes}.Parse(today)
	if p, err = f.people.Enrol(ctx, f.officer, p, []participants.Consent{c}); err != nil {
		t.Fatal(err)
	}
	plan, err := participants.PlanForm{Business: "ข้าวมันไก่", Menu: "ข้าวมันไก่", Location: "ตลาดห้วยขวาง", DaysPerMonth: "24",
		ExpectedDailySales: "1500.00", IngredientCostPct: "40", MonthlyFixedCosts: "2000.00",
		Items: []participants.ItemForm{{Name: "รถเข็น", Quantity: "1", UnitCost: "30000.00"}}}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	pl, err := f.people.CreatePlan(ctx, f.officer, p, plan)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.people.SubmitPlan(ctx, f.officer, pl.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.people.ApprovePlan(ctx, f.manager, pl.ID); err != nil {
		t.Fatal(err)
	}
	return p
}

// input is a grant of one cash tranche on approval and one cart.
func (f *fixture) input(p participants.Participant, cash, cart string) grants.Input {
	in := grants.Input{Participant: p.Code, Fund: f.fund.ID, Purpose: "ทุนตั้งต้น"}
	if cash != "" {
		in.Tranches = []grants.TrancheInput{{Amount: money.Text(cash), Condition: "on_approval"}}
	}
	if cart != "" {
		f.tags++
		in.Equipment = []grants.ItemInput{{Description: "รถเข็นสแตนเลส", AssetTag: fmt.Sprintf("HSF-CART-%d-%d", p.ID, f.tags), Serial: "SN1", Value: money.Text(cart), Basis: "invoice"}}
	}
	return in
}

// submitted drafts (officer) and submits a grant.
func (f *fixture) submitted(t *testing.T, in grants.Input) grants.Grant {
	t.Helper()
	g, err := f.store.Create(context.Background(), f.officer, in)
	if err != nil {
		t.Fatal(err)
	}
	if g, err = f.store.Submit(context.Background(), f.officer, g.ID, today); err != nil {
		t.Fatal(err)
	}
	return g
}

// approved drafts, submits and approves (officer2, and manager when needed).
func (f *fixture) approved(t *testing.T, in grants.Input) grants.Grant {
	t.Helper()
	g := f.submitted(t, in)
	g, err := f.store.Approve(context.Background(), f.officer2, g.ID, today)
	if err != nil {
		t.Fatal(err)
	}
	if g.State == grants.Submitted {
		if g, err = f.store.Approve(context.Background(), f.manager, g.ID, today); err != nil {
			t.Fatal(err)
		}
	}
	if g.State != grants.Approved {
		t.Fatalf("grant %d is %s", g.ID, g.State)
	}
	return g
}

func (f *fixture) figures(t *testing.T, fund grants.Fund) grants.Figures {
	t.Helper()
	fig, err := f.store.Figures(context.Background(), fund)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := f.store.FiguresFromLines(context.Background(), fund)
	if err != nil {
		t.Fatal(err)
	}
	if !(fig.Received.Equal(lines.Received) && fig.Committed.Equal(lines.Committed) && fig.Disbursed.Equal(lines.Disbursed) &&
		fig.Available.Equal(lines.Available) && fig.Stock.Equal(lines.Stock) && fig.InKind.Equal(lines.InKind)) {
		t.Fatalf("fund %d: figures %+v, from ledger lines %+v", fund.ID, fig, lines)
	}
	if !fig.Balanced() || fig.Available.IsNegative() || fig.Committed.IsNegative() {
		t.Fatalf("fund %d: figures do not hold: %+v", fund.ID, fig)
	}
	return fig
}

func (f *fixture) verify(t *testing.T) {
	t.Helper()
	r, err := ledger.NewStore(f.db).Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
}

func fieldsOf(err error) valid.Errors {
	var e valid.Errors
	errors.As(err, &e)
	return e
}

func wantFigures(t *testing.T, got grants.Figures, received, committed, disbursed, available string) {
	t.Helper()
	if !got.Received.Equal(dec(received)) || !got.Committed.Equal(dec(committed)) || !got.Disbursed.Equal(dec(disbursed)) || !got.Available.Equal(dec(available)) {
		t.Errorf("figures received %s committed %s disbursed %s available %s; want %s %s %s %s",
			got.Received, got.Committed, got.Disbursed, got.Available, received, committed, disbursed, available)
	}
}

// participantsConsent is a programme consent given or withdrawn today.
func participantsConsent(given bool) (participants.Consent, error) {
	return participants.ConsentForm{Purpose: "programme", Given: &given}.Parse(today)
}
