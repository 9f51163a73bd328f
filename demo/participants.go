package demo

import (
	"context"
	"fmt"
	"time"

	"hawker/audit"
	"hawker/participants"
	"hawker/thai"
	"hawker/training"
	"hawker/users"
)

// demoPIN is every demo vendor's 6-digit PIN.
const demoPIN = "246810"

// stage is where a demo participant stands.
type stage int

const (
	justEnrolled stage = iota
	inTraining
	planDrafted
	planSubmitted
	planReturned
	approvedTrainingMissing // plan approved, a required certificate expired
	eligible
	eligibleExpiring // eligible, a certificate expires within 30 days
	erased
)

// demoPerson is a made-up participant: realistic names, Bangkok-area homes.
type demoPerson struct {
	name, nickname, province, district string
}

var cohortOne = []demoPerson{
	{"สุนีย์ แก้วมณี", "นีย์", "กรุงเทพมหานคร", "ห้วยขวาง"},
	{"วันเพ็ญ ศรีวงศ์", "เพ็ญ", "กรุงเทพมหานคร", "ดินแดง"},
	{"มาลัย ทองดี", "มาลัย", "กรุงเทพมหานคร", "คลองเตย"},
	{"อรุณี พรหมมา", "อร", "นนทบุรี", "ปากเกร็ด"},
	{"จันทร์เพ็ญ บุญมา", "จันทร์", "กรุงเทพมหานคร", "บางกะปิ"},
	{"ละเอียด สุขสวัสดิ์", "เอียด", "สมุทรปราการ", "บางพลี"},
	{"ประไพ ใจงาม", "ไพ", "กรุงเทพมหานคร", "จตุจักร"},
	{"สมพร เกิดผล", "พร", "ปทุมธานี", "ธัญบุรี"},
	{"บุญเรือน แสงจันทร์", "เรือน", "กรุงเทพมหานคร", "บางซื่อ"},
	{"ทองใบ มีสุข", "ใบ", "นนทบุรี", "บางบัวทอง"},
	{"นงลักษณ์ ศรีสวัสดิ์", "นง", "กรุงเทพมหานคร", "ลาดพร้าว"},
	{"รัตนา พึ่งบุญ", "รัตน์", "กรุงเทพมหานคร", "ราชเทวี"},
	{"สายสุนีย์ คงทอง", "สาย", "สมุทรปราการ", "เมืองสมุทรปราการ"},
	{"ปราณี วงศ์สวรรค์", "ปราณี", "กรุงเทพมหานคร", "บางนา"},
	{"กาญจนา ดวงแก้ว", "กาญ", "ปทุมธานี", "คลองหลวง"},
	{"วิไลวรรณ จันทร์หอม", "วิ", "กรุงเทพมหานคร", "หนองจอก"},
	{"เยาวลักษณ์ บัวผัน", "เยาว์", "กรุงเทพมหานคร", "มีนบุรี"},
	{"สุกัญญา ทองคำ", "กัญ", "นนทบุรี", "เมืองนนทบุรี"},
	{"ชนิดา อินทร์แก้ว", "ดา", "กรุงเทพมหานคร", "บางเขน"},
	{"สมศักดิ์ ปานทอง", "ศักดิ์", "กรุงเทพมหานคร", "ดอนเมือง"},
}

var cohortTwo = []demoPerson{
	{"พิมพ์ใจ รุ่งเรือง", "พิมพ์", "กรุงเทพมหานคร", "บางแค"},
	{"ศิริพร นาคสวัสดิ์", "ศิ", "กรุงเทพมหานคร", "ภาษีเจริญ"},
	{"อำไพ เพชรรัตน์", "ไพ", "สมุทรสาคร", "กระทุ่มแบน"},
	{"ลำดวน ศรีเมือง", "ดวน", "กรุงเทพมหานคร", "หนองแขม"},
	{"บังอร สุวรรณ", "อร", "นนทบุรี", "บางใหญ่"},
	{"จิราพร แก้วใส", "จิ", "กรุงเทพมหานคร", "ทุ่งครุ"},
	{"ดารุณี ชัยมงคล", "ดา", "กรุงเทพมหานคร", "ราษฎร์บูรณะ"},
	{"สมหญิง ทองมา", "หญิง", "สมุทรปราการ", "พระประแดง"},
	{"เพ็ญศรี บุญยืน", "ศรี", "กรุงเทพมหานคร", "จอมทอง"},
	{"ยุพา มั่นคง", "ยุ", "ปทุมธานี", "ลำลูกกา"},
	{"นวลจันทร์ พูลสวัสดิ์", "นวล", "กรุงเทพมหานคร", "บางบอน"},
	{"อุไร แสงสว่าง", "ไร", "กรุงเทพมหานคร", "ตลิ่งชัน"},
	{"ทัศนีย์ ศักดิ์ดี", "ทัศ", "นนทบุรี", "บางกรวย"},
	{"บุษบา คำแสง", "บุษ", "กรุงเทพมหานคร", "สาทร"},
	{"สมจิตร รักษ์ไทย", "จิตร", "กรุงเทพมหานคร", "ยานนาวา"},
	{"ณัฐธิดา ใจเย็น", "ณัฐ", "สมุทรสาคร", "เมืองสมุทรสาคร"},
	{"กมลา ศรีบุญ", "มล", "กรุงเทพมหานคร", "บางกอกน้อย"},
	{"รุ่งทิวา เรืองศรี", "รุ่ง", "กรุงเทพมหานคร", "คลองสาน"},
	{"ปิยะนุช อ่อนศรี", "นุช", "นนทบุรี", "ไทรน้อย"},
	{"วิชัย บุญส่ง", "ชัย", "กรุงเทพมหานคร", "บางพลัด"},
}

// The stages of each cohort, person by person: the first cohort is far
// along, the second has just begun.
var (
	cohortOneStages = []stage{
		eligible, eligible, eligibleExpiring, eligible, eligible, eligibleExpiring, eligible, eligible, eligibleExpiring, eligible,
		approvedTrainingMissing, approvedTrainingMissing, planSubmitted, planSubmitted, planReturned, planReturned,
		planDrafted, inTraining, eligible, erased,
	}
	cohortTwoStages = []stage{
		justEnrolled, justEnrolled, justEnrolled, justEnrolled, justEnrolled, justEnrolled,
		inTraining, inTraining, inTraining, inTraining, inTraining, inTraining, inTraining, inTraining,
		planDrafted, planDrafted, planDrafted, planReturned, planSubmitted, planSubmitted,
	}
)

type demoModules struct {
	all      []training.Module
	required []training.Module
	test     training.Module // the knowledge test, valid 6 months
}

// catalogue seeds the food-handler course (Ministry of Public Health) and
// the programme's own modules.
func (s *seeder) catalogue(ctx context.Context) (demoModules, error) {
	months := func(n int) *int { return &n }
	var dm demoModules
	for _, m := range []training.Module{
		{NameTH: "สุขาภิบาลอาหารและอันตรายจากอาหารและน้ำ", NameEN: "Food sanitation and food and water hazards", Kind: training.FoodHandler, Required: true, ValidityMonths: months(24)},
		{NameTH: "มาตรฐานสถานที่จำหน่ายอาหาร", NameEN: "Standards for food-sale premises", Kind: training.FoodHandler, Required: false, ValidityMonths: months(24)},
		{NameTH: "สุขอนามัยส่วนบุคคลของผู้สัมผัสอาหาร", NameEN: "Personal hygiene of food handlers", Kind: training.FoodHandler, Required: true, ValidityMonths: months(24)},
		{NameTH: "กฎหมายที่เกี่ยวข้องกับอาหาร", NameEN: "Food law", Kind: training.FoodHandler, Required: true, ValidityMonths: months(24)},
		{NameTH: "การประกอบกิจการจำหน่ายอาหาร", NameEN: "Running a food business", Kind: training.FoodHandler, Required: false},
		{NameTH: "การฝึกปฏิบัติ", NameEN: "Practice", Kind: training.FoodHandler, Required: false},
		{NameTH: "การทดสอบความรู้ผู้สัมผัสอาหาร", NameEN: "Food handler knowledge test", Kind: training.FoodHandler, Required: true, ValidityMonths: months(6)},
		{NameTH: "การเสริมพลังใจ", NameEN: "Mental empowerment", Kind: training.Programme, Required: true},
		{NameTH: "ครอบครัวสัมพันธ์", NameEN: "Family relations", Kind: training.Programme, Required: false},
		{NameTH: "การวางแผนธุรกิจ", NameEN: "Business planning", Kind: training.Programme, Required: true},
		{NameTH: "การบริหารการเงิน", NameEN: "Financial management", Kind: training.Programme, Required: true},
	} {
		m.Active = true
		m, err := training.NewStore(s.db).AddModule(ctx, audit.System, m)
		if err != nil {
			return dm, fmt.Errorf("demo: module %s: %w", m.NameEN, err)
		}
		dm.all = append(dm.all, m)
		if m.Required {
			dm.required = append(dm.required, m)
		}
		if m.ValidityMonths != nil && *m.ValidityMonths == 6 {
			dm.test = m
		}
	}
	return dm, nil
}

// participants enrols two cohorts of about 20, each person at a stage of
// the programme, with classes, plans and reviews, and gives five eligible
// vendors their logins (vendor1..vendor5) with the demo password and PIN.
func (s *seeder) participants(ctx context.Context) error {
	dm, err := s.catalogue(ctx)
	if err != nil {
		return err
	}
	us := users.NewStore(s.db)
	actorOf := func(login string) (audit.Actor, error) {
		u, err := us.ByLogin(ctx, login)
		if err != nil {
			return audit.Actor{}, fmt.Errorf("demo: %s: %w", login, err)
		}
		return audit.Actor{UserID: u.ID, Role: string(u.Role)}, nil
	}
	officer, err := actorOf("officer")
	if err != nil {
		return err
	}
	officer2, err := actorOf("officer2")
	if err != nil {
		return err
	}
	manager, err := actorOf("manager")
	if err != nil {
		return err
	}
	today := thai.Today(s.o.Now)
	store := participants.NewStore(s.db)

	type enrolled struct {
		p     participants.Participant
		stage stage
	}
	var vendors []participants.Participant
	phone := 0
	cohorts := []struct {
		name   string
		people []demoPerson
		stages []stage
		start  time.Time
	}{
		{"", cohortOne, cohortOneStages, today.AddDate(0, -10, 0)},
		{"", cohortTwo, cohortTwoStages, today.AddDate(0, 0, -45)},
	}
	// Cohorts are named by their number within the B.E. year: "รุ่น 1/2569".
	for i := range cohorts {
		n := 1
		if i > 0 && thai.Year(cohorts[i-1].start) == thai.Year(cohorts[i].start) {
			n = 2
		}
		cohorts[i].name = fmt.Sprintf("รุ่น %d/%d", n, thai.Year(cohorts[i].start))
	}
	for ci, cohort := range cohorts {
		var people []enrolled
		for i, d := range cohort.people {
			phone++
			prefix := []string{"081", "089", "062", "095", "086"}[phone%5]
			ph := fmt.Sprintf("%s%07d", prefix, 4_310_000+phone*7_919)
			p, err := participants.Enrolment{Name: d.name, Nickname: d.nickname, Phone: ph, Province: d.province, District: d.district,
				Cohort: cohort.name, EnrolledOn: cohort.start.AddDate(0, 0, i%5).Format(time.DateOnly), Language: "th"}.Parse(today)
			if err != nil {
				return fmt.Errorf("demo: participant %s: %w", d.name, err)
			}
			st := cohort.stages[i]
			consents := []participants.Consent{
				{Purpose: participants.TakingPart, Given: true, RecordedOn: p.EnrolledOn},
				{Purpose: participants.DonorReports, Given: i%4 != 3, RecordedOn: p.EnrolledOn},
				{Purpose: participants.Story, Given: i%3 == 0, RecordedOn: p.EnrolledOn},
			}
			who := officer
			if (i+ci)%3 == 2 {
				who = officer2
			}
			p, err = store.Enrol(ctx, who, p, consents)
			if err != nil {
				return fmt.Errorf("demo: enrol %s: %w", d.name, err)
			}
			people = append(people, enrolled{p, st})
		}

		// Classes: everyone past "just enrolled" attends; the far-along take every module.
		class := func(m training.Module, on time.Time, who []enrolled) error {
			if len(who) == 0 {
				return nil
			}
			f := training.ClassForm{ModuleID: m.ID, SessionOn: on.Format(time.DateOnly), Trainer: "สำนักงานเขต / กรมอนามัย", Issuer: "กรมอนามัย กระทรวงสาธารณสุข"}
			for j, e := range who {
				a := training.Attendee{ParticipantID: e.p.ID, Passed: true, Score: fmt.Sprint(70 + (j*7+int(m.ID)*3)%30)}
				if m.Kind == training.FoodHandler && m.ValidityMonths != nil {
					a.CertificateNo = fmt.Sprintf("FH-%d-%04d-%02d", thai.Year(on), e.p.ID, m.ID)
				}
				f.Attendees = append(f.Attendees, a)
			}
			cl, err := f.Parse(today)
			if err != nil {
				return fmt.Errorf("demo: class %s: %w", m.NameEN, err)
			}
			_, err = store.RecordClass(ctx, officer, cl)
			return err
		}
		var learners, full, expiring, expired []enrolled
		for _, e := range people {
			switch e.stage {
			case justEnrolled:
			case inTraining:
				learners = append(learners, e)
			default:
				full = append(full, e)
			}
			switch e.stage {
			case eligibleExpiring:
				expiring = append(expiring, e)
			case approvedTrainingMissing:
				expired = append(expired, e)
			}
		}
		base := cohort.start.AddDate(0, 0, 10)
		for k, m := range dm.all {
			on := base.AddDate(0, 0, 3*k)
			if on.After(today) {
				on = today
			}
			attend := append([]enrolled{}, full...)
			if k < 4 { // the first modules are done by those still in training too
				attend = append(attend, learners...)
			}
			if m.ID == dm.test.ID {
				// The knowledge test's certificate lasts 6 months: most retook
				// it recently; some are due now, some have let it lapse.
				var retook []enrolled
				for _, e := range attend {
					if e.stage != eligibleExpiring && e.stage != approvedTrainingMissing {
						retook = append(retook, e)
					}
				}
				if ci == 0 {
					on = today.AddDate(0, -2, 0)
				}
				if err := class(m, on, retook); err != nil {
					return err
				}
				if err := class(m, today.AddDate(0, -6, 12), expiring); err != nil {
					return err
				}
				if err := class(m, today.AddDate(0, -6, -20), expired); err != nil {
					return err
				}
				continue
			}
			if err := class(m, on, attend); err != nil {
				return err
			}
		}

		// Plans, each written by an officer, reviewed by the manager.
		for i, e := range people {
			if e.stage < planDrafted || e.stage == erased {
				continue
			}
			writer := officer
			if i%2 == 1 {
				writer = officer2
			}
			pl, err := demoPlan(i).Parse()
			if err != nil {
				return fmt.Errorf("demo: plan: %w", err)
			}
			plan, err := store.CreatePlan(ctx, writer, e.p, pl)
			if err != nil {
				return fmt.Errorf("demo: plan for %s: %w", e.p.Code, err)
			}
			if e.stage == planDrafted {
				continue
			}
			if _, err := store.SubmitPlan(ctx, writer, plan.ID); err != nil {
				return err
			}
			switch e.stage {
			case planSubmitted:
				continue
			case planReturned:
				_, err = store.ReturnPlan(ctx, manager, plan.ID, "ยอดขายต่อวันสูงเกินจริงสำหรับทำเลนี้ กรุณาทบทวนและเพิ่มค่าเช่าที่ในค่าใช้จ่ายคงที่")
			default:
				_, err = store.ApprovePlan(ctx, manager, plan.ID)
			}
			if err != nil {
				return fmt.Errorf("demo: review plan of %s: %w", e.p.Code, err)
			}
			if (e.stage == eligible || e.stage == eligibleExpiring) && len(vendors) < 5 {
				vendors = append(vendors, e.p)
			}
		}
		for _, e := range people {
			if e.stage == erased {
				if _, err := store.Erase(ctx, manager, e.p); err != nil {
					return fmt.Errorf("demo: erase: %w", err)
				}
			}
		}
	}

	for i, p := range vendors {
		u, err := s.addUser(ctx, users.New{Login: fmt.Sprintf("vendor%d", i+1), Name: p.Name, Role: users.Vendor, ParticipantID: &p.ID})
		if err != nil {
			return err
		}
		if err := us.SetPIN(ctx, audit.System, u.ID, demoPIN, demoPIN); err != nil {
			return fmt.Errorf("demo: PIN of %s: %w", u.Login, err)
		}
	}
	return nil
}

// demoPlan is the i-th of a few plausible street-food plans.
func demoPlan(i int) participants.PlanForm {
	plans := []participants.PlanForm{
		{Business: "ข้าวมันไก่", Menu: "ข้าวมันไก่ต้ม ข้าวมันไก่ทอด ซุปฟัก", Location: "หน้าตลาดห้วยขวาง", TradingDays: "จันทร์–เสาร์", TradingHours: "06:00–13:00",
			DaysPerMonth: "26", ExpectedDailySales: "1500", IngredientCostPct: "40", MonthlyFixedCosts: "2500",
			Items: []participants.ItemForm{{Name: "รถเข็นสแตนเลสพร้อมตู้กระจก", Quantity: "1", UnitCost: "35000"}, {Name: "หม้อต้มไก่และหม้อหุงข้าว", Quantity: "2", UnitCost: "2450.50"}, {Name: "ถังแก๊สและหัวเตา", Quantity: "1", UnitCost: "3200"}}},
		{Business: "ส้มตำ ไก่ย่าง", Menu: "ส้มตำไทย ส้มตำปู ไก่ย่าง ข้าวเหนียว", Location: "ซอยลาดพร้าว 101", TradingDays: "ทุกวัน ยกเว้นวันพุธ", TradingHours: "10:00–19:00",
			DaysPerMonth: "25", ExpectedDailySales: "1200", IngredientCostPct: "45", MonthlyFixedCosts: "3000",
			Items: []participants.ItemForm{{Name: "รถเข็นพร้อมเตาย่าง", Quantity: "1", UnitCost: "32000"}, {Name: "ครกและสาก", Quantity: "2", UnitCost: "450"}, {Name: "กระติกน้ำแข็ง", Quantity: "2", UnitCost: "690"}}},
		{Business: "ก๋วยเตี๋ยวเรือ", Menu: "ก๋วยเตี๋ยวเรือหมู เนื้อ เกาเหลา", Location: "ริมคลองแสนแสบ ท่าเรือวัดศรีบุญเรือง", TradingDays: "จันทร์–ศุกร์", TradingHours: "09:00–15:00",
			DaysPerMonth: "22", ExpectedDailySales: "1800.50", IngredientCostPct: "42.5", MonthlyFixedCosts: "4000",
			Items: []participants.ItemForm{{Name: "รถเข็นก๋วยเตี๋ยวพร้อมหม้อน้ำซุป", Quantity: "1", UnitCost: "45000"}, {Name: "ชามและตะเกียบ", Quantity: "40", UnitCost: "35"}}},
		{Business: "น้ำผลไม้ปั่น", Menu: "น้ำส้มคั้น น้ำแตงโมปั่น น้ำมะพร้าว", Location: "หน้าโรงเรียนวัดดอนเมือง", TradingDays: "จันทร์–ศุกร์", TradingHours: "07:00–16:00",
			DaysPerMonth: "22", ExpectedDailySales: "900", IngredientCostPct: "35", MonthlyFixedCosts: "1500",
			Items: []participants.ItemForm{{Name: "รถเข็นพร้อมตู้แช่", Quantity: "1", UnitCost: "28000"}, {Name: "เครื่องปั่น", Quantity: "2", UnitCost: "1890"}}},
	}
	return plans[i%len(plans)]
}
