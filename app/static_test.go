package app

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// decoded returns resp's body as sent before compression.
func decoded(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	switch enc := resp.Header.Get("Content-Encoding"); enc {
	case "gzip":
		b, err = fasthttp.AppendGunzipBytes(nil, b)
	case "br":
		b, err = fasthttp.AppendUnbrotliBytes(nil, b)
	case "":
	default:
		t.Fatalf("unexpected Content-Encoding %q", enc)
	}
	if err != nil {
		t.Fatalf("decode %s: %v", resp.Header.Get("Content-Encoding"), err)
	}
	return b
}

// A PDF from a handler: statements and reports send these.
var testPDF = route{"GET", "/test/statement.pdf", public, func(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/pdf")
	return c.Send(bytes.Repeat([]byte("%PDF-1.4 fake but long enough to be worth compressing\n"), 40))
}}

// TestCompression: every text response is compressed when the client
// accepts it (brotli or gzip, with Vary), and decodes to what an identity
// request gets; PDFs and PNGs are sent as they are.
func TestCompression(t *testing.T) {
	f := newAccessFixture(t, func(d *Deps) { d.testRoutes = []route{testPDF} })
	st := f.s.static
	asset := func(name string) string {
		u, err := st.url(name)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	officer := f.as("officer")
	anon := f.anon()
	cases := []struct {
		name, path string
		c          *client
		ctype      string
		compressed bool
	}{
		{"page", "/login", anon, "text/html", true},
		{"page signed in", "/participants", officer, "text/html", true},
		{"error page", "/no-such-page", anon, "text/html", true},
		{"JSON", "/api/v1/participants/" + f.participant["vendor"].Code, officer, "application/json", true},
		{"CSS", asset("app.css"), anon, "text/css", true},
		{"JS", asset("vendor.js"), anon, "text/javascript", true},
		{"SVG", asset("icons/icon.svg"), anon, "image/svg+xml", true},
		{"manifest", "/manifest.webmanifest", anon, "application/manifest+json", true},
		{"service worker", "/sw.js", anon, "text/javascript", true},
		{"PNG", asset("icons/icon-512.png"), anon, "image/png", false},
		{"PDF", testPDF.path, anon, "application/pdf", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plain := tc.c.do("GET", tc.path, nil, nil)
			if ce := plain.Header.Get("Content-Encoding"); ce != "" {
				t.Fatalf("no Accept-Encoding, yet Content-Encoding %q", ce)
			}
			if ct := plain.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
				t.Fatalf("Content-Type %q, want %s", ct, tc.ctype)
			}
			want := decoded(t, plain)
			if len(want) < 200 {
				t.Fatalf("body of %d bytes: too small to show compression", len(want))
			}
			for _, enc := range []string{"gzip", "br"} {
				resp := tc.c.do("GET", tc.path, nil, map[string]string{"Accept-Encoding": enc})
				if resp.StatusCode != plain.StatusCode {
					t.Fatalf("%s: status %d, identity %d", enc, resp.StatusCode, plain.StatusCode)
				}
				got := resp.Header.Get("Content-Encoding")
				if !tc.compressed {
					if got != "" {
						t.Fatalf("%s accepted: Content-Encoding %q, want none", enc, got)
					}
					if b := decoded(t, resp); !bytes.Equal(b, want) {
						t.Fatalf("%s accepted: body differs from identity", enc)
					}
					continue
				}
				if got != enc {
					t.Fatalf("%s accepted: Content-Encoding %q", enc, got)
				}
				if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
					t.Fatalf("%s: Vary %q lacks Accept-Encoding", enc, resp.Header.Get("Vary"))
				}
				b := decoded(t, resp)
				if tc.name == "page" || tc.name == "page signed in" || tc.name == "error page" {
					// Pages carry per-request tokens: compare their shape.
					if len(b) < len(want)*9/10 || !bytes.HasPrefix(b, want[:100]) {
						t.Fatalf("%s: decoded page does not match the identity page", enc)
					}
				} else if !bytes.Equal(b, want) {
					t.Fatalf("%s: decoded body differs from identity", enc)
				}
			}
		})
	}
}

// TestStaticHashedNames: every static file is served under a name that
// carries its content's hash, for a year, immutable.
func TestStaticHashedNames(t *testing.T) {
	f := newAccessFixture(t)
	st := f.s.static
	if len(st.urls) < 5 {
		t.Fatalf("only %d static files", len(st.urls))
	}
	hashed := regexp.MustCompile(`\.([0-9a-f]{10})\.[a-z]+$`)
	for _, u := range st.urls {
		resp := f.anon().do("GET", u, nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", u, resp.StatusCode)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Fatalf("%s: Cache-Control %q", u, cc)
		}
		body := decoded(t, resp)
		m := hashed.FindStringSubmatch(u)
		sum := sha256.Sum256(body)
		if m == nil || m[1] != hex.EncodeToString(sum[:5]) {
			t.Fatalf("%s: the name does not carry the hash of the %d bytes served", u, len(body))
		}
		head := f.anon().do("HEAD", u, nil, nil)
		if head.StatusCode != http.StatusOK || head.Header.Get("Cache-Control") != immutable {
			t.Fatalf("HEAD %s: status %d, Cache-Control %q", u, head.StatusCode, head.Header.Get("Cache-Control"))
		}
	}
}

// TestStaticNameChangesWithContent: a changed file gets a new name (and the
// service worker a new version); an unchanged one keeps its name.
func TestStaticNameChangesWithContent(t *testing.T) {
	sw, err := fs.ReadFile(assets, "static/sw.js")
	if err != nil {
		t.Fatal(err)
	}
	mf := []byte(`{"icons": [{"src": "/static/i.png"}]}`)
	build := func(css string) *staticSet {
		t.Helper()
		st, err := buildStatic(fstest.MapFS{
			"s/a.css":                {Data: []byte(css)},
			"s/b.js":                 {Data: []byte("console.log('b')")},
			"s/i.png":                {Data: []byte("\x89PNG")},
			"s/sw.js":                {Data: sw},
			"s/manifest.webmanifest": {Data: mf},
		}, "s")
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	one, two := build("body{color:red}"), build("body{color:blue}")
	if one.byName["a.css"].url == two.byName["a.css"].url {
		t.Fatalf("a.css changed but kept its name %s", one.byName["a.css"].url)
	}
	if one.byName["b.js"].url != two.byName["b.js"].url {
		t.Fatalf("b.js did not change but was renamed: %s, %s", one.byName["b.js"].url, two.byName["b.js"].url)
	}
	if js := string(one.byName["b.js"].raw); js != "console.log('b')" {
		t.Fatalf("b.js served as %q", js)
	}
	if bytes.Contains(one.worker.raw, []byte("\n// ")) || !bytes.Contains(one.worker.raw, []byte("'use strict';")) {
		t.Fatal("the service worker is served with its comment lines, or without its code")
	}
	if bytes.Equal(one.worker.raw, two.worker.raw) {
		t.Fatal("the service worker did not change with the list")
	}
	if !bytes.Contains(one.manifest.raw, []byte(`"`+one.byName["i.png"].url+`"`)) {
		t.Fatalf("the manifest does not name the hashed icon: %s", one.manifest.raw)
	}
	if _, err := buildStatic(fstest.MapFS{
		"s/sw.js":                {Data: sw},
		"s/manifest.webmanifest": {Data: []byte(`{"src": "/static/missing.png"}`)},
	}, "s"); err == nil {
		t.Fatal("a manifest naming a missing file was accepted")
	}
}

// TestStaticOldNames: a plain name (/static/app.css) or an older hash of an
// existing file redirects to the current hashed name, never cached; a name
// of no file is 404.
func TestStaticOldNames(t *testing.T) {
	f := newAccessFixture(t)
	st := f.s.static
	for name, file := range st.byName {
		for _, old := range []string{"/static/" + name, "/static/" + strings.TrimSuffix(name, pathExt(name)) + ".0123456789" + pathExt(name)} {
			resp := f.anon().do("GET", old, nil, nil)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != file.url {
				t.Fatalf("%s: status %d to %q, want 302 to %s", old, resp.StatusCode, resp.Header.Get("Location"), file.url)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
				t.Fatalf("%s: Cache-Control %q", old, cc)
			}
		}
	}
	for _, p := range []string{"/static/nope.css", "/static/", "/static/icons", "/static/vendor.css", "/static/sw.js", "/static/app.c0ffee.css"} {
		if resp := f.anon().do("GET", p, nil, nil); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: status %d, want 404", p, resp.StatusCode)
		}
	}
}

func pathExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// TestWorkerPrecachesTheHelpersList: the service worker precaches exactly
// the files the templates' helper names, and the pages name no static file
// outside it.
func TestWorkerPrecachesTheHelpersList(t *testing.T) {
	f := newAccessFixture(t)
	st := f.s.static
	resp := f.anon().do("GET", "/sw.js", nil, nil)
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Fatalf("/sw.js Cache-Control %q", cc)
	}
	sw := decoded(t, resp)
	m := regexp.MustCompile(`const PRECACHE = (\[.*\]);`).FindSubmatch(sw)
	if m == nil {
		t.Fatalf("no PRECACHE list in /sw.js")
	}
	var precache []string
	if err := json.Unmarshal(m[1], &precache); err != nil {
		t.Fatal(err)
	}
	var helper []string
	for name := range st.byName {
		u, err := st.url(name)
		if err != nil {
			t.Fatal(err)
		}
		helper = append(helper, u)
	}
	slices.Sort(helper)
	if !slices.Equal(precache, helper) {
		t.Fatalf("precache %v\nhelper   %v", precache, helper)
	}
	if !regexp.MustCompile(`const VERSION = 'hawker-[0-9a-f]{10}';`).Match(sw) {
		t.Fatal("no VERSION in /sw.js")
	}

	// The books page, the manifest and every page template name static
	// files only through the helper.
	books := string(decoded(t, f.as("vendor").do("GET", "/books", nil, nil)))
	manifest := string(decoded(t, f.anon().do("GET", "/manifest.webmanifest", nil, nil)))
	refs := regexp.MustCompile(`/static/[^"' )]+`)
	for _, doc := range []string{books, manifest} {
		found := refs.FindAllString(doc, -1)
		if len(found) == 0 {
			t.Fatal("no static file named")
		}
		for _, u := range found {
			if !slices.Contains(precache, u) {
				t.Fatalf("%s is named but not precached", u)
			}
		}
	}
	err := fs.WalkDir(assets, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte("/static/")) {
			t.Errorf("%s names /static/ directly; use {{asset \"…\"}}", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStripLineComments: only lines that are nothing but a // comment go.
func TestStripLineComments(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"// a\ncode();\n  // b\n", "code();\n"},
		{"var u = 'http://x'; // kept: code before it\n", "var u = 'http://x'; // kept: code before it\n"},
		{"a();\n/* block */\nb();", "a();\n/* block */\nb();"},
		{"// only", ""},
	} {
		if got := string(stripLineComments([]byte(tc.in))); got != tc.want {
			t.Errorf("stripLineComments(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
