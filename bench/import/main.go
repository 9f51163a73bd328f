// Command import-bench measures the officers' CSV import (issue 6: 10,000
// lines typed up from paper forms import in under 10 s): it enrols vendors
// in a scratch database, writes a 10,000-line file and times the import,
// which validates every line before writing any. It prints the figures; it
// is a program, not a timed test.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"strings"
	"time"

	"hawker/audit"
	"hawker/bench/benchdb"
	"hawker/migrations"
	"hawker/participants"
	"hawker/pg"
	"hawker/thai"
	"hawker/vendors"
)

func main() {
	lines := flag.Int("lines", 10_000, "lines in the file")
	vendorsN := flag.Int("vendors", 100, "vendors the lines spread over")
	flag.Parse()
	log.SetFlags(0)
	ctx := context.Background()
	server, name := benchdb.Server(), benchdb.Name("hawker_bench_import_")
	url := benchdb.Scratch(ctx, server, name)
	defer benchdb.Drop(ctx, server, name)
	db, err := pg.Open(ctx, url)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := migrations.Apply(ctx, db, nil); err != nil {
		log.Fatal(err)
	}

	today := thai.Today(time.Now())
	ps := participants.NewStore(db)
	codes := make([]string, *vendorsN)
	for i := range codes {
		phone := fmt.Sprintf("08%08d", i)
		p, err := ps.Enrol(ctx, audit.System, participants.Participant{
			Name: fmt.Sprintf("ผู้ค้า %d", i), Phone: &phone, Province: "กรุงเทพมหานคร", District: "คลองเตย",
			Cohort: "รุ่นทดสอบ", EnrolledOn: today.AddDate(0, -3, 0), Language: "th",
		}, nil)
		if err != nil {
			log.Fatalf("enrol: %v", err)
		}
		codes[i] = p.Code
	}
	var b strings.Builder
	b.WriteString("date,participant,kind,amount,category_or_method,note\n")
	for i := 0; i < *lines; i++ {
		d := today.AddDate(0, 0, -(i % 60)).Format(time.DateOnly)
		code := codes[i%len(codes)]
		switch i % 4 {
		case 0, 1:
			fmt.Fprintf(&b, "%s,%s,sale,%d.%02d,cash,แบบฟอร์ม %d\n", d, code, 200+i%2300, i%100, i)
		case 2:
			fmt.Fprintf(&b, "%s,%s,expense,%d,ingredients,ตลาดเช้า\n", d, code, 50+i%300)
		case 3:
			fmt.Fprintf(&b, "%s,%s,drawing,%d,,\n", d, code, 100+i%200)
		}
	}

	fmt.Printf("CSV import: %d lines for %d vendors...\n", *lines, len(codes))
	start := time.Now()
	res, err := vendors.NewStore(db).Import(ctx, audit.System, strings.NewReader(b.String()), today, 0)
	if err != nil {
		log.Fatalf("import: %v", err)
	}
	took := time.Since(start)
	verdict := "meets"
	if took > 10*time.Second {
		verdict = "does NOT meet"
	}
	fmt.Printf("CSV import: %d entries for %d vendors in %s: %.0f lines/s (%s the goal of 10,000 lines in under 10 s)\n",
		res.Entries, res.Participants, took.Round(time.Millisecond), float64(res.Entries)/took.Seconds(), verdict)
}
