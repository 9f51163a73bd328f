// Command ledger-bench measures the ledger against PostgreSQL's own pgbench
// on the same server, in one run: (a) pgbench's built-in TPC-B-like script,
// (b) Hawker posting balanced 2-line and 4-line entries with idempotency keys
// over many vendor books, (c) the bulk path loading many lines. It prints the
// figures; it is a program, not a timed test. Scratch databases are dropped
// at the end.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"hawker/bench/benchdb"
	"hawker/ledger"
	"hawker/migrations"
	"hawker/pg"
	"hawker/thai"
)

func main() {
	duration := flag.Duration("duration", 20*time.Second, "how long pgbench and the ledger posting run each")
	workers := flag.Int("workers", 4, "concurrent ledger posters (and pgbench clients)")
	books := flag.Int("books", 1000, "vendor books the postings spread over")
	scale := flag.Int("scale", 10, "pgbench scale factor")
	bulkLines := flag.Int("bulk-lines", 1_000_000, "lines the bulk path loads (0: skip the bulk path)")
	cpu := flag.Bool("cpu", false, "also print the CPU time spent per posting by the server backends and by this program (Linux, same machine)")
	pgbTPSFlag := flag.Float64("pgbench-tps", 0, "skip pgbench and compare with this rate instead (profiling runs only)")
	flag.Parse()
	log.SetFlags(0)
	server := benchdb.Server()
	ctx := context.Background()
	suffix := benchdb.Suffix()

	// (a) pgbench
	pgbTPS := *pgbTPSFlag
	if pgbTPS == 0 {
		pgbTPS = benchdb.Pgbench(ctx, server, "hawker_bench_pgbench_"+suffix, *scale, *workers, *duration)
		defer benchdb.Drop(ctx, server, "hawker_bench_pgbench_"+suffix)
	}

	// (b) ledger postings
	ledURL := benchdb.Scratch(ctx, server, "hawker_bench_ledger_"+suffix)
	defer benchdb.Drop(ctx, server, "hawker_bench_ledger_"+suffix)
	db, err := pg.Open(ctx, ledURL)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := migrations.Apply(ctx, db, nil); err != nil {
		log.Fatal(err)
	}
	s := ledger.NewStore(db)
	accts := setup(ctx, db, *books)
	fmt.Printf("ledger: %d vendor books with 4 accounts each; posting from %d workers for %s...\n", *books, *workers, *duration)
	var entries, lines, fails atomic.Int64
	var cpuBefore cpuSample
	if *cpu {
		cpuBefore = sampleCPU(ctx, db)
	}
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var seq int64
			for time.Now().Before(deadline) {
				seq++
				b := accts[(int(seq)*7919+w*104729)%len(accts)]
				amt := decimal.New(100+seq%5000, -2)
				p := ledger.Posting{Book: b.book, BusinessDate: thai.Today(time.Now()), Memo: "sale",
					IdempotencyKey: uuid.NewString()}
				if seq%2 == 0 {
					p.Lines = []ledger.Line{{Account: b.ids[0], Amount: amt}, {Account: b.ids[1], Amount: amt.Neg()}}
				} else {
					half := amt.Div(decimal.NewFromInt(2)).Truncate(2)
					p.Lines = []ledger.Line{{Account: b.ids[0], Amount: amt}, {Account: b.ids[1], Amount: amt.Neg()},
						{Account: b.ids[2], Amount: half}, {Account: b.ids[3], Amount: half.Neg()}}
				}
				if _, err := s.Post(ctx, p); err != nil {
					fails.Add(1)
					log.Printf("post: %v", err)
					continue
				}
				entries.Add(1)
				lines.Add(int64(len(p.Lines)))
			}
		}()
	}
	wg.Wait()
	eps := float64(entries.Load()) / duration.Seconds()
	if *cpu && entries.Load() > 0 {
		after := sampleCPU(ctx, db)
		var server time.Duration
		for pid, t := range after.backends {
			server += t - cpuBefore.backends[pid]
		}
		n := time.Duration(entries.Load())
		fmt.Printf("cpu per posting: server backends %s, this program %s\n",
			(server / n).Round(time.Microsecond/10), ((after.self - cpuBefore.self) / n).Round(time.Microsecond/10))
	}
	fmt.Printf("ledger postings (2- and 4-line, idempotency keys, %d workers, %d books, %s): %.0f entries/s (%d entries, %d lines, %d errors)\n",
		*workers, *books, *duration, eps, entries.Load(), lines.Load(), fails.Load())
	ratio := eps / pgbTPS
	verdict := "meets"
	if ratio < 0.8 {
		verdict = "BELOW"
	}
	fmt.Printf("ratio ledger/pgbench: %.2f (%s the goal of 0.80)\n", ratio, verdict)

	if *bulkLines <= 0 {
		return
	}
	// (c) bulk: two loaders over disjoint halves of the books, as the scale
	// seed runs them, each committing batches of about 50,000 lines.
	const loaders = 2
	fmt.Printf("bulk: loading %d lines from %d loaders...\n", *bulkLines, loaders)
	start := time.Now()
	var loadedAll atomic.Int64
	var lwg sync.WaitGroup
	for w := 0; w < loaders; w++ {
		lwg.Add(1)
		go func() {
			defer lwg.Done()
			mine := accts[w*len(accts)/loaders : (w+1)*len(accts)/loaders]
			want := *bulkLines / loaders
			if w == 0 {
				want += *bulkLines % loaders
			}
			loaded := 0
			const batchLines = 50_000
			for n := 0; loaded < want; n++ {
				var ps []ledger.Posting
				batch := 0
				for batch < batchLines && loaded+batch < want {
					b := mine[(n*131+len(ps))%len(mine)]
					amt := decimal.New(int64(100+len(ps)%9000), -2)
					day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, len(ps)%365)
					p := ledger.Posting{Book: b.book, BusinessDate: day, Memo: "import"}
					if len(ps)%2 == 0 || want-loaded-batch < 4 {
						p.Lines = []ledger.Line{{Account: b.ids[0], Amount: amt}, {Account: b.ids[1], Amount: amt.Neg()}}
					} else {
						p.Lines = []ledger.Line{{Account: b.ids[0], Amount: amt}, {Account: b.ids[1], Amount: amt.Neg()},
							{Account: b.ids[2], Amount: amt}, {Account: b.ids[3], Amount: amt.Neg()}}
					}
					batch += len(p.Lines)
					ps = append(ps, p)
				}
				r, err := s.Bulk(ctx, ps)
				if err != nil {
					log.Fatalf("bulk: %v", err)
				}
				loaded += r.Lines
			}
			loadedAll.Add(int64(loaded))
		}()
	}
	lwg.Wait()
	loaded := int(loadedAll.Load())
	el := time.Since(start)
	lps := float64(loaded) / el.Seconds()
	verdict = "meets"
	if lps < 50_000 {
		verdict = "BELOW"
	}
	fmt.Printf("bulk path: %d lines in %.1fs: %.0f lines/s (%s the goal of 50000)\n", loaded, el.Seconds(), lps, verdict)

	vstart := time.Now()
	rep, err := s.Verify(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("verify: %s (%.1fs)\n", rep.Summary(), time.Since(vstart).Seconds())
	if !rep.OK() {
		log.Fatal(rep.Err())
	}
}

// runPgbench runs pgbench's built-in TPC-B-like script on the scratch
// database name (the caller drops it) and returns its transactions per second.
// cpuSample is the CPU time used so far by each server backend connected to
// the bench database and by this program.
type cpuSample struct {
	backends map[int]time.Duration
	self     time.Duration
}

func sampleCPU(ctx context.Context, db *sqlx.DB) cpuSample {
	s := cpuSample{backends: map[int]time.Duration{}}
	var pids []int
	if err := db.SelectContext(ctx, &pids, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`); err != nil {
		log.Fatal(err)
	}
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis; utime and stime
		// are the 14th and 15th fields of the line, in clock ticks (100/s).
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		s.backends[pid] = time.Duration(ut+st) * 10 * time.Millisecond
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return s
}

type book struct {
	book int64
	ids  [4]int64
}

// setup creates the vendor books, each with cash, sales, bank and expenses.
func setup(ctx context.Context, db *sqlx.DB, n int) []book {
	var out []book
	err := pg.InTx(ctx, db, func(tx *sqlx.Tx) error {
		out = out[:0]
		s := ledger.NewStore(db).In(tx)
		for i := 0; i < n; i++ {
			b, err := s.CreateBook(ctx, ledger.Vendor, fmt.Sprintf("HSF-%05d", i), fmt.Sprintf("vendor %d", i))
			if err != nil {
				return err
			}
			bk := book{book: b.ID}
			for j, a := range []struct {
				code string
				typ  ledger.AccountType
			}{{"1000", ledger.Asset}, {"4000", ledger.Income}, {"5000", ledger.Expense}, {"1100", ledger.Asset}} {
				acc, err := s.CreateAccount(ctx, ledger.Account{BookID: b.ID, Code: a.code, Type: a.typ, NameEN: a.code})
				if err != nil {
					return err
				}
				bk.ids[j] = acc.ID
			}
			out = append(out, bk)
		}
		return nil
	})
	if err != nil {
		log.Fatalf("setup: %v", err)
	}
	return out
}
