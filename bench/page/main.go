// Command page-bench measures what a person waits for on a cheap phone over a
// bad network. It builds and starts the real hawker binary on a scratch
// database loaded with the demo programme, puts a byte-counting TCP proxy in
// front of it, and drives headless Chromium through the DevTools Protocol with
// the network throttled to Slow 3G (400 kbps down and up, 400 ms round trip)
// and the CPU slowed 4×. For the vendor's books page, the officer's
// participant list and the sign-in page it prints:
//
//   - the bytes over the wire, cold (empty cache): what the page itself
//     loaded, and everything the visit cost (the proxy's count, which adds the
//     service worker's own downloads and the response headers);
//   - the time from navigation to the first amount box being usable, cold and
//     warm (second visit: service worker and caches filled);
//   - on the books page, the time from tapping "cash" to the sale showing in
//     the outbox (saved on the phone) and to the confirmation with its undo
//     beside the form (the server holds it), cold and warm.
//
// Each figure is the median of -runs visits, each in a fresh browser profile.
// Goals (issue 17): books page ≤ 25 kB over the wire cold, usable in ≤ 2 s
// cold and ≤ 0.5 s warm. It is a program, not a timed test; the scratch
// database is dropped at the end.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"hawker/bench/benchdb"
)

// Slow 3G as the issue states it: 400 kbps each way, 400 ms round trip.
const (
	latencyMS   = 400
	throughput  = 400 * 1000 / 8 // bytes per second
	cpuSlowdown = 4
	password    = "bench-page-1"
)

// scenario is one page as one person opens it.
type scenario struct {
	name   string
	login  string // "" when nobody is signed in
	path   string
	usable string // CSS selector of the first box the person types into
	// needScript: usable only once the page's script has wired the form
	// (the books page records through its outbox).
	needScript bool
	sale       bool
}

var scenarios = []scenario{
	{name: "books (vendor1)", login: "vendor1", path: "/books", usable: "#sale-amount", needScript: true, sale: true},
	{name: "participants (officer)", login: "officer", path: "/participants", usable: "#q"},
	{name: "sign-in", path: "/login", usable: "#login"},
}

// result is one visit's figures; -1 where a figure does not apply.
type result struct {
	pageBytesCold, allBytesCold    int64
	usableCold, usableWarm         float64 // ms
	allBytesWarm                   int64
	saleOutboxCold, saleRecentCold float64
	saleOutboxWarm, saleRecentWarm float64
}

func main() {
	runs := flag.Int("runs", 3, "visits per page; the median is printed")
	flag.BoolVar(&verbose, "v", false, "print every visit's figures and the page's requests")
	chromium := flag.String("chromium", "/usr/bin/chromium", "the browser")
	flag.Parse()
	log.SetFlags(0)
	ctx := context.Background()
	server := benchdb.Server()

	bin, done := benchdb.BuildHawker()
	defer done()
	dbName := benchdb.Name("hawker_bench_page_")
	dbURL := benchdb.Scratch(ctx, server, dbName)
	defer benchdb.Drop(ctx, server, dbName)
	env := append(os.Environ(), "DATABASE_URL="+dbURL, "HAWKER_DEV=1", "LOG_LEVEL=warn")
	fmt.Println("loading the demo programme...")
	if out, err := command(bin, env, "seed", "--demo", "--password", password).CombinedOutput(); err != nil {
		log.Fatalf("seed: %v\n%s", err, out)
	}
	addr := benchdb.FreeAddr()
	srv := command(bin, append(env, "HAWKER_ADDR="+addr), "serve")
	srv.Stdout, srv.Stderr = os.Stdout, os.Stderr
	if err := srv.Start(); err != nil {
		log.Fatal(err)
	}
	defer func() {
		srv.Process.Signal(syscall.SIGTERM)
		srv.Wait()
	}()
	benchdb.WaitReady("http://" + addr)
	px := startProxy(addr)
	base := "http://" + px.addr

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(*chromium),
		chromedp.UserDataDir(filepath.Join(filepath.Dir(bin), "profile")),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		log.Fatalf("start chromium: %v", err)
	}

	fmt.Printf("\nSlow 3G (%d kbps down/up, %d ms RTT), CPU %d× slower; median of %d cold+warm visits per page\n",
		throughput*8/1000, latencyMS, cpuSlowdown, *runs)
	fmt.Println("cold = fresh profile (empty HTTP cache, no service worker); warm = the same profile's next visit")
	fmt.Println("bytes: page = what the page loaded (DevTools); all = every byte the server sent (proxy, with headers and the service worker's downloads)")
	fmt.Println()
	type row struct {
		s   scenario
		res []result
	}
	var rows []row
	for _, s := range scenarios {
		r := row{s: s}
		for i := 0; i < *runs; i++ {
			res, err := visit(browser, px, base, s)
			if err != nil {
				log.Fatalf("%s: %v", s.name, err)
			}
			r.res = append(r.res, res)
			if verbose {
				fmt.Printf("%s #%d: %+v\n", s.name, i+1, res)
			}
		}
		rows = append(rows, r)
	}

	fmt.Printf("%-24s %10s %10s %12s %10s %12s %20s %20s\n", "page", "cold page", "cold all", "usable cold", "warm all", "usable warm", "sale cold out/conf", "sale warm out/conf")
	for _, r := range rows {
		pick := func(f func(result) float64) float64 {
			v := make([]float64, len(r.res))
			for i, x := range r.res {
				v[i] = f(x)
			}
			return median(v)
		}
		sale := func(out, list func(result) float64) string {
			if !r.s.sale {
				return "—"
			}
			return fmt.Sprintf("%s / %s", secs(pick(out)), secs(pick(list)))
		}
		fmt.Printf("%-24s %10s %10s %12s %10s %12s %20s %20s\n", r.s.name,
			kb(pick(func(x result) float64 { return float64(x.pageBytesCold) })),
			kb(pick(func(x result) float64 { return float64(x.allBytesCold) })),
			secs(pick(func(x result) float64 { return x.usableCold })),
			kb(pick(func(x result) float64 { return float64(x.allBytesWarm) })),
			secs(pick(func(x result) float64 { return x.usableWarm })),
			sale(func(x result) float64 { return x.saleOutboxCold }, func(x result) float64 { return x.saleRecentCold }),
			sale(func(x result) float64 { return x.saleOutboxWarm }, func(x result) float64 { return x.saleRecentWarm }),
		)
	}
	fmt.Println()
	fmt.Println("usable: the box (books #sale-amount, participants #q, sign-in #login) is laid out with every stylesheet applied;")
	fmt.Println("        on the books page also the page's script has wired the form (a sale goes through the outbox).")
	fmt.Println("sale:   from tapping \"cash\" to the entry in the outbox (kept on the phone) / the confirmation with its undo (the server holds it).")
	books := rows[0].res
	pick := func(f func(result) float64) float64 {
		v := make([]float64, len(books))
		for i, x := range books {
			v[i] = f(x)
		}
		return median(v)
	}
	cold := pick(func(x result) float64 { return float64(x.allBytesCold) })
	uc := pick(func(x result) float64 { return x.usableCold })
	uw := pick(func(x result) float64 { return x.usableWarm })
	fmt.Printf("\nbooks page over the wire cold: %s (goal ≤ 25.0 kB): %s\n", kb(cold), benchdb.Verdict(cold <= 25*1000))
	fmt.Printf("books page usable cold: %s (goal ≤ 2.00 s): %s\n", secs(uc), benchdb.Verdict(uc <= 2000))
	fmt.Printf("books page usable warm: %s (goal ≤ 0.50 s): %s\n", secs(uw), benchdb.Verdict(uw <= 500))
}

var verbose bool

// probe runs in every document before its own scripts and notes, in
// window.__usable, the milliseconds from navigation to the moment the box is
// usable.
const probe = `(function () {
  var sel = %q, needScript = %t;
  // Cheap checks first: laying out a page still being parsed, every 5 ms,
  // would slow down what is measured.
  function ready() {
    var e = document.querySelector(sel);
    if (!e || e.disabled || (needScript && !window.hawkerBooks)) return false;
    var links = document.querySelectorAll('link[rel=stylesheet]');
    for (var i = 0; i < links.length; i++) if (!links[i].sheet) return false;
    var r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }
  function check() {
    if (window.__usable) return;
    if (document.documentElement && ready()) { window.__usable = performance.now(); return; }
    setTimeout(check, 5);
  }
  check();
})();`

// visit opens s cold in a fresh browser context, records a sale when s has
// one, then opens it warm and records another.
func visit(browser context.Context, px *proxy, base string, s scenario) (result, error) {
	res := result{saleOutboxCold: -1, saleRecentCold: -1, saleOutboxWarm: -1, saleRecentWarm: -1}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer cancel()
	tctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	defer cancelT()
	ctx = tctx
	if err := chromedp.Do(ctx); err != nil {
		return res, err
	}
	var mu sync.Mutex
	pageBytes := int64(0)
	urls := map[network.RequestID]string{}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventResponseReceived:
			if verbose {
				mu.Lock()
				urls[e.RequestID] = fmt.Sprintf("%d %s %s", e.Response.Status, e.Response.Headers["Content-Encoding"], e.Response.URL)
				mu.Unlock()
			}
		case *network.EventLoadingFinished:
			mu.Lock()
			pageBytes += int64(e.EncodedDataLength)
			if u := urls[e.RequestID]; verbose && !strings.Contains(u, " data:") {
				fmt.Printf("    %6.0f B  %s\n", e.EncodedDataLength, u)
			}
			mu.Unlock()
		}
	}); err != nil {
		return res, err
	}
	if s.login != "" {
		if err := signIn(ctx, base, s.login); err != nil {
			return res, err
		}
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		return res, err
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Latency: latencyMS, DownloadThroughput: throughput, UploadThroughput: throughput}},
	}); err != nil {
		return res, err
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Latency: latencyMS, DownloadThroughput: throughput, UploadThroughput: throughput, ConnectionType: network.ConnectionTypeCellular3g,
	}); err != nil {
		return res, err
	}
	if _, err := chromedp.Call(ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: cpuSlowdown}); err != nil {
		return res, err
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: fmt.Sprintf(probe, s.usable, s.needScript),
	}); err != nil {
		return res, err
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		return res, err
	}
	// The service worker fetches on its own network stack: throttle it too.
	go throttleWorkers(ctx)

	// Cold.
	px.reset()
	mu.Lock()
	pageBytes = 0
	mu.Unlock()
	var err error
	if res.usableCold, err = open(ctx, base+s.path); err != nil {
		return res, err
	}
	px.quiet(1500 * time.Millisecond)
	mu.Lock()
	res.pageBytesCold = pageBytes
	mu.Unlock()
	res.allBytesCold = px.down.Load()
	if s.sale {
		if res.saleOutboxCold, res.saleRecentCold, err = recordSale(ctx, "35"); err != nil {
			return res, err
		}
		px.quiet(1500 * time.Millisecond)
		// Warm means the service worker controls the page and keeps it.
		if err := waitTrue(ctx, `(async () => !!navigator.serviceWorker.controller && !!(await caches.match(location.pathname)))()`); err != nil {
			return res, fmt.Errorf("service worker never took over: %w", err)
		}
		px.quiet(1500 * time.Millisecond)
	}

	// Warm.
	px.reset()
	if res.usableWarm, err = open(ctx, base+s.path); err != nil {
		return res, err
	}
	if s.sale {
		if res.saleOutboxWarm, res.saleRecentWarm, err = recordSale(ctx, "40"); err != nil {
			return res, err
		}
	}
	px.quiet(1500 * time.Millisecond)
	res.allBytesWarm = px.down.Load()
	return res, nil
}

// throttleWorkers attaches to each service worker of ctx's browser context
// as it appears and puts it on the same Slow 3G, until ctx ends.
func throttleWorkers(ctx context.Context) {
	self := chromedp.FromContext(ctx).Target.TargetID
	var browserContext cdp.BrowserContextID
	done := map[target.ID]bool{}
	for ctx.Err() == nil {
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			return
		}
		for _, t := range infos {
			if t.TargetID == self {
				browserContext = t.BrowserContextID
			}
		}
		for _, t := range infos {
			if t.Type != "service_worker" || t.BrowserContextID != browserContext || done[t.TargetID] {
				continue
			}
			done[t.TargetID] = true
			wctx, _ := chromedp.NewContext(ctx, chromedp.WithTargetID(t.TargetID))
			if _, err := chromedp.Call(wctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
				MatchedNetworkConditions: []*network.Conditions{{Latency: latencyMS, DownloadThroughput: throughput, UploadThroughput: throughput}},
			}); err != nil && ctx.Err() == nil {
				log.Printf("throttle the service worker: %v", err)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// open navigates to u and returns the probe's time to usable, in ms.
func open(ctx context.Context, u string) (float64, error) {
	if err := chromedp.Do(ctx, chromedp.Navigate(u)); err != nil {
		return 0, err
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.__usable || 0`))
		if err != nil {
			return 0, err
		}
		if v > 0 {
			if verbose {
				t, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const n = performance.getEntriesByType('navigation')[0];
  const r = performance.getEntriesByType('resource').map(e => e.name.replace(/^.*\//, '') + ' ' + e.startTime.toFixed(0) + '→' + e.responseEnd.toFixed(0)).join(', ');
  return 'worker ' + n.workerStart.toFixed(0) + ' response ' + n.responseStart.toFixed(0) + '→' + n.responseEnd.toFixed(0) +
    ' interactive ' + n.domInteractive.toFixed(0) + ' DCL ' + n.domContentLoadedEventEnd.toFixed(0) + ' | ' + r; })()`))
				fmt.Printf("    usable %.0f ms: %s\n", v, t)
			}
			return v, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return 0, fmt.Errorf("%s: the box never became usable", u)
}

// recordSale types amount, taps "cash", and returns the ms until the entry
// shows in the outbox (held on the phone) and until the confirmation with
// its undo shows beside the form (the server holds it).
func recordSale(ctx context.Context, amount string) (outbox, confirmed float64, err error) {
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](fmt.Sprintf(`new Promise(function (resolve) {
  document.querySelectorAll('.saved').forEach(function (el) { el.remove(); });
  document.getElementById('sale-amount').value = %q;
  var t0 = performance.now(), out = -1;
  document.getElementById('sale-form').requestSubmit(document.querySelector('#sale-form button[value=cash]'));
  (function poll() {
    if (out < 0 && document.querySelector('#outbox-list li')) out = performance.now() - t0;
    if (document.querySelector('.saved[data-form="sale-form"] button')) { resolve([out, performance.now() - t0]); return; }
    setTimeout(poll, 5);
  })();
})`, amount), chromedp.EvalAwaitPromise))
	if err != nil {
		return 0, 0, fmt.Errorf("record a sale: %w", err)
	}
	return v[0], v[1], nil
}

func waitTrue(ctx context.Context, js string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("timed out: %s", js)
}

// signIn signs login in through the API (outside the browser, so the browser
// caches stay empty) and hands the session cookie to the browser context.
func signIn(ctx context.Context, base, login string) error {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	body, _ := json.Marshal(map[string]string{"login": login, "password": password})
	resp, err := hc.Post(base+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("sign in %s: status %d", login, resp.StatusCode)
	}
	u, _ := url.Parse(base)
	var cookies []*network.CookieParam
	for _, c := range jar.Cookies(u) {
		cookies = append(cookies, &network.CookieParam{Name: c.Name, Value: c.Value, URL: base + "/", HTTPOnly: true})
	}
	_, err = chromedp.Call(ctx, network.SetCookies, network.SetCookiesParams{Cookies: cookies})
	return err
}

// proxy forwards TCP connections to the server and counts the bytes it sends.
type proxy struct {
	addr string
	down atomic.Int64
	last atomic.Int64 // unix nanoseconds of the last byte either way
}

func startProxy(target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	p := &proxy{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c, target)
		}
	}()
	return p
}

func (p *proxy) serve(c net.Conn, target string) {
	defer c.Close()
	s, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer s.Close()
	go func() {
		p.copy(s, c, nil)
		s.(*net.TCPConn).CloseWrite()
	}()
	p.copy(c, s, &p.down)
}

func (p *proxy) copy(dst io.Writer, src io.Reader, count *atomic.Int64) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.last.Store(time.Now().UnixNano())
			if count != nil {
				count.Add(int64(n))
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *proxy) reset() { p.down.Store(0); p.last.Store(time.Now().UnixNano()) }

// quiet waits until nothing has crossed the proxy for d.
func (p *proxy) quiet(d time.Duration) {
	for time.Since(time.Unix(0, p.last.Load())) < d {
		time.Sleep(100 * time.Millisecond)
	}
}

func command(bin string, env []string, args ...string) *exec.Cmd {
	c := exec.Command(bin, args...)
	c.Env = env
	return c
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func kb(b float64) string { return fmt.Sprintf("%.1f kB", b/1000) }

func secs(ms float64) string {
	if ms < 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f s", ms/1000)
}
