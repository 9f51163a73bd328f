package participants

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"

	"hawker/pg"
)

// PersonalData is what a package that keeps a participant's personal data
// in its own tables gives this one, so that her rights of access and
// erasure (PDPA sections 30–33) reach that data without this package
// naming the tables: users (her logins), vendors (her PromptPay id and her
// books), and so on. Each method runs inside the export's or the erasure's
// transaction, which holds her file locked.
//
// A package joins by implementing PersonalData (on its store, say) and by
// being named once where the application builds the participants store:
//
//	participants.NewStore(db, usersStore, vendorsStore, grantsStore)
//
// The holders are passed explicitly, in that one place (app.New); there is
// no registry filled by init functions. A test in app compares the tables
// that refer to participants with those the holders name, so a new table
// holding a participant's data fails the build's tests until its package
// is wired.
type PersonalData interface {
	// ExportPersonal returns the package's sections of her export, keyed by
	// their name in the JSON document ("logins", "promptpay"). A section
	// with nothing in it is still present: an empty list, or null.
	ExportPersonal(ctx context.Context, tx *sqlx.Tx, participantID int64) (map[string]any, error)
	// ErasePersonal erases or anonymises what identifies her in the
	// package's tables; figures stay, under her code. It returns what it
	// erased, in a few words for the audit trail ("PromptPay id"), or ""
	// when it held nothing to erase.
	ErasePersonal(ctx context.Context, tx *sqlx.Tx, participantID int64) (string, error)
	// PersonalTables names the package's tables that refer to a participant.
	PersonalTables() []string
}

// CoveredTables are the tables whose rows about a participant this
// package's own part of Export and Erase covers: its tables (her file, her
// consents, her plans), and her training record, which it reads through
// the training package's functions and which erasure keeps (results, not
// identity). Every other table that refers to a participant belongs to a
// PersonalData holder.
var CoveredTables = []string{"participants", "consents", "plans", "plan_items", "training_completions"}

// exportKeys are the top-level names of the export that this package fills;
// no holder may use them.
var exportKeys = []string{"format", "exported_at", "participant", "consents", "training", "plans", "eligibility"}

// Sections are the parts of an export that other packages fill, by name.
type Sections map[string]any

// MarshalJSON writes the export as one flat JSON object: this package's
// fields first, then each holder's sections, in the order the holders were
// given (and so the same in every export).
func (x Export) MarshalJSON() ([]byte, error) {
	type plain Export
	base, err := json.Marshal(plain(x))
	if err != nil {
		return nil, err
	}
	if len(x.Sections) == 0 {
		return base, nil
	}
	out := append([]byte(nil), base[:len(base)-1]...)
	for _, k := range x.order {
		v, err := json.Marshal(x.Sections[k])
		if err != nil {
			return nil, fmt.Errorf("participants: export section %s: %w", k, err)
		}
		name, _ := json.Marshal(k)
		out = append(out, ',')
		out = append(out, name...)
		out = append(out, ':')
		out = append(out, v...)
	}
	return append(out, '}'), nil
}

// exportHeld adds every holder's sections to x, inside tx.
func (s *Store) exportHeld(ctx context.Context, tx *sqlx.Tx, p Participant, x *Export) error {
	x.Sections = Sections{}
	for _, h := range s.holders {
		secs, err := h.ExportPersonal(ctx, tx, p.ID)
		if err != nil {
			return fmt.Errorf("participants: export %s: %w", p.Code, err)
		}
		keys := make([]string, 0, len(secs))
		for k := range secs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if _, dup := x.Sections[k]; dup || slices.Contains(exportKeys, k) {
				return fmt.Errorf("participants: export %s: section %q is filled twice", p.Code, k)
			}
			x.Sections[k] = secs[k]
			x.order = append(x.order, k)
		}
	}
	return nil
}

// eraseHeld has every holder erase what identifies p, inside tx, and
// returns what they erased.
func (s *Store) eraseHeld(ctx context.Context, tx *sqlx.Tx, p Participant) ([]string, error) {
	var erased []string
	for _, h := range s.holders {
		what, err := h.ErasePersonal(ctx, tx, p.ID)
		if err != nil {
			return nil, fmt.Errorf("participants: erase %s: %w", p.Code, err)
		}
		if what != "" {
			erased = append(erased, what)
		}
	}
	return erased, nil
}

// LockLive reads participant id's file inside tx and locks it against
// erasure until tx ends. A package that is about to store personal data
// about her (a PromptPay id, bank details) calls it first: an erased file
// takes no new personal data (ErrErased), and an erasure waits for tx.
func LockLive(ctx context.Context, tx *sqlx.Tx, id int64) (Participant, error) {
	var p Participant
	if err := tx.GetContext(ctx, &p, `SELECT * FROM participants WHERE id = $1 FOR SHARE`, id); err != nil {
		return Participant{}, fmt.Errorf("participants: id %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	if p.Erased() {
		return Participant{}, fmt.Errorf("participants: %s: %w", p.Code, ErrErased)
	}
	return p, nil
}
