package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/demo"
	"hawker/pg"
)

// demoPassword is the demo logins' password unless --password says otherwise.
const demoPassword = "hawker-demo"

func runSeed(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "seed", "seed --demo [--password P] | seed --scale --vendors N --months M\n\n"+
		"--demo fills an empty database with a realistic demo programme and prints the logins.\n"+
		"--scale fills an empty database with a synthetic programme of N vendors over M months, for benchmarks.")
	isDemo := fs.Bool("demo", false, "load the demo programme")
	isScale := fs.Bool("scale", false, "load a synthetic programme of --vendors over --months")
	nVendors := fs.Int("vendors", 10000, "with --scale: how many vendors")
	nMonths := fs.Int("months", 24, "with --scale: how many months of trading, up to last month")
	workers := fs.Int("workers", 4, "with --scale: loaders at once (twice as many batches in flight)")
	password := fs.String("password", demoPassword, "password for every demo login")
	ifEmpty := fs.Bool("if-empty", false, "do nothing, successfully, when the database already holds a programme")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *isScale && !*isDemo {
		if *nVendors < 1 || *nMonths < 1 || *workers < 1 {
			return usageErr("seed: --vendors, --months and --workers must be at least 1")
		}
		return e.withSchema(ctx, func(*sqlx.DB) error {
			// A bulk load commits without waiting for the disk: if the
			// machine fails half-way, the seed is run again on a new
			// database anyway (the database stays consistent either way).
			db, err := pg.Open(ctx, pg.WithParam(e.cfg.DatabaseURL, "synchronous_commit", "off"))
			if err != nil {
				return err
			}
			defer db.Close()
			return seedScale(ctx, e, db, demo.ScaleOptions{Vendors: *nVendors, Months: *nMonths, Workers: *workers, Password: *password})
		})
	}
	if !*isDemo || *isScale {
		return usageErr("seed: say --demo or --scale")
	}
	return e.withSchema(ctx, func(db *sqlx.DB) error {
		logins, err := demo.Seed(ctx, db, demo.Options{Password: *password})
		if errors.Is(err, demo.ErrNotEmpty) && *ifEmpty {
			fmt.Fprintf(e.stdout, "The database already holds a programme; demo not loaded again.\nIf it is the demo, sign in as admin, officer, officer2, manager, donor or vendor1…vendor5 with password %q.\n", *password)
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Demo programme loaded. Sign in at %s with password %q:\n", siteURL(e.cfg.Addr), *password)
		w := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		for _, l := range logins {
			fmt.Fprintf(w, "  %s\t%s\t%s\n", l.Login, l.Role, l.Name)
		}
		return w.Flush()
	})
}

// seedScale loads the scale programme with a progress line of its stages
// (the loaders run them at once, a batch of vendors each) and prints what it
// wrote and how long it took.
func seedScale(ctx context.Context, e *env, db *sqlx.DB, o demo.ScaleOptions) error {
	bar := newStagesBar(e.stderr)
	o.Progress = bar.show
	// The loaders' heap is a batch's month of entries at a time, a few tens
	// of megabytes: collected at the default pace, the garbage collector
	// took about a tenth of the seed's own CPU (a CPU profile at 10,000 ×
	// 24), CPU the database's backends need on a two-core machine.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	start := time.Now()
	res, err := demo.SeedScale(ctx, db, o)
	bar.end()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Scale programme loaded in %s: %d participants, %d grants, %d entries (%d booked late) from %s to %s, every month closed; %d businesses closed.\n",
		time.Since(start).Round(time.Second), res.Participants, res.Grants, res.Entries, res.Late,
		res.From.Format("2006-01"), res.To.Format("2006-01"), res.Closed)
	fmt.Fprintf(e.stdout, "Staff logins (password %q):", o.Password)
	for _, l := range res.Logins {
		fmt.Fprintf(e.stdout, " %s", l.Login)
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// siteURL is where a person on this machine reaches a server listening on
// addr (":8080" → http://localhost:8080).
func siteURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// stagesBar shows the progress of stages that run at once: on a terminal
// one line with every stage's count and a bar for the last stage begun,
// elsewhere a line per stage and tenth; each stage's end is a line of its
// own with the time since the start.
type stagesBar struct {
	w        io.Writer
	terminal bool
	start    time.Time
	stages   []string
	done     map[string][2]int // done, total
	tenth    map[string]int
	shown    bool
}

func newStagesBar(w io.Writer) *stagesBar {
	return &stagesBar{w: w, terminal: newProgress(w).terminal, start: time.Now(), done: map[string][2]int{}, tenth: map[string]int{}}
}

// show is told one stage's progress; calls come one at a time.
func (b *stagesBar) show(stage string, done, total int) {
	if _, ok := b.done[stage]; !ok {
		b.stages = append(b.stages, stage)
		b.tenth[stage] = -1
	}
	b.done[stage] = [2]int{done, total}
	if total <= 0 {
		return
	}
	if done == total {
		b.clear()
		fmt.Fprintf(b.w, "%s: %d done in %s\n", stage, total, time.Since(b.start).Round(time.Second))
	} else if !b.terminal {
		if t := done * 10 / total; t != b.tenth[stage] {
			b.tenth[stage] = t
			fmt.Fprintf(b.w, "%s: %d/%d (%d%%)\n", stage, done, total, done*100/total)
		}
		return
	}
	if !b.terminal {
		return
	}
	var parts []string
	for _, st := range b.stages {
		if d := b.done[st]; d[0] < d[1] {
			parts = append(parts, fmt.Sprintf("%s %d/%d", st, d[0], d[1]))
		}
	}
	if len(parts) == 0 {
		return
	}
	const width = 30
	last := b.done[b.stages[len(b.stages)-1]]
	fill := 0
	if last[1] > 0 {
		fill = min(last[0]*width/last[1], width)
	}
	fmt.Fprintf(b.w, "\r[%s%s] %s %s\x1b[K", strings.Repeat("#", fill), strings.Repeat(".", width-fill), strings.Join(parts, " · "),
		time.Since(b.start).Round(time.Second))
	b.shown = true
}

// clear takes the bar off the terminal's line.
func (b *stagesBar) clear() {
	if b.terminal && b.shown {
		fmt.Fprint(b.w, "\r\x1b[K")
		b.shown = false
	}
}

func (b *stagesBar) end() { b.clear() }
