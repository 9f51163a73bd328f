package config

import (
	"errors"
	"net/netip"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestTrustedProxies(t *testing.T) {
	c, err := Load(env(map[string]string{"HAWKER_DEV": "1", "HAWKER_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,::1"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "::1/128"}
	if len(c.TrustedProxies) != len(want) {
		t.Fatalf("proxies %v", c.TrustedProxies)
	}
	for i, p := range c.TrustedProxies {
		if p.String() != want[i] {
			t.Errorf("proxy %d = %s, want %s", i, p, want[i])
		}
	}
	if !c.TrustedProxies[0].Contains(netip.MustParseAddr("10.1.2.3")) {
		t.Error("10.1.2.3 not in 10.0.0.0/8")
	}
	_, err = Load(env(map[string]string{"HAWKER_DEV": "1", "HAWKER_TRUSTED_PROXIES": "proxy.example"}))
	var ce *Error
	if !errors.As(err, &ce) || ce.Var != "HAWKER_TRUSTED_PROXIES" {
		t.Fatalf("a host name: %v", err)
	}
}

func TestPublicURL(t *testing.T) {
	for _, c := range []struct{ url, addr, want string }{
		{"", "", "http://localhost:8080"},
		{"", ":9090", "http://localhost:9090"},
		{"https://hawker.example.org/", "", "https://hawker.example.org"},
	} {
		cfg, err := Load(env(map[string]string{"HAWKER_DEV": "1", "HAWKER_PUBLIC_URL": c.url, "HAWKER_ADDR": c.addr}))
		if err != nil || cfg.PublicURL != c.want {
			t.Errorf("HAWKER_PUBLIC_URL=%q HAWKER_ADDR=%q: %q, %v; want %q", c.url, c.addr, cfg.PublicURL, err, c.want)
		}
	}
	for _, bad := range []string{"hawker.example.org", "ftp://x", "https://x/?a=1", "https://"} {
		_, err := Load(env(map[string]string{"HAWKER_DEV": "1", "HAWKER_PUBLIC_URL": bad}))
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != "HAWKER_PUBLIC_URL" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestSMTPURL(t *testing.T) {
	c, err := Load(env(map[string]string{"HAWKER_DEV": "1", "HAWKER_SMTP_URL": "smtp://u:p@mail.example.org:587?from=reports@example.org"}))
	if err != nil || c.SMTPURL.Host != "mail.example.org:587" || c.SMTPURL.Query().Get("from") != "reports@example.org" {
		t.Fatalf("SMTP URL %v, %v", c.SMTPURL, err)
	}
	if c, err := Load(env(map[string]string{"HAWKER_DEV": "1"})); err != nil || c.SMTPURL != nil {
		t.Fatalf("no SMTP URL: %v, %v", c.SMTPURL, err)
	}
	for _, bad := range []string{"http://mail.example.org", "smtp://mail.example.org:25", "smtp://mail.example.org?from=nobody", "smtp://mail.example.org?from=Reports+<r@example.org>"} {
		_, err := Load(env(map[string]string{"HAWKER_DEV": "1", "HAWKER_SMTP_URL": bad}))
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != "HAWKER_SMTP_URL" {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
