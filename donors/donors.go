// Package donors owns the companies and foundations that fund the
// programme. A donor user sees only their own donor's funds and reports; the
// grants issue adds funds, receipts and reports to what is here.
//
// It owns the donors table. It imports audit, pg and valid.
package donors

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/pg"
	"hawker/valid"
)

// ErrNotFound means there is no such donor.
var ErrNotFound = valid.NewError("donors: not found", "error.not_found")

// Donor is one funder.
type Donor struct {
	ID        int64     `db:"id"`
	Name      string    `db:"name"`
	CreatedAt time.Time `db:"created_at"`
}

// New is what adding a donor needs.
type New struct {
	Name string
}

// Validate checks a new donor's fields.
func (n New) Validate() error {
	errs := valid.Errors{}
	switch name := strings.TrimSpace(n.Name); {
	case name == "":
		errs.Add("name", "donor.name_required")
	case utf8.RuneCountInString(name) > 200:
		errs.Add("name", "donor.name_long")
	}
	return errs.Err()
}

// Store reads and writes donors.
type Store struct{ db *sqlx.DB }

// NewStore returns a Store on db.
func NewStore(db *sqlx.DB) *Store { return &Store{db: db} }

// Add creates a donor and records who did it.
func (s *Store) Add(ctx context.Context, a audit.Actor, n New) (Donor, error) {
	if err := n.Validate(); err != nil {
		return Donor{}, err
	}
	var d Donor
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if err := tx.GetContext(ctx, &d, `INSERT INTO donors (name) VALUES ($1) RETURNING *`, strings.TrimSpace(n.Name)); err != nil {
			return fmt.Errorf("donors: add: %w", err)
		}
		return audit.Record(ctx, tx, a, "donor.add", fmt.Sprintf("donor:%d", d.ID), "name="+d.Name)
	})
	if err != nil {
		return Donor{}, err
	}
	return d, nil
}

// ByID finds a donor.
func (s *Store) ByID(ctx context.Context, id int64) (Donor, error) {
	var d Donor
	if err := s.db.GetContext(ctx, &d, `SELECT * FROM donors WHERE id = $1`, id); err != nil {
		return Donor{}, fmt.Errorf("donors: by id %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	return d, nil
}

// List returns every donor by name.
func (s *Store) List(ctx context.Context) ([]Donor, error) {
	var ds []Donor
	if err := s.db.SelectContext(ctx, &ds, `SELECT * FROM donors ORDER BY name, id`); err != nil {
		return nil, fmt.Errorf("donors: list: %w", err)
	}
	return ds, nil
}
