package reports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"hawker/ledger"
	"hawker/vendors"
)

// KindStatements is the job kind that prints every vendor's statement for
// a month.
const KindStatements = "statements"

// BulkParams are a statements job's parameters. With Out set, the files go
// to that folder (the CLI); without, they are kept in the database for the
// officers' ZIP.
type BulkParams struct {
	Month       string `json:"month"`                 // YYYY-MM
	Participant string `json:"participant,omitempty"` // one vendor's code, or every vendor
	Out         string `json:"out,omitempty"`
	Lang        string `json:"lang,omitempty"` // th or en; empty: each vendor's own language
}

// FileNames are a statement's file names: <CODE>-<YYYY-MM>.pdf and .csv.
func FileNames(code string, month time.Time) (pdf, csv string) {
	n := StatementNumber(code, month)
	return n + ".pdf", n + ".csv"
}

// Bulk prints statements as jobs of the queue.
type Bulk struct {
	store *Store
	// Workers is how many statements are made at once: every core.
	Workers int
	// Now is the clock (tests fix it).
	Now func() time.Time
}

// NewBulk registers the statements job's handler with q.
func NewBulk(s *Store, q *Queue) *Bulk {
	b := &Bulk{store: s, Workers: runtime.GOMAXPROCS(0), Now: time.Now}
	q.Handle(KindStatements, b.run)
	return b
}

func (b *Bulk) run(ctx context.Context, r *Run) error {
	var p BulkParams
	if err := json.Unmarshal(r.Params, &p); err != nil {
		return fmt.Errorf("reports: statements job %d: params: %w", r.ID, err)
	}
	month, err := ledger.ParseMonth(p.Month)
	if err != nil {
		return fmt.Errorf("reports: statements job %d: month %q: %w", r.ID, p.Month, err)
	}
	holders, err := b.store.vendors.Holders(ctx)
	if err != nil {
		return err
	}
	if p.Participant != "" {
		var one []vendors.Holder
		for _, h := range holders {
			if h.Code == p.Participant {
				one = append(one, h)
			}
		}
		if len(one) == 0 {
			return fmt.Errorf("reports: statements of %s: %w", p.Participant, ErrNotFound)
		}
		holders = one
	}
	if p.Out != "" {
		if err := os.MkdirAll(p.Out, 0o755); err != nil {
			return fmt.Errorf("reports: statements job %d: %w", r.ID, err)
		}
	}
	if err := r.SetTotal(ctx, len(holders)); err != nil {
		return err
	}
	work := make(chan vendors.Holder)
	errs := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range max(b.Workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range work {
				if err := b.one(ctx, r, p, month, h); err != nil {
					select {
					case errs <- err:
					default:
					}
					cancel()
				}
			}
		}()
	}
	for _, h := range holders {
		if r.Finished(h.Code) && (p.Out == "" || filesExist(p.Out, h.Code, month)) {
			continue
		}
		select {
		case work <- h:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return ctx.Err()
	}
}

func filesExist(dir, code string, month time.Time) bool {
	pdf, csv := FileNames(code, month)
	for _, n := range []string{pdf, csv} {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			return false
		}
	}
	return true
}

// one prints a vendor's statement and records it done.
func (b *Bulk) one(ctx context.Context, r *Run, p BulkParams, month time.Time, h vendors.Holder) error {
	pt, err := b.store.participants.ByID(ctx, h.ParticipantID)
	if err != nil {
		return err
	}
	st, err := b.store.statementOf(ctx, pt, month)
	if err != nil {
		return err
	}
	lang := p.Lang
	if lang == "" {
		lang = pt.Language
	}
	doc, err := b.store.print(ctx, st, lang, b.Now())
	if err != nil {
		return err
	}
	pdfName, csvName := FileNames(h.Code, month)
	if p.Out == "" {
		return r.ItemDone(ctx, h.Code, map[string][]byte{pdfName: doc.PDF, csvName: doc.CSV})
	}
	for name, content := range map[string][]byte{pdfName: doc.PDF, csvName: doc.CSV} {
		if err := writeFileAtomic(filepath.Join(p.Out, name), content); err != nil {
			return err
		}
	}
	return r.ItemDone(ctx, h.Code, nil)
}

// writeFileAtomic writes through a temporary file and a rename, so that a
// killed run leaves either the whole file or none.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	return nil
}

// TuneGC sets the garbage collector of a process that prints statements in
// bulk (the statements command, the benchmark): each PDF allocates about
// 14 MB of short-lived buffers (gofpdf's font subsetting and compression),
// so collecting at 400% instead of 100% saves about a quarter of the CPU
// time, and the soft limit keeps the peak well under 200 MB whatever the
// number of vendors. A serve process keeps the defaults.
func TuneGC() {
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(160 << 20)
}
