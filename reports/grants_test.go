package reports

import (
	"strings"
	"testing"
	"time"

	"hawker/audit"
	"hawker/donors"
	"hawker/grants"
	"hawker/participants"
	"hawker/pg/pgtest"
	"hawker/users"
	"hawker/vendors"
)

// TestGrantsReceivedInTheStatement: a grant released through package
// grants (a cash tranche, a cart handed over) shows in the month's figures
// from the ledger, named as grants records them, and the cart is held.
func TestGrantsReceivedInTheStatement(t *testing.T) {
	db := pgtest.New(t)
	day := time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC)
	vs := vendors.NewStore(db)
	gs := grants.NewStore(db, vs)
	people := participants.NewStore(db)
	actors := map[string]audit.Actor{}
	for _, u := range []struct {
		login string
		role  users.Role
	}{{"officer", users.Officer}, {"officer2", users.Officer}, {"manager", users.Manager}} {
		x, err := users.NewStore(db).Add(ctx, users.New{Login: u.login, Role: u.role, Password: "password-123"})
		if err != nil {
			t.Fatal(err)
		}
		actors[u.login] = audit.Actor{UserID: x.ID, Role: string(x.Role)}
	}
	donor, err := donors.NewStore(db).Add(ctx, actors["manager"], donors.New{Name: "มูลนิธิรถเข็นสะอาด"})
	if err != nil {
		t.Fatal(err)
	}
	fund, err := gs.CreateFund(ctx, actors["manager"], grants.NewFund{Donor: donor.ID, Name: "กองทุนรถเข็น 2569", Purpose: "รถเข็น"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gs.Receive(ctx, actors["manager"], fund.ID, "r-1", grants.ReceiptInput{Amount: "100000.00", ReceivedOn: "2026-10-01"}, day); err != nil {
		t.Fatal(err)
	}
	p, err := participants.Enrolment{Name: "แม่ค้า ปู่ฟ้า", Phone: "0822222222", Province: "กรุงเทพมหานคร", District: "ดินแดง",
		Cohort: "รุ่น 1/2569", EnrolledOn: "2026-02-01"}.Parse(day)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	c, _ := participants.ConsentForm{Purpose: "programme", Given: &yes}.Parse(day)
	if p, err = people.Enrol(ctx, actors["officer"], p, []participants.Consent{c}); err != nil {
		t.Fatal(err)
	}
	form, err := participants.PlanForm{Business: "ข้าวมันไก่", Menu: "ข้าวมันไก่", Location: "ตลาดห้วยขวาง", DaysPerMonth: "24",
		ExpectedDailySales: "1500.00", IngredientCostPct: "40", MonthlyFixedCosts: "2000.00",
		Items: []participants.ItemForm{{Name: "รถเข็น", Quantity: "1", UnitCost: "30000.00"}}}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	pl, err := people.CreatePlan(ctx, actors["officer"], p, form)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := people.SubmitPlan(ctx, actors["officer"], pl.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := people.ApprovePlan(ctx, actors["manager"], pl.ID); err != nil {
		t.Fatal(err)
	}
	g, err := gs.Create(ctx, actors["officer"], grants.Input{Participant: p.Code, Fund: fund.ID, Purpose: "ทุนตั้งต้น",
		Tranches:  []grants.TrancheInput{{Amount: "5000.00", Condition: "on_approval"}},
		Equipment: []grants.ItemInput{{Description: "รถเข็นสแตนเลส", AssetTag: "HSF-CART-1", Serial: "SN1", Value: "30000.00", Basis: "invoice"}}})
	if err != nil {
		t.Fatal(err)
	}
	if g, err = gs.Submit(ctx, actors["officer"], g.ID, day); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"officer2", "manager"} {
		if g.State == grants.Submitted {
			if g, err = gs.Approve(ctx, actors[who], g.ID, day); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := gs.Disburse(ctx, actors["officer"], grants.Release{Grant: g.ID, N: 1, Key: "d-1", On: day}); err != nil {
		t.Fatal(err)
	}
	if _, err := gs.HandOver(ctx, actors["officer"], g.ID, g.Items[0].ID, grants.HandOverInput{HandedOverOn: "2026-10-16", ReceivedBy: "แม่ค้า ปู่ฟ้า"}, day.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := vs.Record(ctx, audit.System, vendors.Request{ParticipantID: p.ID, Code: p.Code, Key: "s-1", Today: day.AddDate(0, 0, 2),
		Input: vendors.Input{Date: "2026-10-17", Kind: "sale", Amount: "250.00", Method: "cash"}}); err != nil {
		t.Fatal(err)
	}

	s := NewStore(db, vs, "https://hawker.example.org")
	st, err := s.Statement(ctx, p.Code, day, time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	received, err := gs.ReceivedIn(ctx, p.ID, day)
	if err != nil {
		t.Fatal(err)
	}
	if !st.GrantsTotal.Equal(received.Cash.Add(received.Equipment)) || !st.GrantsTotal.Equal(dec2("35000")) {
		t.Errorf("grants %s; grants package says cash %s + equipment %s", st.GrantsTotal, received.Cash, received.Equipment)
	}
	if !st.EquipmentVal.Equal(dec2("30000")) || len(st.Equipment) != 1 || st.Equipment[0].GrantKind != "equipment" {
		t.Errorf("equipment held %s %+v", st.EquipmentVal, st.Equipment)
	}
	if !st.Closing.Equal(dec2("5250")) || !st.Sales.Equal(dec2("250")) {
		t.Errorf("closing %s, sales %s", st.Closing, st.Sales)
	}
	text := pdftotext(t, mustPDF(t, st, "th"))
	for _, want := range []string{"ทุนเลขที่", "รถเข็นสแตนเลส (HSF-CART-1)", "35,000.00", "5,250.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("the statement lacks %q", want)
		}
	}
	if en := pdftotext(t, mustPDF(t, st, "en")); !strings.Contains(en, "(cash)") {
		t.Error("the English statement does not name the grant's cash")
	}
}

func mustPDF(t *testing.T, st Statement, lang string) []byte {
	t.Helper()
	b, err := st.PDF(PDFOptions{Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
