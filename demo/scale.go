package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/donors"
	"hawker/grants"
	"hawker/ledger"
	"hawker/money"
	"hawker/participants"
	"hawker/thai"
	"hawker/training"
	"hawker/users"
	"hawker/vendors"
)

// ScaleOptions shape the synthetic programme of SeedScale.
type ScaleOptions struct {
	Vendors  int       // participants who trade
	Months   int       // months of trading, all ended and closed by Now
	Password string    // the staff logins' password
	Now      time.Time // "today"; the last traded month is the one before it
	Workers  int       // loaders at once (default 4), each with two batches in flight
	// Progress, when set, is told each stage's progress (done of total),
	// one call at a time and in order, though the loaders run at once.
	Progress func(stage string, done, total int)
}

// ScaleResult is what SeedScale wrote.
type ScaleResult struct {
	Participants int
	Grants       int
	Entries      int
	Late         int // entries booked late, in the month after their date
	Closed       int // vendors whose business closed before the last month
	From, To     time.Time
	Logins       []Login
}

// The scale seed's cohorts are of cohortSize, like the programme's own.
const cohortSize = 20

// scaleDonors are the donors of the scale programme, each with two funds.
var scaleDonors = []string{
	"มูลนิธิสยามเพื่ออาหารปลอดภัย (Siam Safe Food Foundation)",
	"บริษัท ครัวไทยรวมใจ จำกัด (Krua Thai Ruamjai Co., Ltd.)",
	"กองทุนพัฒนาอาชีพชุมชนเมือง (Urban Livelihoods Fund)",
	"สมาคมธนาคารเพื่อสังคม (Social Banking Association)",
	"มูลนิธิแสงเทียนเพื่อผู้พ้นโทษ (Candlelight Reintegration Foundation)",
}

// Grant sizes of the scale programme, in baht: start-up cash in two
// tranches, and a cart for three vendors in five.
const (
	scaleFirstTranche  = 5000
	scaleSecondTranche = 3000
	scaleCart          = 25000
)

// SeedScale fills an empty database with a synthetic programme of
// o.Vendors participants over o.Months months, for benchmarks: cohorts of
// twenty enrolled over the first two months, each trained (every module of
// the catalogue, the knowledge test retaken every six months), with a
// business plan a manager approved and a grant from one of ten funds of
// five donors (start-up cash in two tranches, a cart for most, handed
// over), then daily books: about three entries a trading day with a weekly
// rhythm (a rest day, busier weekends), missed days, one business in ten
// closing for good, and a few entries written down after their month closed
// and so booked late. Each month is closed once its entries are in.
//
// Everything goes through the stores of the packages it seeds; the daily
// books through vendors' bulk path (the ledger's COPY). The loaders take a
// batch of vendors each, from enrolment to their last month, and write its
// books one month at a time, so memory stays flat whatever the size. If it
// fails half-way, seed a new database: the setup's audit events are
// appended a batch at a time (see scaleVendors).
func SeedScale(ctx context.Context, db *sqlx.DB, o ScaleOptions) (ScaleResult, error) {
	var res ScaleResult
	if o.Vendors < 1 || o.Months < 1 {
		return res, errors.New("demo: scale: vendors and months must be at least 1")
	}
	n, err := participants.NewStore(db).Count(ctx)
	if err != nil {
		return res, fmt.Errorf("demo: check empty: %w", err)
	}
	if n > 0 {
		return res, ErrNotEmpty
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Workers < 1 {
		o.Workers = 4
	}
	if o.Progress == nil {
		o.Progress = func(string, int, int) {}
	}
	o.Progress = serialised(o.Progress)
	today := thai.Today(o.Now)
	s := &scaleSeeder{seeder: seeder{db: db, o: Options{Password: o.Password, Now: o.Now}}, so: o, today: today}
	s.to = ledger.MonthOf(today).AddDate(0, -1, 0)
	s.from = s.to.AddDate(0, -(o.Months - 1), 0)
	res.From, res.To = s.from, s.to
	for _, step := range []func(context.Context) error{s.staff, s.scaleStaff, s.scaleFunds, s.scaleVendors, s.scaleClose, s.analyse} {
		if err := step(ctx); err != nil {
			return res, err
		}
	}
	res.Participants = len(s.people)
	res.Grants = int(s.grantsMade.Load())
	res.Entries, res.Late, res.Closed = s.entries, s.late, s.closedBiz
	res.Logins = s.logins
	return res, nil
}

// serialised makes progress safe to tell from several loaders: each call
// reports one more unit of its stage done, and reaches progress one at a
// time with the stage's count, so a bar never steps back.
func serialised(progress func(string, int, int)) func(string, int, int) {
	var mu sync.Mutex
	done := map[string]int{}
	return func(stage string, _, total int) {
		mu.Lock()
		defer mu.Unlock()
		done[stage]++
		progress(stage, done[stage], total)
	}
}

type scaleSeeder struct {
	seeder
	so       ScaleOptions
	today    time.Time
	from, to time.Time // the first and last traded months

	officers []audit.Actor
	manager  audit.Actor
	funds    []grants.Fund
	modules  demoModules
	people   []scalePerson

	grantsMade atomic.Int64
	mu         sync.Mutex // guards entries and late
	entries    int
	late       int
	closedBiz  int
}

// scalePerson is a participant of the scale programme and the shape of her
// trading.
type scalePerson struct {
	participants.Participant
	cohort   int
	start    time.Time    // her first trading day
	restDay  time.Weekday // the day she does not trade
	daily    int64        // a usual day's sales, baht
	missPct  int          // chance of a missed working day, percent
	stopDay  time.Time    // zero, or the day her business closed for good
	fiveDays bool         // trades weekdays only
}

// scaleStaff adds a second manager and two more officers: grants above the
// threshold need two approvals, and each step its own person.
func (s *scaleSeeder) scaleStaff(ctx context.Context) error {
	if _, err := s.addUser(ctx, users.New{Login: "officer3", Name: "ชุติมา ศรีอ่อน", Role: users.Officer}); err != nil {
		return err
	}
	us := users.NewStore(s.db)
	for _, login := range []string{"officer", "officer2", "officer3"} {
		u, err := us.ByLogin(ctx, login)
		if err != nil {
			return fmt.Errorf("demo: %s: %w", login, err)
		}
		s.officers = append(s.officers, audit.Actor{UserID: u.ID, Role: string(u.Role)})
	}
	u, err := us.ByLogin(ctx, "manager")
	if err != nil {
		return fmt.Errorf("demo: manager: %w", err)
	}
	s.manager = audit.Actor{UserID: u.ID, Role: string(u.Role)}
	return nil
}

// scaleFunds makes five donors with two funds each, every fund receiving
// enough for its share of the grants (with a fifth to spare) in two
// receipts before the first cohort enrols. The first donor gets a login.
func (s *scaleSeeder) scaleFunds(ctx context.Context) error {
	gs := grants.NewStore(s.db, vendors.NewStore(s.db))
	perGrant := int64(scaleFirstTranche + scaleSecondTranche + scaleCart)
	nFunds := 2 * len(scaleDonors)
	share := (int64(s.so.Vendors)/int64(nFunds) + 1) * perGrant * 6 / 5
	received := s.from.AddDate(0, -1, 0)
	for i, name := range scaleDonors {
		d, err := donors.NewStore(s.db).Add(ctx, s.manager, donors.New{Name: name})
		if err != nil {
			return fmt.Errorf("demo: donor: %w", err)
		}
		if i == 0 {
			id := d.ID
			if _, err := s.addUser(ctx, users.New{Login: "donor", Name: name, Role: users.Donor, DonorID: &id}); err != nil {
				return err
			}
		}
		for k, what := range []struct{ name, purpose string }{
			{"กองทุนรถเข็นสะอาด", "รถเข็นขายอาหารที่ถูกสุขลักษณะ และเงินทุนตั้งต้น"},
			{"ทุนตั้งต้นผู้ประกอบการรายย่อย", "เงินทุนตั้งต้นและวัตถุดิบช่วงแรก"},
		} {
			f, err := gs.CreateFund(ctx, s.manager, grants.NewFund{Donor: d.ID, Name: fmt.Sprintf("%s %d", what.name, i+1), Purpose: what.purpose})
			if err != nil {
				return fmt.Errorf("demo: fund: %w", err)
			}
			for r, part := range []int64{share / 2, share - share/2} {
				in := grants.ReceiptInput{Amount: money.Text(money.Baht(part).String()), ReceivedOn: received.AddDate(0, 0, 7*r+k).Format(time.DateOnly),
					Note: fmt.Sprintf("งวดที่ %d", r+1)}
				if _, err := gs.Receive(ctx, s.manager, f.ID, fmt.Sprintf("scale:receipt:%d:%d", f.ID, r), in, s.today); err != nil {
					return fmt.Errorf("demo: receipt into fund %d: %w", f.ID, err)
				}
			}
			s.funds = append(s.funds, f)
		}
	}
	return nil
}

// analyse refreshes the planner's statistics of every table: a bulk load
// leaves them behind, and where autovacuum is off (as on the benchmark
// machine) a table never analysed keeps the planner's guesses, which made
// the first `ledger verify` after a load read every ledger line for each
// two thousand vendor entries it checked.
func (s *scaleSeeder) analyse(ctx context.Context) error {
	if err := s.analyseTables(ctx); err != nil {
		return err
	}
	s.so.Progress("tables analysed", 1, 1)
	return nil
}

func (s *scaleSeeder) analyseTables(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("demo: scale analyse: %w", err)
	}
	return nil
}

// scaleFirstNames and scaleLastNames make the synthetic participants' names.
var (
	scaleFirstNames = []string{"สมศรี", "บุษบา", "ลำดวน", "ประไพ", "นวลจันทร์", "อัมพร", "สายสุนีย์", "ทองใบ", "พิมพ์ใจ", "วาสนา",
		"จำเนียร", "สุดารัตน์", "ละเอียด", "เพ็ญศรี", "บุญเรือน", "ศิริพร", "มยุรี", "กาญจนา", "ปราณี", "สมหมาย", "วิชัย", "สมศักดิ์"}
	scaleLastNames = []string{"แสงทอง", "ใจดี", "มีสุข", "ศรีสวัสดิ์", "บุญยืน", "คำแก้ว", "ทองคำ", "พูลผล", "วงศ์ใหญ่", "สุขเจริญ",
		"เรืองศรี", "ปานทอง", "อินทร์แก้ว", "ชัยมงคล", "นาคสวัสดิ์"}
	scaleDistricts = []struct{ province, district string }{
		{"กรุงเทพมหานคร", "ห้วยขวาง"}, {"กรุงเทพมหานคร", "ดินแดง"}, {"กรุงเทพมหานคร", "คลองเตย"}, {"นนทบุรี", "ปากเกร็ด"},
		{"กรุงเทพมหานคร", "บางกะปิ"}, {"สมุทรปราการ", "บางพลี"}, {"ปทุมธานี", "ธัญบุรี"}, {"กรุงเทพมหานคร", "บางแค"},
		{"เชียงใหม่", "เมืองเชียงใหม่"}, {"ขอนแก่น", "เมืองขอนแก่น"}, {"สงขลา", "หาดใหญ่"}, {"ชลบุรี", "บางละมุง"},
	}
)

// cohortStart is the day cohort c enrols: cohorts follow each other over
// the first two months of the programme (or its first month, when short).
func (s *scaleSeeder) cohortStart(c, cohorts int) time.Time {
	span := 56
	if s.so.Months < 3 {
		span = 14
	}
	return s.from.AddDate(0, 0, -35+c*span/max(cohorts, 1))
}

// scaleBatch is how many vendors one loader takes at a time, from their
// enrolment to their last month's books: a whole number of cohorts.
const scaleBatch = 5 * cohortSize

// scaleVendors loads the vendors a batch at a time, the batches shared
// among the loaders: each batch's cohorts are enrolled, trained and given
// plans, then each of its vendors a grant, then its books month by month
// (see scaleBooks). A batch touches only its own vendors' books, so the
// loaders wait on one another only for the donors' funds; the setup's
// audit events are held in the batch's own audit.Batch and appended to the
// trail at once, chained, when its vendors are set up, instead of each
// store call taking the trail's lock (which made every loader wait on
// every other). While one loader sets up its vendors another keeps the
// database busy with its books' COPY.
func (s *scaleSeeder) scaleVendors(ctx context.Context) error {
	dm, err := s.catalogue(ctx)
	if err != nil {
		return err
	}
	s.modules = dm
	cohorts := (s.so.Vendors + cohortSize - 1) / cohortSize
	s.people = make([]scalePerson, s.so.Vendors)
	batches := (s.so.Vendors + scaleBatch - 1) / scaleBatch
	vs := vendors.NewStore(s.db)
	gs := grants.NewStore(s.db, vs)
	var cohortsDone, grantsDone, booksDone atomic.Int64
	var analysing sync.Mutex
	return parallel(ctx, 2*s.so.Workers, batches, func(ctx context.Context, b int) error {
		first, last := b*scaleBatch, min((b+1)*scaleBatch, s.so.Vendors)
		// The setup's events wait in the batch's own trail and go in at
		// once, chained, when its vendors are set up.
		trail := &audit.Batch{}
		actx := audit.WithBatch(ctx, trail)
		for c := first / cohortSize; c*cohortSize < last; c++ {
			if err := s.scaleCohort(actx, c, cohorts); err != nil {
				return err
			}
			s.so.Progress("participants", int(cohortsDone.Add(1)), cohorts)
		}
		for i := first; i < last; i++ {
			if err := s.scaleGrant(actx, gs, i); err != nil {
				return err
			}
			s.grantsMade.Add(1)
			s.so.Progress("grants", int(grantsDone.Add(1)), s.so.Vendors)
		}
		if _, err := trail.Flush(ctx, s.db); err != nil {
			return fmt.Errorf("demo: scale trail: %w", err)
		}
		return s.scaleBooks(ctx, vs, first, last, func() error {
			n, total := int(booksDone.Add(1)), s.so.Months*batches
			s.so.Progress("entries", n, total)
			// The planner's statistics follow the tables as they grow,
			// analysed each time the books written have doubled and at
			// each tenth. Left with none (autovacuum is off here), the
			// balance check each entry runs at COMMIT was planned as a
			// parallel bitmap scan with JIT once the lines ran into
			// millions, and a month's COMMIT of a batch took 14 s instead
			// of a fraction of one. And the plans each loader's connection
			// keeps (the check of new ledger lines, the foreign keys'
			// lookups) are made again only when a table is analysed: with
			// the tenths alone, a plan made while ledger_periods held one
			// page (a sequential scan) still scanned it for every new line
			// when it held 7,500 rows, and a batch's month of lines took
			// 15.7 s to COPY instead of 0.65 s (10,000 × 24, first tenth,
			// pg_stat_statements before and after an ANALYZE by hand).
			if (n&(n-1) == 0 || n*10/total != (n-1)*10/total) && analysing.TryLock() {
				defer analysing.Unlock()
				return s.analyseTables(ctx)
			}
			return nil
		})
	})
}

func (s *scaleSeeder) scaleCohort(ctx context.Context, c, cohorts int) error {
	store := participants.NewStore(s.db)
	start := s.cohortStart(c, cohorts)
	name := fmt.Sprintf("รุ่น %d/%d", c+1, thai.Year(start))
	officer := s.officers[c%len(s.officers)]
	first, last := c*cohortSize, min((c+1)*cohortSize, s.so.Vendors)
	rng := rand.New(rand.NewPCG(uint64(c), 16))
	for i := first; i < last; i++ {
		d := scaleDistricts[i%len(scaleDistricts)]
		p, err := participants.Enrolment{
			Name:     scaleFirstNames[i%len(scaleFirstNames)] + " " + scaleLastNames[(i/len(scaleFirstNames))%len(scaleLastNames)],
			Nickname: fmt.Sprintf("แม่ค้า %d", i+1), Phone: fmt.Sprintf("08%08d", i),
			Province: d.province, District: d.district, Cohort: name,
			EnrolledOn: start.AddDate(0, 0, i%3).Format(time.DateOnly), Language: "th"}.Parse(s.today)
		if err != nil {
			return fmt.Errorf("demo: scale participant %d: %w", i, err)
		}
		consents := []participants.Consent{
			{Purpose: participants.TakingPart, Given: true, RecordedOn: p.EnrolledOn},
			{Purpose: participants.DonorReports, Given: i%9 != 8, RecordedOn: p.EnrolledOn},
			{Purpose: participants.Story, Given: i%4 == 0, RecordedOn: p.EnrolledOn},
		}
		if p, err = store.Enrol(ctx, officer, p, consents); err != nil {
			return fmt.Errorf("demo: scale enrol %d: %w", i, err)
		}
		sp := scalePerson{Participant: p, cohort: c, start: start.AddDate(0, 0, 30+rng.IntN(5)),
			restDay: time.Weekday(rng.IntN(7)), daily: int64(600 + rng.IntN(1600)), missPct: 3 + rng.IntN(10), fiveDays: rng.IntN(8) == 0}
		if rng.IntN(10) == 0 && s.so.Months >= 6 {
			// One business in ten closes for good, from its sixth month on.
			sp.stopDay = s.from.AddDate(0, 5, 0).AddDate(0, 0, rng.IntN(30*(s.so.Months-5)))
		}
		s.people[i] = sp
	}
	// Every module in class, a few days apart; the knowledge test retaken
	// every six months, so it stays current.
	for k, m := range s.modules.all {
		var dates []time.Time
		if m.ID == s.modules.test.ID {
			for on := start.AddDate(0, 0, 7); !on.After(s.today); on = on.AddDate(0, 6, 0) {
				dates = append(dates, on)
			}
		} else {
			dates = []time.Time{start.AddDate(0, 0, 4+k)}
		}
		for _, on := range dates {
			f := training.ClassForm{ModuleID: m.ID, SessionOn: on.Format(time.DateOnly), Trainer: "สำนักงานเขต / กรมอนามัย", Issuer: "กรมอนามัย กระทรวงสาธารณสุข"}
			for i := first; i < last; i++ {
				a := training.Attendee{ParticipantID: s.people[i].ID, Passed: true, Score: fmt.Sprint(70 + (i*7+k*3)%30)}
				if m.Kind == training.FoodHandler && m.ValidityMonths != nil {
					a.CertificateNo = fmt.Sprintf("FH-%d-%06d-%02d", thai.Year(on), s.people[i].ID, m.ID)
				}
				f.Attendees = append(f.Attendees, a)
			}
			cl, err := f.Parse(s.today)
			if err != nil {
				return fmt.Errorf("demo: scale class %s: %w", m.NameEN, err)
			}
			if _, err := store.RecordClass(ctx, officer, cl); err != nil {
				return fmt.Errorf("demo: scale class: %w", err)
			}
		}
	}
	for i := first; i < last; i++ {
		pl, err := demoPlan(i).Parse()
		if err != nil {
			return err
		}
		plan, err := store.CreatePlan(ctx, officer, s.people[i].Participant, pl)
		if err == nil {
			_, err = store.SubmitPlan(ctx, officer, plan.ID)
		}
		if err == nil {
			_, err = store.ApprovePlan(ctx, s.manager, plan.ID)
		}
		if err != nil {
			return fmt.Errorf("demo: scale plan for %s: %w", s.people[i].Code, err)
		}
	}
	return nil
}

// scaleGrant gives participant i a grant from one of the funds:
// start-up cash released on approval and after three months, and for three
// in five a cart handed over on approval. A second officer approves what
// the first drafted, and the manager what is above the threshold.
func (s *scaleSeeder) scaleGrant(ctx context.Context, gs *grants.Store, i int) error {
	p := s.people[i]
	officer, second := s.officers[i%len(s.officers)], s.officers[(i+1)%len(s.officers)]
	on := p.start.AddDate(0, 0, -2)
	later := on.AddDate(0, 3, 0)
	in := grants.Input{Participant: p.Code, Fund: s.funds[i%len(s.funds)].ID, Purpose: "เงินทุนตั้งต้นและอุปกรณ์ขายอาหาร",
		Tranches: []grants.TrancheInput{
			{Amount: money.Text(money.Baht(scaleFirstTranche).String()), Condition: "on_approval"},
			{Amount: money.Text(money.Baht(scaleSecondTranche).String()), Condition: "after_date", AfterDate: later.Format(time.DateOnly)},
		}}
	cart := i%5 < 3
	if cart {
		in.Equipment = []grants.ItemInput{{Description: "รถเข็นสแตนเลสพร้อมตู้กระจกและถังแก๊ส", AssetTag: fmt.Sprintf("HSF-SC-%06d", i+1),
			Serial: fmt.Sprintf("KT-%06d", i+1), Value: money.Text(money.Baht(scaleCart).String()), Basis: "invoice"}}
	}
	g, err := gs.Create(ctx, officer, in)
	if err != nil {
		return fmt.Errorf("demo: scale grant for %s: %w", p.Code, err)
	}
	if g, err = gs.Submit(ctx, officer, g.ID, on); err == nil {
		g, err = gs.Approve(ctx, second, g.ID, on)
	}
	if err == nil && g.State == grants.Submitted {
		g, err = gs.Approve(ctx, s.manager, g.ID, on)
	}
	if err != nil {
		return fmt.Errorf("demo: scale approve grant %d: %w", g.ID, err)
	}
	release := func(n int, day time.Time) error {
		if day.After(s.today) {
			return nil
		}
		_, err := gs.Disburse(ctx, officer, grants.Release{Grant: g.ID, N: n, Key: fmt.Sprintf("scale:release:%d:%d", g.ID, n), On: day})
		if err != nil {
			return fmt.Errorf("demo: scale release %d/%d: %w", g.ID, n, err)
		}
		return nil
	}
	if err := release(1, on); err != nil {
		return err
	}
	if cart {
		for _, it := range g.Items {
			hin := grants.HandOverInput{HandedOverOn: on.Format(time.DateOnly), ReceivedBy: p.Name, Acceptance: "รับรถเข็นครบ สภาพใหม่"}
			if _, err := gs.HandOver(ctx, officer, g.ID, it.ID, hin, s.today); err != nil {
				return fmt.Errorf("demo: scale hand over %d: %w", it.ID, err)
			}
		}
	}
	return release(2, later)
}

// scaleBooks writes the daily books of vendors first..last-1 month by
// month through vendors' bulk path, one transaction a month, and closes
// each month in their books once its entries are in. A few entries of the
// last days of a month are written down only after it closed: they go in
// with the next month's, booked late; the last month's, in the month
// running now. done is told of each month written.
func (s *scaleSeeder) scaleBooks(ctx context.Context, vs *vendors.Store, first, last int, done func() error) error {
	var late []vendors.Entry // written down after their month closed
	var books []int64
	entries, booked := 0, 0
	for m := range s.so.Months {
		month := s.from.AddDate(0, m, 0)
		batch := late
		for i := range batch {
			batch[i].BookedOn = month
		}
		booked += len(late)
		late = nil
		for i := first; i < last; i++ {
			in, out, err := s.vendorMonth(i, month)
			if err != nil {
				return err
			}
			batch = append(batch, in...)
			late = append(late, out...)
		}
		if _, err := vs.RecordBulk(ctx, batch, nil); err != nil {
			return fmt.Errorf("demo: scale books %s: %w", month.Format("2006-01"), err)
		}
		entries += len(batch)
		if len(books) < last-first {
			// The books made so far (a vendor's, by her grant or first entry).
			books = books[:0]
			for i := first; i < last; i++ {
				b, err := vs.Book(ctx, s.people[i].ID)
				if errors.Is(err, vendors.ErrNotFound) {
					continue
				}
				if err != nil {
					return fmt.Errorf("demo: scale close %s: %w", month.Format("2006-01"), err)
				}
				books = append(books, b)
			}
		}
		if _, err := vs.Ledger().CloseBooks(ctx, audit.System, books, month, s.o.Now); err != nil {
			return fmt.Errorf("demo: scale close %s: %w", month.Format("2006-01"), err)
		}
		if err := done(); err != nil {
			return err
		}
	}
	if len(late) > 0 {
		now := ledger.MonthOf(s.today)
		for i := range late {
			late[i].BookedOn = now
		}
		if _, err := vs.RecordBulk(ctx, late, nil); err != nil {
			return fmt.Errorf("demo: scale late books: %w", err)
		}
		entries += len(late)
		booked += len(late)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.entries += entries
	s.late += booked
	return nil
}

// scaleClose closes every traded month in the books the loaders did not
// close (the programme's), then counts the businesses that closed.
func (s *scaleSeeder) scaleClose(ctx context.Context) error {
	l := ledger.NewStore(s.db)
	for m := range s.so.Months {
		month := s.from.AddDate(0, m, 0)
		if _, err := l.CloseMonth(ctx, audit.System, month, s.o.Now); err != nil {
			return fmt.Errorf("demo: scale close %s: %w", month.Format("2006-01"), err)
		}
		s.so.Progress("programme months closed", m+1, s.so.Months)
	}
	for _, p := range s.people {
		if !p.stopDay.IsZero() && !p.stopDay.After(s.to.AddDate(0, 1, -1)) {
			s.closedBiz++
		}
	}
	return nil
}

// vendorMonth is vendor i's entries of month: about three a trading day
// (the day's cash takings, the ingredients, and one of a PromptPay sale, a
// drawing or another cost), and apart from them the few she wrote down only
// after the month closed. The same vendor and month always give the same
// entries.
func (s *scaleSeeder) vendorMonth(i int, month time.Time) (in, late []vendors.Entry, err error) {
	p := s.people[i]
	rng := rand.New(rand.NewPCG(uint64(i), uint64(month.Year()*12+int(month.Month()))))
	n := 0
	add := func(day time.Time, kind vendors.Kind, baht int64, what, note string) error {
		n++
		if baht <= 0 {
			return nil
		}
		e, err := vendors.NewEntry(p.ID, p.Code, day, kind, money.Baht(baht), what, note, fmt.Sprintf("scale:%d:%s:%d", p.ID, month.Format("200601"), n))
		if err != nil {
			return fmt.Errorf("demo: scale entry for %s on %s: %w", p.Code, day.Format(time.DateOnly), err)
		}
		e.RecordedBy = s.officers[p.cohort%len(s.officers)].UserID
		e.OnBehalf = true
		if day.Day() >= 26 && rng.IntN(50) == 0 {
			late = append(late, e)
		} else {
			in = append(in, e)
		}
		return nil
	}
	end := month.AddDate(0, 1, 0)
	for day := month; day.Before(end); day = day.AddDate(0, 0, 1) {
		wd := day.Weekday()
		switch {
		case day.Before(p.start), !p.stopDay.IsZero() && !day.Before(p.stopDay):
			continue
		case wd == p.restDay, p.fiveDays && (wd == time.Saturday || wd == time.Sunday):
			continue
		case rng.IntN(100) < p.missPct:
			continue
		}
		sales := p.daily * int64(75+rng.IntN(51)) / 100
		if wd == time.Saturday || wd == time.Sunday {
			sales = sales * 125 / 100
		}
		third := rng.IntN(100)
		cash := sales
		if third < 40 {
			cash = sales * int64(60+rng.IntN(25)) / 100
		}
		if err := add(day, vendors.Sale, cash, "cash", ""); err != nil {
			return nil, nil, err
		}
		if err := add(day, vendors.Expense, sales*int64(35+rng.IntN(11))/100, "ingredients", ""); err != nil {
			return nil, nil, err
		}
		switch {
		case third < 40:
			err = add(day, vendors.Sale, sales-cash, "promptpay", "")
		case third < 65:
			err = add(day, vendors.Drawing, int64(100+50*rng.IntN(5)), "", "")
		default:
			other := []struct {
				what string
				baht int64
			}{{"gas", 390}, {"ice", 30}, {"packaging", 80}, {"pitch", 40}, {"transport", 50}}[rng.IntN(5)]
			err = add(day, vendors.Expense, other.baht, other.what, "")
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return in, late, nil
}

// parallel runs fn for 0..n-1 on workers goroutines and returns the first
// error; the others stop at their next item.
func parallel(ctx context.Context, workers, n int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
