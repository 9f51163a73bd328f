package participants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/audit"
	"hawker/pg"
	"hawker/training"
)

// Store reads and writes participants' files.
type Store struct {
	db      *sqlx.DB
	holders []PersonalData
}

// NewStore returns a Store on db. Holders are the other packages that keep
// personal data about participants: her export and erasure reach them, in
// the order given. The application passes every one (see PersonalData); a
// store without them serves everything but export and erasure in full.
func NewStore(db *sqlx.DB, holders ...PersonalData) *Store {
	return &Store{db: db, holders: holders}
}

// Enrol creates a participant's file with the next code of her enrolment
// year, and records the consents given at enrolment, in one transaction.
func (s *Store) Enrol(ctx context.Context, a audit.Actor, p Participant, consents []Consent) (Participant, error) {
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if err := duplicatePhone(ctx, tx, p.PhoneNumber(), 0); err != nil {
			return err
		}
		year := p.EnrolledOn.Year()
		var seq int
		err := tx.GetContext(ctx, &seq, `
			INSERT INTO participant_code_counters (year, last) VALUES ($1, 1)
			ON CONFLICT (year) DO UPDATE SET last = participant_code_counters.last + 1
			RETURNING last`, year)
		if err != nil {
			return fmt.Errorf("participants: enrol: next code: %w", err)
		}
		p.Code, p.CreatedBy = Code(year, seq), a.User()
		err = tx.GetContext(ctx, &p, `
			INSERT INTO participants (code, name, nickname, phone, province, district, cohort, enrolled_on, language, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			RETURNING *`, p.Code, p.Name, p.Nickname, p.Phone, p.Province, p.District, p.Cohort, p.EnrolledOn, p.Language, p.CreatedBy)
		if pg.IsUnique(err, "participants_phone_key") {
			return duplicatePhone(ctx, tx, p.PhoneNumber(), 0)
		}
		if err != nil {
			return fmt.Errorf("participants: enrol: %w", err)
		}
		if err := audit.RecordDetails(ctx, tx, a, "participant.enrol", p.Object(), "cohort "+p.Cohort, audit.Details{"cohort": p.Cohort}); err != nil {
			return err
		}
		for _, c := range consents {
			c.ParticipantID = p.ID
			if err := recordConsent(ctx, tx, a, p, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Participant{}, err
	}
	return p, nil
}

// duplicatePhone returns a *DuplicatePhoneError when another live file
// (not except) holds phone.
func duplicatePhone(ctx context.Context, q sqlx.QueryerContext, phone string, except int64) error {
	var code string
	err := sqlx.GetContext(ctx, q, &code, `SELECT code FROM participants WHERE phone = $1 AND erased_at IS NULL AND id <> $2`, phone, except)
	switch {
	case err == nil:
		return &DuplicatePhoneError{Code: code}
	case errors.Is(err, sql.ErrNoRows):
		return nil
	default:
		return fmt.Errorf("participants: check phone: %w", err)
	}
}

// ByCode finds a participant by code.
func (s *Store) ByCode(ctx context.Context, code string) (Participant, error) {
	return byCode(ctx, s.db, code)
}

func byCode(ctx context.Context, q sqlx.QueryerContext, code string) (Participant, error) {
	var p Participant
	err := sqlx.GetContext(ctx, q, &p, `SELECT * FROM participants WHERE code = $1`, strings.ToUpper(strings.TrimSpace(code)))
	if err != nil {
		return Participant{}, fmt.Errorf("participants: %s: %w", code, pg.NotFound(err, ErrNotFound))
	}
	return p, nil
}

// ByID finds a participant by id.
func (s *Store) ByID(ctx context.Context, id int64) (Participant, error) {
	var p Participant
	err := s.db.GetContext(ctx, &p, `SELECT * FROM participants WHERE id = $1`, id)
	if err != nil {
		return Participant{}, fmt.Errorf("participants: id %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	return p, nil
}

// Codes maps the participants with ids to their codes (which never change,
// and outlive erasure): for other packages' listings, which show a code
// beside their own rows without naming this package's table.
func (s *Store) Codes(ctx context.Context, ids []int64) (map[int64]string, error) {
	var rows []struct {
		ID   int64  `db:"id"`
		Code string `db:"code"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, code FROM participants WHERE id = ANY ($1)`, pq.Int64Array(ids)); err != nil {
		return nil, fmt.Errorf("participants: codes: %w", err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Code
	}
	return out, nil
}

// Get reads participant id through q: the store's database, or a caller's
// transaction (another package checking her file inside its own).
func Get(ctx context.Context, q sqlx.QueryerContext, id int64) (Participant, error) {
	return byID(ctx, q, id)
}

// ByCodes reads the participants with the given codes through q; codes no
// file holds are left out.
func ByCodes(ctx context.Context, q sqlx.QueryerContext, codes []string) ([]Participant, error) {
	ps := []Participant{}
	if err := sqlx.SelectContext(ctx, q, &ps, `SELECT * FROM participants WHERE code = ANY($1) ORDER BY code`, pq.Array(codes)); err != nil {
		return nil, fmt.Errorf("participants: by codes: %w", err)
	}
	return ps, nil
}

// ByIDs reads the participants with the given ids through q, by code; ids
// no file holds are left out.
func ByIDs(ctx context.Context, q sqlx.QueryerContext, ids []int64) ([]Participant, error) {
	ps := []Participant{}
	if err := sqlx.SelectContext(ctx, q, &ps, `SELECT * FROM participants WHERE id = ANY($1) ORDER BY code`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("participants: by ids: %w", err)
	}
	return ps, nil
}

// View finds a participant by code and records in the audit trail that a
// was shown her file (what is seen, by whom: PDPA, as Primero logs it).
func (s *Store) View(ctx context.Context, a audit.Actor, code, what string) (Participant, error) {
	var p Participant
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		if p, err = byCode(ctx, tx, code); err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "participant.view", p.Object(), what, viewDetails(what))
	})
	return p, err
}

// viewDetails are the details of a view of what: "file:<tab>", "plan:<version>",
// "entry:<id>", "days:<YYYY-MM>" or a bare part ("books", "api").
func viewDetails(what string) audit.Details {
	kind, ref, _ := strings.Cut(what, ":")
	d := audit.Details{"what": kind}
	if field, ok := map[string]string{"file": "tab", "plan": "version", "entry": "entry", "days": "month"}[kind]; ok {
		d[field] = ref
	}
	return d
}

// Count is how many files there are, erased ones included.
func (s *Store) Count(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM participants`); err != nil {
		return 0, fmt.Errorf("participants: count: %w", err)
	}
	return n, nil
}

// maxSearchCodes bounds the codes one search's audit row names.
const maxSearchCodes = 100

// Searched records in the audit trail that a was shown the participant list
// rows (names, areas, phones matched by a search): who saw whose entry in
// the list, as for a file (View). The search text itself is not kept: it
// may be a phone number.
func (s *Store) Searched(ctx context.Context, a audit.Actor, f Filter, rows []Row) error {
	codes := make([]string, 0, min(len(rows), maxSearchCodes))
	for _, r := range rows[:min(len(rows), maxSearchCodes)] {
		codes = append(codes, r.Code)
	}
	summary := fmt.Sprintf("%d shown", len(rows))
	if strings.TrimSpace(f.Query) != "" {
		summary = "search; " + summary
	}
	if len(codes) > 0 {
		summary += ": " + strings.Join(codes, " ")
	}
	if len(rows) > maxSearchCodes {
		summary += " …"
	}
	details := audit.Details{"count": strconv.Itoa(len(rows)), "codes": strings.Join(codes, " "), "how": "browse"}
	if strings.TrimSpace(f.Query) != "" {
		details["how"] = "search"
	}
	return pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		return audit.RecordDetails(ctx, tx, a, "participant.list", "participants", summary, details)
	})
}

// Cohorts lists every cohort name, newest enrolment first.
func (s *Store) Cohorts(ctx context.Context) ([]string, error) {
	cs := []string{}
	err := s.db.SelectContext(ctx, &cs, `SELECT cohort FROM participants GROUP BY cohort ORDER BY max(enrolled_on) DESC, cohort`)
	if err != nil {
		return nil, fmt.Errorf("participants: cohorts: %w", err)
	}
	return cs, nil
}

// ConsentState is each purpose's standing decision.
func (s *Store) ConsentState(ctx context.Context, participantID int64) (ConsentState, error) {
	return consentState(ctx, s.db, participantID)
}

func consentState(ctx context.Context, q sqlx.QueryerContext, participantID int64) (ConsentState, error) {
	var cs []Consent
	err := sqlx.SelectContext(ctx, q, &cs, `
		SELECT DISTINCT ON (purpose) * FROM consents WHERE participant_id = $1
		ORDER BY purpose, id DESC`, participantID)
	if err != nil {
		return nil, fmt.Errorf("participants: consents: %w", err)
	}
	st := ConsentState{}
	for _, c := range cs {
		st[c.Purpose] = c
	}
	return st, nil
}

// ConsentHistory lists every consent decision, newest first.
func (s *Store) ConsentHistory(ctx context.Context, participantID int64) ([]Consent, error) {
	return consentHistory(ctx, s.db, participantID)
}

func consentHistory(ctx context.Context, q sqlx.QueryerContext, participantID int64) ([]Consent, error) {
	cs := []Consent{}
	err := sqlx.SelectContext(ctx, q, &cs, `SELECT * FROM consents WHERE participant_id = $1 ORDER BY id DESC`, participantID)
	if err != nil {
		return nil, fmt.Errorf("participants: consent history: %w", err)
	}
	return cs, nil
}

// RecordConsent adds a decision for one purpose; the latest decision holds,
// so withdrawing is recording given=false.
func (s *Store) RecordConsent(ctx context.Context, a audit.Actor, p Participant, c Consent) (Consent, error) {
	if p.Erased() {
		return Consent{}, ErrErased
	}
	c.ParticipantID = p.ID
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		return recordConsent(ctx, tx, a, p, c)
	})
	if err != nil {
		return Consent{}, err
	}
	st, err := s.ConsentState(ctx, p.ID)
	if err != nil {
		return Consent{}, err
	}
	return st[c.Purpose], nil
}

func recordConsent(ctx context.Context, tx *sqlx.Tx, a audit.Actor, p Participant, c Consent) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO consents (participant_id, purpose, given, recorded_on, recorded_by)
		VALUES ($1, $2, $3, $4, $5)`, p.ID, c.Purpose, c.Given, c.RecordedOn, a.User())
	if err != nil {
		return fmt.Errorf("participants: record consent: %w", err)
	}
	verb := "given"
	if !c.Given {
		verb = "withheld"
	}
	return audit.RecordDetails(ctx, tx, a, "participant.consent", p.Object(), string(c.Purpose)+" "+verb,
		audit.Details{"purpose": string(c.Purpose), "given": verb})
}

// RecordTraining records one completion for p.
func (s *Store) RecordTraining(ctx context.Context, a audit.Actor, p Participant, c training.Completion) (training.Completion, error) {
	if p.Erased() {
		return training.Completion{}, ErrErased
	}
	c.ParticipantID, c.RecordedBy = p.ID, a.User()
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		var err error
		if c, err = training.Record(ctx, tx, c); err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "training.record", p.Object(),
			fmt.Sprintf("module %d on %s, passed=%t", c.ModuleID, c.CompletedOn.Format(time.DateOnly), c.Passed),
			audit.Details{"module": strconv.FormatInt(c.ModuleID, 10), "on": c.CompletedOn.Format(time.DateOnly), "passed": strconv.FormatBool(c.Passed)})
	})
	return c, err
}

// RecordClass records a class and every attendee's completion in one
// transaction: all of them, or none when one attendee cannot be recorded
// (her file is erased, or missing).
func (s *Store) RecordClass(ctx context.Context, a audit.Actor, cl training.Class) (int64, error) {
	return pg.Do(ctx, s.db, func(tx *sqlx.Tx) (int64, error) {
		sessionID, err := training.StartClass(ctx, tx, a, cl)
		if err != nil {
			return 0, err
		}
		for _, c := range cl.Completions {
			p, err := LockLive(ctx, tx, c.ParticipantID)
			if err != nil {
				return 0, fmt.Errorf("participants: class: %w", err)
			}
			c.SessionID, c.RecordedBy = &sessionID, a.User()
			if _, err := training.Record(ctx, tx, c); err != nil {
				return 0, err
			}
			if err := audit.RecordDetails(ctx, tx, a, "training.record", p.Object(),
				fmt.Sprintf("module %d on %s, passed=%t (class %d)", c.ModuleID, c.CompletedOn.Format(time.DateOnly), c.Passed, sessionID),
				audit.Details{"module": strconv.FormatInt(c.ModuleID, 10), "on": c.CompletedOn.Format(time.DateOnly), "passed": strconv.FormatBool(c.Passed),
					"class": strconv.FormatInt(sessionID, 10)}); err != nil {
				return 0, err
			}
		}
		return sessionID, nil
	})
}

// Expiring is a certificate of a participant, whose file is not erased,
// that runs out soon.
type Expiring struct {
	Participant
	training.Expiring
}

// ExpiringWithin lists the certificates of participants whose files are
// not erased whose latest pass stops counting between today and
// today+days, soonest first, then by code.
func (s *Store) ExpiringWithin(ctx context.Context, today time.Time, days int) ([]Expiring, error) {
	es, err := training.ExpiringWithin(ctx, s.db, today, days)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.ParticipantID
	}
	var ps []Participant
	if err := s.db.SelectContext(ctx, &ps, `SELECT * FROM participants WHERE id = ANY($1) AND erased_at IS NULL`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("participants: expiring: %w", err)
	}
	byID := make(map[int64]Participant, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	out := []Expiring{}
	for _, e := range es {
		if p, ok := byID[e.ParticipantID]; ok {
			out = append(out, Expiring{Participant: p, Expiring: e})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].ValidUntil.Equal(out[j].ValidUntil) {
			return out[i].ValidUntil.Before(out[j].ValidUntil)
		}
		return out[i].Code < out[j].Code
	})
	return out, nil
}

// Standing is each active module's status for participant id on day today.
func (s *Store) Standing(ctx context.Context, participantID int64, today time.Time) ([]training.ModuleStatus, error) {
	return standing(ctx, s.db, participantID, today)
}

func standing(ctx context.Context, q sqlx.QueryerContext, participantID int64, today time.Time) ([]training.ModuleStatus, error) {
	ms, err := training.Modules(ctx, q, false)
	if err != nil {
		return nil, err
	}
	cs, err := training.Completions(ctx, q, participantID)
	if err != nil {
		return nil, err
	}
	return training.Standing(ms, cs, today), nil
}

// Erase removes her personal fields (name, nickname, phone) and has every
// holder of her personal data (PersonalData) erase what identifies her
// there, in one transaction. The code, consents, training, plans and every
// figure stay, under the code.
func (s *Store) Erase(ctx context.Context, a audit.Actor, p Participant) (Participant, error) {
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &p, `
			UPDATE participants SET name = '', nickname = '', phone = NULL, erased_at = now(), erased_by = $2
			WHERE id = $1 AND erased_at IS NULL RETURNING *`, p.ID, a.User())
		if err != nil {
			return fmt.Errorf("participants: erase %s: %w", p.Code, pg.NotFound(err, ErrErased))
		}
		held, err := s.eraseHeld(ctx, tx, p)
		if err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "participant.erase", p.Object(), erasedSummary(held),
			audit.Details{"held": strconv.Itoa(len(held))})
	})
	return p, err
}

// erasedSummary says what an erasure removed: "name, nickname, phone and PromptPay id erased".
func erasedSummary(held []string) string {
	what := append([]string{"name", "nickname", "phone"}, held...)
	return strings.Join(what[:len(what)-1], ", ") + " and " + what[len(what)-1] + " erased"
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if r != ' ' && r != '-' && r != '+' {
			return ""
		}
	}
	return b.String()
}
