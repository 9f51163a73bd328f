package app

import (
	"fmt"
	"sort"
)

// messages is one area's translation table: key → {Thai, English}. Every
// UI string comes from such a table; a test fails on an empty side.
type messages map[string][2]string

// translator looks keys up in every area's table.
type translator struct{ all map[string][2]string }

func newTranslator(tables ...messages) (*translator, error) {
	t := &translator{all: map[string][2]string{}}
	for _, table := range tables {
		for k, v := range table {
			if _, dup := t.all[k]; dup {
				return nil, fmt.Errorf("app: translation key %q defined twice", k)
			}
			t.all[k] = v
		}
	}
	return t, nil
}

// T translates key into lang ("th" or "en"); args fill %s/%d verbs. A
// missing key shows itself, so it is seen, and the key test catches it.
func (t *translator) T(lang, key string, args ...any) string {
	v, ok := t.all[key]
	if !ok {
		return key
	}
	s := v[0]
	if lang == "en" {
		s = v[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

func (t *translator) keys() []string {
	ks := make([]string, 0, len(t.all))
	for k := range t.all {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// allMessages lists every area's table; each area adds its own here.
func allMessages() []messages {
	return []messages{coreMessages, accessMessages, participantMessages, vendorMessages}
}

var coreMessages = messages{
	"app.name":                 {"ฮอว์กเกอร์", "Hawker"},
	"app.tagline":              {"โครงการอาหารริมทางถูกสุขลักษณะ", "Hygiene Street Food Project"},
	"app.demo_banner":          {"โหมดสาธิต: ข้อมูลทั้งหมดเป็นข้อมูลสมมติ", "Demo mode: all data here is made up"},
	"nav.home":                 {"หน้าแรก", "Home"},
	"nav.language":             {"ภาษา", "Language"},
	"lang.th":                  {"ไทย", "ไทย"},
	"lang.en":                  {"English", "English"},
	"home.title":               {"หน้าแรก", "Home"},
	"home.welcome":             {"ยินดีต้อนรับสู่ฮอว์กเกอร์", "Welcome to Hawker"},
	"home.about":               {"ระบบสำหรับโครงการที่ช่วยผู้พ้นโทษเริ่มต้นธุรกิจอาหารริมทาง: บันทึกรายรับรายจ่าย อบรมความปลอดภัยอาหาร แผนธุรกิจ และทุนสนับสนุน", "A platform for programmes that help people released from prison start a street-food business: daily bookkeeping, food-safety training, business plans and grants."},
	"error.title":              {"เกิดข้อผิดพลาด", "Something went wrong"},
	"error.back":               {"กลับหน้าแรก", "Back to the home page"},
	"error.invalid":            {"ข้อมูลบางช่องไม่ถูกต้อง กรุณาตรวจสอบ", "Some fields are not valid; please check them"},
	"error.malformed":          {"คำขอไม่ถูกต้อง", "The request could not be read"},
	"error.not_found":          {"ไม่พบหน้าที่ต้องการ", "Not found"},
	"error.too_large":          {"ข้อมูลที่ส่งมีขนาดใหญ่เกินไป", "What was sent is too large"},
	"error.rate_limited":       {"มีการส่งคำขอมากเกินไป กรุณารอสักครู่แล้วลองใหม่", "Too many requests; please wait a moment and try again"},
	"error.internal":           {"ระบบขัดข้อง กรุณาลองใหม่อีกครั้ง เจ้าหน้าที่ได้รับแจ้งแล้ว", "Internal error; please try again. The team has been told."},
	"error.unauthenticated":    {"กรุณาเข้าสู่ระบบ", "Please sign in"},
	"error.forbidden":          {"คุณไม่มีสิทธิ์เข้าถึงส่วนนี้", "You are not allowed to do this"},
	"error.csrf":               {"แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง", "The form has expired or is not valid; reload the page and try again"},
	"error.insufficient_funds": {"เงินในบัญชีไม่พอสำหรับรายการนี้", "There is not enough money in the account for this"},
	"error.conflict":           {"ทำรายการนี้ไม่ได้ในสถานะปัจจุบัน", "This cannot be done in the current state"},
}
