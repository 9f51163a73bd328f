package training

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/audit"
	"hawker/pg"
)

// Store reads and writes the catalogue and completions.
type Store struct{ db *sqlx.DB }

// NewStore returns a Store on db.
func NewStore(db *sqlx.DB) *Store { return &Store{db: db} }

// Modules lists the catalogue in its order; inactive modules only when all is set.
func (s *Store) Modules(ctx context.Context, all bool) ([]Module, error) {
	return Modules(ctx, s.db, all)
}

// Modules is Store.Modules for any connection or transaction.
func Modules(ctx context.Context, q sqlx.QueryerContext, all bool) ([]Module, error) {
	ms := []Module{}
	err := sqlx.SelectContext(ctx, q, &ms, `
		SELECT * FROM training_modules WHERE active OR $1
		ORDER BY kind = 'programme', position, id`, all)
	if err != nil {
		return nil, fmt.Errorf("training: modules: %w", err)
	}
	return ms, nil
}

// Module finds one module.
func (s *Store) Module(ctx context.Context, id int64) (Module, error) {
	var m Module
	err := s.db.GetContext(ctx, &m, `SELECT * FROM training_modules WHERE id = $1`, id)
	if err != nil {
		return Module{}, fmt.Errorf("training: module %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	return m, nil
}

// AddModule adds a module to the end of the catalogue.
func (s *Store) AddModule(ctx context.Context, a audit.Actor, m Module) (Module, error) {
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &m, `
			INSERT INTO training_modules (name_th, name_en, kind, required, validity_months, active, position)
			VALUES ($1, $2, $3, $4, $5, $6, (SELECT COALESCE(max(position), 0) + 1 FROM training_modules))
			RETURNING *`, m.NameTH, m.NameEN, m.Kind, m.Required, m.ValidityMonths, m.Active)
		if err != nil {
			return fmt.Errorf("training: add module: %w", err)
		}
		return audit.RecordDetails(ctx, tx, a, "training.module_add", moduleObject(m.ID), m.NameEN+describeRule(m), moduleDetails(m))
	})
	return m, err
}

// UpdateModule changes a module's names, kind, required flag, validity and activity.
func (s *Store) UpdateModule(ctx context.Context, a audit.Actor, m Module) (Module, error) {
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &m, `
			UPDATE training_modules SET name_th = $2, name_en = $3, kind = $4, required = $5, validity_months = $6, active = $7
			WHERE id = $1 RETURNING *`, m.ID, m.NameTH, m.NameEN, m.Kind, m.Required, m.ValidityMonths, m.Active)
		if err != nil {
			return fmt.Errorf("training: update module %d: %w", m.ID, pg.NotFound(err, ErrNotFound))
		}
		return audit.RecordDetails(ctx, tx, a, "training.module_update", moduleObject(m.ID), m.NameEN+describeRule(m), moduleDetails(m))
	})
	return m, err
}

func moduleObject(id int64) string { return "training_module:" + strconv.FormatInt(id, 10) }

// moduleDetails are a module's names and rules, for the audit trail's
// description in its reader's language.
func moduleDetails(m Module) audit.Details {
	d := audit.Details{"name_th": m.NameTH, "name_en": m.NameEN, "required": strconv.FormatBool(m.Required), "active": strconv.FormatBool(m.Active), "validity": "none"}
	if m.ValidityMonths != nil {
		d["validity"] = strconv.Itoa(*m.ValidityMonths)
	}
	return d
}

func describeRule(m Module) string {
	s := fmt.Sprintf(" (required=%t, active=%t, validity=", m.Required, m.Active)
	if m.ValidityMonths == nil {
		return s + "none)"
	}
	return s + strconv.Itoa(*m.ValidityMonths) + " months)"
}

// Record adds one completion for a participant, inside the caller's
// transaction (the caller records the audit event with the participant's code).
func Record(ctx context.Context, tx *sqlx.Tx, c Completion) (Completion, error) {
	err := tx.GetContext(ctx, &c, `
		INSERT INTO training_completions (participant_id, module_id, session_id, completed_on, passed, score, certificate_no, issuer, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		RETURNING *`, c.ParticipantID, c.ModuleID, c.SessionID, c.CompletedOn, c.Passed, c.Score, c.CertificateNo, c.Issuer, c.RecordedBy)
	if pg.Constraint(err) == "training_completions_module_id_fkey" {
		return Completion{}, fmt.Errorf("training: record: module %d: %w", c.ModuleID, ErrNotFound)
	}
	if pg.IsUnique(err, "training_completions_session_key") {
		return Completion{}, fmt.Errorf("training: record: %w", ErrDuplicate)
	}
	if err != nil {
		return Completion{}, fmt.Errorf("training: record: %w", err)
	}
	return c, nil
}

// StartClass records a class (its module, day, trainer and issuer) inside
// tx and returns its session id. The caller then records each attendee's
// completion with Record under that id, in the same transaction, having
// checked she may still be recorded (participants.Store.RecordClass).
func StartClass(ctx context.Context, tx *sqlx.Tx, a audit.Actor, cl Class) (int64, error) {
	var active bool
	if err := tx.GetContext(ctx, &active, `SELECT active FROM training_modules WHERE id = $1`, cl.ModuleID); err != nil {
		return 0, fmt.Errorf("training: class: module %d: %w", cl.ModuleID, pg.NotFound(err, ErrNotFound))
	}
	var sessionID int64
	err := tx.GetContext(ctx, &sessionID, `
		INSERT INTO training_sessions (module_id, session_on, trainer, issuer, recorded_by)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, cl.ModuleID, cl.SessionOn, cl.Trainer, cl.Issuer, a.User())
	if err != nil {
		return 0, fmt.Errorf("training: class: %w", err)
	}
	return sessionID, nil
}

// Completions lists a participant's completions, newest first.
func Completions(ctx context.Context, q sqlx.QueryerContext, participantID int64) ([]Completion, error) {
	cs := []Completion{}
	err := sqlx.SelectContext(ctx, q, &cs, `
		SELECT * FROM training_completions WHERE participant_id = $1
		ORDER BY completed_on DESC, id DESC`, participantID)
	if err != nil {
		return nil, fmt.Errorf("training: completions: %w", err)
	}
	return cs, nil
}

// CompletionsOf lists the completions of each of the participants, newest
// first, for reading many files at once (the participant list).
func CompletionsOf(ctx context.Context, q sqlx.QueryerContext, participantIDs []int64) (map[int64][]Completion, error) {
	var cs []Completion
	err := sqlx.SelectContext(ctx, q, &cs, `
		SELECT * FROM training_completions WHERE participant_id = ANY($1)
		ORDER BY participant_id, completed_on DESC, id DESC`, pq.Array(participantIDs))
	if err != nil {
		return nil, fmt.Errorf("training: completions: %w", err)
	}
	out := make(map[int64][]Completion, len(participantIDs))
	for _, c := range cs {
		out[c.ParticipantID] = append(out[c.ParticipantID], c)
	}
	return out, nil
}

// Expiring is a passed certificate that runs out soon.
type Expiring struct {
	ParticipantID int64     `db:"participant_id"`
	ModuleID      int64     `db:"module_id"`
	NameTH        string    `db:"name_th"`
	NameEN        string    `db:"name_en"`
	CompletedOn   time.Time `db:"completed_on"`
	ValidUntil    time.Time `db:"valid_until"`
}

// ModuleName is the module's name in lang.
func (e Expiring) ModuleName(lang string) string {
	if lang == "en" {
		return e.NameEN
	}
	return e.NameTH
}

// ExpiringWithin lists certificates whose latest pass stops counting
// between today and today+days, soonest first. A pass renewed since is not
// listed. Whose they are, and whether her file still counts, is the
// participants package's to say (participants.Store.ExpiringWithin).
func (s *Store) ExpiringWithin(ctx context.Context, today time.Time, days int) ([]Expiring, error) {
	return ExpiringWithin(ctx, s.db, today, days)
}

// ExpiringWithin is Store.ExpiringWithin read through q.
func ExpiringWithin(ctx context.Context, q sqlx.QueryerContext, today time.Time, days int) ([]Expiring, error) {
	es := []Expiring{}
	err := sqlx.SelectContext(ctx, q, &es, `
		WITH latest AS (
			SELECT DISTINCT ON (c.participant_id, c.module_id) c.participant_id, c.module_id, c.completed_on
			  FROM training_completions c
			 WHERE c.passed
			 ORDER BY c.participant_id, c.module_id, c.completed_on DESC
		)
		SELECT l.participant_id, m.id AS module_id, m.name_th, m.name_en, l.completed_on,
		       (l.completed_on + make_interval(months => m.validity_months))::date AS valid_until
		  FROM latest l
		  JOIN training_modules m ON m.id = l.module_id AND m.active AND m.validity_months IS NOT NULL
		 WHERE (l.completed_on + make_interval(months => m.validity_months))::date BETWEEN $1::date AND $1::date + $2::int
		 ORDER BY valid_until, l.participant_id, m.position`, today, days)
	if err != nil {
		return nil, fmt.Errorf("training: expiring: %w", err)
	}
	return es, nil
}
