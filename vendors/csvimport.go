package vendors

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/audit"
	"hawker/ledger"
	"hawker/money"
	"hawker/participants"
	"hawker/pg"
	"hawker/valid"
)

// CSV columns, in order. The fifth holds an expense's category or a sale's
// payment method; it is empty for a drawing.
var csvColumns = []string{"date", "participant", "kind", "amount", "category_or_method", "note"}

// MaxImportLines bounds one import.
const MaxImportLines = 50000

// LineError is one problem in an import: the line of the file (1 = the
// first line, the header if there is one), the column's name and a message key.
type LineError struct {
	Line   int    `json:"line"`
	Column string `json:"column"`
	Key    string `json:"-"`
}

// ImportError is an import refused as a whole: every problem found, in line
// order. Nothing was written.
type ImportError struct{ Lines []LineError }

func (e *ImportError) Error() string {
	return fmt.Sprintf("vendors: import refused: %d problems, the first on line %d", len(e.Lines), e.Lines[0].Line)
}

// ImportResult is what an import wrote.
type ImportResult struct {
	Entries      int
	Participants int
}

// importLine is a checked CSV line, ready to post.
type importLine struct {
	line  int
	entry Entry
	in    Input
}

// ParseCSV reads and checks a whole import without writing: every line's
// fields, the participant codes, closed months and lines imported before.
// It returns the entries (keys set) or an *ImportError naming every problem.
func (s *Store) ParseCSV(ctx context.Context, r io.Reader, today time.Time, by int64) ([]Entry, error) {
	lines, err := s.parseCSV(ctx, r, today, by)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(lines))
	for i, l := range lines {
		out[i] = l.entry
	}
	return out, nil
}

func (s *Store) parseCSV(ctx context.Context, r io.Reader, today time.Time, by int64) ([]importLine, error) {
	names := csvNames()
	if names.err != nil {
		return nil, fmt.Errorf("vendors: import: %w", names.err)
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	var errs []LineError
	fail := func(line int, column, key string) {
		errs = append(errs, LineError{Line: line, Column: column, Key: key})
	}
	type raw struct {
		line   int
		fields []string
	}
	var raws []raw
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				fail(pe.StartLine, columnAt(pe.Column), "vendor.csv_unreadable")
			} else {
				fail(0, "", "vendor.csv_unreadable")
			}
			return nil, &ImportError{Lines: errs}
		}
		line, _ := cr.FieldPos(0)
		if len(raws) == 0 && len(rec) > 0 && csvHeaders[normName(strings.TrimPrefix(rec[0], "\ufeff"))] {
			continue // the header
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		raws = append(raws, raw{line, rec})
		if len(raws) > MaxImportLines {
			fail(line, "", "vendor.csv_too_many")
			return nil, &ImportError{Lines: errs}
		}
	}
	if len(raws) == 0 {
		return nil, &ImportError{Lines: []LineError{{Line: 1, Column: "", Key: "vendor.csv_empty"}}}
	}

	// What the database knows: participants, the ceiling, closed months.
	codes := map[string]bool{}
	for _, rw := range raws {
		if len(rw.fields) > 1 {
			codes[strings.ToUpper(strings.TrimSpace(rw.fields[1]))] = true
		}
	}
	codeList := make([]string, 0, len(codes))
	for c := range codes {
		codeList = append(codeList, c)
	}
	people, err := participants.ByCodes(ctx, s.db, codeList)
	if err != nil {
		return nil, fmt.Errorf("vendors: import: %w", err)
	}
	ids := make([]int64, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	var held []struct {
		ParticipantID int64 `db:"participant_id"`
		Book          int64 `db:"book_id"`
	}
	if err := s.db.SelectContext(ctx, &held, `SELECT participant_id, book_id FROM vendor_books WHERE participant_id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("vendors: import: books: %w", err)
	}
	bookOf := map[int64]int64{}
	books := make([]int64, 0, len(held))
	for _, h := range held {
		bookOf[h.ParticipantID] = h.Book
		books = append(books, h.Book)
	}
	closed, err := s.ledger.LatestClosed(ctx, books)
	if err != nil {
		return nil, fmt.Errorf("vendors: import: %w", err)
	}
	type person struct {
		id     int64
		erased bool
		closed time.Time // the latest closed month of her book; zero: none
	}
	byCode := map[string]person{}
	for _, p := range people {
		pp := person{id: p.ID, erased: p.Erased()}
		if book, ok := bookOf[p.ID]; ok {
			pp.closed = closed[book]
		}
		byCode[p.Code] = pp
	}
	ceiling, err := s.Ceiling(ctx)
	if err != nil {
		return nil, err
	}

	lines := make([]importLine, 0, len(raws))
	seen := map[string]int{}
	for _, rw := range raws {
		f := rw.fields
		if splitAmount(f) {
			// 1,250.50 unquoted: the comma split the amount; say so on the amount.
			fail(rw.line, "amount", "vendor.csv_amount_comma")
			continue
		}
		if len(f) < 5 || len(f) > len(csvColumns) {
			fail(rw.line, "", "vendor.csv_columns")
			continue
		}
		for len(f) < len(csvColumns) {
			f = append(f, "")
		}
		amount := strings.TrimSpace(f[3])
		if a, err := money.ParseGrouped(amount); err == nil {
			amount = a.String() // "1,250.50", quoted, is one field
		}
		in := Input{Date: csvDate(f[0]), Participant: strings.ToUpper(strings.TrimSpace(f[1])), Kind: code(names.kinds, f[2]), Amount: money.Text(amount), Note: f[5]}
		switch Kind(strings.TrimSpace(in.Kind)) {
		case Sale:
			in.Method = code(names.methods, f[4])
		case Expense:
			in.Category = code(names.categories, f[4])
		default:
			in.Category = f[4] // a drawing has none: any value is reported
		}
		lineErrs := 0
		p, ok := byCode[in.Participant]
		switch {
		case in.Participant == "":
			fail(rw.line, "participant", "vendor.participant_required")
			lineErrs++
		case !ok:
			fail(rw.line, "participant", "vendor.participant_unknown")
			lineErrs++
		case p.erased:
			fail(rw.line, "participant", "vendor.participant_erased")
			lineErrs++
		}
		e, err := in.Check(today, ceiling)
		var fields valid.Errors
		if errors.As(err, &fields) {
			for _, col := range []string{"date", "kind", "amount", "category", "method", "note"} {
				if key, bad := fields[col]; bad {
					name := col
					if col == "category" || col == "method" {
						name = "category_or_method"
					}
					fail(rw.line, name, key)
					lineErrs++
				}
			}
		} else if err != nil {
			return nil, err
		}
		if lineErrs > 0 {
			continue
		}
		if ledger.Closed(e.Date, p.closed) {
			fail(rw.line, "date", "vendor.date_closed")
			continue
		}
		e.ParticipantID, e.Code, e.RecordedBy, e.OnBehalf = p.id, in.Participant, by, true
		// A line's key is its content and how many identical lines came
		// before it in the file: the same file imported twice is refused,
		// and two identical lines in one file are two entries.
		content := strings.Join([]string{e.Code, e.Date.Format(time.DateOnly), string(e.Kind), e.Amount.String(),
			string(e.Category) + string(e.Method), e.Note}, "\x1f")
		seen[content]++
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x1f%d", content, seen[content])))
		e.Key = "csv:" + hex.EncodeToString(sum[:16])
		e.hash = requestHash(e.ParticipantID, in)
		lines = append(lines, importLine{line: rw.line, entry: e, in: in})
	}

	// Lines imported before.
	if len(lines) > 0 {
		keys := make([]string, len(lines))
		for i, l := range lines {
			keys[i] = l.entry.Key
		}
		var taken []string
		if err := s.db.SelectContext(ctx, &taken, `SELECT idempotency_key FROM vendor_entries WHERE idempotency_key = ANY($1)`, pq.Array(keys)); err != nil {
			return nil, fmt.Errorf("vendors: import: keys: %w", err)
		}
		if len(taken) > 0 {
			t := map[string]bool{}
			for _, k := range taken {
				t[k] = true
			}
			for _, l := range lines {
				if t[l.entry.Key] {
					fail(l.line, "", "vendor.csv_already_imported")
				}
			}
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
		return nil, &ImportError{Lines: errs}
	}
	return lines, nil
}

// columnAt names the column at a 1-based position.
func columnAt(pos int) string {
	if pos >= 1 && pos <= len(csvColumns) {
		return csvColumns[pos-1]
	}
	return ""
}

// beDate turns a Buddhist Era date (2569-03-14, as Thai paper forms have
// it) into the Common Era one; other text passes unchanged.
func beDate(s string) string {
	if len(s) == 10 && s[4] == '-' && s[:2] >= "24" && s[:2] <= "26" {
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t.AddDate(-543, 0, 0).Format(time.DateOnly)
		}
	}
	return s
}

// Import checks a whole CSV file of paper-form entries and, only when every
// line is valid, writes them all in one transaction through the ledger's bulk
// path; otherwise it returns an *ImportError and writes nothing. Each entry is
// marked as recorded on the vendor's behalf by user by.
func (s *Store) Import(ctx context.Context, a audit.Actor, r io.Reader, today time.Time, by int64) (ImportResult, error) {
	lines, err := s.parseCSV(ctx, r, today, by)
	if err != nil {
		return ImportResult{}, err
	}
	entries := make([]Entry, len(lines))
	for i, l := range lines {
		entries[i] = l.entry
	}
	res, err := s.RecordBulk(ctx, entries, func(ctx context.Context, tx *sqlx.Tx, res ImportResult) error {
		return audit.RecordDetails(ctx, tx, a, "vendor.entries.import", "vendors:import",
			fmt.Sprintf("%d entries for %d vendors imported from a CSV file", res.Entries, res.Participants),
			audit.Details{"entries": strconv.Itoa(res.Entries), "vendors": strconv.Itoa(res.Participants)})
	})
	if errors.Is(err, ledger.ErrIdempotencyConflict) || pg.IsUnique(err, "vendor_entries_idempotency_key") {
		// Imported concurrently by someone else between the check and now.
		return ImportResult{}, &ImportError{Lines: []LineError{{Line: 1, Key: "vendor.csv_already_imported"}}}
	}
	return res, err
}

// RecordBulk writes many checked entries (each with its key) in one
// transaction: the books they need, the ledger entries through its COPY path,
// then their vendor_entries rows by COPY. then, when given, runs in the same
// transaction before it commits. All or nothing. Used by imports and the demo.
func (s *Store) RecordBulk(ctx context.Context, entries []Entry, then func(context.Context, *sqlx.Tx, ImportResult) error) (ImportResult, error) {
	if len(entries) == 0 {
		return ImportResult{}, nil
	}
	var res ImportResult
	err := pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		books := map[int64]int64{}
		pids := []int64{}
		for _, e := range entries {
			if _, ok := books[e.ParticipantID]; !ok {
				b, err := s.bookTx(ctx, tx, e.ParticipantID, e.Code)
				if err != nil {
					return err
				}
				books[e.ParticipantID] = b
				pids = append(pids, e.ParticipantID)
			}
		}
		ps := make([]ledger.Posting, len(entries))
		for i, e := range entries {
			if e.Key == "" {
				return fmt.Errorf("vendors: bulk entry %d: %w", i+1, ErrNoKey)
			}
			ps[i] = e.posting(books[e.ParticipantID])
		}
		posted, err := s.ledger.In(tx).Bulk(ctx, ps)
		if err != nil {
			return fmt.Errorf("vendors: bulk: %w", err)
		}
		stmt, err := tx.PrepareContext(ctx, pq.CopyIn("vendor_entries", "entry_id", "participant_id", "business_date", "kind",
			"amount", "category", "method", "note", "on_behalf", "recorded_by", "idempotency_key", "request_hash", "booked_on"))
		if err != nil {
			return fmt.Errorf("vendors: bulk: %w", err)
		}
		defer stmt.Close()
		for i, e := range entries {
			var category, method, by, booked any
			if e.Category != "" {
				category = string(e.Category)
			}
			if e.Method != "" {
				method = string(e.Method)
			}
			if e.RecordedBy != 0 {
				by = e.RecordedBy
			}
			if !e.BookedOn.IsZero() {
				booked = e.BookedOn.Format(time.DateOnly)
			}
			hash := e.hash
			if hash == nil {
				hash = requestHash(e.ParticipantID, e.input())
			}
			if _, err := stmt.ExecContext(ctx, posted.IDs[i], e.ParticipantID, e.Date.Format(time.DateOnly), string(e.Kind),
				e.Amount.String(), category, method, e.Note, e.OnBehalf, by, e.Key, hash, booked); err != nil {
				return fmt.Errorf("vendors: bulk: %w", err)
			}
		}
		if _, err := stmt.ExecContext(ctx); err != nil {
			return fmt.Errorf("vendors: bulk: %w", err)
		}
		res = ImportResult{Entries: len(entries), Participants: len(pids)}
		if then != nil {
			return then(ctx, tx, res)
		}
		return nil
	})
	return res, err
}

// input is the request an entry answers, for its hash.
func (e Entry) input() Input {
	return Input{Date: e.Date.Format(time.DateOnly), Kind: string(e.Kind), Amount: money.Text(e.Amount.String()),
		Category: string(e.Category), Method: string(e.Method), Note: e.Note}
}

// NewEntry builds a checked entry directly, for programs that make entries
// rather than receive them (the demo, benchmarks). It applies the same rules
// as a client's request, against the default ceiling.
func NewEntry(participantID int64, code string, date time.Time, kind Kind, amount money.Amount, what, note, key string) (Entry, error) {
	in := Input{Date: date.Format(time.DateOnly), Kind: string(kind), Amount: money.Text(amount.String()), Note: note}
	switch kind {
	case Sale:
		in.Method = what
	case Expense:
		in.Category = what
	}
	e, err := in.Check(date, DefaultCeiling)
	if err != nil {
		return Entry{}, err
	}
	e.ParticipantID, e.Code, e.Key = participantID, code, key
	e.hash = requestHash(participantID, in)
	return e, nil
}
