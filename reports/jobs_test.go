package reports

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"hawker/pg/pgtest"
)

// TestQueueSharedByTwoProcesses: two workers (two serve processes) take
// jobs from one queue; each job runs exactly once, its items once each.
func TestQueueSharedByTwoProcesses(t *testing.T) {
	db := pgtest.New(t)
	var mu sync.Mutex
	runs := map[int64]int{}
	items := map[string]int{}
	handler := func(ctx context.Context, r *Run) error {
		mu.Lock()
		runs[r.ID]++
		mu.Unlock()
		if err := r.SetTotal(ctx, 3); err != nil {
			return err
		}
		for i := range 3 {
			item := fmt.Sprintf("%d/%d", r.ID, i)
			if r.Finished(item) {
				continue
			}
			mu.Lock()
			items[item]++
			mu.Unlock()
			if err := r.ItemDone(ctx, item, map[string][]byte{item + ".txt": []byte(item)}); err != nil {
				return err
			}
		}
		return nil
	}
	workers := make([]*Queue, 2)
	for i := range workers {
		workers[i] = NewQueue(db)
		workers[i].worker = fmt.Sprintf("serve-%d", i)
		workers[i].Poll = 20 * time.Millisecond
		workers[i].Handle("test", handler)
	}
	var ids []int64
	for i := range 8 {
		j, err := workers[0].Enqueue(ctx, "test", map[string]int{"n": i}, 0)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	pinned, err := workers[0].EnqueuePinned(ctx, "test", map[string]int{"n": 99}, 0)
	if err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() { defer wg.Done(); w.Work(wctx) }()
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		all := true
		for _, id := range ids {
			j, err := workers[0].Job(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			all = all && j.State == JobDone
		}
		if all || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	wg.Wait()
	for _, id := range ids {
		j, _ := workers[0].Job(ctx, id)
		if j.State != JobDone || j.Done != 3 || j.Total != 3 || runs[id] != 1 || j.Percent() != 100 {
			t.Errorf("job %d: %+v, ran %d times", id, j, runs[id])
		}
	}
	for item, n := range items {
		if n != 1 {
			t.Errorf("item %s made %d times", item, n)
		}
	}
	if j, _ := workers[0].Job(ctx, pinned.ID); j.State != JobQueued || runs[pinned.ID] != 0 {
		t.Errorf("the pinned job was taken by a worker: %+v", j)
	}
	var names []string
	if err := workers[0].Files(ctx, ids[0], func(name string, b []byte) error {
		names = append(names, name+"="+string(b))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("[%[1]d/0.txt=%[1]d/0 %[1]d/1.txt=%[1]d/1 %[1]d/2.txt=%[1]d/2]", ids[0]); fmt.Sprint(names) != want {
		t.Errorf("files %v, want %s", names, want)
	}
}

// TestQueueResumesAStaleJob: a job whose worker died (no heartbeat) is
// claimed again and finishes only its missing items.
func TestQueueResumesAStaleJob(t *testing.T) {
	db := pgtest.New(t)
	made := map[string]int{}
	var mu sync.Mutex
	var kill context.CancelFunc
	handler := func(ctx context.Context, r *Run) error {
		r.SetTotal(ctx, 4)
		for i := range 4 {
			item := fmt.Sprint(i)
			if r.Finished(item) {
				continue
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			mu.Lock()
			made[item]++
			mu.Unlock()
			if err := r.ItemDone(ctx, item, nil); err != nil {
				return err
			}
			if i == 1 && kill != nil {
				kill()
			}
		}
		return nil
	}
	a, b := NewQueue(db), NewQueue(db)
	a.worker, b.worker = "dies", "lives"
	a.Handle("test", handler)
	b.Handle("test", handler)
	b.StaleAfter = 300 * time.Millisecond
	j, err := a.Enqueue(ctx, "test", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var dying context.Context
	dying, kill = context.WithCancel(ctx)
	if _, ok, err := a.Execute(dying, 0, nil); !ok || err == nil {
		t.Fatalf("the dying run: %v %v", ok, err)
	}
	kill = nil
	if _, ok, _ := b.Execute(ctx, 0, nil); ok {
		t.Fatal("a job with a fresh heartbeat was taken over")
	}
	time.Sleep(400 * time.Millisecond)
	done, ok, err := b.Execute(ctx, 0, nil)
	if !ok || err != nil || done.ID != j.ID || done.State != JobDone || done.Done != 4 || done.Attempts != 2 {
		t.Fatalf("resumed: %+v %v %v", done, ok, err)
	}
	for item, n := range made {
		if n != 1 {
			t.Errorf("item %s made %d times", item, n)
		}
	}
	if len(made) != 4 {
		t.Errorf("%d items made, want 4", len(made))
	}
}
