// Command pdf measures how fast Hawker prints monthly statements (make
// bench-pdf): one vendor-month of 60 entries, printed over and over by one
// worker per core, as PDF by package reports (gofpdf), and, in the same run,
// the same statement as an HTML page printed to PDF by headless Chromium
// kept warm (chromedp page.PrintToPDF, one tab per core), which is what most
// teams would reach for. It prints statements per second for both, the CPU
// time each side spends on a statement (which a shared machine's load
// disturbs far less than the rate), both ratios, and the peak resident
// memory of the gofpdf side.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"hawker/money"
	"hawker/reports"
	"hawker/thai"
)

func main() {
	seconds := flag.Duration("d", 10*time.Second, "how long to run each side")
	entries := flag.Int("entries", 60, "entries in the vendor-month")
	chromium := flag.String("chromium", "/usr/bin/chromium", `the Chromium binary; "none" measures gofpdf alone`)
	vendorsN := flag.Int("bulk", 0, "also print a closed month for this many vendors from a scratch database (the statements command's path)")
	flag.Parse()
	if *vendorsN > 0 {
		reports.TuneGC()
		if err := bulk(*vendorsN); err != nil {
			fmt.Fprintln(os.Stderr, "bench-pdf:", err)
			os.Exit(1)
		}
	}
	if err := run(*seconds, *entries, *chromium); err != nil {
		fmt.Fprintln(os.Stderr, "bench-pdf:", err)
		os.Exit(1)
	}
}

func run(d time.Duration, entries int, chromium string) error {
	reports.TuneGC() // as hawker statements does
	st := reports.SampleStatement(entries, true)
	opts := reports.PDFOptions{Lang: "th", VerifyURL: "https://hawker.example.org/verify/abcdefghijklmnopqrstuvwxyz234567",
		Created: time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC)}
	one, err := st.PDF(opts)
	if err != nil {
		return err
	}
	workers := runtime.GOMAXPROCS(0)
	fmt.Printf("statement: %d entries, %d table rows, %d bytes of PDF; %d workers (GOMAXPROCS)\n",
		entries, len(st.Rows), len(one), workers)

	var made atomic.Int64
	cpu0 := cpuTime()
	gofpdfRate, err := measure(d, workers, func(int) error {
		_, err := st.PDF(opts)
		made.Add(1)
		return err
	})
	if err != nil {
		return err
	}
	perStatement := (cpuTime() - cpu0) / time.Duration(made.Load())
	fmt.Printf("gofpdf (reports):  %7.1f statements/s, peak RSS %d MB\n", gofpdfRate, peakRSS()/1024)
	fmt.Printf("  CPU time %.1f ms a statement: %.0f statements/s on %d idle cores\n",
		float64(perStatement.Microseconds())/1000, float64(workers)*float64(time.Second)/float64(perStatement), workers)

	if chromium == "none" {
		return nil
	}
	html, err := statementHTML(st)
	if err != nil {
		return err
	}
	chromeRate, chromeCPU, err := chromiumRate(d, workers, chromium, html)
	if err != nil {
		return err
	}
	fmt.Printf("Chromium PrintToPDF: %5.1f statements/s (warm browser, one tab per core)\n", chromeRate)
	fmt.Printf("  CPU time %.1f ms a statement (every Chromium process): %.0f statements/s on %d idle cores\n",
		float64(chromeCPU.Microseconds())/1000, float64(workers)*float64(time.Second)/float64(chromeCPU), workers)
	fmt.Printf("ratio: %.1f× in statements/s, %.1f× in CPU time a statement\n",
		gofpdfRate/chromeRate, float64(chromeCPU)/float64(perStatement))
	return nil
}

// measure runs work on workers goroutines for d and returns runs per second.
func measure(d time.Duration, workers int, work func(worker int) error) (float64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var n atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := work(w); err != nil {
					if ctx.Err() == nil {
						once.Do(func() { first = err })
					}
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds(), first
}

// chromiumRate prints html to PDF in a warm headless Chromium, one tab per
// worker, for d. It returns the rate and the CPU time every Chromium
// process spent on a statement: on a shared machine the rate follows the
// load, the CPU time much less, so the two sides compare best by it.
func chromiumRate(d time.Duration, workers int, chromium, html string) (float64, time.Duration, error) {
	dir, err := os.MkdirTemp("", "bench-pdf-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		return 0, 0, fmt.Errorf("start chromium: %w", err)
	}
	tabs := make([]context.Context, workers)
	for i := range tabs {
		tab, cancel := chromedp.NewContext(browser)
		defer cancel()
		// Warm: the tab exists and has printed once.
		if err := printOnce(tab, html); err != nil {
			return 0, 0, err
		}
		tabs[i] = tab
	}
	root := chromedp.FromContext(browser).Browser.Process().Pid
	var printed atomic.Int64
	cpu0 := treeCPU(root)
	rate, err := measure(d, workers, func(w int) error {
		err := printOnce(tabs[w], html)
		printed.Add(1)
		return err
	})
	if err != nil || printed.Load() == 0 {
		return rate, 0, err
	}
	return rate, (treeCPU(root) - cpu0) / time.Duration(printed.Load()), nil
}

// treeCPU is the CPU time, user and system, of the process root and every
// process below it (Chromium's renderers, GPU and utility processes), as
// /proc counts it, including children that have exited and been waited for.
func treeCPU(root int) time.Duration {
	parent := map[int]int{}
	ticks := map[int]int64{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // it has exited meanwhile
		}
		// The command name is in parentheses and may hold spaces: the
		// fields that follow start after the last ')'.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 15 {
			continue
		}
		var ppid int
		var ut, st, cut, cst int64
		fmt.Sscan(f[1], &ppid)
		fmt.Sscan(f[11], &ut)
		fmt.Sscan(f[12], &st)
		fmt.Sscan(f[13], &cut)
		fmt.Sscan(f[14], &cst)
		parent[pid] = ppid
		ticks[pid] = ut + st + cut + cst
	}
	var sum int64
	for pid, t := range ticks {
		for p := pid; p != 0; p = parent[p] {
			if p == root {
				sum += t
				break
			}
		}
	}
	const hz = 100 // USER_HZ: /proc's clock ticks a second on Linux
	return time.Duration(sum) * time.Second / hz
}

// printOnce loads html into tab and prints it to PDF, page numbers in
// the footer as the statement has them.
func printOnce(tab context.Context, html string) error {
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
		return err
	}
	ft, err := chromedp.Call(tab, page.GetFrameTree, cdp.Empty{})
	if err != nil {
		return err
	}
	if _, err := chromedp.Call(tab, page.SetDocumentContent, page.SetDocumentContentParams{FrameID: ft.FrameTree.Frame.ID, HTML: html}); err != nil {
		return err
	}
	yes := true
	res, err := chromedp.Call(tab, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69,
		DisplayHeaderFooter: &yes, PrintBackground: &yes,
		FooterTemplate: `<div style="font-size:9px;width:100%;text-align:right;margin-right:15mm">หน้า <span class=pageNumber></span> จาก <span class=totalPages></span></div>`})
	if err == nil && !bytes.HasPrefix(res.Data, []byte("%PDF")) {
		err = fmt.Errorf("chromium printed no PDF")
	}
	return err
}

// cpuTime is the process's CPU time so far, user and system: on a
// shared machine, a truer measure of the work than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's peak resident set in kB (VmHWM).
func peakRSS() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kb)
			return kb
		}
	}
	return 0
}

// statementHTML is the same statement as a printable HTML page: the layout
// a team would write with a template and a print stylesheet.
func statementHTML(st reports.Statement) (string, error) {
	var b bytes.Buffer
	top := money.Greatest(money.Zero, st.DailySales...)
	bars := make([]string, len(st.DailySales))
	for i, d := range st.DailySales {
		bars[i] = "0"
		if top.IsPositive() { // a bar's height in percent: decimal's division, not money
			bars[i] = d.Mul(100).Decimal().Div(top.Decimal()).StringFixed(0)
		}
	}
	err := htmlTemplate.Execute(&b, map[string]any{"S": st, "Month": thai.MonthIn("th", st.Month), "Bars": bars})
	return b.String(), err
}

var htmlTemplate = template.Must(template.New("st").Funcs(template.FuncMap{
	"money": func(a money.Amount) string { return a.Format() }, "date": thai.Date,
	"words": func(a money.Amount) string { return thai.BahtText(a.Decimal()) },
	"inc":   func(i int) int { return i + 1 },
}).Parse(`<!doctype html><html lang="th"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 15mm; }
body { font-family: Laksaman, "TH Sarabun New", sans-serif; font-size: 13pt; }
h1 { font-size: 20pt; margin: 0; } h2 { font-size: 15pt; border-bottom: 1px solid #000; }
table { width: 100%; border-collapse: collapse; } td, th { border: 1px solid #000; padding: 1px 4px; }
td.n { text-align: right; } .chart { display: flex; align-items: flex-end; height: 38mm; gap: 1mm; }
.chart div { background: #2e6ea0; flex: 1; } thead { display: table-header-group; }
</style></head><body>
<p><b>โครงการอาหารริมทางถูกสุขลักษณะ</b></p>
<h1>รายงานการเงินประจำเดือน {{.Month}}</h1>
<p>ผู้ค้า: {{.S.Name}} รหัส: {{.S.Code}}<br>กิจการ: {{.S.Business}}<br>เลขที่: {{.S.Number}} ลายนิ้วมือ: {{.S.Short}}</p>
<h2>สรุปประจำเดือน</h2><table>
<tr><td>เงินสดและเงินฝากยกมา</td><td class="n">{{money .S.Opening}}</td><td>({{words .S.Opening}})</td></tr>
{{range .S.SalesBy}}<tr><td>{{.Key}}</td><td class="n">{{money .Amount}}</td><td></td></tr>{{end}}
<tr><td>ยอดขายรวม</td><td class="n">{{money .S.Sales}}</td><td>({{words .S.Sales}})</td></tr>
{{range .S.ExpensesBy}}<tr><td>{{.Key}}</td><td class="n">{{money .Amount}}</td><td></td></tr>{{end}}
<tr><td>ค่าใช้จ่ายรวม</td><td class="n">{{money .S.Expenses}}</td><td>({{words .S.Expenses}})</td></tr>
<tr><td>กำไร</td><td class="n">{{money .S.Profit}}</td><td>({{words .S.Profit}})</td></tr>
<tr><td>เงินที่นำกลับบ้าน</td><td class="n">{{money .S.Drawings}}</td><td></td></tr>
<tr><td>ทุนและอุปกรณ์</td><td class="n">{{money .S.GrantsTotal}}</td><td></td></tr>
<tr><td>เงินสดและเงินฝากคงเหลือ</td><td class="n">{{money .S.Closing}}</td><td>({{words .S.Closing}})</td></tr>
</table>
<h2>ยอดขายรายวัน</h2><div class="chart">{{range .Bars}}<div style="height: {{.}}%"></div>{{end}}</div>
<h2>รายงานเงินสดรับ-จ่าย</h2><table><thead><tr><th>วัน เดือน ปี</th><th>รายการ</th><th>รับ</th><th>จ่าย</th><th>คงเหลือ</th></tr></thead><tbody>
{{range .S.Rows}}<tr><td>{{date .Date}}</td><td>{{.Kind}} {{.What}} {{.Note}}</td><td class="n">{{money .Receipt}}</td><td class="n">{{money .Payment}}</td><td class="n">{{money .Balance}}</td></tr>{{end}}
</tbody></table>
<h2>อุปกรณ์ที่มีอยู่ ณ สิ้นเดือน</h2><table>{{range .S.Equipment}}<tr><td>{{date .Date}}</td><td>{{.Text}}</td><td class="n">{{money .Amount}}</td></tr>{{end}}</table>
</body></html>`))
