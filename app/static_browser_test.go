package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"hawker/browsertest"
)

// TestKeptBooksAfterNewSession: the service worker opens the vendor's books
// from its kept copy at once. When her session ended without signing out
// (it expired) and she signs in again, the kept copy she is shown first
// carries the old session's form token; a sale she records at once still
// reaches the server, exactly once, once the fresh copy has come in.
func TestKeptBooksAfterNewSession(t *testing.T) {
	srv := browsertest.Start(t)
	seedRoles(t, srv)
	var participantID int64
	if err := srv.DB.Get(&participantID, `SELECT participant_id FROM users WHERE login = 'vendor'`); err != nil {
		t.Fatal(err)
	}
	entries := func() int {
		t.Helper()
		var n int
		if err := srv.DB.Get(&n, `SELECT count(*) FROM vendor_entries WHERE participant_id = $1`, participantID); err != nil {
			t.Fatal(err)
		}
		return n
	}
	b := browsertest.New(t)
	run := browsertest.On(t, b).Run
	eval := browsertest.On(t, b).Eval
	waitFor := browsertest.On(t, b).WaitFor

	run(signIn(srv, "vendor", browserPassword, "#sale-amount"))
	waitFor("the worker and the kept page", func() bool {
		return eval(`(async () => String(!!navigator.serviceWorker.controller && !!(await caches.match('/books'))))()`) == "true"
	})
	oldToken := eval(`document.querySelector('meta[name="csrf-token"]').content`)

	// Her session ends without a sign-out, and she signs in again (on
	// another tab, say). Her books open from the kept copy at once, with the
	// old session's token, while the worker's fresh copy comes slowly (its
	// network is slowed to 3 s a request); she records a sale at once.
	slowWorker(t, b, 3000)
	if _, err := chromedp.Call(b, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	session := apiSession(t, srv, "vendor", browserPassword)
	if _, err := chromedp.Call(b, network.SetCookies, network.SetCookiesParams{Cookies: []*network.CookieParam{
		{Name: session.Name, Value: session.Value, URL: srv.URL + "/", HTTPOnly: true},
	}}); err != nil {
		t.Fatal(err)
	}
	run(chromedp.Navigate(srv.URL+"/books"), chromedp.WaitVisible(chromedp.CSS("#sale-amount")))
	if token := eval(`document.querySelector('meta[name="csrf-token"]').content`); token != oldToken {
		t.Fatal("the books did not open from the kept copy")
	}
	run(chromedp.SetValue(chromedp.CSS("#sale-amount"), "75"),
		chromedp.Click(chromedp.CSS("#sale-form button[value=cash]")))

	// The old token is refused; the fresh copy brings the new one, and the
	// sale goes through.
	waitFor("the sale on the server", func() bool { return entries() == 1 })
	waitFor("an empty outbox", func() bool {
		return eval(`hawkerBooks.outbox().then((items) => String(items.length))`) == "0"
	})
	if token := eval(`document.querySelector('meta[name="csrf-token"]').content`); token == oldToken {
		t.Fatal("the page still carries the old session's form token")
	}
	if n := entries(); n != 1 {
		t.Fatalf("the server holds %d entries, want 1", n)
	}
}

// apiSession signs login in through the API and returns the session cookie.
func apiSession(t *testing.T, srv *browsertest.Server, login, password string) *http.Cookie {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"login": login, "password": password})
	resp, err := http.Post(srv.URL+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "hawker_session" && c.Value != "" && resp.StatusCode == http.StatusOK {
			return c
		}
	}
	t.Fatalf("sign in %s: status %d, no session cookie", login, resp.StatusCode)
	return nil
}

// slowWorker slows the network of the service worker of ctx's page to
// latency ms a request.
func slowWorker(t *testing.T, ctx context.Context, latency float64) {
	t.Helper()
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range infos {
		if info.Type != "service_worker" {
			continue
		}
		wctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID))
		t.Cleanup(cancel)
		if _, err := chromedp.Call(wctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Latency: latency, DownloadThroughput: -1, UploadThroughput: -1}},
		}); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("no service worker to slow down")
}
