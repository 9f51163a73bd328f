package browsertest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// WaitTimeout bounds WaitFor: generous, because a test's machine may be
// running the whole suite beside other work.
var WaitTimeout = 45 * time.Second

// Tab is one browser tab of a test, with the steps every browser test
// takes on it; each fails the test on the first error.
type Tab struct {
	T   testing.TB
	Ctx context.Context
}

// On is t's Tab for ctx, a context that New or NewTab returned.
func On(t testing.TB, ctx context.Context) Tab { return Tab{T: t, Ctx: ctx} }

// Run does steps in the tab.
func (b Tab) Run(steps ...chromedp.Action[chromedp.Void]) {
	b.T.Helper()
	if err := chromedp.Do(b.Ctx, steps...); err != nil {
		b.T.Fatal(err)
	}
}

// Eval evaluates js in the tab, awaiting it when it is a promise, and
// returns its value as a string.
func (b Tab) Eval(js string) string { b.T.Helper(); return Eval[string](b.T, b.Ctx, js) }

// EvalInt is Eval for a script whose value is a number.
func (b Tab) EvalInt(js string) int { b.T.Helper(); return Eval[int](b.T, b.Ctx, js) }

// WaitFor polls cond until it holds (see the package's WaitFor).
func (b Tab) WaitFor(what string, cond func() bool) { b.T.Helper(); WaitFor(b.T, what, cond) }

// Eval evaluates js in ctx, awaiting it when it is a promise, and returns
// its value as T.
func Eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// WaitFor polls cond every 100 ms until it holds, and fails t naming what it
// waited for after WaitTimeout: browser tests wait for conditions, never for
// fixed times.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(WaitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Offline cuts ctx's network or restores it, as a phone that loses its
// signal: the page's requests fail, and navigator.onLine follows. The
// service worker's own fetches were seen to reach the server all the same
// (a page it fetched network-first came live, not from its cache): a test
// of what the worker answers offline cuts the server off too:
// Server.Offline does both.
func Offline(t testing.TB, ctx context.Context, off bool) {
	t.Helper()
	yes := true
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		EmulateOfflineServiceWorker: &yes,
		MatchedNetworkConditions:    []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: off, DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		t.Fatal(err)
	}
}
