package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"hawker/audit"
	"hawker/thai"
	"hawker/training"
)

// decode reads a JSON body into v.
func decode(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode (status %d): %v", resp.StatusCode, err)
	}
}

// apiFields decodes a JSON error body's code and fields.
func apiFields(t *testing.T, resp *http.Response) (string, map[string]string) {
	t.Helper()
	var body struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	decode(t, resp, &body)
	return body.Error.Code, body.Error.Fields
}

func addModules(t *testing.T, f *accessFixture) []training.Module {
	t.Helper()
	twelve := 12
	var ms []training.Module
	for _, m := range []training.Module{
		{NameTH: "สุขาภิบาลอาหาร", NameEN: "Food sanitation", Kind: training.FoodHandler, Required: true, ValidityMonths: &twelve, Active: true},
		{NameTH: "การวางแผนธุรกิจ", NameEN: "Business planning", Kind: training.Programme, Required: true, Active: true},
	} {
		m, err := training.NewStore(f.db).AddModule(context.Background(), audit.System, m)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	return ms
}

func TestParticipantAPI(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	// Dates and codes follow the fixture clock, which starts at the real now.
	today := thai.Today(f.clock.Now())
	dToday, dTomorrow := today.Format("2006-01-02"), today.AddDate(0, 0, 1).Format("2006-01-02")
	code3 := fmt.Sprintf("HSF-%d-0003", today.Year())
	ms := addModules(t, f)
	officer, manager := f.as("officer"), f.as("manager")

	enrol := map[string]any{"name": "สมใจ รักดี", "nickname": "ใจ", "phone": "+66 91 234 5678", "province": "กรุงเทพมหานคร",
		"district": "คลองเตย", "cohort": "รุ่น 1/2569", "enrolled_on": dToday, "language": "th"}
	resp := officer.api("POST", "/api/v1/participants", enrol)
	var p struct {
		Code  string `json:"code"`
		Phone string `json:"phone"`
	}
	if resp.StatusCode != 201 {
		t.Fatalf("enrol: %d %s", resp.StatusCode, readBody(t, resp))
	}
	decode(t, resp, &p)
	if p.Code != code3 || p.Phone != "0912345678" {
		t.Fatalf("enrolled %+v", p)
	}
	base := "/api/v1/participants/" + p.Code

	// Bad input: 422 with a message per field.
	for _, tt := range []struct {
		field string
		value any
	}{{"phone", "0912345678"}, {"phone", "02-123-4567"}, {"enrolled_on", dTomorrow}, {"name", ""}} {
		body := map[string]any{}
		for k, v := range enrol {
			body[k] = v
		}
		if tt.field != "phone" {
			body["phone"] = "0899999999"
		}
		body[tt.field] = tt.value
		resp := officer.api("POST", "/api/v1/participants", body)
		code, fields := apiFields(t, resp)
		if resp.StatusCode != 422 || code != "invalid" || fields[tt.field] == "" {
			t.Errorf("%s=%v: %d %s %v", tt.field, tt.value, resp.StatusCode, code, fields)
		}
	}
	if resp := officer.do("POST", "/api/v1/participants", strings.NewReader("{"), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": officer.csrf}); resp.StatusCode != 400 {
		t.Errorf("malformed body: %d", resp.StatusCode)
	}
	// The same phone again: refused beside the field, pointing at the file
	// that holds it.
	dup := map[string]any{}
	for k, v := range enrol {
		dup[k] = v
	}
	dup["name"] = "คนอื่น ใช้เบอร์ซ้ำ"
	resp = officer.api("POST", "/api/v1/participants", dup)
	var dupBody struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
			Ref    string            `json:"ref"`
		} `json:"error"`
	}
	decode(t, resp, &dupBody)
	if resp.StatusCode != 422 || dupBody.Error.Fields["phone"] == "" || dupBody.Error.Ref != "/api/v1/participants/"+p.Code {
		t.Errorf("duplicate phone: %d %+v, want 422 on phone with a ref to %s", resp.StatusCode, dupBody.Error, p.Code)
	}

	// Who may read her file.
	for _, tt := range []struct {
		who    string
		path   string
		status int
	}{
		{"officer", base, 200}, {"manager", base, 200},
		{"vendor", "/api/v1/participants/" + f.participant["vendor"].Code, 200},
		{"vendor", base, 404}, {"donor", base, 403}, {"admin", base, 403},
		{"officer", "/api/v1/participants/HSF-2026-9999", 404},
	} {
		if resp := f.as(tt.who).api("GET", tt.path, nil); resp.StatusCode != tt.status {
			t.Errorf("%s GET %s: %d, want %d", tt.who, tt.path, resp.StatusCode, tt.status)
		}
	}
	if resp := f.anon().api("GET", base, nil); resp.StatusCode != 401 {
		t.Errorf("anonymous: %d", resp.StatusCode)
	}
	if got := f.auditActions("participant:" + p.Code); !strings.Contains(strings.Join(got, " "), "participant.view") {
		t.Errorf("views not audited: %v", got)
	}

	// Eligibility before anything: every reason.
	var el struct {
		Eligible bool     `json:"eligible"`
		Reasons  []string `json:"reasons"`
	}
	decode(t, officer.api("GET", base+"/eligibility", nil), &el)
	if el.Eligible || strings.Join(el.Reasons, ",") != "no_programme_consent,training_missing,no_approved_plan" {
		t.Fatalf("eligibility: %+v", el)
	}

	if resp := officer.api("POST", base+"/consents", map[string]any{"purpose": "programme", "given": true}); resp.StatusCode != 201 {
		t.Fatalf("consent: %d %s", resp.StatusCode, readBody(t, resp))
	}
	if resp := officer.api("POST", base+"/consents", map[string]any{"purpose": "photos", "given": true}); resp.StatusCode != 422 {
		t.Errorf("bad purpose: %d", resp.StatusCode)
	}

	var mods []map[string]any
	decode(t, officer.api("GET", "/api/v1/training/modules", nil), &mods)
	if len(mods) != 2 || mods[0]["name_en"] != "Food sanitation" || mods[0]["validity_months"] != float64(12) || mods[1]["validity_months"] != nil {
		t.Fatalf("modules: %v", mods)
	}
	for _, m := range ms {
		resp := officer.api("POST", base+"/training", map[string]any{"module": m.ID, "completed_on": dToday, "passed": true, "score": 85})
		if resp.StatusCode != 201 {
			t.Fatalf("training: %d %s", resp.StatusCode, readBody(t, resp))
		}
	}
	// The page's form does not guess the result: none is ticked, and
	// saving without one is 422 with the field's message.
	if body := readBody(t, officer.do("GET", "/participants/"+p.Code+"/training/new", nil, nil)); strings.Contains(body, "checked") || !strings.Contains(body, `name="passed" value="yes"`) {
		t.Errorf("the training form ticks a result by default")
	}
	if resp := officer.form("/participants/"+p.Code+"/training", url.Values{"module": {fmt.Sprint(ms[0].ID)}, "completed_on": {dToday}}); resp.StatusCode != 422 {
		t.Errorf("training without a result: %d", resp.StatusCode)
	} else if body := readBody(t, resp); !strings.Contains(body, "field-error") {
		t.Errorf("training without a result: no message")
	}
	if resp := officer.api("POST", base+"/training", map[string]any{"module": ms[0].ID, "completed_on": dToday, "passed": true, "score": 101}); resp.StatusCode != 422 {
		t.Errorf("score 101: %d", resp.StatusCode)
	}

	plan := map[string]any{"business": "ข้าวมันไก่", "menu": "ข้าวมันไก่", "location": "ตลาดคลองเตย", "days_per_month": 24,
		"expected_daily_sales": "1500.00", "ingredient_cost_pct": "40", "monthly_fixed_costs": "2000.00",
		"startup_items": []map[string]any{{"name": "รถเข็น", "quantity": 1, "unit_cost": "30000.00"}}}
	bad := map[string]any{}
	for k, v := range plan {
		bad[k] = v
	}
	bad["expected_daily_sales"], bad["ingredient_cost_pct"] = "1500.005", "120"
	resp = officer.api("POST", base+"/plans", bad)
	if code, fields := apiFields(t, resp); resp.StatusCode != 422 || code != "invalid" || fields["expected_daily_sales"] == "" || fields["ingredient_cost_pct"] == "" {
		t.Errorf("bad plan: %d %v", resp.StatusCode, fields)
	}
	resp = officer.api("POST", base+"/plans", plan)
	var pl struct {
		ID      int64             `json:"id"`
		Version int               `json:"version"`
		State   string            `json:"state"`
		Figures map[string]string `json:"figures"`
	}
	if resp.StatusCode != 201 {
		t.Fatalf("plan: %d %s", resp.StatusCode, readBody(t, resp))
	}
	decode(t, resp, &pl)
	if pl.Version != 1 || pl.State != "draft" || pl.Figures["break_even_daily_sales"] != "138.89" || pl.Figures["monthly_profit"] != "19600.00" {
		t.Fatalf("plan: %+v", pl)
	}
	planURL := "/api/v1/plans/" + itoa(pl.ID)
	if resp := officer.api("POST", base+"/plans", plan); resp.StatusCode != 409 || apiError(t, resp) != "conflict" {
		t.Errorf("second open plan: %d", resp.StatusCode)
	}
	if resp := manager.api("POST", planURL+"/approve", nil); resp.StatusCode != 409 {
		t.Errorf("approve a draft: %d", resp.StatusCode)
	}
	if resp := officer.api("POST", planURL+"/submit", nil); resp.StatusCode != 200 {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	if resp := officer.api("POST", planURL+"/approve", nil); resp.StatusCode != 403 {
		t.Errorf("officer approves: %d", resp.StatusCode)
	}
	if resp := manager.api("POST", planURL+"/return", map[string]string{"comment": ""}); resp.StatusCode != 422 {
		t.Errorf("return without comment: %d", resp.StatusCode)
	}
	if resp := manager.api("POST", planURL+"/return", map[string]string{"comment": "ลดต้นทุนวัตถุดิบ"}); resp.StatusCode != 200 {
		t.Fatalf("return: %d", resp.StatusCode)
	}
	officer.api("POST", planURL+"/submit", nil)
	if resp := manager.api("POST", planURL+"/approve", nil); resp.StatusCode != 200 {
		t.Fatalf("approve: %d %s", resp.StatusCode, readBody(t, resp))
	}
	decode(t, officer.api("GET", base+"/eligibility", nil), &el)
	if !el.Eligible || len(el.Reasons) != 0 {
		t.Fatalf("eligibility after all: %+v", el)
	}

	// Four eyes: a manager who wrote the next version may not approve it.
	resp = manager.api("POST", base+"/plans", plan)
	decode(t, resp, &pl)
	manager.api("POST", "/api/v1/plans/"+itoa(pl.ID)+"/submit", nil)
	if resp := manager.api("POST", "/api/v1/plans/"+itoa(pl.ID)+"/approve", nil); resp.StatusCode != 403 || apiError(t, resp) != "four_eyes" {
		t.Errorf("own plan: %d", resp.StatusCode)
	}

	// Export: her data, and the vendor may fetch her own.
	resp = officer.api("GET", base+"/export", nil)
	body := readBody(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(body, "สมใจ รักดี") || !strings.Contains(body, `"format":"hawker.participant/v1"`) {
		t.Errorf("export: %d %s", resp.StatusCode, body)
	}
	if resp := f.as("vendor").api("GET", "/api/v1/participants/"+f.participant["vendor"].Code+"/export", nil); resp.StatusCode != 200 {
		t.Errorf("vendor's own export: %d", resp.StatusCode)
	}
	if resp := f.as("vendor").api("POST", base+"/consents", map[string]any{"purpose": "story", "given": true}); resp.StatusCode != 403 {
		t.Errorf("vendor records consent: %d", resp.StatusCode)
	}
}

func TestParticipantPages(t *testing.T) {
	t.Parallel()
	f := newAccessFixture(t)
	// Dates and codes follow the fixture clock, which starts at the real now.
	today := thai.Today(f.clock.Now())
	dToday, dTomorrow := today.Format("2006-01-02"), today.AddDate(0, 0, 1).Format("2006-01-02")
	code3 := fmt.Sprintf("HSF-%d-0003", today.Year())
	addModules(t, f)
	officer := f.as("officer")
	form := url.Values{"name": {"บุญมี มีสุข"}, "nickname": {"มี"}, "phone": {"081-000-0001"}, "province": {"นนทบุรี"},
		"district": {"ปากเกร็ด"}, "cohort": {"รุ่น 1/2569"}, "enrolled_on": {dToday}, "language": {"th"}, "consent_programme": {"yes"}}
	// The same phone as the fixture's vendor: refused beside the field, with a link to her file.
	resp := officer.form("/participants", form)
	body := readBody(t, resp)
	if resp.StatusCode != 422 || !strings.Contains(body, "/participants/"+f.participant["vendor2"].Code) || !strings.Contains(body, "field-error") {
		t.Fatalf("duplicate phone: %d", resp.StatusCode)
	}
	form.Set("phone", "081 999 0001")
	form.Set("enrolled_on", dTomorrow) // tomorrow in Bangkok
	resp = officer.form("/participants", form)
	if body := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "วันที่ต้องไม่เกินวันนี้") {
		t.Fatalf("future date: %d", resp.StatusCode)
	}
	form.Set("enrolled_on", dToday)
	resp = officer.form("/participants", form)
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/participants/"+code3) {
		t.Fatalf("enrol: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, tab := range []string{"profile", "consent", "training", "plans", "grants", "books"} {
		resp := officer.page("/participants/" + code3 + "?tab=" + tab)
		if body := readBody(t, resp); resp.StatusCode != 200 || !strings.Contains(body, code3) {
			t.Errorf("tab %s: %d", tab, resp.StatusCode)
		}
	}
	for _, path := range []string{"/participants", "/participants?q=มี&state=enrolled", "/participants/new", "/training/classes/new?cohort=" + url.QueryEscape("รุ่น 1/2569"),
		"/participants/" + code3 + "/training/new", "/participants/" + code3 + "/plans/new", "/"} {
		if resp := officer.page(path); resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, resp.StatusCode)
		}
	}
	admin := f.as("admin")
	for _, path := range []string{"/training/modules", "/training/modules/new", "/"} {
		if resp := admin.page(path); resp.StatusCode != 200 {
			t.Errorf("admin GET %s: %d", path, resp.StatusCode)
		}
	}
	if resp := admin.page("/participants"); resp.StatusCode != 403 {
		t.Errorf("admin sees participants: %d", resp.StatusCode)
	}
	// A plan form with a figure of three decimals is re-rendered, not rounded.
	resp = officer.form("/participants/"+code3+"/plans", url.Values{"business": {"ก๋วยเตี๋ยว"}, "days_per_month": {"26"},
		"expected_daily_sales": {"800.125"}, "ingredient_cost_pct": {"45"}, "monthly_fixed_costs": {"1500"},
		"item_name": {"รถเข็น", ""}, "item_quantity": {"1", ""}, "item_unit_cost": {"25000", ""}})
	if body := readBody(t, resp); resp.StatusCode != 422 || !strings.Contains(body, "800.125") || !strings.Contains(body, "ทศนิยมได้ไม่เกิน 2 ตำแหน่ง") {
		t.Errorf("plan with 3 decimals: %d", resp.StatusCode)
	}
	// Erasure: managers only, with the code typed back.
	if resp := officer.form("/participants/"+code3+"/erase", url.Values{"confirm": {code3}}); resp.StatusCode != 403 {
		t.Errorf("officer erases: %d", resp.StatusCode)
	}
	manager := f.as("manager")
	if resp := manager.form("/participants/"+code3+"/erase", url.Values{"confirm": {"HSF-2026-0002"}}); resp.StatusCode != 422 {
		t.Errorf("wrong code: %d", resp.StatusCode)
	}
	if resp := manager.form("/participants/"+code3+"/erase", url.Values{"confirm": {strings.ToLower(code3)}}); resp.StatusCode != 303 {
		t.Errorf("erase: %d", resp.StatusCode)
	}
	resp = manager.page("/participants/" + code3)
	if body := readBody(t, resp); strings.Contains(body, "บุญมี") || !strings.Contains(body, "ลบข้อมูลส่วนบุคคลแล้ว") {
		t.Errorf("erased file still shows her name")
	}
}
