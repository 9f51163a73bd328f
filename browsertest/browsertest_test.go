package browsertest_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"hawker/browsertest"
)

func TestBrowserReachesTheApp(t *testing.T) {
	srv := browsertest.Start(t)
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/healthz")); err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(body) != "ok" {
		t.Fatalf("healthz in the browser: %q", body)
	}
	png := browsertest.Screenshot(t, ctx, filepath.Join(t.TempDir(), "shot.png"))
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Fatal("the screenshot is not a PNG")
	}
}
