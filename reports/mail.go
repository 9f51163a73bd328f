package reports

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"time"

	"hawker/thai"
)

// mailFacts are what a report's e-mail says.
type mailFacts struct {
	From, To  string
	Donor     int64
	DonorName string
	Month     time.Time
	Lang      string // the attached PDF's language
	PDF       []byte
	Date      time.Time
	Site      string // the public address, for the link to the reports page
}

// composed is an e-mail ready to send: its parts for the outbox page and
// the whole message as sent.
type composed struct {
	To, Lang, Subject, Body, Attachment string
	Message                             []byte
}

// compose writes the report's e-mail: a short text in Thai, then the same
// in English, and the PDF attached. The boundary comes from the PDF, so
// the same report to the same person composes the same message but for
// its Date.
func compose(f mailFacts) composed {
	args := func(lang string) []any {
		return []any{"Donor", f.DonorName, "Month", thai.MonthIn(lang, f.Month), "URL", f.Site + "/impact"}
	}
	subject := word("th", "mail.impact_subject", args("th")...) + " · " + word("en", "mail.impact_subject", args("en")...)
	body := word("th", "mail.impact_body", args("th")...) + "\n\n———\n\n" + word("en", "mail.impact_body", args("en")...) + "\n"
	name := fmt.Sprintf("impact-%d-%s-%s.pdf", f.Donor, f.Month.Format("2006-01"), f.Lang)

	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	sum := sha256.Sum256(f.PDF)
	_ = mw.SetBoundary("hawker-" + hex.EncodeToString(sum[:12]))
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", f.From)
	h("To", f.To)
	h("Subject", mime.BEncoding.Encode("utf-8", subject))
	h("Date", f.Date.In(thai.Bangkok).Format(time.RFC1123Z))
	h("Message-ID", messageID(f.Donor, f.Month, f.To))
	h("MIME-Version", "1.0")
	h("Content-Type", "multipart/mixed; boundary="+mw.Boundary())
	b.WriteString("\r\n")

	text, _ := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	qp := quotedprintable.NewWriter(text)
	qp.Write([]byte(crlf(body)))
	qp.Close()

	att, _ := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mime.FormatMediaType("application/pdf", map[string]string{"name": name})},
		"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": name})},
		"Content-Transfer-Encoding": {"base64"},
	})
	enc := base64.StdEncoding.EncodeToString(f.PDF)
	for len(enc) > 76 {
		att.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	att.Write([]byte(enc + "\r\n"))
	mw.Close()
	return composed{To: f.To, Lang: f.Lang, Subject: subject, Body: body, Attachment: name, Message: b.Bytes()}
}

// restamp gives a composed message another From and Date, the rest of it
// byte for byte as it was: both are header lines of their own (compose
// writes them unfolded) before the blank line that ends the header.
func restamp(msg []byte, from string, date time.Time) []byte {
	end := bytes.Index(msg, []byte("\r\n\r\n"))
	if end < 0 {
		return msg
	}
	lines := bytes.Split(msg[:end], []byte("\r\n"))
	for i, l := range lines {
		switch {
		case bytes.HasPrefix(l, []byte("From: ")):
			lines[i] = []byte("From: " + from)
		case bytes.HasPrefix(l, []byte("Date: ")):
			lines[i] = []byte("Date: " + date.In(thai.Bangkok).Format(time.RFC1123Z))
		}
	}
	return append(bytes.Join(lines, []byte("\r\n")), msg[end:]...)
}

// crlf ends every line of s with CRLF, as a mail's text must.
func crlf(s string) string {
	return string(bytes.ReplaceAll(bytes.ReplaceAll([]byte(s), []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n")))
}

// sendSMTP sends msg from from to to through the server of u
// (smtp://user:pass@host:port): STARTTLS when the server offers it, then
// PLAIN authentication when u has a user (net/smtp refuses to send a
// password unencrypted to anything but this machine). An error the server
// answered is a *textproto.Error; 5xx means it refused for good.
func sendSMTP(ctx context.Context, u *url.URL, from, to string, msg []byte) error {
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		host, port = u.Host, "587"
	}
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello("hawker"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		if err := c.Auth(smtp.PlainAuth("", u.User.Username(), pass, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}
