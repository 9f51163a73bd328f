package app

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"hawker/ledger"
	"hawker/money"
	"hawker/participants"
	"hawker/thai"
	"hawker/users"
	"hawker/valid"
	"hawker/vendors"
)

// The vendor's books: her home page (GET /books, her own; /vendors/{code}
// for officers, managers and herself), the no-JavaScript form posts behind
// its buttons, voids, and PromptPay. The page works offline: vendor.js keeps
// an outbox in IndexedDB and sends it to POST /api/v1/entries (api_entries.go).

// RecentEntries is how many entries the home page lists.
const RecentEntries = 10

// vendorPage is the vendor home page.
type vendorPage struct {
	P          participants.Participant
	Own        bool // the vendor herself (else an officer or manager looking)
	CanRecord  bool
	Base       string // the page's path: /books or /vendors/{code}
	Today      time.Time
	Overview   vendors.Overview
	Recent     []vendors.Recorded
	FormKey    string // the idempotency key of the page's no-JavaScript forms
	Methods    []vendors.Method
	Categories []vendors.Category
	Ceiling    money.Amount
	PromptPay  *vendors.PromptPayID
	// Opening is her opening cash; nil until it is recorded (the page
	// then offers the form, once).
	Opening *vendors.Opening
	Errors  valid.Errors
	Failed  string            // the form that failed: sale, expense, drawing or opening
	Amount  string            // the amount typed into the failed form
	Date    string            // the date typed into the failed form (staff record on her behalf; readDate)
	Notice  string            // a message key
	Text    map[string]string // the strings vendor.js shows, in the reader's language
}

// scriptText are the keys vendor.js needs, sent with the page.
var scriptText = []string{
	"vendor.outbox", "vendor.sending", "vendor.sent", "vendor.refused", "vendor.sign_in_again",
	"vendor.void_offline", "vendor.delete", "vendor.late", "vendor.saved_entry", "vendor.undo",
	"vendor.undo_failed", "vendor.undo_reason", "vendor.undone", "vendor.amount_invalid", "vendor.amount_required",
	"vendor.opening_offline", "vendor.waiting_in",
	"vendor.kind.sale", "vendor.kind.expense", "vendor.kind.drawing",
	"vendor.method.cash", "vendor.method.promptpay", "vendor.method.credit",
	"vendor.category.ingredients", "vendor.category.gas", "vendor.category.ice", "vendor.category.packaging",
	"vendor.category.pitch", "vendor.category.transport", "vendor.category.other",
}

// ownParticipant is the signed-in vendor's participant.
func (s *Server) ownParticipant(c *fiber.Ctx) (participants.Participant, error) {
	u := currentUser(c)
	if u == nil || u.Role != users.Vendor || u.ParticipantID == nil {
		return participants.Participant{}, errForbidden
	}
	return s.participants.ByID(c.UserContext(), *u.ParticipantID)
}

// isOwn reports whether the signed-in user is the vendor p.
func isOwn(c *fiber.Ctx, p participants.Participant) bool {
	u := currentUser(c)
	return u != nil && u.Role == users.Vendor && u.ParticipantID != nil && *u.ParticipantID == p.ID
}

// mayRecordFor: a vendor records in her own books; officers in anyone's,
// on her behalf. Managers and administrators look only.
func mayRecordFor(c *fiber.Ctx, p participants.Participant) bool {
	return isOwn(c, p) || hasRole(c, users.Officer)
}

// showBooks: GET /books, the vendor's own home page and the PWA's start.
func (s *Server) showBooks(c *fiber.Ctx) error {
	p, err := s.ownParticipant(c)
	if err != nil {
		return err
	}
	return s.renderBooks(c, p, "/books", nil)
}

// showVendor: GET /vendors/{code}; a staff view is audited.
func (s *Server) showVendor(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	if err := s.auditStaffView(c, p, "books"); err != nil {
		return err
	}
	return s.renderBooks(c, p, "/vendors/"+p.Code, nil)
}

// auditStaffView records in the audit trail that staff were shown what of
// p's file; the vendor's own views of her books are not recorded.
func (s *Server) auditStaffView(c *fiber.Ctx, p participants.Participant, what string) error {
	if isOwn(c, p) {
		return nil
	}
	_, err := s.participants.View(c.UserContext(), actor(c), p.Code, what)
	return err
}

func (s *Server) renderBooks(c *fiber.Ctx, p participants.Participant, base string, page *vendorPage) error {
	ctx := c.UserContext()
	if page == nil {
		page = &vendorPage{}
	}
	today := s.today()
	o, err := s.vendors.Overview(ctx, p.ID, today)
	if err != nil {
		return err
	}
	recent, err := s.vendors.Recent(ctx, p.ID, RecentEntries)
	if err != nil {
		return err
	}
	ceiling, err := s.vendors.Ceiling(ctx)
	if err != nil {
		return err
	}
	page.P, page.Own, page.CanRecord, page.Base, page.Today = p, isOwn(c, p), mayRecordFor(c, p), base, today
	page.Overview, page.Recent, page.Ceiling = o, recent, ceiling
	page.Methods, page.Categories = vendors.Methods, vendors.Categories
	page.FormKey = uuid.NewString()
	lang := s.lang(c)
	page.Text = make(map[string]string, len(scriptText)+1)
	for _, k := range scriptText {
		page.Text[k] = s.views.tr.T(lang, k)
	}
	page.Text["lang"] = lang
	// Month names for the outbox's dates, written as the page writes dates.
	months := make([]string, 12)
	for m := time.January; m <= time.December; m++ {
		months[m-1] = thai.ShortMonthName(m)
		if lang == "en" {
			months[m-1] = m.String()[:3]
		}
	}
	page.Text["months"] = strings.Join(months, ",")
	if id, err := s.vendors.PromptPay(ctx, p.ID); err == nil {
		page.PromptPay = &id
	} else if !errors.Is(err, vendors.ErrNotFound) {
		return err
	}
	if o, err := s.vendors.OpeningOf(ctx, p.ID); err == nil {
		page.Opening = &o
	} else if !errors.Is(err, vendors.ErrNotFound) {
		return err
	}
	if page.Notice == "" {
		switch c.Query("done") {
		case "opening":
			page.Notice = "vendor.opening_saved"
		case "saved":
			page.Notice = "vendor.saved"
		case "voided":
			page.Notice = "vendor.voided_notice"
		}
	}
	// The page is the app's shell offline: the service worker keeps a copy,
	// so browsers must not keep one of their own beside it.
	c.Set("Cache-Control", "no-store")
	return s.render(c, "vendor_home", page)
}

// booksFor resolves the route's vendor: /books is the signed-in vendor's own,
// /vendors/{code} anyone the caller may see.
func (s *Server) booksFor(c *fiber.Ctx) (participants.Participant, string, error) {
	if c.Params("code") == "" {
		p, err := s.ownParticipant(c)
		return p, "/books", err
	}
	p, err := s.participantFrom(c)
	return p, "/vendors/" + p.Code, err
}

// recordEntryForm: POST /vendors/{code}/entries, the page's forms without
// JavaScript (with it, vendor.js sends them to the API from its outbox).
// The form carries a key made when the page was drawn, so a double tap or a
// resent form records once.
func (s *Server) recordEntryForm(c *fiber.Ctx) error {
	p, base, err := s.booksFor(c)
	if err != nil {
		return err
	}
	if !mayRecordFor(c, p) {
		return errForbidden
	}
	// Staff type the day in the page's date box (B.E. on Thai pages); her
	// own page sends today as YYYY-MM-DD. An empty box is today.
	date, dateErr := s.readDate(c, c.FormValue("date"))
	in := vendors.Input{
		Date: date, Kind: c.FormValue("kind"), Amount: formAmount(c.FormValue("amount")),
		Category: c.FormValue("category"), Method: c.FormValue("method"), Note: c.FormValue("note"),
	}
	if dateErr != "" {
		// Nothing is recorded on a day the box did not read.
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderBooks(c, p, base, &vendorPage{Errors: valid.Errors{"date": dateErr}, Failed: in.Kind, Amount: string(in.Amount), Date: date})
	}
	if in.Date == "" {
		in.Date = s.today().Format(time.DateOnly)
	}
	key := c.FormValue("key")
	switch {
	case key == "":
		key = uuid.NewString()
	case !validKey(key):
		return errMalformed
	}
	_, err = s.vendors.Record(c.UserContext(), actor(c), s.entryRequest(c, p, in, "form:"+key))
	var fields valid.Errors
	switch {
	case errors.As(err, &fields):
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderBooks(c, p, base, &vendorPage{Errors: fields, Failed: in.Kind, Amount: string(in.Amount), Date: date})
	case errors.Is(err, ledger.ErrClosedPeriod):
		c.Status(fiber.StatusConflict)
		return s.renderBooks(c, p, base, &vendorPage{Errors: valid.Errors{"date": "vendor.date_closed"}, Failed: in.Kind, Amount: string(in.Amount), Date: date})
	case err != nil:
		return err
	}
	return c.Redirect(base+"?done=saved", http.StatusSeeOther)
}

// recordOpeningForm: POST /books/opening and /vendors/{code}/opening, the
// cash she starts with, once: by her, or by her officer on her behalf. A
// second is refused (409) with its message on the page.
func (s *Server) recordOpeningForm(c *fiber.Ctx) error {
	p, base, err := s.booksFor(c)
	if err != nil {
		return err
	}
	if !mayRecordFor(c, p) {
		return errForbidden
	}
	amount := c.FormValue("amount")
	_, err = s.vendors.RecordOpening(c.UserContext(), actor(c), vendors.OpeningRequest{
		ParticipantID: p.ID, Code: p.Code, Amount: amount, RecordedBy: currentUser(c).ID,
		OnBehalf: !isOwn(c, p), Date: s.today(),
	})
	var fields valid.Errors
	switch {
	case errors.As(err, &fields):
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderBooks(c, p, base, &vendorPage{Errors: fields, Failed: "opening", Amount: amount})
	case errors.Is(err, vendors.ErrOpeningExists):
		c.Status(fiber.StatusConflict)
		return s.renderBooks(c, p, base, &vendorPage{Errors: valid.Errors{"opening": "vendor.opening_exists"}})
	case err != nil:
		return err
	}
	return c.Redirect(base+"?done=opening", http.StatusSeeOther)
}

// entryRequest is the store's request for an entry p's books receive from
// the signed-in user: on her behalf unless she is the vendor herself.
func (s *Server) entryRequest(c *fiber.Ctx, p participants.Participant, in vendors.Input, key string) vendors.Request {
	u := currentUser(c)
	r := vendors.Request{ParticipantID: p.ID, Code: p.Code, Input: in, Key: key, Today: s.today(), OnBehalf: !isOwn(c, p)}
	if u != nil {
		r.RecordedBy = u.ID
	}
	return r
}

// voidEntryForm: POST /vendors/{code}/entries/{id}/void with a reason.
func (s *Server) voidEntryForm(c *fiber.Ctx) error {
	p, base, err := s.booksFor(c)
	if err != nil {
		return err
	}
	if !mayRecordFor(c, p) {
		return errForbidden
	}
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return errNotFound
	}
	e, err := s.vendors.Entry(c.UserContext(), id)
	if err != nil {
		return err
	}
	if e.ParticipantID != p.ID {
		return errNotFound
	}
	_, err = s.vendors.Void(c.UserContext(), actor(c), id, c.FormValue("reason"), currentUser(c).ID)
	var fields valid.Errors
	if errors.As(err, &fields) {
		// The page has a void form per entry: the message goes beside this one's.
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderBooks(c, p, base, &vendorPage{Errors: valid.Errors{reasonField(id): fields["reason"]}})
	}
	if err != nil {
		return err
	}
	return c.Redirect(base+"?done=voided", http.StatusSeeOther)
}

// promptPayPage shows a vendor's PromptPay QR and the form to set her id.
type promptPayPage struct {
	P        participants.Participant
	Base     string
	ID       *vendors.PromptPayID
	Amount   string
	Errors   valid.Errors
	Value    string
	Notice   string
	CanEdit  bool
	QRAmount *money.Amount // the amount the QR asks for, checked; nil for a static QR
}

// showPromptPay: GET /books/promptpay and /vendors/{code}/promptpay[?amount=].
// Her id is her mobile or national id number: a staff view is audited.
func (s *Server) showPromptPay(c *fiber.Ctx) error {
	p, base, err := s.booksFor(c)
	if err != nil {
		return err
	}
	if err := s.auditStaffView(c, p, "promptpay"); err != nil {
		return err
	}
	return s.renderPromptPay(c, p, base, &promptPayPage{})
}

func (s *Server) renderPromptPay(c *fiber.Ctx, p participants.Participant, base string, page *promptPayPage) error {
	page.P, page.Base, page.CanEdit = p, base, mayRecordFor(c, p)
	if id, err := s.vendors.PromptPay(c.UserContext(), p.ID); err == nil {
		page.ID = &id
	} else if !errors.Is(err, vendors.ErrNotFound) {
		return err
	}
	if a := c.Query("amount"); a != "" {
		page.Amount = a
		ceiling, err := s.vendors.Ceiling(c.UserContext())
		if err != nil {
			return err
		}
		if d, err := money.Parse(a); vendors.AmountKey(d, err, ceiling) != "" {
			if page.Errors == nil {
				page.Errors = valid.Errors{}
			}
			page.Errors.Add("amount", vendors.AmountKey(d, err, ceiling))
		} else {
			page.QRAmount = &d
		}
	}
	if c.Query("done") == "saved" {
		page.Notice = "vendor.promptpay_saved"
	}
	return s.render(c, "vendor_promptpay", page)
}

// savePromptPay: POST …/promptpay with the vendor's mobile number or id.
func (s *Server) savePromptPay(c *fiber.Ctx) error {
	p, base, err := s.booksFor(c)
	if err != nil {
		return err
	}
	if !mayRecordFor(c, p) {
		return errForbidden
	}
	value := c.FormValue("promptpay")
	id, err := vendors.ParsePromptPayID(value)
	var fields valid.Errors
	if errors.As(err, &fields) {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderPromptPay(c, p, base, &promptPayPage{Errors: fields, Value: value})
	}
	if err := s.vendors.SetPromptPay(c.UserContext(), actor(c), p.ID, p.Code, id); err != nil {
		return err
	}
	return c.Redirect(base+"/promptpay?done=saved", http.StatusSeeOther)
}

// promptPayQR: GET …/promptpay.svg[?amount=], the QR as SVG.
func (s *Server) promptPayQR(c *fiber.Ctx) error {
	p, _, err := s.booksFor(c)
	if err != nil {
		return err
	}
	id, err := s.vendors.PromptPay(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	var amount *money.Amount
	if a := c.Query("amount"); a != "" {
		ceiling, err := s.vendors.Ceiling(c.UserContext())
		if err != nil {
			return err
		}
		d, err := money.Parse(a)
		if key := vendors.AmountKey(d, err, ceiling); key != "" {
			return valid.Errors{"amount": key}
		}
		amount = &d
	}
	svg, err := vendors.QRSVG(vendors.Payload(id, amount))
	if err != nil {
		return err
	}
	c.Set("Content-Type", "image/svg+xml")
	c.Set("Cache-Control", "private, max-age=300")
	return c.Send(svg)
}

// importPage is the officers' CSV import form and its outcome.
type importPage struct {
	Problems []importProblem
	Done     *vendors.ImportResult
}

type importProblem struct {
	Line   int
	Column string
	Key    string
}

// showImport: GET /vendors/import.
func (s *Server) showImport(c *fiber.Ctx) error {
	return s.render(c, "vendor_import", importPage{})
}

// importEntriesForm: POST /vendors/import with a CSV file.
func (s *Server) importEntriesForm(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "vendor_import", importPage{Problems: []importProblem{{Line: 1, Key: "vendor.csv_empty"}}})
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := s.vendors.Import(c.UserContext(), actor(c), f, s.today(), currentUser(c).ID)
	var ie *vendors.ImportError
	if errors.As(err, &ie) {
		page := importPage{}
		for _, l := range ie.Lines {
			page.Problems = append(page.Problems, importProblem{Line: l.Line, Column: l.Column, Key: l.Key})
		}
		c.Status(fiber.StatusUnprocessableEntity)
		return s.render(c, "vendor_import", page)
	}
	if err != nil {
		return err
	}
	return s.render(c, "vendor_import", importPage{Done: &res})
}

// reasonField names the reason field of entry id's void form.
func reasonField(id int64) string { return fmt.Sprintf("reason-%d", id) }

// baht writes an amount of the books pages: "฿23,736.50", "−฿20.00".
func baht(a money.Amount) string {
	if a.IsNegative() {
		return "−฿" + a.Neg().Format()
	}
	return "฿" + a.Format()
}

// formAmount reads a form's amount as people write it ("1,250.50", the
// rule vendor.js mirrors): a well-grouped amount becomes its plain digits,
// anything else is passed on as typed for the entry's own check to refuse.
func formAmount(s string) money.Text {
	if a, err := money.ParseGrouped(s); err == nil {
		return money.Text(a.String())
	}
	return money.Text(s)
}

// vendorFuncs are the template helpers of the vendor pages.
var vendorFuncs = template.FuncMap{
	"kindKey":     func(k vendors.Kind) string { return "vendor.kind." + string(k) },
	"methodKey":   func(m vendors.Method) string { return "vendor.method." + string(m) },
	"categoryKey": func(c vendors.Category) string { return "vendor.category." + string(c) },
	"whatKey": func(r vendors.Recorded) string {
		switch {
		case r.Method != nil:
			return "vendor.method." + string(*r.Method)
		case r.Category != nil:
			return "vendor.category." + string(*r.Category)
		}
		return "vendor.kind." + string(r.Kind)
	},
	// One format for every amount on her books: ฿, separators, two decimals.
	"baht": baht,
	"neg":  money.Amount.IsNegative,
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, fmt.Errorf("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	"reasonField": reasonField,
	// fieldsOf lists a form's fields in order, for its errors at the top.
	"fieldsOf": func(names ...string) []string { return names },
}
