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
