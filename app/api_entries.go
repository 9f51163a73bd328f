package app

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/ledger"
	"hawker/money"
	"hawker/participants"
	"hawker/users"
	"hawker/valid"
	"hawker/vendors"
)

// entryJSON is a vendor entry as the API shows it.
type entryJSON = vendors.EntryDoc

func toEntryJSON(r vendors.Recorded) entryJSON { return r.Doc() }

// MaxKey is the longest Idempotency-Key accepted.
const MaxKey = 200

// validKey reports whether key is an acceptable Idempotency-Key: 1 to
// MaxKey visible ASCII characters (a UUID is 36).
func validKey(key string) bool {
	if key == "" || len(key) > MaxKey {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < '!' || key[i] > '~' {
			return false
		}
	}
	return true
}

// entryParticipant is the participant an entry names: a vendor's own when
// she names none (and another's is not found for her); an officer must name one.
func (s *Server) entryParticipant(c *fiber.Ctx, code string) (participants.Participant, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		if u := currentUser(c); u != nil && u.Role == users.Vendor && u.ParticipantID != nil {
			// Her own: the store reads the code with the entry, saving a
			// round trip on the hottest path there is.
			return participants.Participant{ID: *u.ParticipantID}, nil
		}
		return participants.Participant{}, valid.Errors{"participant": "vendor.participant_required"}
	}
	p, err := s.participants.ByCode(c.UserContext(), code)
	if errors.Is(err, participants.ErrNotFound) && !hasRole(c, users.Vendor) {
		return p, valid.Errors{"participant": "vendor.participant_unknown"}
	}
	if err != nil {
		return p, err
	}
	if err := s.mayViewParticipant(c, p.ID); err != nil {
		return participants.Participant{}, err
	}
	return p, nil
}

// apiRecordEntry: POST /api/v1/entries with an Idempotency-Key → 201 with
// the entry, or 200 with the same body when the key and body were seen.
func (s *Server) apiRecordEntry(c *fiber.Ctx) error {
	key := strings.TrimSpace(c.Get("Idempotency-Key"))
	if !validKey(key) {
		return &Problem{Status: fiber.StatusBadRequest, Code: "malformed", Key: "vendor.key_required"}
	}
	var in vendors.Input
	if err := readJSON(c, &in); err != nil {
		return err
	}
	p, err := s.entryParticipant(c, in.Participant)
	if err != nil {
		return err
	}
	if !mayRecordFor(c, p) {
		return errForbidden
	}
	r, err := s.vendors.Record(c.UserContext(), actor(c), s.entryRequest(c, p, in, key))
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if r.Replayed {
		status = fiber.StatusOK
	}
	c.Location("/api/v1/entries/" + strconv.FormatInt(r.ID, 10))
	return c.Status(status).JSON(toEntryJSON(r))
}

// entryFrom loads the route's entry and checks the caller may see its vendor.
func (s *Server) entryFrom(c *fiber.Ctx) (vendors.Recorded, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return vendors.Recorded{}, errNotFound
	}
	e, err := s.vendors.Entry(c.UserContext(), id)
	if err != nil {
		return e, err
	}
	if err := s.mayViewParticipant(c, e.ParticipantID); err != nil {
		return vendors.Recorded{}, err
	}
	return e, nil
}

// apiEntry: GET /api/v1/entries/{id}.
func (s *Server) apiEntry(c *fiber.Ctx) error {
	e, err := s.entryFrom(c)
	if err != nil {
		return err
	}
	p, err := s.participants.ByID(c.UserContext(), e.ParticipantID)
	if err != nil {
		return err
	}
	if err := s.auditStaffView(c, p, "entry:"+strconv.FormatInt(e.ID, 10)); err != nil {
		return err
	}
	return c.JSON(toEntryJSON(e))
}

// apiVoidEntry: POST /api/v1/entries/{id}/void {"reason"} → the entry,
// voided; a second void is 409 conflict.
func (s *Server) apiVoidEntry(c *fiber.Ctx) error {
	e, err := s.entryFrom(c)
	if err != nil {
		return err
	}
	if !hasRole(c, users.Officer) && !hasRole(c, users.Vendor) {
		return errForbidden
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := readJSON(c, &body); err != nil {
		return err
	}
	v, err := s.vendors.Void(c.UserContext(), actor(c), e.ID, body.Reason, currentUser(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(toEntryJSON(v))
}

// totalsJSON is a day's or a month's figures.
type totalsJSON struct {
	Sales       money.Amount            `json:"sales"`
	ByMethod    map[string]money.Amount `json:"sales_by_method"`
	Expenses    money.Amount            `json:"expenses"`
	ByCategory  map[string]money.Amount `json:"expenses_by_category"`
	Drawings    money.Amount            `json:"drawings"`
	Profit      money.Amount            `json:"profit"`
	Net         money.Amount            `json:"net"`
	Entries     int                     `json:"entries"`
	TradingDays int                     `json:"trading_days"`
}

func toTotalsJSON(t vendors.Totals) totalsJSON {
	out := totalsJSON{
		Sales: t.Sales, Expenses: t.Expenses, Drawings: t.Drawings,
		Profit: t.Profit(), Net: t.Net(), Entries: t.Entries, TradingDays: t.TradingDays,
		ByMethod: map[string]money.Amount{}, ByCategory: map[string]money.Amount{},
	}
	for _, m := range vendors.Methods {
		out.ByMethod[string(m)] = t.Method(m)
	}
	for _, cat := range vendors.Categories {
		out.ByCategory[string(cat)] = t.Category(cat)
	}
	return out
}

// apiDays: GET /api/v1/participants/{code}/days?month=YYYY-MM (default: this
// month) → each day with entries: sales (by method), expenses (by category),
// drawings, profit (sales − expenses) and net (profit − drawings); the
// month's totals with trading days; the cash on hand now.
func (s *Server) apiDays(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	month := ledger.MonthOf(s.today())
	if m := c.Query("month"); m != "" {
		if month, err = ledger.ParseMonth(m); err != nil {
			return valid.Errors{"month": "vendor.date_invalid"}
		}
	}
	if err := s.auditStaffView(c, p, "days:"+month.Format("2006-01")); err != nil {
		return err
	}
	days, total, err := s.vendors.Days(c.UserContext(), p.ID, month)
	if err != nil {
		return err
	}
	cash, err := s.vendors.CashOnHand(c.UserContext(), p.ID)
	if err != nil {
		return err
	}
	type dayJSON struct {
		Date string `json:"date"`
		totalsJSON
	}
	out := struct {
		Participant string       `json:"participant"`
		Month       string       `json:"month"`
		Days        []dayJSON    `json:"days"`
		Totals      totalsJSON   `json:"totals"`
		CashOnHand  money.Amount `json:"cash_on_hand"`
	}{Participant: p.Code, Month: month.Format("2006-01"), Days: []dayJSON{}, Totals: toTotalsJSON(total), CashOnHand: cash}
	for _, d := range days {
		out.Days = append(out.Days, dayJSON{Date: d.Date.Format(time.DateOnly), totalsJSON: toTotalsJSON(d.Totals)})
	}
	return c.JSON(out)
}

// apiImportEntries: POST /api/v1/entries/import, a CSV body (text/csv, or a
// multipart form's "file") → 201 {"imported", "participants"}, or 422 with
// every problem's line and column and nothing imported.
func (s *Server) apiImportEntries(c *fiber.Ctx) error {
	body := c.Body()
	if fh, err := c.FormFile("file"); err == nil {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		defer f.Close()
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(f); err != nil {
			return err
		}
		body = buf.Bytes()
	}
	res, err := s.vendors.Import(c.UserContext(), actor(c), bytes.NewReader(body), s.today(), currentUser(c).ID)
	var ie *vendors.ImportError
	if errors.As(err, &ie) {
		lang := s.lang(c)
		type lineJSON struct {
			Line    int    `json:"line"`
			Column  string `json:"column"`
			Message string `json:"message"`
		}
		lines := make([]lineJSON, len(ie.Lines))
		for i, l := range ie.Lines {
			lines[i] = lineJSON{Line: l.Line, Column: l.Column, Message: s.views.tr.T(lang, l.Key)}
		}
		return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"error": fiber.Map{
			"code": "invalid", "message": s.views.tr.T(lang, "vendor.import_refused", "Count", len(lines)), "lines": lines,
		}})
	}
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"imported": res.Entries, "participants": res.Participants})
}

// openingJSON is her opening cash as the API shows it.
type openingJSON struct {
	Participant string `json:"participant"`
	Date        string `json:"date"`
	Amount      string `json:"amount"`
	OnBehalf    bool   `json:"on_behalf"`
	EntryID     int64  `json:"entry_id"`
}

// apiRecordOpening: POST /api/v1/participants/{code}/opening {"amount"} →
// 201, once; a second is 409 (the same domain call as the books page's form).
func (s *Server) apiRecordOpening(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	if !mayRecordFor(c, p) {
		return errForbidden
	}
	var body struct {
		Amount money.Text `json:"amount"`
	}
	if err := readJSON(c, &body); err != nil {
		return err
	}
	o, err := s.vendors.RecordOpening(c.UserContext(), actor(c), vendors.OpeningRequest{
		ParticipantID: p.ID, Code: p.Code, Amount: string(body.Amount), RecordedBy: currentUser(c).ID,
		OnBehalf: !isOwn(c, p), Date: s.today(),
	})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(openingJSON{
		Participant: p.Code, Date: o.Date.Format(time.DateOnly), Amount: o.Amount.String(), OnBehalf: o.OnBehalf, EntryID: o.EntryID,
	})
}
