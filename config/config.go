// Package config reads Hawker's configuration from the environment into a
// typed struct that main passes explicitly to whatever needs it.
//
// It owns no table and imports no other Hawker package.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultDatabaseURL is the local PostgreSQL that `make run` provisions.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/hawker?sslmode=disable"

// DefaultMetricsAddr keeps /metrics on this machine unless an operator
// decides otherwise.
const DefaultMetricsAddr = "127.0.0.1:9090"

// Config is everything Hawker reads from its environment.
type Config struct {
	DatabaseURL string
	Addr        string
	// MetricsAddr is where `serve` answers GET /metrics: loopback unless
	// set, "" when HAWKER_METRICS_ADDR=off.
	MetricsAddr string
	// Secret signs cookies; only `serve` needs it (RequireSecret), so the
	// operator's tools run without it.
	Secret []byte
	// AuditKey signs the audit trail's checkpoints (HAWKER_AUDIT_KEY); the
	// database never holds it. Without it no checkpoint is written or
	// checked.
	AuditKey []byte
	Dev      bool
	// SMTPURL is HAWKER_SMTP_URL: where donor reports are e-mailed from
	// (its from= is the sender). Nil: they are kept for the outbox page.
	SMTPURL   *url.URL
	LogLevel  slog.Level
	LogFormat string // "json", "text" or "" (text on a terminal, else json)
	// TrustedProxies are the addresses (or CIDR ranges) whose
	// X-Forwarded-For header names the client.
	TrustedProxies []netip.Prefix
	// PublicURL is where people reach Hawker (HAWKER_PUBLIC_URL, such as
	// https://hawker.example.org): statements' verification QR codes point
	// under it. Default: http://localhost with HAWKER_ADDR's port.
	PublicURL string
	// ReadURL is an optional PostgreSQL streaming replica of DatabaseURL
	// (HAWKER_READ_URL) that reports and bulk statements read from, so
	// that they do not load the primary; "" reads the primary.
	ReadURL string
	// JobStaleAfter is how long a background job's worker may go without a
	// heartbeat before another serve process takes the job over
	// (HAWKER_JOB_STALE_AFTER, a Go duration; zero: the queue's default,
	// a minute).
	JobStaleAfter time.Duration
}

// Error names the environment variable that is wrong.
type Error struct {
	Var    string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s %s", e.Var, e.Reason) }

// Load reads the configuration through getenv (os.Getenv in main, a map in tests).
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL: getenv("DATABASE_URL"),
		Addr:        getenv("HAWKER_ADDR"),
		LogFormat:   strings.ToLower(getenv("LOG_FORMAT")),
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = DefaultDatabaseURL
	}
	if err := checkDatabaseURL(c.DatabaseURL); err != nil {
		return c, err
	}
	if c.ReadURL = getenv("HAWKER_READ_URL"); c.ReadURL != "" {
		if err := checkDatabaseURL(c.ReadURL); err != nil {
			return c, &Error{"HAWKER_READ_URL", err.(*Error).Reason}
		}
	}
	if s := getenv("HAWKER_JOB_STALE_AFTER"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < time.Second {
			return c, &Error{"HAWKER_JOB_STALE_AFTER", "must be a duration of at least 1s, such as 30s or 2m"}
		}
		c.JobStaleAfter = d
	}
	if c.Addr == "" {
		c.Addr = ":8080"
	}
	if err := checkAddr("HAWKER_ADDR", c.Addr); err != nil {
		return c, err
	}
	switch c.MetricsAddr = getenv("HAWKER_METRICS_ADDR"); c.MetricsAddr {
	case "":
		c.MetricsAddr = DefaultMetricsAddr
	case "off":
		c.MetricsAddr = ""
	default:
		if err := checkAddr("HAWKER_METRICS_ADDR", c.MetricsAddr); err != nil {
			return c, err
		}
	}
	if dev := getenv("HAWKER_DEV"); dev != "" {
		b, err := strconv.ParseBool(dev)
		if err != nil {
			return c, &Error{"HAWKER_DEV", "must be 1 or 0"}
		}
		c.Dev = b
	}
	switch secret := getenv("HAWKER_SECRET"); {
	case secret != "" && len(secret) < 32:
		return c, &Error{"HAWKER_SECRET", "must be at least 32 characters"}
	case secret != "":
		c.Secret = []byte(secret)
	case c.Dev:
		c.Secret = make([]byte, 32)
		if _, err := rand.Read(c.Secret); err != nil {
			return c, fmt.Errorf("config: generate secret: %w", err)
		}
	}
	if k := getenv("HAWKER_AUDIT_KEY"); k != "" {
		if len(k) < 32 {
			return c, &Error{"HAWKER_AUDIT_KEY", "must be at least 32 characters (generate one with: openssl rand -hex 32)"}
		}
		c.AuditKey = []byte(k)
	}
	if s := getenv("HAWKER_SMTP_URL"); s != "" {
		u, err := url.Parse(s)
		if err != nil || u.Scheme != "smtp" || u.Host == "" {
			return c, &Error{"HAWKER_SMTP_URL", "must look like smtp://user:pass@host:port?from=..."}
		}
		// The sender's address: donor reports go out from it.
		if from, err := mail.ParseAddress(u.Query().Get("from")); err != nil || from.Name != "" {
			return c, &Error{"HAWKER_SMTP_URL", "must name the sender's address: smtp://user:pass@host:port?from=reports@example.org"}
		}
		c.SMTPURL = u
	}
	c.PublicURL = strings.TrimRight(getenv("HAWKER_PUBLIC_URL"), "/")
	if c.PublicURL == "" {
		c.PublicURL = "http://localhost"
		if _, port, err := net.SplitHostPort(c.Addr); err == nil && port != "80" {
			c.PublicURL += ":" + port
		}
	} else if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return c, &Error{"HAWKER_PUBLIC_URL", "must look like https://hawker.example.org"}
	}
	for _, f := range strings.FieldsFunc(getenv("HAWKER_TRUSTED_PROXIES"), func(r rune) bool { return r == ',' || r == ' ' }) {
		p, err := parsePrefix(f)
		if err != nil {
			return c, &Error{"HAWKER_TRUSTED_PROXIES", fmt.Sprintf("has %q, not an address or CIDR range", f)}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	switch lvl := strings.ToLower(getenv("LOG_LEVEL")); lvl {
	case "", "info":
		c.LogLevel = slog.LevelInfo
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		return c, &Error{"LOG_LEVEL", "must be debug, info, warn or error"}
	}
	switch c.LogFormat {
	case "", "json", "text":
	default:
		return c, &Error{"LOG_FORMAT", "must be json or text"}
	}
	return c, nil
}

// RequireSecret is the check of `serve`, the one command that signs cookies.
func (c Config) RequireSecret() error {
	if len(c.Secret) == 0 {
		return &Error{"HAWKER_SECRET", "is required to serve unless HAWKER_DEV=1 (generate one with: openssl rand -hex 32)"}
	}
	return nil
}

// SecretHex is a short, non-reversible tag of the secret for logs.
func (c Config) SecretHex() string { return hex.EncodeToString(c.Secret[:4]) }

// parsePrefix reads "10.0.0.1" or "10.0.0.0/8" (IPv4 or IPv6).
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func checkDatabaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return &Error{"DATABASE_URL", "is not a URL"}
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return &Error{"DATABASE_URL", "must start with postgres://"}
	}
	if strings.TrimPrefix(u.Path, "/") == "" {
		return &Error{"DATABASE_URL", "must name a database (postgres://user@host:port/NAME)"}
	}
	return nil
}

func checkAddr(name, s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return &Error{name, "must be host:port or :port"}
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return &Error{name, "has a bad port"}
	}
	if host != "" && host != "localhost" && net.ParseIP(host) == nil {
		return &Error{name, "has a bad host"}
	}
	return nil
}
