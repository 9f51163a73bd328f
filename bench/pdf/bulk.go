package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"hawker/audit"
	"hawker/bench/benchdb"
	"hawker/migrations"
	"hawker/money"
	"hawker/participants"
	"hawker/pg"
	"hawker/reports"
	"hawker/vendors"
)

// bulk measures the statements command's path end to end on a scratch
// database: n vendors with a closed month of 60 entries each, printed by
// the statements job (every core, files into a folder), with the peak
// resident memory of the run.
func bulk(n int) error {
	ctx := context.Background()
	server := benchdb.Server()
	name := benchdb.Name("bench_pdf_")
	url := benchdb.Scratch(ctx, server, name)
	defer benchdb.Drop(ctx, server, name)
	db, err := pg.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := migrations.Apply(ctx, db, slog.New(slog.DiscardHandler)); err != nil {
		return err
	}
	month := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	today := time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)
	ps := participants.NewStore(db)
	vs := vendors.NewStore(db)
	start := time.Now()
	var batch []vendors.Entry
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := vs.RecordBulk(ctx, batch, nil)
		batch = batch[:0]
		return err
	}
	for i := range n {
		phone := fmt.Sprintf("09%08d", i)
		p, err := ps.Enrol(ctx, audit.System, participants.Participant{Name: fmt.Sprintf("แม่ค้า ปู่ฟ้า %d", i), Phone: &phone,
			Province: "กรุงเทพมหานคร", District: "บางรัก", Cohort: "bench", EnrolledOn: month, Language: "th"}, nil)
		if err != nil {
			return err
		}
		for k := range 60 {
			day := month.AddDate(0, 0, k%30)
			kind, what := vendors.Sale, "cash"
			switch k % 5 {
			case 1:
				what = "promptpay"
			case 2:
				kind, what = vendors.Expense, "ingredients"
			case 3:
				kind, what = vendors.Expense, "ice"
			}
			e, err := vendors.NewEntry(p.ID, p.Code, day, kind, money.Satang(int64(5000+(i*7+k*13)%90000)), what, "", fmt.Sprintf("b:%d:%d", i, k))
			if err != nil {
				return err
			}
			batch = append(batch, e)
		}
		if len(batch) >= 6000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if _, err := vs.Ledger().CloseMonth(ctx, audit.System, month, today); err != nil {
		return err
	}
	fmt.Printf("bulk: %d vendors × 60 entries seeded and October closed in %s\n", n, time.Since(start).Round(time.Second))

	dir, err := os.MkdirTemp("", "bench-pdf-bulk-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	resetPeakRSS()
	q := reports.NewQueue(db)
	b := reports.NewBulk(reports.NewStore(db, vs, "https://hawker.example.org"), q)
	b.Now = func() time.Time { return today }
	job, err := q.EnqueuePinned(ctx, reports.KindStatements, reports.BulkParams{Month: "2026-10", Out: dir}, 0)
	if err != nil {
		return err
	}
	start = time.Now()
	cpu0 := cpuTime()
	done, _, err := q.Execute(ctx, job.ID, nil)
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Printf("bulk: %d statements (PDF and CSV, from the database, each issued) in %s: %.1f statements/s, %.1f ms of CPU each; peak RSS %d MB\n",
		done.Done, took.Round(time.Millisecond), float64(done.Done)/took.Seconds(),
		float64((cpuTime()-cpu0).Microseconds())/1000/float64(done.Done), peakRSS()/1024)
	return nil
}

// resetPeakRSS starts the peak resident set afresh (Linux: clear_refs 5).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }
