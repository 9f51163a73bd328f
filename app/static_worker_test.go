package app

import (
	"context"
	"encoding/json"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWorkerReplacesOldCopies runs the real service worker in Chromium
// against two releases of the static files: after the first it holds the
// first list and a kept page; when the list changes, the new worker caches
// the new files, keeps a fresh copy of the page (whose old copy named the
// old files) and drops the old cache with its old files.
//
// It serves the worker from a plain HTTP server, not the application, so
// that the release can change under the same origin; the application's
// own serving of /sw.js is tested in static_test.go.
func TestWorkerReplacesOldCopies(t *testing.T) {
	t.Parallel()
	sw, err := fs.ReadFile(assets, "static/sw.js")
	if err != nil {
		t.Fatal(err)
	}
	release := func(css string) *staticSet {
		st, err := buildStatic(fstestFS(map[string]string{
			"s/app.css":              css,
			"s/vendor.js":            "console.log('vendor')",
			"s/sw.js":                string(sw),
			"s/manifest.webmanifest": `{}`,
		}), "s")
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	one, two := release("body{color:red}"), release("body{color:blue}")
	var current atomic.Pointer[staticSet]
	current.Store(one)
	var pageVersion atomic.Int32
	pageVersion.Store(1)

	mux := http.NewServeMux()
	mux.HandleFunc("/sw.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(current.Load().worker.raw)
	})
	mux.HandleFunc("/static/", func(w http.ResponseWriter, r *http.Request) {
		f, ok := current.Load().byURL[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.ctype)
		w.Write(f.raw)
	})
	mux.HandleFunc("/books", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		css, _ := current.Load().url("app.css")
		w.Write([]byte(`<!doctype html><title>books</title><link rel="stylesheet" href="` + css + `">
<p id="v">page ` + string(rune('0'+pageVersion.Load())) + `</p>
<script>
navigator.serviceWorker.register('/sw.js', {scope: '/'})
  .then(() => navigator.serviceWorker.ready)
  .then((reg) => reg.active.postMessage({type: 'keep', path: '/books', html: document.documentElement.outerHTML}));
</script>`))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: mux}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	base := "http://" + ln.Addr().String()

	ctx := newChromium(t)
	eval := func(js string, out any) {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if err := json.Unmarshal(v, out); err != nil {
			t.Fatal(err)
		}
	}
	// state is each cache's name and what it holds (paths), sorted. A cache
	// with nothing in it is left out: caches.open makes again, empty, a cache
	// the worker deleted after caches.keys() listed it, and that empty cache
	// (the probe's own, holding no old file) then stays (run 2 of five under
	// load: "timed out waiting for the second release alone", the old
	// release's name listed with nothing in it).
	const state = `(async () => {
  const out = {};
  for (const name of await caches.keys()) {
    if (!(await caches.has(name))) continue;
    const c = await caches.open(name);
    const paths = (await c.keys()).map((r) => new URL(r.url).pathname).sort();
    if (paths.length === 0) continue;
    out[name] = paths;
    const page = await c.match('/books');
    if (page) out[name + ' page'] = [await page.text()];
  }
  return out;
})()`
	waitFor := func(what string, ok func(map[string][]string) bool) map[string][]string {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			var s map[string][]string
			eval(state, &s)
			if ok(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; caches: %v", what, s)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	version := func(st *staticSet) string {
		i := strings.Index(string(st.worker.raw), "const VERSION = '")
		rest := string(st.worker.raw)[i+len("const VERSION = '"):]
		return rest[:strings.IndexByte(rest, '\'')]
	}
	cssOne, _ := one.url("app.css")
	cssTwo, _ := two.url("app.css")

	// The first release: its files and the kept page, as the page came.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/books")); err != nil {
		t.Fatal(err)
	}
	waitFor("the first release cached with the page", func(s map[string][]string) bool {
		files := s[version(one)]
		return len(s) == 2 && strings.Contains(strings.Join(files, " "), cssOne) &&
			len(s[version(one)+" page"]) == 1 && strings.Contains(s[version(one)+" page"][0], "page 1")
	})

	// The second release: a changed stylesheet, a changed page.
	current.Store(two)
	pageVersion.Store(2)
	var updated bool
	eval(`navigator.serviceWorker.getRegistration().then((r) => r.update()).then(() => true)`, &updated)
	s := waitFor("the second release alone", func(s map[string][]string) bool {
		_, old := s[version(one)]
		return !old && len(s[version(two)+" page"]) == 1
	})
	files := strings.Join(s[version(two)], " ")
	if !strings.Contains(files, cssTwo) || strings.Contains(files, cssOne) {
		t.Fatalf("the new cache holds %s; want %s and not %s", files, cssTwo, cssOne)
	}
	for name, paths := range s {
		if strings.Contains(strings.Join(paths, " "), cssOne) {
			t.Fatalf("cache %s still holds the old release's %s", name, cssOne)
		}
	}
	if page := s[version(two)+" page"][0]; !strings.Contains(page, "page 2") {
		t.Fatalf("the kept page was not refreshed with the new release: %q", page)
	}
}

// fstestFS is an fs.FS of the given files.
func fstestFS(files map[string]string) fs.FS {
	m := fstest.MapFS{}
	for name, body := range files {
		m[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return m
}

// newChromium starts a headless Chromium for t (as browsertest does; the
// app package cannot import browsertest, which imports it).
func newChromium(t *testing.T) context.Context {
	t.Helper()
	path := "/usr/bin/chromium"
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("chromium is not installed at %s: apt-get install -y chromium (make test does)", path)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.UserDataDir(t.TempDir()), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancel(); cancelAlloc() })
	return tctx
}
