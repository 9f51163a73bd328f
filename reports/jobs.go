package reports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"hawker/pg"
)

// Job states.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Job is a background job of the queue in report_jobs.
type Job struct {
	ID          int64           `db:"id" json:"id"`
	Kind        string          `db:"kind" json:"kind"`
	Params      json.RawMessage `db:"params" json:"params"`
	State       string          `db:"state" json:"state"`
	Total       int             `db:"total" json:"total"`
	Done        int             `db:"done" json:"done"`
	Error       string          `db:"error" json:"error,omitempty"`
	Attempts    int             `db:"attempts" json:"attempts"`
	Worker      string          `db:"worker" json:"-"`
	RequestedBy *int64          `db:"requested_by" json:"-"`
	CreatedAt   time.Time       `db:"created_at" json:"created_at"`
	StartedAt   *time.Time      `db:"started_at" json:"started_at,omitempty"`
	FinishedAt  *time.Time      `db:"finished_at" json:"finished_at,omitempty"`
}

// Finished reports whether the job has ended, well or not.
func (j Job) Finished() bool { return j.State == JobDone || j.State == JobFailed }

// Percent is the job's progress in whole percent.
func (j Job) Percent() int {
	if j.Total == 0 {
		if j.State == JobDone {
			return 100
		}
		return 0
	}
	return j.Done * 100 / j.Total
}

const jobColumns = `id, kind, params, state, total, done, error, attempts, worker, requested_by, created_at, started_at, finished_at`

// Queue is the job queue in PostgreSQL. Any number of processes (two
// `hawker serve`, a CLI run) share it: a job is claimed with FOR UPDATE
// SKIP LOCKED, so one worker runs it at a time, and a running job whose
// worker stops beating for StaleAfter is claimed again, resuming where the
// finished items say it stopped.
type Queue struct {
	db         *sqlx.DB
	handlers   map[string]Handler
	worker     string
	StaleAfter time.Duration
	Beat       time.Duration
	Poll       time.Duration
	Log        *slog.Logger
}

// Handler runs a job of its kind. It reports items done through run, and
// skips the items run.Done says are finished (a resumed job).
type Handler func(ctx context.Context, run *Run) error

// NewQueue returns a queue on db.
func NewQueue(db *sqlx.DB) *Queue {
	host, _ := os.Hostname()
	return &Queue{db: db, handlers: map[string]Handler{},
		worker:     host + ":" + strconv.Itoa(os.Getpid()),
		StaleAfter: time.Minute, Beat: 10 * time.Second, Poll: 2 * time.Second, Log: slog.Default()}
}

// Handle registers the handler of a kind of job.
func (q *Queue) Handle(kind string, h Handler) { q.handlers[kind] = h }

// Enqueue adds a job of kind with params, for any worker to run.
func (q *Queue) Enqueue(ctx context.Context, kind string, params any, by int64) (Job, error) {
	return q.enqueue(ctx, kind, params, by, false)
}

// EnqueuePinned adds a job that only a worker asking for it by id runs
// (Execute with its id): a command that writes into its own folder.
func (q *Queue) EnqueuePinned(ctx context.Context, kind string, params any, by int64) (Job, error) {
	return q.enqueue(ctx, kind, params, by, true)
}

func (q *Queue) enqueue(ctx context.Context, kind string, params any, by int64, pinned bool) (Job, error) {
	b, err := json.Marshal(params)
	if err != nil {
		return Job{}, fmt.Errorf("reports: enqueue %s: %w", kind, err)
	}
	var byID *int64
	if by != 0 {
		byID = &by
	}
	var j Job
	err = q.db.GetContext(ctx, &j, `INSERT INTO report_jobs (kind, params, requested_by, pinned) VALUES ($1, $2, $3, $4) RETURNING `+jobColumns,
		kind, b, byID, pinned)
	if err != nil {
		return Job{}, fmt.Errorf("reports: enqueue %s: %w", kind, err)
	}
	return j, nil
}

// Unfinished finds the latest job of kind with exactly these params that
// has not finished: a re-run of a killed command takes it up again.
func (q *Queue) Unfinished(ctx context.Context, kind string, params any) (Job, bool, error) {
	b, err := json.Marshal(params)
	if err != nil {
		return Job{}, false, err
	}
	var js []Job
	if err := q.db.SelectContext(ctx, &js, `SELECT `+jobColumns+` FROM report_jobs
		WHERE kind = $1 AND params = $2::jsonb AND state IN ('queued', 'running') ORDER BY id DESC LIMIT 1`, kind, b); err != nil {
		return Job{}, false, fmt.Errorf("reports: unfinished %s: %w", kind, err)
	}
	if len(js) == 0 {
		return Job{}, false, nil
	}
	return js[0], true, nil
}

// Job reads a job.
func (q *Queue) Job(ctx context.Context, id int64) (Job, error) {
	var j Job
	err := q.db.GetContext(ctx, &j, `SELECT `+jobColumns+` FROM report_jobs WHERE id = $1`, id)
	if err != nil {
		return Job{}, fmt.Errorf("reports: job %d: %w", id, pg.NotFound(err, ErrNotFound))
	}
	return j, nil
}

// Jobs lists the latest jobs of kind, newest first.
func (q *Queue) Jobs(ctx context.Context, kind string, n int) ([]Job, error) {
	js := []Job{}
	err := q.db.SelectContext(ctx, &js, `SELECT `+jobColumns+` FROM report_jobs WHERE kind = $1 ORDER BY id DESC LIMIT $2`, kind, n)
	if err != nil {
		return nil, fmt.Errorf("reports: jobs: %w", err)
	}
	return js, nil
}

// claimSQL takes the oldest job that is queued, or running under a worker
// that stopped beating, skipping jobs other workers hold locked.
const claimSQL = `
	UPDATE report_jobs SET state = 'running', worker = $1, attempts = attempts + 1,
	       started_at = COALESCE(started_at, now()), heartbeat_at = now()
	WHERE id = (
		SELECT id FROM report_jobs
		WHERE (state = 'queued' OR (state = 'running' AND heartbeat_at < now() - $2::interval))
		  AND (($3::bigint = 0 AND NOT pinned) OR id = $3) AND kind = ANY($4)
		ORDER BY id LIMIT 1
		FOR UPDATE SKIP LOCKED)
	RETURNING ` + jobColumns

// Claim takes a job for this worker: the given one (id ≠ 0) or the oldest
// waiting one, not pinned, of a kind this queue handles. ok is false when
// there is none.
func (q *Queue) Claim(ctx context.Context, id int64) (Job, bool, error) {
	kinds := make([]string, 0, len(q.handlers))
	for k := range q.handlers {
		kinds = append(kinds, k)
	}
	var js []Job
	err := q.db.SelectContext(ctx, &js, claimSQL, q.worker, fmt.Sprintf("%d milliseconds", q.StaleAfter.Milliseconds()), id, pq.StringArray(kinds))
	if err != nil {
		return Job{}, false, fmt.Errorf("reports: claim: %w", err)
	}
	if len(js) == 0 {
		return Job{}, false, nil
	}
	return js[0], true, nil
}

// Run is a claimed job while it runs: what its handler reports to.
type Run struct {
	Job
	q    *Queue
	mu   sync.Mutex
	done map[string]bool
	// OnProgress, when set, hears every change of progress (a terminal's bar).
	OnProgress func(done, total int)
}

// SetTotal says how many items the job has.
func (r *Run) SetTotal(ctx context.Context, total int) error {
	r.mu.Lock()
	r.Total = total
	done := r.Done
	r.mu.Unlock()
	_, err := r.q.db.ExecContext(ctx, `UPDATE report_jobs SET total = $2, done = LEAST(done, $2), heartbeat_at = now() WHERE id = $1`, r.ID, total)
	if r.OnProgress != nil {
		r.OnProgress(done, total)
	}
	return err
}

// Finished reports whether an earlier run finished item.
func (r *Run) Finished(item string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done[item]
}

// ItemDone records item finished, with files to keep for download (may be
// none), in one transaction, and counts it.
func (r *Run) ItemDone(ctx context.Context, item string, files map[string][]byte) error {
	err := pg.InTx(ctx, r.q.db, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO report_job_items (job_id, item) VALUES ($1, $2) ON CONFLICT DO NOTHING`, r.ID, item)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // already counted
		}
		for name, b := range files {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO report_job_files (job_id, name, content) VALUES ($1, $2, $3)
				ON CONFLICT (job_id, name) DO UPDATE SET content = EXCLUDED.content`, r.ID, name, b); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE report_jobs SET done = done + 1, heartbeat_at = now() WHERE id = $1`, r.ID)
		return err
	})
	if err != nil {
		return fmt.Errorf("reports: job %d item %s: %w", r.ID, item, err)
	}
	r.mu.Lock()
	if !r.done[item] {
		r.done[item] = true
		r.Done++
	}
	done, total := r.Done, r.Total
	r.mu.Unlock()
	if r.OnProgress != nil {
		r.OnProgress(done, total)
	}
	return nil
}

// Execute claims the job id (or the oldest waiting one, id = 0) and runs it
// to its end in this goroutine, beating while it runs. ok is false when
// there was nothing to claim (another worker holds it, or it is finished).
func (q *Queue) Execute(ctx context.Context, id int64, onProgress func(done, total int)) (Job, bool, error) {
	j, ok, err := q.Claim(ctx, id)
	if err != nil || !ok {
		return j, ok, err
	}
	h := q.handlers[j.Kind]
	run := &Run{Job: j, q: q, done: map[string]bool{}, OnProgress: onProgress}
	var items []string
	if err := q.db.SelectContext(ctx, &items, `SELECT item FROM report_job_items WHERE job_id = $1`, j.ID); err != nil {
		return j, true, fmt.Errorf("reports: job %d: %w", j.ID, err)
	}
	for _, it := range items {
		run.done[it] = true
	}
	run.Done = len(items)

	beatCtx, stopBeat := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(q.Beat)
		defer t.Stop()
		for {
			select {
			case <-beatCtx.Done():
				return
			case <-t.C:
				if _, err := q.db.ExecContext(beatCtx, `UPDATE report_jobs SET heartbeat_at = now() WHERE id = $1 AND worker = $2`, j.ID, q.worker); err != nil && beatCtx.Err() == nil {
					q.Log.Warn("reports: job heartbeat", "job", j.ID, "err", err)
				}
			}
		}
	}()
	runErr := h(ctx, run)
	stopBeat()
	wg.Wait()
	if ctx.Err() != nil {
		// Stopped (SIGTERM, a killed CLI): left running, so that the next
		// worker takes it up once its heartbeat is stale.
		return run.Job, true, ctx.Err()
	}
	state, msg := JobDone, ""
	if runErr != nil {
		state, msg = JobFailed, runErr.Error()
	}
	var out Job
	err = q.db.GetContext(context.WithoutCancel(ctx), &out, `
		UPDATE report_jobs SET state = $2, error = $3, finished_at = now(), heartbeat_at = now()
		WHERE id = $1 RETURNING `+jobColumns, j.ID, state, msg)
	if err != nil {
		return run.Job, true, fmt.Errorf("reports: finish job %d: %w", j.ID, err)
	}
	return out, true, runErr
}

// Work runs jobs until ctx ends: whatever is waiting, then again every
// Poll. Each serve process runs one Work loop; they share the queue.
func (q *Queue) Work(ctx context.Context) {
	if n, err := q.ReleaseOrphans(ctx); err != nil {
		q.Log.Warn("reports: release jobs of dead workers", "err", err)
	} else if n > 0 {
		q.Log.Info("reports: jobs of a dead worker taken up again", "jobs", n)
	}
	for ctx.Err() == nil {
		j, ok, err := q.Execute(ctx, 0, nil)
		switch {
		case err != nil && ctx.Err() == nil:
			q.Log.Error("reports: job failed", "job", j.ID, "kind", j.Kind, "err", err)
		case ok:
			q.Log.Info("reports: job finished", "job", j.ID, "kind", j.Kind, "done", j.Done, "total", j.Total)
		}
		if ok {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(q.Poll):
		}
	}
}

// ReleaseOrphans puts back in the queue the jobs left running by a worker
// of this host whose process is gone (a serve killed with SIGKILL, a
// crashed CLI), so that a restarted server resumes them at once instead of
// after StaleAfter. A worker name equal to this queue's own is one too: a
// container's process restarts with the same pid, and this queue has
// claimed nothing yet. Jobs of live processes and of other hosts are left
// to the heartbeat rule.
func (q *Queue) ReleaseOrphans(ctx context.Context) (int, error) {
	host, _ := os.Hostname()
	var running []struct {
		ID     int64  `db:"id"`
		Worker string `db:"worker"`
	}
	if err := q.db.SelectContext(ctx, &running, `SELECT id, worker FROM report_jobs WHERE state = 'running'`); err != nil {
		return 0, fmt.Errorf("reports: running jobs: %w", err)
	}
	n := 0
	for _, j := range running {
		h, pidText, ok := strings.Cut(j.Worker, ":")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || h != host || pid <= 0 {
			continue
		}
		if j.Worker != q.worker && !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			continue // that process lives (EPERM: it lives under another user)
		}
		res, err := q.db.ExecContext(ctx, `UPDATE report_jobs SET state = 'queued', worker = ''
			WHERE id = $1 AND state = 'running' AND worker = $2`, j.ID, j.Worker)
		if err != nil {
			return n, fmt.Errorf("reports: release job %d: %w", j.ID, err)
		}
		if k, _ := res.RowsAffected(); k > 0 {
			n++
		}
	}
	return n, nil
}

// Files streams the files a job kept, by name, to fn, one at a time so
// that a large job's output never sits in memory whole.
func (q *Queue) Files(ctx context.Context, job int64, fn func(name string, content []byte) error) error {
	var names []string
	if err := q.db.SelectContext(ctx, &names, `SELECT name FROM report_job_files WHERE job_id = $1 ORDER BY name`, job); err != nil {
		return fmt.Errorf("reports: files of job %d: %w", job, err)
	}
	for _, n := range names {
		var b []byte
		if err := q.db.GetContext(ctx, &b, `SELECT content FROM report_job_files WHERE job_id = $1 AND name = $2`, job, n); err != nil {
			return fmt.Errorf("reports: file %s of job %d: %w", n, job, err)
		}
		if err := fn(n, b); err != nil {
			return err
		}
	}
	return nil
}
