package reports

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/donors"
	"hawker/pg"
	"hawker/thai"
)

// KindImpactMonth is the job kind that makes an ended month's impact report
// for every donor and queues the e-mails that carry it. There is one such
// job per month (report_jobs_impact_month_key).
const KindImpactMonth = "impact_month"

// Mail states (report_mail.state).
const (
	MailQueued = "queued" // to be sent at its next attempt
	MailSent   = "sent"   // the SMTP server took it
	MailKept   = "kept"   // no SMTP configured: kept for the outbox page
	MailFailed = "failed" // refused for good, or out of attempts
	// MailWithheld is kept mail never to be sent: by the time a mail server
	// was configured, its recipient was no longer one of the donor's report
	// contacts.
	MailWithheld = "withheld"
)

// Delivery makes each donor's report for the month that ended, once, and
// e-mails it to the donor's report contacts. Every serve process runs one
// (Run); they share the job queue and the mail table, so a month's job is
// enqueued once, each donor's report made once, and each message sent by
// one of them at a time.
type Delivery struct {
	store  *Store
	queue  *Queue
	donors *donors.Store
	smtp   *url.URL
	// From is the sender's address: the from= of HAWKER_SMTP_URL, or
	// hawker@localhost when mail is only kept for the outbox page.
	From string
	// Now is the clock (tests fix it).
	Now func() time.Time
	Log *slog.Logger
	// Every is how often the schedule is looked at and due mail is sent.
	Every time.Duration
	// Backoff is the wait before the second attempt; it doubles with each
	// failed attempt up to MaxBackoff. MaxAttempts failed attempts fail the
	// message.
	Backoff, MaxBackoff time.Duration
	MaxAttempts         int
	// Timeout bounds one SMTP conversation; Lease, longer, is how long a
	// message stays taken by the worker sending it.
	Timeout, Lease time.Duration
}

// NewDelivery registers the monthly job's handler with q. smtp is
// HAWKER_SMTP_URL (nil: mail is kept for the outbox page, not sent).
func NewDelivery(s *Store, q *Queue, smtp *url.URL) *Delivery {
	d := &Delivery{store: s, queue: q, donors: donors.NewStore(s.db), smtp: smtp, From: "hawker@localhost",
		Now: time.Now, Log: q.Log, Every: 15 * time.Second,
		Backoff: time.Minute, MaxBackoff: 6 * time.Hour, MaxAttempts: 8,
		Timeout: time.Minute, Lease: 3 * time.Minute}
	if smtp != nil && smtp.Query().Get("from") != "" {
		d.From = smtp.Query().Get("from")
	}
	q.Handle(KindImpactMonth, d.run)
	return d
}

// LastMonth is the first day of the month before now's, in Bangkok.
func LastMonth(now time.Time) time.Time {
	return firstOf(thai.Today(now)).AddDate(0, -1, 0)
}

// monthParams are an impact_month job's parameters.
type monthParams struct {
	Month string `json:"month"` // YYYY-MM
}

// Schedule enqueues the job of the month that ended last (Bangkok time),
// unless it exists: on the first day of a month, or on the first look
// after it when no server ran that day. A job that failed is queued again
// after an hour, and resumes at the donors not yet done. queued reports
// whether this call enqueued or requeued it.
func (d *Delivery) Schedule(ctx context.Context) (queued bool, err error) {
	month := LastMonth(d.Now()).Format("2006-01")
	b, _ := json.Marshal(monthParams{Month: month})
	res, err := d.store.db.ExecContext(ctx, `
		INSERT INTO report_jobs (kind, params) VALUES ($1, $2)
		ON CONFLICT ((params ->> 'month')) WHERE kind = 'impact_month' DO NOTHING`, KindImpactMonth, b)
	if err != nil {
		return false, fmt.Errorf("reports: schedule impact %s: %w", month, err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return true, nil
	}
	res, err = d.store.db.ExecContext(ctx, `
		UPDATE report_jobs SET state = 'queued', error = '', finished_at = NULL
		WHERE kind = 'impact_month' AND params ->> 'month' = $1 AND state = 'failed' AND finished_at < now() - interval '1 hour'`, month)
	if err != nil {
		return false, fmt.Errorf("reports: schedule impact %s: %w", month, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// run is the monthly job: each donor's report for the month, made once,
// with a message queued for each of the donor's report contacts.
func (d *Delivery) run(ctx context.Context, r *Run) error {
	var p monthParams
	if err := json.Unmarshal(r.Params, &p); err != nil {
		return fmt.Errorf("reports: impact job %d: params: %w", r.ID, err)
	}
	month, err := time.Parse("2006-01", p.Month)
	if err != nil {
		return fmt.Errorf("reports: impact job %d: month %q: %w", r.ID, p.Month, err)
	}
	ds, err := d.donors.List(ctx)
	if err != nil {
		return err
	}
	if err := r.SetTotal(ctx, len(ds)); err != nil {
		return err
	}
	for _, dn := range ds {
		item := fmt.Sprintf("donor:%d", dn.ID)
		if r.Finished(item) {
			continue
		}
		if err := d.issue(ctx, r.ID, dn, month); err != nil {
			return err
		}
		if err := r.ItemDone(ctx, item, nil); err != nil {
			return err
		}
	}
	return nil
}

// issue makes one donor's report for month and queues its messages, in one
// transaction. Made again (a job resumed after a crash), it changes
// nothing: the report and each message are unique by donor and month.
func (d *Delivery) issue(ctx context.Context, job int64, dn donors.Donor, month time.Time) error {
	im, err := d.store.Impact(ctx, dn.ID, month, month, d.Now())
	if err != nil {
		return err
	}
	pdfs := map[string][]byte{}
	pdf := func(lang string) ([]byte, error) {
		if b, ok := pdfs[lang]; ok {
			return b, nil
		}
		b, err := im.PDF(lang)
		pdfs[lang] = b
		return b, err
	}
	th, err := pdf("th")
	if err != nil {
		return err
	}
	contacts, err := d.donors.Contacts(ctx, dn.ID)
	if err != nil {
		return err
	}
	var mails []composed
	for _, c := range contacts {
		b, err := pdf(c.Language)
		if err != nil {
			return err
		}
		mails = append(mails, compose(mailFacts{From: d.From, To: c.Email, Donor: dn.ID, DonorName: dn.Name, Month: month,
			Lang: c.Language, PDF: b, Date: d.Now(), Site: d.store.PublicURL}))
	}
	return pg.InTx(ctx, d.store.db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_impact_issues (donor_id, month, job_id, pdf) VALUES ($1, $2, $3, $4)
			ON CONFLICT (donor_id, month) DO NOTHING`, dn.ID, month, job, th); err != nil {
			return fmt.Errorf("reports: issue impact of donor %d for %s: %w", dn.ID, month.Format("2006-01"), err)
		}
		for _, m := range mails {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO report_mail (donor_id, month, recipient, language, subject, body, attachment, message)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
				ON CONFLICT ON CONSTRAINT report_mail_once_key DO NOTHING`,
				dn.ID, month, m.To, m.Lang, m.Subject, m.Body, m.Attachment, m.Message); err != nil {
				return fmt.Errorf("reports: queue mail of donor %d for %s: %w", dn.ID, month.Format("2006-01"), err)
			}
		}
		return nil
	})
}

// Run schedules and sends until ctx ends: at once, then every Every.
func (d *Delivery) Run(ctx context.Context) {
	for ctx.Err() == nil {
		if queued, err := d.Schedule(ctx); err != nil && ctx.Err() == nil {
			d.Log.Error("reports: schedule donor reports", "err", err)
		} else if queued {
			d.Log.Info("reports: donor reports queued", "month", LastMonth(d.Now()).Format("2006-01"))
		}
		if _, err := d.SendDue(ctx); err != nil && ctx.Err() == nil {
			d.Log.Error("reports: send donor reports", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(d.Every):
		}
	}
}

// claimMailSQL takes the message due longest, not taken by a live worker,
// skipping those other workers hold locked, for Lease. tries is how many
// times it was sent or tried to be, this one included: attempts that only
// kept it, while no SMTP server was configured, do not count.
const claimMailSQL = `
	UPDATE report_mail SET worker = $1, lease_until = now() + $2::interval, attempts = attempts + 1
	WHERE id = (
		SELECT id FROM report_mail
		WHERE state = 'queued' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
		ORDER BY next_attempt_at, id LIMIT 1
		FOR UPDATE SKIP LOCKED)
	RETURNING id, recipient, message, attempts,
		attempts - (SELECT count(*) FROM report_mail_attempts a WHERE a.mail_id = report_mail.id AND a.kept) AS tries`

// ReleaseKept queues again the mail kept while no SMTP server was
// configured, now that one is, and says how many it queued. The donor never
// got those reports: each is sent once, like any other, with back-off and
// every attempt recorded (the row moves from kept to queued once, whichever
// server gets there first). On the way its From becomes the configured
// sender (it was written from hawker@localhost, which no one can answer and
// a mail server may refuse) and its Date the time it is queued; the rest of
// the message, the report as issued, is unchanged. A message whose recipient
// is no longer one of the donor's report contacts is withheld instead:
// whoever removed the address decided it should get no more of the donor's
// reports. SendDue runs it first whenever SMTP is configured.
func (d *Delivery) ReleaseKept(ctx context.Context) (int, error) {
	if d.smtp == nil {
		return 0, nil
	}
	var kept []struct {
		ID        int64  `db:"id"`
		DonorID   int64  `db:"donor_id"`
		Recipient string `db:"recipient"`
	}
	if err := d.store.db.SelectContext(ctx, &kept, `SELECT id, donor_id, recipient FROM report_mail WHERE state = 'kept' ORDER BY id`); err != nil {
		return 0, fmt.Errorf("reports: kept mail: %w", err)
	}
	contacts := map[int64]map[string]bool{}
	n := 0
	for _, k := range kept {
		if contacts[k.DonorID] == nil {
			cs, err := d.donors.Contacts(ctx, k.DonorID)
			if err != nil {
				return n, err
			}
			contacts[k.DonorID] = map[string]bool{}
			for _, c := range cs {
				contacts[k.DonorID][strings.ToLower(c.Email)] = true
			}
		}
		if !contacts[k.DonorID][strings.ToLower(k.Recipient)] {
			if _, err := d.store.db.ExecContext(ctx, `UPDATE report_mail SET state = 'withheld', finished_at = now() WHERE id = $1 AND state = 'kept'`, k.ID); err != nil {
				return n, fmt.Errorf("reports: withhold mail %d: %w", k.ID, err)
			}
			d.Log.Info("reports: kept mail withheld: no longer a report contact", "mail", k.ID)
			continue
		}
		var msg []byte
		if err := d.store.db.GetContext(ctx, &msg, `SELECT message FROM report_mail WHERE id = $1`, k.ID); err != nil {
			return n, fmt.Errorf("reports: release mail %d: %w", k.ID, err)
		}
		res, err := d.store.db.ExecContext(ctx, `
			UPDATE report_mail SET state = 'queued', message = $2, next_attempt_at = now(), finished_at = NULL
			WHERE id = $1 AND state = 'kept'`, k.ID, restamp(msg, d.From, d.Now()))
		if err != nil {
			return n, fmt.Errorf("reports: release mail %d: %w", k.ID, err)
		}
		if r, _ := res.RowsAffected(); r > 0 {
			n++
		}
	}
	if n > 0 {
		d.Log.Info("reports: mail kept without SMTP queued to send", "count", n)
	}
	return n, nil
}

// SendDue makes one attempt at every message that is due, and says how
// many it attempted. Without SMTP a message is kept for the outbox page
// instead (recorded as an attempt that kept it); with SMTP, mail kept
// before is released first (ReleaseKept).
func (d *Delivery) SendDue(ctx context.Context) (int, error) {
	if _, err := d.ReleaseKept(ctx); err != nil {
		return 0, err
	}
	n := 0
	for ctx.Err() == nil {
		var m struct {
			ID        int64  `db:"id"`
			Recipient string `db:"recipient"`
			Message   []byte `db:"message"`
			Attempts  int    `db:"attempts"`
			Tries     int    `db:"tries"`
		}
		err := d.store.db.GetContext(ctx, &m, claimMailSQL, d.queue.worker, fmt.Sprintf("%d milliseconds", d.Lease.Milliseconds()))
		if errors.Is(err, sql.ErrNoRows) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("reports: claim mail: %w", err)
		}
		n++
		state, wait, sendErr := MailKept, time.Duration(0), error(nil)
		if d.smtp != nil {
			sctx, cancel := context.WithTimeout(ctx, d.Timeout)
			sendErr = sendSMTP(sctx, d.smtp, d.From, m.Recipient, m.Message)
			cancel()
			state = MailSent
		}
		if sendErr != nil {
			state, wait = MailQueued, d.backoff(m.Tries)
			var tp *textproto.Error
			if (errors.As(sendErr, &tp) && tp.Code >= 500) || m.Tries >= d.MaxAttempts {
				state = MailFailed
			}
			d.Log.Warn("reports: mail not sent", "mail", m.ID, "attempt", m.Attempts, "state", state, "err", sendErr)
		}
		msg := ""
		if sendErr != nil {
			msg = sendErr.Error()
		}
		// The attempt happened: it is recorded even when ctx ends meanwhile.
		rctx := context.WithoutCancel(ctx)
		err = pg.InTx(rctx, d.store.db, func(tx *sqlx.Tx) error {
			if _, err := tx.ExecContext(rctx, `INSERT INTO report_mail_attempts (mail_id, n, worker, ok, error, kept) VALUES ($1, $2, $3, $4, $5, $6)`,
				m.ID, m.Attempts, d.queue.worker, sendErr == nil, msg, state == MailKept); err != nil {
				return err
			}
			_, err := tx.ExecContext(rctx, `
				UPDATE report_mail SET state = $2, lease_until = NULL, next_attempt_at = now() + $3::interval,
				       finished_at = CASE WHEN $2 = 'queued' THEN NULL ELSE now() END
				WHERE id = $1 AND worker = $4`,
				m.ID, state, fmt.Sprintf("%d milliseconds", wait.Milliseconds()), d.queue.worker)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("reports: record attempt %d of mail %d: %w", m.Attempts, m.ID, err)
		}
	}
	return n, ctx.Err()
}

// backoff is the wait after the attempt-th failed attempt.
func (d *Delivery) backoff(attempt int) time.Duration {
	w := d.Backoff
	for i := 1; i < attempt && w < d.MaxBackoff; i++ {
		w *= 2
	}
	return min(w, d.MaxBackoff)
}

// Mail is a message of the outbox: which donor, which month's report, to
// whom, and how its sending went.
type Mail struct {
	ID         int64      `db:"id"`
	DonorID    int64      `db:"donor_id"`
	Month      time.Time  `db:"month"`
	Recipient  string     `db:"recipient"`
	Language   string     `db:"language"`
	Subject    string     `db:"subject"`
	Body       string     `db:"body"`
	Attachment string     `db:"attachment"`
	State      string     `db:"state"`
	Attempts   int        `db:"attempts"`
	NextAt     time.Time  `db:"next_attempt_at"`
	CreatedAt  time.Time  `db:"created_at"`
	FinishedAt *time.Time `db:"finished_at"`
	LastError  string     `db:"last_error"`
}

// MailAttempt is one attempt to send a message.
type MailAttempt struct {
	N      int       `db:"n"`
	At     time.Time `db:"at"`
	Worker string    `db:"worker"`
	OK     bool      `db:"ok"`
	Kept   bool      `db:"kept"` // no SMTP configured: kept for the outbox, not sent
	Error  string    `db:"error"`
}

const mailColumns = `id, donor_id, month, recipient, language, subject, body, attachment, state, attempts, next_attempt_at, created_at, finished_at,
	COALESCE((SELECT error FROM report_mail_attempts a WHERE a.mail_id = report_mail.id ORDER BY n DESC LIMIT 1), '') AS last_error`

// Outbox lists the latest n messages, newest first.
func (s *Store) Outbox(ctx context.Context, n int) ([]Mail, error) {
	ms := []Mail{}
	if err := s.db.SelectContext(ctx, &ms, `SELECT `+mailColumns+` FROM report_mail ORDER BY created_at DESC, id DESC LIMIT $1`, n); err != nil {
		return nil, fmt.Errorf("reports: outbox: %w", err)
	}
	return ms, nil
}

// OutboxMail reads one message with its attempts, oldest first.
func (s *Store) OutboxMail(ctx context.Context, id int64) (Mail, []MailAttempt, error) {
	var m Mail
	if err := s.db.GetContext(ctx, &m, `SELECT `+mailColumns+` FROM report_mail WHERE id = $1`, id); err != nil {
		return Mail{}, nil, fmt.Errorf("reports: mail %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	as := []MailAttempt{}
	if err := s.db.SelectContext(ctx, &as, `SELECT n, at, worker, ok, kept, error FROM report_mail_attempts WHERE mail_id = $1 ORDER BY n`, id); err != nil {
		return Mail{}, nil, fmt.Errorf("reports: attempts of mail %d: %w", id, err)
	}
	return m, as, nil
}

// OutboxMessage is a message's bytes as composed (and sent).
func (s *Store) OutboxMessage(ctx context.Context, id int64) ([]byte, error) {
	var b []byte
	if err := s.db.GetContext(ctx, &b, `SELECT message FROM report_mail WHERE id = $1`, id); err != nil {
		return nil, fmt.Errorf("reports: message %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	return b, nil
}

// IssuedImpact is the Thai PDF of a donor's report for month as the
// monthly job made it.
func (s *Store) IssuedImpact(ctx context.Context, donor int64, month time.Time) ([]byte, error) {
	var b []byte
	if err := s.db.GetContext(ctx, &b, `SELECT pdf FROM report_impact_issues WHERE donor_id = $1 AND month = $2`, donor, month); err != nil {
		return nil, fmt.Errorf("reports: issued impact of donor %d for %s: %w", donor, month.Format("2006-01"), pg.NotFound(err, ErrNotFound))
	}
	return b, nil
}

// messageID names a message by what it carries, so that every attempt
// sends the same message and a receiver can tell a repeat.
func messageID(donor int64, month time.Time, to string) string {
	h := sha256.Sum256([]byte(to))
	return fmt.Sprintf("<impact.%d.%s.%s@hawker>", donor, month.Format("2006-01"), hex.EncodeToString(h[:8]))
}
