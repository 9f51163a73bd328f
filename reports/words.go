package reports

// words are the statement's words in Thai and English. They move into the
// shared catalogue when it lands (issue 9); until then they live here, one
// place for the PDF and the CSV.
var words = map[string][2]string{
	"programme":        {"โครงการอาหารริมทางถูกสุขลักษณะ", "Hygiene Street Food Project"},
	"title":            {"รายงานการเงินประจำเดือน", "Monthly statement"},
	"month":            {"ประจำเดือน", "Month"},
	"vendor":           {"ผู้ค้า", "Vendor"},
	"code":             {"รหัส", "Code"},
	"business":         {"กิจการ", "Business"},
	"number":           {"เลขที่", "No."},
	"fingerprint":      {"ลายนิ้วมือ", "Fingerprint"},
	"page":             {"หน้า %d จาก %d", "Page %d of %d"},
	"provisional":      {"ฉบับชั่วคราว: เดือนนี้ยังไม่ปิดบัญชี ตัวเลขอาจเปลี่ยนแปลง", "PROVISIONAL: this month is not closed; figures may change"},
	"provisional.mark": {"ฉบับชั่วคราว", "PROVISIONAL"},
	"closed":           {"ปิดบัญชีแล้ว", "Month closed"},
	"verify":           {"ตรวจสอบความถูกต้องได้ที่", "Verify at"},
	"summary":          {"สรุปประจำเดือน", "Summary"},
	"opening":          {"เงินสดและเงินฝากยกมา", "Opening cash (on hand and bank)"},
	"sales":            {"ยอดขายรวม", "Sales"},
	"sales.cash":       {"ขายเงินสด", "Cash sales"},
	"sales.promptpay":  {"ขายรับโอน (พร้อมเพย์)", "PromptPay sales"},
	"sales.credit":     {"ขายเงินเชื่อ", "Credit sales"},
	"expenses":         {"ค่าใช้จ่ายรวม", "Expenses"},
	"cat.ingredients":  {"ค่าวัตถุดิบ", "Ingredients"},
	"cat.gas":          {"ค่าแก๊ส", "Cooking gas"},
	"cat.ice":          {"ค่าน้ำแข็ง", "Ice"},
	"cat.packaging":    {"ค่าบรรจุภัณฑ์", "Packaging"},
	"cat.pitch":        {"ค่าที่/ค่าเช่าแผง", "Pitch fee"},
	"cat.transport":    {"ค่าเดินทาง/ขนส่ง", "Transport"},
	"cat.other":        {"ค่าใช้จ่ายอื่น ๆ", "Other expenses"},
	"drawings":         {"เงินที่นำกลับบ้าน", "Money taken home"},
	"profit":           {"กำไร (ยอดขาย หัก ค่าใช้จ่าย)", "Profit (sales less expenses)"},
	"grants":           {"ทุนและอุปกรณ์ที่ได้รับจากโครงการ", "Grants and equipment received"},
	"equipment.in":     {"อุปกรณ์ที่ได้รับเดือนนี้", "Equipment received this month"},
	"closing":          {"เงินสดและเงินฝากคงเหลือ", "Closing cash (on hand and bank)"},
	"in.words":         {"ตัวอักษร", "In Thai words"},
	"chart":            {"ยอดขายรายวัน (บาท)", "Daily sales (baht)"},
	"cashbook":         {"รายงานเงินสดรับ-จ่าย", "Cash receipts and payments"},
	"cashbook.note":    {"เงินสดในมือและเงินในบัญชีพร้อมเพย์/ธนาคาร", "Cash on hand and the PromptPay/bank account"},
	"col.date":         {"วัน เดือน ปี", "Date"},
	"col.item":         {"รายการ", "Item"},
	"col.receipts":     {"รับ", "Receipts"},
	"col.payments":     {"จ่าย", "Payments"},
	"col.balance":      {"คงเหลือ", "Balance"},
	"col.late":         {"วันที่เกิดรายการ (บันทึกล่าช้า)", "Happened on (booked late)"},
	"brought":          {"ยอดยกมา", "Brought forward"},
	"total":            {"รวม", "Total"},
	"late":             {"ล่าช้า เกิด %s", "late: of %s"},
	"void":             {"ยกเลิกรายการ", "Void of"},
	"kind.sale":        {"ขาย", "Sale"},
	"kind.expense":     {"จ่าย", "Expense"},
	"kind.drawing":     {"นำเงินกลับบ้าน", "Money taken home"},
	"kind.grant":       {"ทุนจากโครงการ", "Programme grant"},
	"kind.other":       {"รายการอื่น", "Other"},
	"method.cash":      {"เงินสด", "cash"},
	"method.promptpay": {"พร้อมเพย์", "PromptPay"},
	"method.credit":    {"เงินเชื่อ", "credit"},
	"equipment":        {"อุปกรณ์ที่มีอยู่ ณ สิ้นเดือน", "Equipment held at the month's end"},
	"equipment.none":   {"ไม่มี", "None"},
	"equipment.total":  {"มูลค่ารวม", "Total value"},
	"none":             {"ไม่มีรายการ", "No entries"},
	"baht":             {"บาท", "baht"},
}

// word is key's word in lang ("th" unless "en"); a missing key is a bug
// that TestWordsComplete catches, so it shows as the key itself.
func word(lang, key string) string {
	w, ok := words[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return w[1]
	}
	return w[0]
}
