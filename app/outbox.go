package app

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"hawker/donors"
	"hawker/reports"
	"hawker/valid"
)

// outboxPage is the outbox: every donor report e-mailed (or, without a mail
// server, kept here), and each donor's report contacts.
type outboxPage struct {
	SMTPHost string // "" when mail is kept, not sent
	Mails    []outboxRow
	Donors   []outboxDonor
	Notice   string
	Errors   valid.Errors
	ErrDonor int64 // the donor whose contact form failed
	Email    string
	Language string
}

type outboxRow struct {
	reports.Mail
	DonorName string
}

type outboxDonor struct {
	ID       int64
	Name     string
	Contacts []donors.Contact
}

var outboxNotices = map[string]string{"added": "outbox.contact_added", "removed": "outbox.contact_removed"}

// showOutbox: GET /admin/outbox.
func (s *Server) showOutbox(c *fiber.Ctx) error {
	return s.renderOutbox(c, outboxPage{Notice: outboxNotices[c.Query("done")]})
}

func (s *Server) renderOutbox(c *fiber.Ctx, page outboxPage) error {
	ctx := c.UserContext()
	if s.deps.SMTP != nil {
		page.SMTPHost = s.deps.SMTP.Hostname()
	}
	ds, err := s.donors.List(ctx)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, d := range ds {
		names[d.ID] = d.Name
		cs, err := s.donors.Contacts(ctx, d.ID)
		if err != nil {
			return err
		}
		page.Donors = append(page.Donors, outboxDonor{ID: d.ID, Name: d.Name, Contacts: cs})
	}
	ms, err := s.reports.Outbox(ctx, 200)
	if err != nil {
		return err
	}
	for _, m := range ms {
		page.Mails = append(page.Mails, outboxRow{Mail: m, DonorName: names[m.DonorID]})
	}
	if page.Language == "" {
		page.Language = "th"
	}
	return s.render(c, "outbox", page)
}

// outboxMailPage is one message opened: what it says, and its attempts.
type outboxMailPage struct {
	outboxRow
	From     string
	Attempts []reports.MailAttempt
}

// showOutboxMail: GET /admin/outbox/{id}.
func (s *Server) showOutboxMail(c *fiber.Ctx) error {
	m, as, err := s.outboxMail(c)
	if err != nil {
		return err
	}
	d, err := s.donors.ByID(c.UserContext(), m.DonorID)
	if err != nil {
		return err
	}
	return s.render(c, "outbox_mail", outboxMailPage{outboxRow: outboxRow{Mail: m, DonorName: d.Name}, From: s.delivery.From, Attempts: as})
}

func (s *Server) outboxMail(c *fiber.Ctx) (reports.Mail, []reports.MailAttempt, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return reports.Mail{}, nil, errNotFound
	}
	return s.reports.OutboxMail(c.UserContext(), id)
}

// downloadOutboxMail: GET /admin/outbox/{id}/message.eml, the message as
// sent, to open in any mail program.
func (s *Server) downloadOutboxMail(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return errNotFound
	}
	b, err := s.reports.OutboxMessage(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set("Content-Type", "message/rfc822")
	c.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="impact-mail-%d.eml"`, id))
	c.Set("Cache-Control", "private, no-cache")
	return c.Send(b)
}

// showOutboxReport: GET /admin/outbox/{id}/report.pdf, the donor's report
// for the message's month as the monthly job issued it (in Thai).
func (s *Server) showOutboxReport(c *fiber.Ctx) error {
	m, _, err := s.outboxMail(c)
	if err != nil {
		return err
	}
	b, err := s.reports.IssuedImpact(c.UserContext(), m.DonorID, m.Month)
	if err != nil {
		return err
	}
	c.Set("Content-Type", "application/pdf")
	c.Set("Content-Disposition", fmt.Sprintf(`inline; filename="impact-%d-%s.pdf"`, m.DonorID, m.Month.Format("2006-01")))
	c.Set("Cache-Control", "private, no-cache")
	return c.Send(b)
}

// addDonorContact: POST /admin/outbox/contacts (donor, email, language).
func (s *Server) addDonorContact(c *fiber.Ctx) error {
	donor, err := strconv.ParseInt(c.FormValue("donor"), 10, 64)
	if err != nil || donor <= 0 {
		return errNotFound
	}
	n := donors.NewContact{Email: c.FormValue("email"), Language: c.FormValue("language")}
	_, err = s.donors.AddContact(c.UserContext(), actor(c), donor, n)
	var fields valid.Errors
	switch {
	case errors.As(err, &fields):
	case errors.Is(err, donors.ErrContactExists):
		fields = valid.Errors{"email": "donor.contact_exists"}
	case err != nil:
		return err
	default:
		return c.Redirect("/admin/outbox?done=added#contacts", http.StatusSeeOther)
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return s.renderOutbox(c, outboxPage{Errors: fields, ErrDonor: donor, Email: n.Email, Language: n.Language})
}

// removeDonorContact: POST /admin/outbox/contacts/{id}/remove (donor).
func (s *Server) removeDonorContact(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return errNotFound
	}
	donor, err := strconv.ParseInt(c.FormValue("donor"), 10, 64)
	if err != nil || donor <= 0 {
		return errNotFound
	}
	if err := s.donors.RemoveContact(c.UserContext(), actor(c), donor, id); err != nil {
		return err
	}
	return c.Redirect("/admin/outbox?done=removed#contacts", http.StatusSeeOther)
}
