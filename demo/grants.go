package demo

import (
	"context"
	"fmt"
	"time"

	"hawker/audit"
	"hawker/donors"
	"hawker/grants"
	"hawker/money"
	"hawker/participants"
	"hawker/thai"
	"hawker/users"
	"hawker/vendors"
)

// grants gives the programme a year of grant-making: two donors, three
// funds with their receipts, and grants in every state. The demo vendors
// got their carts and start-up cash about six months ago, released on each
// kind of condition (on approval, after a date, after trading days, at a
// milestone an officer confirmed); the business that stopped had its cart
// recovered; the inbox holds grants waiting, one of them above the
// threshold with its first approval; there is a draft, a rejection and a
// cancellation. Everything goes through the grants package, so every
// figure is on the ledger.
func (s *seeder) grants(ctx context.Context) error {
	us := users.NewStore(s.db)
	actor := func(login string) (audit.Actor, error) {
		u, err := us.ByLogin(ctx, login)
		if err != nil {
			return audit.Actor{}, fmt.Errorf("demo: %s: %w", login, err)
		}
		return audit.Actor{UserID: u.ID, Role: string(u.Role)}, nil
	}
	officer, err := actor("officer")
	if err != nil {
		return err
	}
	officer2, err := actor("officer2")
	if err != nil {
		return err
	}
	manager, err := actor("manager")
	if err != nil {
		return err
	}
	today := thai.Today(s.o.Now)
	ago := func(months, days int) time.Time { return today.AddDate(0, -months, -days) }
	store := grants.NewStore(s.db, vendors.NewStore(s.db))
	people := participants.NewStore(s.db)

	// Donors and funds. The first donor was made with its login (access.go).
	ds, err := donors.NewStore(s.db).List(ctx)
	if err != nil || len(ds) == 0 {
		return fmt.Errorf("demo: donors: %v", err)
	}
	siam := ds[0]
	krua, err := donors.NewStore(s.db).Add(ctx, manager, donors.New{Name: "บริษัท ครัวไทยรวมใจ จำกัด (Krua Thai Ruamjai Co., Ltd.)"})
	if err != nil {
		return fmt.Errorf("demo: donor: %w", err)
	}
	fund := func(d donors.Donor, name, purpose string, receipts ...struct {
		amount money.Text
		on     time.Time
		note   string
	}) (grants.Fund, error) {
		f, err := store.CreateFund(ctx, manager, grants.NewFund{Donor: d.ID, Name: name, Purpose: purpose})
		if err != nil {
			return f, fmt.Errorf("demo: fund %s: %w", name, err)
		}
		for i, r := range receipts {
			in := grants.ReceiptInput{Amount: r.amount, ReceivedOn: r.on.Format(time.DateOnly), Note: r.note}
			if _, err := store.Receive(ctx, manager, f.ID, fmt.Sprintf("demo:receipt:%d:%d", f.ID, i), in, today); err != nil {
				return f, fmt.Errorf("demo: receipt into %s: %w", name, err)
			}
		}
		return f, nil
	}
	type receipt = struct {
		amount money.Text
		on     time.Time
		note   string
	}
	carts, err := fund(siam, "กองทุนรถเข็นสะอาด 2569", "รถเข็นขายอาหารที่ถูกสุขลักษณะ และเงินทุนตั้งต้น",
		receipt{"300000.00", ago(10, 0), "งวดที่ 1 ตามบันทึกข้อตกลง"}, receipt{"250000.00", ago(4, 0), "งวดที่ 2"})
	if err != nil {
		return err
	}
	ingredients, err := fund(siam, "ทุนวัตถุดิบเริ่มต้น", "ค่าวัตถุดิบและบรรจุภัณฑ์สามเดือนแรก",
		receipt{"120000.00", ago(9, 0), "โอนครั้งเดียว"})
	if err != nil {
		return err
	}
	krFund, err := fund(krua, "กองทุนครัวไทยรวมใจเพื่อผู้ประกอบการรายย่อย", "อุปกรณ์ครัวและทุนหมุนเวียนสำหรับผู้พ้นโทษที่เริ่มกิจการ",
		receipt{"200000.00", ago(8, 0), "เงินบริจาคประจำปี"})
	if err != nil {
		return err
	}

	// Who gets what: the five demo vendors first, then other eligible participants.
	var vs []participants.Participant
	accounts, err := us.List(ctx) // vendors by login
	if err != nil {
		return fmt.Errorf("demo: vendors: %w", err)
	}
	taken := map[int64]bool{}
	for _, u := range accounts {
		if u.Role != users.Vendor || u.ParticipantID == nil {
			continue
		}
		p, err := people.ByID(ctx, *u.ParticipantID)
		if err != nil {
			return err
		}
		vs = append(vs, p)
		taken[p.ID] = true
	}
	var others []participants.Participant
	eligible, err := people.List(ctx, participants.Filter{Eligible: "yes", Limit: 500}, today)
	if err != nil {
		return fmt.Errorf("demo: participants: %w", err)
	}
	for _, r := range eligible {
		if !taken[r.ID] {
			others = append(others, r.Participant)
		}
	}
	if len(vs) < 5 || len(others) < 5 {
		return fmt.Errorf("demo: grants need 5 vendors and 5 other eligible participants, found %d and %d", len(vs), len(others))
	}

	n := 0
	tag := func() string { n++; return fmt.Sprintf("HSF-CART-%04d", n) }
	draft := func(p participants.Participant, f grants.Fund, purpose string, ts []grants.TrancheInput, items []grants.ItemInput) (grants.Grant, error) {
		g, err := store.Create(ctx, officer, grants.Input{Participant: p.Code, Fund: f.ID, Purpose: purpose, Tranches: ts, Equipment: items})
		if err != nil {
			return g, fmt.Errorf("demo: grant for %s: %w", p.Code, err)
		}
		return g, nil
	}
	approve := func(g grants.Grant, on time.Time) (grants.Grant, error) {
		g, err := store.Submit(ctx, officer, g.ID, on)
		if err == nil {
			g, err = store.Approve(ctx, officer2, g.ID, on)
		}
		if err == nil && g.State == grants.Submitted {
			g, err = store.Approve(ctx, manager, g.ID, on)
		}
		if err != nil {
			return g, fmt.Errorf("demo: approve grant %d: %w", g.ID, err)
		}
		return g, nil
	}
	release := func(g grants.Grant, n int, on time.Time) error {
		_, err := store.Disburse(ctx, officer, grants.Release{Grant: g.ID, N: n, Key: fmt.Sprintf("demo:release:%d:%d", g.ID, n), On: on})
		if err != nil {
			return fmt.Errorf("demo: release %d/%d: %w", g.ID, n, err)
		}
		return nil
	}
	handOver := func(g grants.Grant, p participants.Participant, on time.Time, acceptance string) error {
		for _, it := range g.Items {
			in := grants.HandOverInput{HandedOverOn: on.Format(time.DateOnly), ReceivedBy: p.Name, Acceptance: acceptance}
			if _, err := store.HandOver(ctx, officer, g.ID, it.ID, in, today); err != nil {
				return fmt.Errorf("demo: hand over item %d: %w", it.ID, err)
			}
		}
		return nil
	}
	cart := func(desc string, value money.Text) grants.ItemInput {
		return grants.ItemInput{Description: desc, AssetTag: tag(), Serial: fmt.Sprintf("KT-%d-%03d", thai.Year(today)-1, n*37%1000), Value: value, Basis: "invoice"}
	}
	twelve, fifteen := 12, 15

	// vendor1: above the threshold (two approvals), cart handed over, cash on
	// approval and after 12 trading days: completed.
	g, err := draft(vs[0], carts, "รถเข็นและเงินตั้งต้นร้านข้าวมันไก่",
		[]grants.TrancheInput{{Amount: "8000.00", Condition: "on_approval"}, {Amount: "5000.00", Condition: "trading_days", TradingDays: &twelve}},
		[]grants.ItemInput{cart("รถเข็นสแตนเลสพร้อมตู้กระจกและถังแก๊ส", "45000.00")})
	if err != nil {
		return err
	}
	if g, err = approve(g, ago(6, 12)); err != nil {
		return err
	}
	if err := release(g, 1, ago(6, 10)); err != nil {
		return err
	}
	if err := handOver(g, vs[0], ago(6, 10), "รับรถเข็นครบ สภาพใหม่ ลงชื่อรับแล้ว"); err != nil {
		return err
	}
	if err := release(g, 2, ago(5, 5)); err != nil {
		return err
	}

	// vendor2: each kind of condition, one tranche still to come on a date.
	g, err = draft(vs[1], carts, "รถเข็นส้มตำและทุนหมุนเวียน",
		[]grants.TrancheInput{{Amount: "5000.00", Condition: "on_approval"},
			{Amount: "3000.00", Condition: "after_date", AfterDate: ago(5, 0).Format(time.DateOnly)},
			{Amount: "4000.00", Condition: "milestone", Milestone: "ได้ใบอนุญาตจำหน่ายอาหารจากสำนักงานเขต"},
			{Amount: "3000.00", Condition: "after_date", AfterDate: today.AddDate(0, 0, 20).Format(time.DateOnly)}},
		[]grants.ItemInput{cart("รถเข็นส้มตำพร้อมครกและตู้แช่", "32000.00")})
	if err != nil {
		return err
	}
	if g, err = approve(g, ago(6, 8)); err != nil {
		return err
	}
	if err := release(g, 1, ago(6, 6)); err != nil {
		return err
	}
	if err := handOver(g, vs[1], ago(6, 6), "รับแล้ว ตรวจสอบครกและตู้แช่ใช้งานได้"); err != nil {
		return err
	}
	if err := release(g, 2, ago(5, 0)); err != nil {
		return err
	}
	if _, err := store.ConfirmMilestone(ctx, officer2, g.ID, 3, "เห็นใบอนุญาตฉบับจริงเมื่อเยี่ยมแผง เลขที่ 45/2569"); err != nil {
		return fmt.Errorf("demo: confirm: %w", err)
	}
	if err := release(g, 3, ago(4, 20)); err != nil {
		return err
	}

	// vendor3: the business that stopped: cart handed over, then recovered.
	g, err = draft(vs[2], krFund, "รถเข็นก๋วยเตี๋ยวและเงินตั้งต้น",
		[]grants.TrancheInput{{Amount: "6000.00", Condition: "on_approval"}},
		[]grants.ItemInput{cart("รถเข็นก๋วยเตี๋ยวพร้อมหม้อต้มสองช่อง", "38000.00")})
	if err != nil {
		return err
	}
	if g, err = approve(g, ago(6, 5)); err != nil {
		return err
	}
	if err := release(g, 1, ago(6, 3)); err != nil {
		return err
	}
	if err := handOver(g, vs[2], ago(6, 3), "รับรถเข็นและหม้อต้ม"); err != nil {
		return err
	}
	if _, err := store.Recover(ctx, officer, g.Items[0].ID, grants.MoveInput{On: today.AddDate(0, 0, -10).Format(time.DateOnly),
		Note: "เลิกกิจการ ย้ายไปอยู่กับครอบครัวต่างจังหวัด รับรถเข็นคืนเข้าคลัง"}, today); err != nil {
		return fmt.Errorf("demo: recover: %w", err)
	}

	// vendor4: ingredients money; a milestone not yet confirmed and trading days to come.
	g, err = draft(vs[3], ingredients, "ค่าวัตถุดิบและบรรจุภัณฑ์ช่วงเริ่มต้น",
		[]grants.TrancheInput{{Amount: "4000.00", Condition: "on_approval"},
			{Amount: "3000.00", Condition: "milestone", Milestone: "ผ่านการตรวจสุขาภิบาลแผงครั้งที่สอง"}},
		nil)
	if err != nil {
		return err
	}
	if g, err = approve(g, ago(5, 20)); err != nil {
		return err
	}
	if err := release(g, 1, ago(5, 18)); err != nil {
		return err
	}

	// vendor5: cart and cash, waiting in the inbox.
	g, err = draft(vs[4], carts, "รถเข็นขนมครกและเงินตั้งต้น",
		[]grants.TrancheInput{{Amount: "5000.00", Condition: "on_approval"}, {Amount: "3000.00", Condition: "trading_days", TradingDays: &fifteen}},
		[]grants.ItemInput{cart("รถเข็นขนมครกพร้อมเตาถ่าน", "28000.00")})
	if err != nil {
		return err
	}
	if _, err := store.Submit(ctx, officer, g.ID, today.AddDate(0, 0, -2)); err != nil {
		return fmt.Errorf("demo: submit: %w", err)
	}

	// Other eligible participants: above the threshold with its first
	// approval (the manager's is awaited), a draft, a rejection, a
	// cancellation after the first tranche.
	g, err = draft(others[0], krFund, "รถเข็นข้าวแกงพร้อมอุปกรณ์ครัว",
		[]grants.TrancheInput{{Amount: "10000.00", Condition: "on_approval"}, {Amount: "5000.00", Condition: "trading_days", TradingDays: &twelve}},
		[]grants.ItemInput{cart("รถเข็นข้าวแกงพร้อมหม้อเก็บความร้อนหกใบ", "42000.00")})
	if err != nil {
		return err
	}
	if _, err := store.Submit(ctx, officer, g.ID, today.AddDate(0, 0, -3)); err != nil {
		return fmt.Errorf("demo: submit: %w", err)
	}
	if _, err := store.Approve(ctx, officer2, g.ID, today.AddDate(0, 0, -1)); err != nil {
		return fmt.Errorf("demo: first approval: %w", err)
	}
	if _, err = draft(others[1], carts, "รถเข็นน้ำผลไม้ปั่น",
		[]grants.TrancheInput{{Amount: "4000.00", Condition: "on_approval"}},
		[]grants.ItemInput{{Description: "เครื่องปั่นน้ำผลไม้เชิงพาณิชย์", Value: "6500.00", Basis: "invoice"}, cart("รถเข็นพร้อมตู้แช่น้ำแข็ง", "26000.00")}); err != nil {
		return err
	}
	g, err = draft(others[2], ingredients, "ค่าวัตถุดิบร้านหมูปิ้ง",
		[]grants.TrancheInput{{Amount: "12000.00", Condition: "on_approval"}}, nil)
	if err != nil {
		return err
	}
	if _, err := store.Submit(ctx, officer, g.ID, ago(1, 0)); err != nil {
		return fmt.Errorf("demo: submit: %w", err)
	}
	if _, err := store.Reject(ctx, manager, g.ID, "ค่าวัตถุดิบสูงกว่าแผนธุรกิจที่อนุมัติ กรุณาปรับให้ตรงกับแผนแล้วยื่นใหม่"); err != nil {
		return fmt.Errorf("demo: reject: %w", err)
	}
	g, err = draft(others[3], carts, "รถเข็นโจ๊กและเงินตั้งต้น",
		[]grants.TrancheInput{{Amount: "5000.00", Condition: "on_approval"}, {Amount: "5000.00", Condition: "after_date", AfterDate: ago(1, 0).Format(time.DateOnly)}},
		[]grants.ItemInput{cart("รถเข็นโจ๊กพร้อมหม้อต้ม", "30000.00")})
	if err != nil {
		return err
	}
	if g, err = approve(g, ago(3, 0)); err != nil {
		return err
	}
	if err := release(g, 1, ago(2, 28)); err != nil {
		return err
	}
	if _, err := store.Cancel(ctx, manager, g.ID, "ผู้รับทุนขอถอนตัวจากโครงการก่อนรับรถเข็น เงินงวดแรกที่ได้รับแล้วไม่เรียกคืน", ago(2, 0)); err != nil {
		return fmt.Errorf("demo: cancel: %w", err)
	}
	return nil
}
