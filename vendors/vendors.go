// Package vendors keeps a vendor's business books: the sales, expenses and
// money taken home that a participant records every evening at her stall,
// each one entry in her own ledger book; voids; summaries by day, week and
// month; the officers' early warning of a failing business; CSV imports of
// paper forms; and her PromptPay id and QR.
//
// The book of record is the ledger (package ledger): one book per
// participant, of kind "vendor" with owner_ref = the participant's code (the
// code outlives erasure; the id never changes either, and vendor_books maps
// id → book). The tables of migrations/0006_vendors.sql index what each entry
// was (kind, category, method, note, who wrote it down), so that summaries are
// one index range scan and never re-read ledger lines. It asks the ledger
// for everything in it (balances, closed months, entry ids) and never names
// the ledger's tables: its one-statement recording path is a ledger.Fused
// statement, its imports go through ledger.Bulk. EnsureBook and In let others
// (a grant's disbursement) post to her book in their own transaction.
//
// Idempotency: every entry carries the client's key (a phone's UUID, or one
// made for a form or a CSV line). The same key with the same request returns
// the first result and writes nothing; the same key with another request is
// ErrIdempotencyConflict; a refused request writes nothing, so its retry is
// judged afresh.
//
// It owns vendor_books (each book with her code and erased mark, so the
// recording path asks no other package), vendor_entries, vendor_voids,
// vendor_promptpay and vendor_settings. Its rules: what an entry may be
// (Input.Check), the per-line ceiling and its bounds (ParseCeiling,
// SetCeiling), the early warning (Calls), PromptPay ids. Her PromptPay id and
// her books join her export and erasure through its PersonalData hook
// (personal.go). It imports ledger, participants (her file, by id or code),
// users (who has a vendor login), audit, pg and valid.
package vendors

import (
	"crypto/sha256"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"hawker/ledger"
	"hawker/money"
	"hawker/valid"
)

// Errors of this package; the ledger's own (ErrClosedPeriod, ErrAlreadyReversed)
// pass through wrapped.
var (
	ErrNotFound            = valid.NewError("vendors: not found", "error.not_found")
	ErrIdempotencyConflict = valid.NewError("vendors: idempotency key reused with a different request", "vendor.idempotency_conflict")
	ErrAlreadyVoided       = valid.NewError("vendors: entry already voided", "vendor.already_voided")
	ErrErased              = valid.NewError("vendors: the participant's file was erased", "vendor.erased")
)

// Kind is what an entry records.
type Kind string

// Kinds of entry.
const (
	Sale    Kind = "sale"
	Expense Kind = "expense"
	Drawing Kind = "drawing" // money taken home
)

// Kinds lists the kinds in display order.
var Kinds = []Kind{Sale, Expense, Drawing}

// Method is how a sale was paid.
type Method string

// Payment methods of a sale.
const (
	Cash      Method = "cash"
	PromptPay Method = "promptpay"
	Credit    Method = "credit" // on credit: the customer owes it
)

// Methods lists the payment methods in display order.
var Methods = []Method{Cash, PromptPay, Credit}

// Category is what an expense paid for.
type Category string

// Expense categories.
const (
	Ingredients Category = "ingredients"
	Gas         Category = "gas"
	Ice         Category = "ice"
	Packaging   Category = "packaging"
	Pitch       Category = "pitch" // the fee for the stall's place
	Transport   Category = "transport"
	Other       Category = "other"
)

// Categories lists the expense categories in display order.
var Categories = []Category{Ingredients, Gas, Ice, Packaging, Pitch, Transport, Other}

// DefaultCeiling is the largest amount one line may carry until an
// administrator changes the setting.
var DefaultCeiling = money.Baht(100000)

// MaxCeiling bounds the per-line ceiling an administrator may set.
var MaxCeiling = money.Baht(10_000_000)

// ParseCeiling reads a per-line ceiling as an administrator types it,
// thousands separators allowed ("50,000", money.ParseGrouped): more than
// zero, at most two decimals, at most MaxCeiling. The error is field errors
// under "ceiling".
func ParseCeiling(s string) (money.Amount, error) {
	d, err := money.ParseGrouped(s)
	switch key := AmountKey(d, err, MaxCeiling); key {
	case "":
		return d, nil
	case "vendor.amount_ceiling":
		return money.Amount{}, valid.Errors{"ceiling": "settings.ceiling_too_large"}
	default:
		return money.Amount{}, valid.Errors{"ceiling": key}
	}
}

// MaxNote is the longest note, in characters.
const MaxNote = 200

// AmountKey judges an amount a vendor typed, as money.Parse read it (a and
// err are Parse's results): it must be read, more than 0 and at most
// ceiling. The result is the message key for the amount field, "" when the
// amount may be recorded.
func AmountKey(a money.Amount, err error, ceiling money.Amount) string {
	switch money.CodeOf(err) {
	case "":
	case money.CodeRequired:
		return "vendor.amount_required"
	case money.CodeDecimals:
		return "vendor.amount_decimals"
	case money.CodeTooLarge:
		return "vendor.amount_ceiling"
	default:
		return "vendor.amount_invalid"
	}
	switch {
	case err != nil:
		return "vendor.amount_invalid"
	case !a.IsPositive():
		return "vendor.amount_positive"
	case a.GreaterThan(ceiling):
		return "vendor.amount_ceiling"
	}
	return ""
}

// Input is an entry as a client sends it (the JSON body of POST
// /api/v1/entries, a form, a CSV line): every field a string, unchecked.
type Input struct {
	Participant string     `json:"participant"`
	Date        string     `json:"date"`
	Kind        string     `json:"kind"`
	Amount      money.Text `json:"amount"`
	Category    string     `json:"category"`
	Method      string     `json:"method"`
	Note        string     `json:"note"`
}

// Entry is a checked entry, ready to record.
type Entry struct {
	ParticipantID int64
	Code          string // the participant's code, which names her book
	Date          time.Time
	Kind          Kind
	Amount        money.Amount
	Category      Category // expenses only
	Method        Method   // sales only
	Note          string
	RecordedBy    int64 // the user who wrote it down; 0 for the system
	OnBehalf      bool  // an officer recorded it from the vendor's paper form
	Key           string
	// BookedOn is the day its ledger entry is dated when that is not Date:
	// the first day of the first open month, for an entry dated in a month
	// that has closed in her book (booked late). Zero: booked on Date.
	BookedOn time.Time
	hash     []byte
}

// bookLate books e late when its date lies in a closed month of her book
// (latest is that book's latest closed month, zero when none): the ledger
// entry goes into the first open month, and e keeps the date it happened.
func (e *Entry) bookLate(latest time.Time) {
	if ledger.Closed(e.Date, latest) {
		e.BookedOn = ledger.MonthOf(latest).AddDate(0, 1, 0)
	}
}

// Check validates in against today (the Bangkok business day) and the
// amount ceiling and returns the entry (without participant, recorder or
// key). Field errors carry message keys.
func (in Input) Check(today time.Time, ceiling money.Amount) (Entry, error) {
	errs := valid.Errors{}
	e := Entry{Kind: Kind(strings.TrimSpace(in.Kind)), Note: strings.TrimSpace(in.Note)}
	if a, err := in.Amount.Parse(); AmountKey(a, err, ceiling) != "" {
		errs.Add("amount", AmountKey(a, err, ceiling))
	} else {
		e.Amount = a
	}
	date, err := valid.Date(in.Date)
	switch {
	case strings.TrimSpace(in.Date) == "":
		errs.Add("date", "vendor.date_required")
	case err != nil:
		errs.Add("date", "vendor.date_invalid")
	case date.After(today):
		errs.Add("date", "vendor.date_future")
	default:
		e.Date = date
	}
	category, method := Category(strings.TrimSpace(in.Category)), Method(strings.TrimSpace(in.Method))
	switch {
	case !slices.Contains(Kinds, e.Kind):
		errs.Add("kind", "vendor.kind_invalid")
	case e.Kind == Sale:
		if !slices.Contains(Methods, method) {
			errs.Add("method", "vendor.method_invalid")
		}
		if category != "" {
			errs.Add("category", "vendor.category_not_for_kind")
		}
		e.Method = method
	case e.Kind == Expense:
		if !slices.Contains(Categories, category) {
			errs.Add("category", "vendor.category_invalid")
		}
		if method != "" && method != Cash {
			errs.Add("method", "vendor.method_not_for_kind")
		}
		e.Category = category
	case e.Kind == Drawing:
		if category != "" {
			errs.Add("category", "vendor.category_not_for_kind")
		}
		if method != "" && method != Cash {
			errs.Add("method", "vendor.method_not_for_kind")
		}
	}
	switch {
	case !utf8.ValidString(e.Note) || strings.ContainsRune(e.Note, 0):
		errs.Add("note", "vendor.note_invalid")
	case utf8.RuneCountInString(e.Note) > MaxNote:
		errs.Add("note", "vendor.note_too_long")
	}
	if err := errs.Err(); err != nil {
		return Entry{}, err
	}
	return e, nil
}

// requestHash is the SHA-256 of what the client asked for: the participant
// and every field of the input, the amount normalised so that "35.5" and
// "35.50" are the same request. Who sends it does not count: a phone's retry
// after its officer resent the same form is still the same request.
func requestHash(participantID int64, in Input) []byte {
	amount := strings.TrimSpace(string(in.Amount))
	if a, err := in.Amount.Parse(); err == nil {
		amount = a.Decimal().String() // "35.5": the form hashes have always had
	}
	var b strings.Builder
	for _, f := range []string{"v1", strconv.FormatInt(participantID, 10), strings.TrimSpace(in.Date),
		strings.TrimSpace(in.Kind), amount, strings.TrimSpace(in.Category), strings.TrimSpace(in.Method),
		strings.TrimSpace(in.Note)} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('\n')
	}
	h := sha256.Sum256([]byte(b.String()))
	return h[:]
}

// recorded is e as it is stored, before the database gives it its ids and
// the time it was recorded.
func (e Entry) recorded() Recorded {
	r := Recorded{
		ParticipantID: e.ParticipantID, Participant: e.Code, Date: e.Date, Kind: e.Kind, Amount: e.Amount,
		Note: e.Note, OnBehalf: e.OnBehalf, Key: e.Key, RequestHash: e.hash,
	}
	if !e.BookedOn.IsZero() {
		b := e.BookedOn
		r.BookedOn = &b
	}
	if e.Category != "" {
		c := e.Category
		r.Category = &c
	}
	if e.Method != "" {
		m := e.Method
		r.Method = &m
	}
	if e.RecordedBy != 0 {
		by := e.RecordedBy
		r.RecordedBy = &by
	}
	return r
}

// The chart of accounts every vendor book gets on first use. Cash has no
// floor: an incomplete record (an expense before the sales that paid for it
// were written down) must still be enterable.
type chartAccount struct {
	code   string
	typ    ledger.AccountType
	th, en string
}

// Account codes in a vendor book.
const (
	AccountCash         = "cash"
	AccountPromptPay    = "promptpay"
	AccountReceivable   = "receivable"
	AccountEquipment    = "equipment"
	AccountEquity       = "equity"
	AccountDrawings     = "drawings"
	AccountGrantCapital = "grant_capital"
	AccountSales        = "sales"
	AccountGrantIncome  = "grant_income"
)

// ExpenseAccount is the code of an expense category's account.
func ExpenseAccount(c Category) string { return "expense:" + string(c) }

var chart = []chartAccount{
	{AccountCash, ledger.Asset, "เงินสด", "Cash"},
	{AccountPromptPay, ledger.Asset, "เงินในบัญชี (พร้อมเพย์/ธนาคาร)", "PromptPay and bank"},
	{AccountReceivable, ledger.Asset, "ลูกหนี้เงินเชื่อ", "Credit sales receivable"},
	{AccountEquipment, ledger.Asset, "อุปกรณ์และรถเข็น", "Equipment and cart"},
	{AccountEquity, ledger.Equity, "ทุนของเจ้าของ", "Owner's equity"},
	{AccountDrawings, ledger.Equity, "เงินที่นำกลับบ้าน", "Drawings (money taken home)"},
	{AccountGrantCapital, ledger.Equity, "ทุนสนับสนุนจากโครงการ", "Programme grant capital"},
	{AccountSales, ledger.Income, "รายได้จากการขาย", "Sales"},
	{AccountGrantIncome, ledger.Income, "เงินอุดหนุนจากโครงการ", "Programme grant income"},
	{ExpenseAccount(Ingredients), ledger.Expense, "ค่าวัตถุดิบ", "Ingredients"},
	{ExpenseAccount(Gas), ledger.Expense, "ค่าแก๊ส", "Cooking gas"},
	{ExpenseAccount(Ice), ledger.Expense, "ค่าน้ำแข็ง", "Ice"},
	{ExpenseAccount(Packaging), ledger.Expense, "ค่าบรรจุภัณฑ์", "Packaging"},
	{ExpenseAccount(Pitch), ledger.Expense, "ค่าที่/ค่าเช่าแผง", "Pitch fee"},
	{ExpenseAccount(Transport), ledger.Expense, "ค่าเดินทาง/ขนส่ง", "Transport"},
	{ExpenseAccount(Other), ledger.Expense, "ค่าใช้จ่ายอื่น ๆ", "Other expenses"},
}

// posting is the ledger entry that records e in book: debit what came in
// (cash, the bank, a receivable, an expense, drawings), credit where it came
// from (sales, or cash paid out).
func (e Entry) posting(book int64) ledger.Posting {
	var debit, credit string
	switch e.Kind {
	case Sale:
		credit = AccountSales
		switch e.Method {
		case Cash:
			debit = AccountCash
		case PromptPay:
			debit = AccountPromptPay
		case Credit:
			debit = AccountReceivable
		}
	case Expense:
		debit, credit = ExpenseAccount(e.Category), AccountCash
	case Drawing:
		debit, credit = AccountDrawings, AccountCash
	}
	day := e.Date
	if !e.BookedOn.IsZero() {
		day = e.BookedOn
	}
	return ledger.Posting{
		Book: book, BusinessDate: day, Memo: e.memo(), IdempotencyKey: e.Key, CreatedBy: e.RecordedBy,
		Lines: []ledger.Line{{Code: debit, Amount: e.Amount.Decimal()}, {Code: credit, Amount: e.Amount.Neg().Decimal()}},
	}
}

// memo is the ledger's one-line description: kind, method or category, note.
func (e Entry) memo() string {
	m := string(e.Kind)
	switch {
	case e.Method != "":
		m += " " + string(e.Method)
	case e.Category != "":
		m += " " + string(e.Category)
	}
	if e.OnBehalf {
		m += " (paper form)"
	}
	if e.Note != "" {
		m += ": " + e.Note
	}
	return m
}
