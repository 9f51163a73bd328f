package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/reports"
	"hawker/thai"
)

const impactUsage = `Usage:
  hawker impact --donor ID --from YYYY-MM --to YYYY-MM --out FILE.pdf [--lang th|en]
        write a donor's impact report as FILE.pdf, and FILE.csv beside it
`

func runImpact(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "impact", strings.TrimPrefix(impactUsage, "Usage:\n  hawker "))
	donor := fs.String("donor", "", "the donor's id")
	from := fs.String("from", "", "the first month, YYYY-MM")
	to := fs.String("to", "", "the last month, YYYY-MM")
	out := fs.String("out", "", "the PDF to write; the CSV goes beside it")
	lang := fs.String("lang", "th", "th or en")
	if err := parse(fs, args); err != nil {
		return err
	}
	id, err := strconv.ParseInt(*donor, 10, 64)
	switch {
	case *donor == "" || err != nil || id <= 0:
		return usageErr("impact: --donor ID is required (a number)")
	case *from == "" || *to == "":
		return usageErr("impact: --from and --to YYYY-MM are required")
	case *out == "" || !strings.EqualFold(filepath.Ext(*out), ".pdf"):
		return usageErr("impact: --out FILE.pdf is required")
	case *lang != "th" && *lang != "en":
		return usageErr("impact: --lang must be th or en")
	}
	f, t, err := reports.ParseImpactRange(*from, *to, thai.Today(time.Now()))
	if err != nil {
		return err
	}
	return e.withDB(ctx, func(db *sqlx.DB) error {
		store, done, err := e.reportsStore(ctx, db)
		if err != nil {
			return err
		}
		defer done()
		im, err := store.Impact(ctx, id, f, t, thai.Today(time.Now()))
		if err != nil {
			return err
		}
		pdf, err := im.PDF(*lang)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, pdf, 0o644); err != nil {
			return err
		}
		return os.WriteFile(strings.TrimSuffix(*out, filepath.Ext(*out))+".csv", im.CSV(*lang), 0o644)
	})
}
