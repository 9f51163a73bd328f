package grants_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"hawker/grants"
	"hawker/ledger"
	"hawker/vendors"
)

func TestReceiptIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	in := grants.ReceiptInput{Amount: "100000.00", ReceivedOn: "2026-06-01", Note: "งวดแรก"}
	r1, err := f.store.Receive(ctx, f.manager, f.fund.ID, "key-1", in, today)
	if err != nil || r1.Replayed {
		t.Fatalf("receive: %+v %v", r1, err)
	}
	r2, err := f.store.Receive(ctx, f.manager, f.fund.ID, "key-1", in, today)
	if err != nil || !r2.Replayed || r2.ID != r1.ID || r2.EntryID != r1.EntryID {
		t.Fatalf("replay: %+v %v", r2, err)
	}
	in.Amount = "100000.01"
	if _, err := f.store.Receive(ctx, f.manager, f.fund.ID, "key-1", in, today); !errors.Is(err, grants.ErrIdempotencyConflict) {
		t.Errorf("changed body: %v", err)
	}
	for _, bad := range []grants.ReceiptInput{{Amount: "0", ReceivedOn: "2026-06-01"}, {Amount: "1.001", ReceivedOn: "2026-06-01"},
		{Amount: "10", ReceivedOn: "2026-06-16"}, {Amount: "10", ReceivedOn: "yesterday"}} {
		if _, err := f.store.Receive(ctx, f.manager, f.fund.ID, "key-2", bad, today); fieldsOf(err) == nil {
			t.Errorf("%+v accepted: %v", bad, err)
		}
	}
	wantFigures(t, f.figures(t, f.fund), "100000", "0", "0", "100000")
	f.verify(t)
}

func TestFourEyesAndManagerThreshold(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.receive(t, f.fund, "200000")
	p := f.eligible(t)

	// Small grant: one approval by anyone but the drafter or an editor.
	g := f.submitted(t, f.input(p, "5000", ""))
	if g.ApprovalsNeeded != 1 {
		t.Errorf("needs %d approvals", g.ApprovalsNeeded)
	}
	if _, err := f.store.Approve(ctx, f.officer, g.ID, today); !errors.Is(err, grants.ErrFourEyes) {
		t.Errorf("drafter approves: %v", err)
	}
	if _, err := f.store.Reject(ctx, f.officer, g.ID, "ไม่"); !errors.Is(err, grants.ErrFourEyes) {
		t.Errorf("drafter rejects: %v", err)
	}
	g, err := f.store.Approve(ctx, f.officer2, g.ID, today)
	if err != nil || g.State != grants.Approved {
		t.Fatalf("approve: %v", err)
	}

	// An editor may not approve either.
	d, err := f.store.Create(ctx, f.officer, f.input(p, "6000", ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Update(ctx, f.officer2, d.ID, f.input(p, "7000", "")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Submit(ctx, f.officer, d.ID, today); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Approve(ctx, f.officer2, d.ID, today); !errors.Is(err, grants.ErrFourEyes) {
		t.Errorf("editor approves: %v", err)
	}
	if _, err := f.store.Approve(ctx, f.manager, d.ID, today); err != nil {
		t.Errorf("manager approves: %v", err)
	}

	// Above the threshold (50,000): a second approval, by a manager.
	big := f.submitted(t, f.input(p, "20000", "35000"))
	if big.ApprovalsNeeded != 2 {
		t.Fatalf("needs %d approvals", big.ApprovalsNeeded)
	}
	big, err = f.store.Approve(ctx, f.officer2, big.ID, today)
	if err != nil || big.State != grants.Submitted || len(big.Approvals) != 1 {
		t.Fatalf("first approval: %+v %v", big.State, err)
	}
	if fig := f.figures(t, f.fund); !fig.Committed.Equal(dec("12000")) { // the two grants above
		t.Errorf("committed after the first of two approvals: %s", fig.Committed)
	}
	if _, err := f.store.Approve(ctx, f.officer2, big.ID, today); !errors.Is(err, grants.ErrFourEyes) {
		t.Errorf("same approver twice: %v", err)
	}
	// A third officer would still not be a manager.
	third := f.officer2
	third.UserID = f.manager2.UserID
	third.Role = "officer"
	if _, err := f.store.Approve(ctx, third, big.ID, today); !errors.Is(err, grants.ErrManagerRequired) {
		t.Errorf("second approval by an officer: %v", err)
	}
	big, err = f.store.Approve(ctx, f.manager, big.ID, today)
	if err != nil || big.State != grants.Approved || len(big.Approvals) != 2 {
		t.Fatalf("manager's approval: %v", err)
	}
	wantFigures(t, f.figures(t, f.fund), "200000", "67000", "0", "133000")

	// The administrator's threshold applies to grants submitted later.
	if err := f.store.SetThreshold(ctx, f.manager, dec("100000")); err != nil {
		t.Fatal(err)
	}
	g2 := f.submitted(t, f.input(p, "20000", "35000"))
	if g2.ApprovalsNeeded != 1 {
		t.Errorf("after raising the threshold: needs %d", g2.ApprovalsNeeded)
	}
	f.verify(t)
}

// TestEveryIllegalActionRefused puts a grant in each state and tries every
// action the state does not allow, through the store.
func TestEveryIllegalActionRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.receive(t, f.fund, "500000")
	p := f.eligible(t)
	in := func() grants.Input {
		in := f.input(p, "1000", "")
		in.Tranches = append(in.Tranches, grants.TrancheInput{Amount: "500", Condition: "milestone", Milestone: "ขายครบเดือน"})
		return in
	}
	make := map[grants.State]func() grants.Grant{
		grants.Draft: func() grants.Grant {
			g, err := f.store.Create(ctx, f.officer, in())
			if err != nil {
				t.Fatal(err)
			}
			return g
		},
		grants.Submitted: func() grants.Grant { return f.submitted(t, in()) },
		grants.Approved:  func() grants.Grant { return f.approved(t, in()) },
		grants.Rejected: func() grants.Grant {
			g := f.submitted(t, in())
			g, err := f.store.Reject(ctx, f.manager, g.ID, "แผนยังไม่ชัด")
			if err != nil {
				t.Fatal(err)
			}
			return g
		},
		grants.Cancelled: func() grants.Grant {
			g := f.approved(t, in())
			g, err := f.store.Cancel(ctx, f.manager, g.ID, "ย้ายไปต่างจังหวัด", today)
			if err != nil {
				t.Fatal(err)
			}
			return g
		},
		grants.Completed: func() grants.Grant {
			g := f.approved(t, f.input(p, "1000", ""))
			if _, err := f.store.Disburse(ctx, f.officer, grants.Release{Grant: g.ID, N: 1, Key: fmt.Sprintf("c-%d", g.ID), On: today}); err != nil {
				t.Fatal(err)
			}
			g, _ = f.store.Grant(ctx, g.ID)
			return g
		},
	}
	for _, s := range grants.States {
		g := make[s]()
		if g.State != s {
			t.Fatalf("made a %s grant, got %s", s, g.State)
		}
		before := f.figures(t, f.fund)
		for _, a := range grants.Actions {
			if s.Allows(a) {
				continue
			}
			var err error
			switch a {
			case grants.Edit:
				_, err = f.store.Update(ctx, f.officer, g.ID, in())
			case grants.Submit:
				_, err = f.store.Submit(ctx, f.officer, g.ID, today)
			case grants.Approve:
				_, err = f.store.Approve(ctx, f.manager2, g.ID, today)
			case grants.Reject:
				_, err = f.store.Reject(ctx, f.manager2, g.ID, "เหตุผล")
			case grants.Cancel:
				_, err = f.store.Cancel(ctx, f.manager2, g.ID, "เหตุผล", today)
			case grants.Disburse:
				_, err = f.store.Disburse(ctx, f.officer2, grants.Release{Grant: g.ID, N: 2, Key: fmt.Sprintf("x-%d-%s", g.ID, s), On: today})
			case grants.HandOver:
				g2 := f.approved(t, f.input(p, "", "1000"))
				_, err = f.store.HandOver(ctx, f.officer2, g.ID, g2.Items[0].ID, grants.HandOverInput{HandedOverOn: "2026-06-15", ReceivedBy: "x"}, today)
				if !errors.Is(err, grants.ErrNotFound) { // the item is not this grant's
					t.Errorf("%s: hand over another grant's item: %v", s, err)
				}
				continue
			case grants.Confirm:
				_, err = f.store.ConfirmMilestone(ctx, f.officer2, g.ID, 2, "ครบแล้ว")
			}
			if !errors.Is(err, grants.ErrWrongState) {
				t.Errorf("%s grant: %s gave %v, want ErrWrongState", s, a, err)
			}
		}
		after, _ := f.store.Grant(ctx, g.ID)
		if after.State != s {
			t.Errorf("%s grant became %s", s, after.State)
		}
		_ = before
	}
	f.verify(t)
}

func TestDisburseConditionsAndIdempotency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.receive(t, f.fund, "100000")
	p := f.eligible(t)
	five := 5
	in := f.input(p, "10000", "")
	in.Tranches = append(in.Tranches,
		grants.TrancheInput{Amount: "3000", Condition: "after_date", AfterDate: "2026-06-20"},
		grants.TrancheInput{Amount: "2000", Condition: "trading_days", TradingDays: &five},
		grants.TrancheInput{Amount: "1000", Condition: "milestone", Milestone: "ได้ใบอนุญาต"},
	)
	g := f.approved(t, in)
	wantFigures(t, f.figures(t, f.fund), "100000", "16000", "0", "84000")

	rel := func(n int, key string) (grants.Tranche, error) {
		return f.store.Disburse(ctx, f.officer, grants.Release{Grant: g.ID, N: n, Key: key, On: today})
	}
	// A double click: ten concurrent requests under one key release once.
	var wg sync.WaitGroup
	results := make([]grants.Tranche, 10)
	errs := make([]error, 10)
	for i := range results {
		wg.Add(1)
		go func(i int) { defer wg.Done(); results[i], errs[i] = rel(1, "click-1") }(i)
	}
	wg.Wait()
	fresh := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("click %d: %v", i, err)
		}
		if !results[i].Replayed {
			fresh++
		}
		if results[i].ProgrammeEntryID == nil || *results[i].ProgrammeEntryID != *results[0].ProgrammeEntryID {
			t.Errorf("click %d: entry %v", i, results[i].ProgrammeEntryID)
		}
	}
	if fresh != 1 {
		t.Errorf("%d fresh releases, want 1", fresh)
	}
	wantFigures(t, f.figures(t, f.fund), "100000", "6000", "10000", "84000")
	book, err := f.vendors.Book(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cash, _ := f.vendors.CashOnHand(ctx, p.ID); !cash.Equal(dec("10000")) {
		t.Errorf("vendor's cash %s", cash)
	}
	_ = book
	// Another key for the same tranche: conflict; the same key for another tranche: idempotency conflict.
	if _, err := rel(1, "click-2"); !errors.Is(err, grants.ErrAlreadyDisbursed) {
		t.Errorf("second release: %v", err)
	}
	if _, err := rel(2, "click-1"); !errors.Is(err, grants.ErrIdempotencyConflict) {
		t.Errorf("key reused: %v", err)
	}
	// Conditions.
	if _, err := rel(2, "k2"); !errors.Is(err, grants.ErrConditionNotMet) {
		t.Errorf("before the date: %v", err)
	}
	if _, err := f.store.Disburse(ctx, f.officer, grants.Release{Grant: g.ID, N: 2, Key: "k2", On: today.AddDate(0, 0, 5)}); err != nil {
		t.Errorf("on the date: %v", err)
	}
	if _, err := rel(3, "k3"); !errors.Is(err, grants.ErrConditionNotMet) {
		t.Errorf("no trading days: %v", err)
	}
	for d := 0; d < 5; d++ {
		day := today.AddDate(0, 0, -d*3)
		_, err := f.vendors.Record(ctx, f.officer, vendors.Request{ParticipantID: p.ID, Code: p.Code, Today: today, Key: fmt.Sprintf("sale-%d", d),
			Input: vendors.Input{Date: day.Format("2006-01-02"), Kind: "sale", Amount: "800", Method: "cash"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rel(3, "k3"); err != nil {
		t.Errorf("five trading days: %v", err)
	}
	if _, err := rel(4, "k4"); !errors.Is(err, grants.ErrConditionNotMet) {
		t.Errorf("milestone not confirmed: %v", err)
	}
	if _, err := f.store.ConfirmMilestone(ctx, f.officer2, g.ID, 4, " "); fieldsOf(err)["note"] == "" {
		t.Errorf("confirm without a note: %v", err)
	}
	if _, err := f.store.ConfirmMilestone(ctx, f.officer2, g.ID, 4, "เห็นใบอนุญาตแล้ว"); err != nil {
		t.Fatal(err)
	}
	if _, err := rel(4, "k4"); err != nil {
		t.Errorf("milestone confirmed: %v", err)
	}
	g, _ = f.store.Grant(ctx, g.ID)
	if g.State != grants.Completed {
		t.Errorf("every tranche released: %s", g.State)
	}
	wantFigures(t, f.figures(t, f.fund), "100000", "0", "16000", "84000")
	if cash, _ := f.vendors.CashOnHand(ctx, p.ID); !cash.Equal(dec("20000")) { // 16,000 granted + 4,000 of sales
		t.Errorf("vendor's cash %s", cash)
	}
	r, err := f.store.ReceivedIn(ctx, p.ID, today)
	if err != nil || !r.Cash.Equal(dec("16000")) || len(r.Lines) != 4 {
		t.Errorf("received in June: %+v %v", r, err)
	}
	f.verify(t)
}

func TestNotEligibleRefusedAtEachStep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.receive(t, f.fund, "100000")
	p := f.eligible(t)
	g := f.submitted(t, f.input(p, "1000", ""))
	// She withdraws her consent: approval and release are refused, with the reason.
	no := false
	c, _ := participantsConsent(no)
	if _, err := f.people.RecordConsent(ctx, f.officer, p, c); err != nil {
		t.Fatal(err)
	}
	_, err := f.store.Approve(ctx, f.officer2, g.ID, today)
	var ne *grants.NotEligibleError
	if !errors.As(err, &ne) || len(ne.Reasons) != 1 || ne.Reasons[0] != "no_programme_consent" {
		t.Fatalf("approve: %v", err)
	}
	d, err := f.store.Create(ctx, f.officer, f.input(p, "1000", ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Submit(ctx, f.officer, d.ID, today); !errors.Is(err, grants.ErrNotEligible) {
		t.Errorf("submit: %v", err)
	}
	yes := true
	c, _ = participantsConsent(yes)
	if _, err := f.people.RecordConsent(ctx, f.officer, p, c); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Approve(ctx, f.officer2, g.ID, today); err != nil {
		t.Fatal(err)
	}
	c, _ = participantsConsent(no)
	if _, err := f.people.RecordConsent(ctx, f.officer, p, c); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Disburse(ctx, f.officer, grants.Release{Grant: g.ID, N: 1, Key: "k", On: today}); !errors.Is(err, grants.ErrNotEligible) {
		t.Errorf("disburse: %v", err)
	}
	wantFigures(t, f.figures(t, f.fund), "100000", "1000", "0", "99000")
}

func TestOverCommitmentRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.receive(t, f.fund, "50000")
	p := f.eligible(t)
	var gs []grants.Grant
	for i := 0; i < 20; i++ {
		gs = append(gs, f.submitted(t, f.input(p, "5000", "")))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(gs))
	for i, g := range gs {
		wg.Add(1)
		go func(i int, id int64) { defer wg.Done(); _, errs[i] = f.store.Approve(ctx, f.officer2, id, today) }(i, g.ID)
	}
	wg.Wait()
	ok, short := 0, 0
	for _, err := range errs {
		var ie *grants.InsufficientFundsError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &ie):
			short++
			if !ie.Shortfall.Equal(dec("5000")) || !ie.Available.IsZero() {
				t.Errorf("shortfall %s, available %s", ie.Shortfall, ie.Available)
			}
		default:
			t.Errorf("approve: %v", err)
		}
	}
	if ok != 10 || short != 10 {
		t.Errorf("%d approved, %d refused; want 10 and 10", ok, short)
	}
	wantFigures(t, f.figures(t, f.fund), "50000", "50000", "0", "0")
	f.verify(t)
}

func TestEquipmentRegisterAndCancel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.receive(t, f.fund, "100000")
	p, q := f.eligible(t), f.eligible(t)
	in := f.input(p, "5000", "30000")
	in.Tranches = append(in.Tranches, grants.TrancheInput{Amount: "4000", Condition: "after_date", AfterDate: "2026-12-01"})
	in.Equipment = append(in.Equipment, grants.ItemInput{Description: "ถังแก๊ส", AssetTag: "HSF-GAS-1", Value: "2500", Basis: "fair_value"})
	g := f.approved(t, in)
	if g.Items[0].Status != grants.InStock {
		t.Fatalf("item %s", g.Items[0].Status)
	}
	wantFigures(t, f.figures(t, f.fund), "100000", "41500", "0", "58500")
	cart := g.Items[0]

	hand := grants.HandOverInput{HandedOverOn: "2026-06-10", ReceivedBy: "มาลี ศรีสุข", Acceptance: "รับรถเข็นในสภาพดี"}
	if _, err := f.store.HandOver(ctx, f.officer, g.ID, cart.ID, grants.HandOverInput{HandedOverOn: "2026-06-10"}, today); fieldsOf(err)["received_by"] == "" {
		t.Errorf("no receiver: %v", err)
	}
	it, err := f.store.HandOver(ctx, f.officer, g.ID, cart.ID, hand, today)
	if err != nil || it.Status != grants.HandedOver || it.HolderID == nil || *it.HolderID != p.ID {
		t.Fatalf("hand over: %+v %v", it, err)
	}
	// An item cannot be handed over twice, nor to two people.
	if _, err := f.store.HandOver(ctx, f.officer, g.ID, cart.ID, hand, today); !errors.Is(err, grants.ErrItemUnavailable) {
		t.Errorf("second hand-over: %v", err)
	}
	if _, err := f.store.Reassign(ctx, f.officer, cart.ID, grants.MoveInput{On: "2026-06-12", Participant: q.Code, ReceivedBy: "x"}, today); !errors.Is(err, grants.ErrItemUnavailable) {
		t.Errorf("reassign an item someone has: %v", err)
	}
	wantFigures(t, f.figures(t, f.fund), "100000", "11500", "30000", "58500")
	// Her book: equipment against grant capital.
	book, _ := f.vendors.Book(ctx, p.ID)
	bal, err := ledger.NewStore(f.db).BalancesByCode(ctx, book, []string{"equipment", "grant_capital"})
	if err != nil || !bal["equipment"].Equal(dec("30000")) || !bal["grant_capital"].Equal(dec("-30000")) {
		t.Errorf("vendor's book: %v %v", bal, err)
	}

	// Recovery when her business closes: back in stock, both books.
	if _, err := f.store.Recover(ctx, f.officer, cart.ID, grants.MoveInput{On: "2026-06-14"}, today); fieldsOf(err)["note"] == "" {
		t.Errorf("recover without a note: %v", err)
	}
	it, err = f.store.Recover(ctx, f.officer, cart.ID, grants.MoveInput{On: "2026-06-14", Note: "เลิกกิจการ"}, today)
	if err != nil || it.Status != grants.Returned || it.HolderID != nil {
		t.Fatalf("recover: %+v %v", it, err)
	}
	bal, _ = ledger.NewStore(f.db).BalancesByCode(ctx, book, []string{"equipment"})
	if !bal["equipment"].IsZero() {
		t.Errorf("her equipment after recovery: %s", bal["equipment"])
	}
	wantFigures(t, f.figures(t, f.fund), "100000", "41500", "0", "58500")
	it, err = f.store.Reassign(ctx, f.officer, cart.ID, grants.MoveInput{On: "2026-06-15", Participant: q.Code, ReceivedBy: "สมศรี"}, today)
	if err != nil || it.Status != grants.Reassigned || *it.HolderID != q.ID {
		t.Fatalf("reassign: %+v %v", it, err)
	}
	hist, err := f.store.History(ctx, cart.ID)
	if err != nil || len(hist) != 4 || hist[0].Action != "stock" || hist[3].Action != "reassign" {
		t.Errorf("history: %+v %v", hist, err)
	}

	// Cancel: the drafter may not; the undisbursed remainder goes back.
	if _, err := f.store.Disburse(ctx, f.officer, grants.Release{Grant: g.ID, N: 1, Key: "t1", On: today}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Cancel(ctx, f.officer, g.ID, "ย้ายที่อยู่", today); !errors.Is(err, grants.ErrFourEyes) {
		t.Errorf("drafter cancels: %v", err)
	}
	if _, err := f.store.Cancel(ctx, f.manager, g.ID, " ", today); fieldsOf(err)["reason"] == "" {
		t.Errorf("cancel without reason: %v", err)
	}
	g, err = f.store.Cancel(ctx, f.manager, g.ID, "ย้ายที่อยู่", today)
	if err != nil || g.State != grants.Cancelled {
		t.Fatalf("cancel: %v", err)
	}
	// 4,000 of cash and the 2,500 gas tank back; 5,000 paid and the 30,000 cart stay.
	wantFigures(t, f.figures(t, f.fund), "100000", "0", "35000", "65000")
	if g.Items[1].Status != grants.ItemCancel || g.Tranches[1].State != grants.TrancheCancelled {
		t.Errorf("after cancel: item %s, tranche %s", g.Items[1].Status, g.Tranches[1].State)
	}
	reg, err := f.store.Register(ctx, grants.RegisterFilter{})
	if err != nil || len(reg) != 2 {
		t.Errorf("register: %d rows, %v", len(reg), err)
	}

	// Export and erasure of hand-over acceptances.
	export := func() grants.ParticipantDoc {
		t.Helper()
		tx := f.db.MustBegin()
		defer tx.Rollback()
		secs, err := f.store.ExportPersonal(ctx, tx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return grants.ParticipantDoc{Grants: secs["grants"].([]grants.GrantDoc), HandOvers: secs["equipment_received"].([]grants.HandOverDoc)}
	}
	doc := export()
	if len(doc.Grants) != 1 || len(doc.HandOvers) != 2 || doc.HandOvers[0].ReceivedBy != "มาลี ศรีสุข" || len(doc.Grants[0].Received) != 1 {
		t.Fatalf("export: %+v", doc)
	}
	tx := f.db.MustBegin()
	if what, err := f.store.ErasePersonal(ctx, tx, p.ID); err != nil || what == "" {
		t.Fatal(what, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	doc = export()
	if doc.HandOvers[0].ReceivedBy != "" || doc.HandOvers[0].Acceptance != "" || !doc.HandOvers[0].Value.Equal(dec("30000")) {
		t.Errorf("after erasure: %+v", doc.HandOvers[0])
	}
	f.verify(t)
}

// TestReverseTranche: a released tranche stays released unless a manager
// reverses it explicitly, with a reason; the reversal is the ledger's own,
// in both books, once only, and the money goes back to the fund.
func TestReverseTranche(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	f.receive(t, f.fund, "50000")
	p := f.eligible(t)
	g := f.approved(t, f.input(p, "7000", ""))
	if _, err := f.store.ReverseTranche(ctx, f.manager, g.ID, 1, "จ่ายผิดคน", today); !errors.Is(err, grants.ErrWrongState) {
		t.Errorf("reverse a tranche not released: %v", err)
	}
	if _, err := f.store.Disburse(ctx, f.officer, grants.Release{Grant: g.ID, N: 1, Key: "r1", On: today}); err != nil {
		t.Fatal(err)
	}
	wantFigures(t, f.figures(t, f.fund), "50000", "0", "7000", "43000")
	if _, err := f.store.ReverseTranche(ctx, f.officer2, g.ID, 1, "จ่ายผิดคน", today); !errors.Is(err, grants.ErrForbidden) {
		t.Errorf("an officer reverses: %v", err)
	}
	if _, err := f.store.ReverseTranche(ctx, f.manager, g.ID, 1, " ", today); fieldsOf(err)["reason"] == "" {
		t.Errorf("reverse without a reason: %v", err)
	}
	tr, err := f.store.ReverseTranche(ctx, f.manager, g.ID, 1, "โอนซ้ำกับงวดที่จ่ายด้วยเงินสด", today)
	if err != nil || tr.State != grants.TrancheReversed || len(tr.ReversalEntryIDs) != 3 {
		t.Fatalf("reverse: %+v %v", tr, err)
	}
	if _, err := f.store.ReverseTranche(ctx, f.manager, g.ID, 1, "อีกครั้ง", today); !errors.Is(err, grants.ErrWrongState) {
		t.Errorf("reverse twice: %v", err)
	}
	wantFigures(t, f.figures(t, f.fund), "50000", "0", "0", "50000")
	if cash, _ := f.vendors.CashOnHand(ctx, p.ID); !cash.IsZero() {
		t.Errorf("her cash after the reversal: %s", cash)
	}
	r, err := f.store.ReceivedIn(ctx, p.ID, today)
	if err != nil || !r.Cash.Equal(dec("7000")) || !r.Returned.Equal(dec("7000")) || len(r.Lines) != 2 {
		t.Errorf("received in the month: %+v %v", r, err)
	}
	f.verify(t)
}
