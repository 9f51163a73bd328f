package app

import (
	"net/http"
	"testing"
)

// TestHeadLikeGetAndFavicon: HEAD / answers like GET / (status and type,
// no body), and /favicon.ico is the app's icon.
func TestHeadLikeGetAndFavicon(t *testing.T) {
	f := newAccessFixture(t)
	for _, path := range []string{"/", "/login", "/favicon.ico"} {
		get := f.anon().do("GET", path, nil, nil)
		head := f.anon().do("HEAD", path, nil, nil)
		if get.StatusCode != http.StatusOK || head.StatusCode != get.StatusCode {
			t.Fatalf("%s: GET %d, HEAD %d", path, get.StatusCode, head.StatusCode)
		}
		if head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Fatalf("%s: HEAD type %q, GET type %q", path, head.Header.Get("Content-Type"), get.Header.Get("Content-Type"))
		}
	}
	if ct := f.anon().do("GET", "/favicon.ico", nil, nil).Header.Get("Content-Type"); ct != "image/png" {
		t.Fatalf("favicon type %q", ct)
	}
}
