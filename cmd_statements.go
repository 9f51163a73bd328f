package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/term"

	"hawker/ledger"
	"hawker/reports"
	"hawker/vendors"
)

const statementsUsage = `Usage:
  hawker statements --month YYYY-MM --out DIR [--participant CODE] [--lang th|en]
        write each vendor's statement as DIR/<CODE>-<YYYY-MM>.pdf and .csv
  hawker statements verify FILE.pdf
        check a statement's fingerprint against the ledger; exit 1 when it does not match
`

func runStatements(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "verify" {
		return runStatementsVerify(ctx, e, args[1:])
	}
	fs := newFlags(e, "statements", strings.TrimPrefix(statementsUsage, "Usage:\n  hawker "))
	month := fs.String("month", "", "the month, YYYY-MM")
	out := fs.String("out", "", "the folder to write into (made if missing)")
	participant := fs.String("participant", "", "one vendor's code (default: every vendor with books)")
	lang := fs.String("lang", "", "th or en (default: each vendor's own language)")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *month == "":
		return usageErr("statements: --month YYYY-MM is required")
	case *out == "":
		return usageErr("statements: --out DIR is required")
	case *lang != "" && *lang != "th" && *lang != "en":
		return usageErr("statements: --lang must be th or en")
	}
	m, err := ledger.ParseMonth(*month)
	if err != nil {
		return usageErr("statements: --month %q is not YYYY-MM", *month)
	}
	dir, err := absDir(*out)
	if err != nil {
		return err
	}
	return e.withDB(ctx, func(db *sqlx.DB) error {
		reports.TuneGC()
		store, closeRead, err := e.reportsStore(ctx, db)
		if err != nil {
			return err
		}
		defer closeRead()
		if err := reports.CheckMonth(m, time.Now()); err != nil {
			return err
		}
		q := reports.NewQueue(db)
		q.Log = e.log
		// This process beats often, so that a re-run after a kill takes the
		// job up again within seconds.
		q.Beat, q.StaleAfter = time.Second, 5*time.Second
		reports.NewBulk(store, q)
		params := reports.BulkParams{Month: m.Format("2006-01"), Participant: *participant, Out: dir, Lang: *lang}
		job, resumed, err := q.Unfinished(ctx, reports.KindStatements, params)
		if err != nil {
			return err
		}
		if !resumed {
			if job, err = q.EnqueuePinned(ctx, reports.KindStatements, params, 0); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(e.stderr, "statements: resuming job %d (%d of %d done)\n", job.ID, job.Done, job.Total)
		}
		bar := newProgress(e.stderr)
		var done reports.Job
		for {
			var ok bool
			done, ok, err = q.Execute(ctx, job.ID, bar.show)
			if ok || err != nil {
				break
			}
			// An earlier run still holds it (killed moments ago): wait for its
			// heartbeat to go stale.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Second):
			}
		}
		bar.end()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "statements: %d statements for %s in %s (job %d)\n", done.Total, params.Month, dir, done.ID)
		return nil
	})
}

// absDir is dir made absolute, so that a resumed run finds its job.
func absDir(dir string) (string, error) {
	if strings.HasPrefix(dir, "/") {
		return strings.TrimRight(dir, "/"), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return strings.TrimRight(wd+"/"+strings.TrimPrefix(dir, "./"), "/"), nil
}

func runStatementsVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "statements verify", "statements verify FILE.pdf\n\nChecks a statement against the ledger: its fingerprint, and for a closed month\nthat the file is the issued document byte for byte. Exit status 1 when it does not match.")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageErr("%v", err)
	}
	if fs.NArg() != 1 {
		return usageErr("statements verify: expected one FILE.pdf")
	}
	pdf, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("statements verify: %w", err)
	}
	return e.withDB(ctx, func(db *sqlx.DB) error {
		v, err := reports.NewStore(db, vendors.NewStore(db), e.cfg.PublicURL).Verify(ctx, pdf, time.Now())
		if err != nil {
			if errors.Is(err, reports.ErrNotStatement) {
				return fmt.Errorf("statements verify: %s is not a Hawker statement", fs.Arg(0))
			}
			return err
		}
		fmt.Fprintf(e.stdout, "statements verify: %s\n", v)
		if !v.OK() {
			return fmt.Errorf("statements verify: %s does not match the ledger", fs.Arg(0))
		}
		return nil
	})
}

// progress is a bar on a terminal, and a line per tenth elsewhere.
type progress struct {
	what     string // what is counted: "statements"
	w        io.Writer
	terminal bool
	mu       sync.Mutex
	last     int
	shown    bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{what: "statements", w: w, last: -1}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.terminal = true
	}
	return p
}

func (p *progress) show(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if total == 0 {
		return
	}
	pct := done * 100 / total
	if p.terminal {
		const width = 30
		fill := done * width / total
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d %s %3d%%", strings.Repeat("#", fill), strings.Repeat(".", width-fill), done, total, p.what, pct)
		p.shown = true
		return
	}
	if tenth := pct / 10; tenth != p.last {
		p.last = tenth
		fmt.Fprintf(p.w, "%s: %d/%d (%d%%)\n", p.what, done, total, pct)
	}
}

func (p *progress) end() {
	if p.terminal && p.shown {
		fmt.Fprintln(p.w)
	}
}
