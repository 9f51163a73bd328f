// Package donors owns the companies and foundations that fund the
// programme. A donor user sees only their own donor's funds and reports; the
// grants issue adds funds, receipts and reports to what is here.
//
// It owns the donors and donor_contacts tables. It imports audit, pg and valid.
package donors

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
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
		return audit.RecordDetails(ctx, tx, a, "donor.add", fmt.Sprintf("donor:%d", d.ID), "name="+d.Name, audit.Details{"name": d.Name})
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

// ErrContactExists means the donor already has a report contact at that
// address.
var ErrContactExists = valid.NewError("donors: contact exists", "donor.contact_exists")

// emailPattern is the shape of a contact's address, the same as the
// database's donor_contacts_email_check: one @, a dot after it, no spaces
// or characters that would break a mail header.
var emailPattern = regexp.MustCompile(`^[^@\s<>",;]+@[^@\s<>",;]+\.[^@\s<>",;]+$`)

// Contact is a person at a donor who receives its monthly impact report by
// e-mail: a staff member of the donor, not a participant. Only the address
// and the report's language are kept.
type Contact struct {
	ID        int64     `db:"id"`
	DonorID   int64     `db:"donor_id"`
	Email     string    `db:"email"`
	Language  string    `db:"language"` // th or en: the PDF's language
	CreatedAt time.Time `db:"created_at"`
}

// NewContact is what adding a report contact needs.
type NewContact struct {
	Email    string
	Language string
}

// Validate checks a new contact's fields.
func (n NewContact) Validate() error {
	errs := valid.Errors{}
	switch e := strings.TrimSpace(n.Email); {
	case e == "":
		errs.Add("email", "donor.email_required")
	case len(e) > 254 || !emailPattern.MatchString(e):
		errs.Add("email", "donor.email_bad")
	}
	if n.Language != "th" && n.Language != "en" {
		errs.Add("language", "donor.language_bad")
	}
	return errs.Err()
}

// AddContact adds a report contact to a donor and records who did it (the
// audit trail names the contact by id, not by address).
func (s *Store) AddContact(ctx context.Context, a audit.Actor, donor int64, n NewContact) (Contact, error) {
	if err := n.Validate(); err != nil {
		return Contact{}, err
	}
	if _, err := s.ByID(ctx, donor); err != nil {
		return Contact{}, err
	}
	var c Contact
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &c, `INSERT INTO donor_contacts (donor_id, email, language) VALUES ($1, $2, $3) RETURNING *`,
			donor, strings.TrimSpace(n.Email), n.Language)
		if pg.IsUnique(err, "donor_contacts_donor_email_key") {
			return ErrContactExists
		}
		if err != nil {
			return fmt.Errorf("donors: add contact: %w", err)
		}
		return audit.RecordDetails(ctx, tx, a, "donor.contact_add", fmt.Sprintf("donor:%d", donor), fmt.Sprintf("contact=%d language=%s", c.ID, c.Language),
			audit.Details{"contact": strconv.FormatInt(c.ID, 10), "lang": c.Language})
	})
	if err != nil {
		return Contact{}, err
	}
	return c, nil
}

// RemoveContact deletes a donor's report contact: her address is gone from
// the donor's list (messages already sent keep the address they went to).
func (s *Store) RemoveContact(ctx context.Context, a audit.Actor, donor, id int64) error {
	return pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM donor_contacts WHERE id = $1 AND donor_id = $2`, id, donor)
		if err != nil {
			return fmt.Errorf("donors: remove contact %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("donors: remove contact %d: %w", id, ErrNotFound)
		}
		return audit.RecordDetails(ctx, tx, a, "donor.contact_remove", fmt.Sprintf("donor:%d", donor), fmt.Sprintf("contact=%d", id),
			audit.Details{"contact": strconv.FormatInt(id, 10)})
	})
}

// Contacts lists a donor's report contacts, oldest first.
func (s *Store) Contacts(ctx context.Context, donor int64) ([]Contact, error) {
	cs := []Contact{}
	if err := s.db.SelectContext(ctx, &cs, `SELECT * FROM donor_contacts WHERE donor_id = $1 ORDER BY id`, donor); err != nil {
		return nil, fmt.Errorf("donors: contacts of %d: %w", donor, err)
	}
	return cs, nil
}
