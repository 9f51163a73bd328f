package app

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"hawker/ledger"
	"hawker/participants"
	"hawker/reports"
	"hawker/users"
	"hawker/valid"
)

// statementFuncs are the statements' template helpers.
var statementFuncs = template.FuncMap{
	// statementMonths are the months a books page offers statements of:
	// this one (provisional) and the five before it, newest first.
	"statementMonths": func(today time.Time) []time.Time {
		m := ledger.MonthOf(today)
		out := make([]time.Time, 6)
		for i := range out {
			out[i] = m.AddDate(0, -i, 0)
		}
		return out
	},
	"ym": func(t time.Time) string { return t.Format("2006-01") },
	// jobMonth is the month a statements job is for.
	"jobMonth": func(j reports.Job) string {
		var p reports.BulkParams
		_ = json.Unmarshal(j.Params, &p)
		return p.Month
	},
	"shortFingerprint": reports.ShortFingerprint,
}

// statementLang is the language a statement is printed in: ?lang=th|en when
// asked, else the vendor's own.
func statementLang(c *fiber.Ctx, p participants.Participant) (string, error) {
	switch l := c.Query("lang"); l {
	case "":
		if p.Language == "en" {
			return "en", nil
		}
		return "th", nil
	case "th", "en":
		return l, nil
	}
	return "", valid.Errors{"lang": "statement.lang_invalid"}
}

// sendStatement prints p's statement for month and sends the PDF or CSV;
// a download by staff is recorded in the audit trail.
func (s *Server) sendStatement(c *fiber.Ctx, p participants.Participant, month time.Time, ext string) error {
	lang, err := statementLang(c, p)
	if err != nil {
		return err
	}
	doc, err := s.reports.Print(c.UserContext(), p.Code, month, lang, s.now())
	if err != nil {
		return err
	}
	if !isOwn(c, p) {
		if err := s.reports.AuditDownload(c.UserContext(), actor(c), p.Code, doc.Statement, ext, lang); err != nil {
			return err
		}
	}
	pdfName, csvName := reports.FileNames(p.Code, month)
	// Private: the vendor's figures; her phone's service worker keeps its
	// own copy of the latest one.
	c.Set("Cache-Control", "private, no-cache")
	c.Set("X-Statement-Fingerprint", doc.Statement.Fingerprint)
	if ext == "csv" {
		c.Set("Content-Type", "text/csv; charset=utf-8")
		c.Set("Content-Disposition", `attachment; filename="`+csvName+`"`)
		return c.Send(doc.CSV)
	}
	c.Set("Content-Type", "application/pdf")
	c.Set("Content-Disposition", `inline; filename="`+pdfName+`"`)
	return c.Send(doc.PDF)
}

// parseStatementFile reads "YYYY-MM.pdf" or "YYYY-MM.csv".
func parseStatementFile(file string) (time.Time, string, error) {
	name, ext, _ := strings.Cut(file, ".")
	if ext != "pdf" && ext != "csv" {
		return time.Time{}, "", valid.Errors{"format": "statement.format_invalid"}
	}
	m, err := ledger.ParseMonth(name)
	if err != nil {
		return time.Time{}, "", valid.Errors{"month": "period.month_invalid"}
	}
	return m, ext, nil
}

// apiStatement: GET /api/v1/participants/{code}/statements/{YYYY-MM}.pdf|.csv.
func (s *Server) apiStatement(c *fiber.Ctx) error {
	p, err := s.participantFrom(c)
	if err != nil {
		return err
	}
	month, ext, err := parseStatementFile(c.Params("file"))
	if err != nil {
		return err
	}
	return s.sendStatement(c, p, month, ext)
}

// showLatestStatement: GET /books/statement.pdf, the vendor's statement of
// the last month that has ended; her phone keeps it for offline reading.
func (s *Server) showLatestStatement(c *fiber.Ctx) error {
	p, err := s.ownParticipant(c)
	if err != nil {
		return err
	}
	return s.sendStatement(c, p, ledger.MonthOf(s.today()).AddDate(0, -1, 0), "pdf")
}

// statementsPage is the officers' bulk page.
type statementsPage struct {
	Month  string
	Errors valid.Errors
	Jobs   []reports.Job
	Job    *reports.Job
	Params reports.BulkParams
}

// showStatements: GET /statements, every vendor's statements for a month
// as one ZIP, made in the background.
func (s *Server) showStatements(c *fiber.Ctx) error {
	return s.renderStatements(c, &statementsPage{Month: ledger.MonthOf(s.today()).AddDate(0, -1, 0).Format("2006-01")})
}

func (s *Server) renderStatements(c *fiber.Ctx, page *statementsPage) error {
	jobs, err := s.jobs.Jobs(c.UserContext(), reports.KindStatements, 10)
	if err != nil {
		return err
	}
	page.Jobs = jobs
	if len(page.Errors) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.render(c, "statements", page)
}

// startStatements: POST /statements, queues the job and shows its progress.
func (s *Server) startStatements(c *fiber.Ctx) error {
	raw := strings.TrimSpace(c.FormValue("month"))
	m, err := ledger.ParseMonth(raw)
	switch {
	case err != nil:
		return s.renderStatements(c, &statementsPage{Month: raw, Errors: valid.Errors{"month": "period.month_invalid"}})
	case reports.CheckMonth(m, s.now()) != nil:
		return s.renderStatements(c, &statementsPage{Month: raw, Errors: valid.Errors{"month": "statement.month_future"}})
	}
	j, err := s.jobs.Enqueue(c.UserContext(), reports.KindStatements, reports.BulkParams{Month: m.Format("2006-01")}, currentUser(c).ID)
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/statements/jobs/%d", j.ID), fiber.StatusSeeOther)
}

func (s *Server) statementJob(c *fiber.Ctx) (reports.Job, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return reports.Job{}, errNotFound
	}
	j, err := s.jobs.Job(c.UserContext(), id)
	if err != nil {
		return reports.Job{}, err
	}
	if j.Kind != reports.KindStatements {
		return reports.Job{}, errNotFound
	}
	return j, nil
}

// showStatementJob: GET /statements/jobs/{id}, the job's progress; the
// page refreshes itself until the job ends.
func (s *Server) showStatementJob(c *fiber.Ctx) error {
	j, err := s.statementJob(c)
	if err != nil {
		return err
	}
	page := &statementsPage{Job: &j}
	_ = json.Unmarshal(j.Params, &page.Params)
	c.Set("Cache-Control", "no-store")
	return s.render(c, "statement_job", page)
}

// apiStatementJob: GET /api/v1/statement-jobs/{id}, the job's progress.
func (s *Server) apiStatementJob(c *fiber.Ctx) error {
	j, err := s.statementJob(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": j.ID, "state": j.State, "done": j.Done, "total": j.Total, "percent": j.Percent()})
}

// downloadStatementJob: GET /statements/jobs/{id}/statements.zip, the
// finished job's files as one ZIP, streamed a file at a time; audited.
func (s *Server) downloadStatementJob(c *fiber.Ctx) error {
	j, err := s.statementJob(c)
	if err != nil {
		return err
	}
	if j.State != reports.JobDone {
		return &Problem{Status: fiber.StatusConflict, Code: "conflict", Key: "statement.job_not_done"}
	}
	var p reports.BulkParams
	_ = json.Unmarshal(j.Params, &p)
	if err := s.reports.AuditBulkDownload(c.UserContext(), actor(c), j.ID, p.Month, j.Done); err != nil {
		return err
	}
	c.Set("Content-Type", "application/zip")
	c.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="statements-%s.zip"`, p.Month))
	c.Set("Cache-Control", "private, no-store")
	ctx := c.UserContext()
	jobs := s.jobs
	log := s.log
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		zw := zip.NewWriter(w)
		err := jobs.Files(ctx, j.ID, func(name string, content []byte) error {
			f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: reportsZipTime})
			if err != nil {
				return err
			}
			_, err = f.Write(content)
			return err
		})
		if err == nil {
			err = zw.Close()
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			log.Error("statements zip", "job", j.ID, "err", err)
		}
	})
	return nil
}

// reportsZipTime is the time stamped on the ZIP's files: fixed, so that a
// closed month's ZIP is the same bytes every time.
var reportsZipTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// verifyPage is what a verification address shows: issued or not, and for
// an issued statement its month and totals. Nothing names the vendor.
type verifyPage struct {
	Issued *reports.Issued
}

// showVerify: GET /verify/{token}, public: was a statement with this
// address issued, for which month, with which totals.
func (s *Server) showVerify(c *fiber.Ctx) error {
	is, err := s.reports.Lookup(c.UserContext(), c.Params("token"))
	c.Set("Cache-Control", "no-store")
	c.Set("X-Robots-Tag", "noindex")
	switch {
	case errors.Is(err, reports.ErrNotIssued):
		c.Status(fiber.StatusNotFound)
		return s.render(c, "verify", verifyPage{})
	case err != nil:
		return err
	}
	return s.render(c, "verify", verifyPage{Issued: &is})
}

// mayDownloadStatements is the rule of the bulk page: officers and managers.
var mayDownloadStatements = only(users.Officer, users.Manager)
