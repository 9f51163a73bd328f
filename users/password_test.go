package users_test

import (
	"errors"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hawker/users"
)

// TestPasswordChecksBoundMemory floods CheckPassword from many goroutines
// and samples the heap meanwhile: it must stay near one argon2id block per
// slot, not one per caller. Callers beyond what the slots serve in
// users.SlotWait get ErrBusy.
func TestPasswordChecksBoundMemory(t *testing.T) {
	hash, err := users.HashPassword("the right one")
	if err != nil {
		t.Fatal(err)
	}
	const block = 19 << 20 // argon2id's memory per computation
	callers := 4*users.Slots() + 12
	// Collect garbage soon, so that the heap shows what is live.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)

	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	var wg sync.WaitGroup
	var checked, busy atomic.Int64
	start := make(chan struct{})
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ok, err := users.CheckPassword(hash, "a wrong one")
			switch {
			case errors.Is(err, users.ErrBusy):
				busy.Add(1)
			case err != nil || ok:
				t.Errorf("check: %v, %v", ok, err)
			default:
				checked.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(stop)
	<-sampled
	grew := int64(peak.Load()) - int64(base.HeapInuse)
	limit := int64(2*users.Slots()+2) * block
	t.Logf("%d callers, %d slots: %d checked, %d busy; heap grew by %d MiB (limit %d MiB)",
		callers, users.Slots(), checked.Load(), busy.Load(), grew>>20, limit>>20)
	if grew > limit {
		t.Fatalf("heap grew by %d MiB under %d concurrent checks; want at most %d MiB", grew>>20, callers, limit>>20)
	}
	if checked.Load() == 0 {
		t.Fatal("no check ran")
	}
}
