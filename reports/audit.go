package reports

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/pg"
)

// AuditDownload records that staff took a vendor's statement: which month,
// which file and language, and its fingerprint.
func (s *Store) AuditDownload(ctx context.Context, a audit.Actor, code string, st Statement, ext, lang string) error {
	return pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		return audit.RecordDetails(ctx, tx, a, "statement.download", "participant:"+code,
			fmt.Sprintf("month=%s file=%s lang=%s fingerprint=%s", st.Month.Format("2006-01"), ext, lang, st.Short()),
			audit.Details{"month": st.Month.Format("2006-01"), "file": ext, "lang": lang, "fingerprint": st.Short()})
	})
}

// AuditBulkDownload records that staff took a month's statements as a ZIP.
func (s *Store) AuditBulkDownload(ctx context.Context, a audit.Actor, job int64, month string, n int) error {
	return pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		return audit.RecordDetails(ctx, tx, a, "statement.download_all", fmt.Sprintf("job:%d", job),
			fmt.Sprintf("month=%s statements=%d", month, n), audit.Details{"month": month, "count": strconv.Itoa(n)})
	})
}
