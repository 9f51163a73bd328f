package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/ledger"
	"hawker/money"
	"hawker/participants"
	"hawker/pg"
	"hawker/thai"
	"hawker/vendors"
)

// TestReadReplica: HAWKER_READ_URL on a real streaming replica. The test
// makes a private primary of its own (initdb in a temporary folder, never
// the shared cluster), a standby of it with pg_basebackup -R on another
// port of 127.0.0.1, and writes vendors' entries into the primary while
// `hawker statements` reads from the replica: a closed
// month's statements are byte-identical from either, and the replica did
// serve the reads (with its replay paused, the running month's provisional
// statement from it misses the newest entries the primary has).
func TestReadReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bin := postgresBin(t)
	root := postgresDir(t)
	primary := startPostgres(t, bin, filepath.Join(root, "primary"), func(data string) {
		asPostgres(t, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
		conf := "wal_level = replica\nmax_wal_senders = 4\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 32MB\nmax_connections = 40\n"
		appendFile(t, filepath.Join(data, "postgresql.conf"), conf)
	})
	primaryURL := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/hawker?sslmode=disable", primary)
	if _, err := pg.CreateDatabase(ctx, primaryURL); err != nil {
		t.Fatal(err)
	}
	env := func(read string) func(string) string {
		return func(k string) string {
			switch k {
			case "DATABASE_URL":
				return primaryURL
			case "HAWKER_READ_URL":
				return read
			case "HAWKER_DEV":
				return "1"
			case "HAWKER_PUBLIC_URL":
				return "https://hawker.example.org"
			case "LOG_LEVEL":
				return "warn"
			}
			return ""
		}
	}
	hawker := func(read string, args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(args, strings.NewReader(""), &out, &errb, env(read)); code != 0 {
			t.Fatalf("hawker %v: exit %d: %s", args, code, errb.String())
		}
		return out.String()
	}
	hawker("", "migrate")
	db, err := pg.Open(ctx, primaryURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// Four vendors with October's books, October closed.
	vs := vendors.NewStore(db)
	today := thai.Today(time.Now())
	month := ledger.MonthOf(today).AddDate(0, -1, 0)
	var people []participants.Participant
	for i := range 4 {
		phone := fmt.Sprintf("08%08d", 31000000+i)
		p, err := participants.NewStore(db).Enrol(ctx, audit.System, participants.Participant{
			Name: fmt.Sprintf("แม่ค้า สำเนา %d", i), Phone: &phone, Province: "กรุงเทพมหานคร", District: "บางรัก",
			Cohort: "2569-1", EnrolledOn: month.AddDate(0, -1, 0), Language: []string{"th", "en"}[i%2]}, nil)
		if err != nil {
			t.Fatal(err)
		}
		people = append(people, p)
		for d := 1; d <= 12; d++ {
			record(t, vs, p, month.AddDate(0, 0, d-1), fmt.Sprintf("%d.%02d", 300+17*d+i, d), fmt.Sprintf("oct-%d-%d", i, d), today)
		}
	}
	if _, err := vs.Ledger().CloseMonth(ctx, audit.System, month, time.Now()); err != nil {
		t.Fatal(err)
	}

	// The standby: a base backup of the primary, streaming from it.
	replicaData := filepath.Join(root, "replica")
	replica := startPostgres(t, bin, replicaData, func(data string) {
		asPostgres(t, filepath.Join(bin, "pg_basebackup"), "-h", "127.0.0.1", "-p", strconv.Itoa(primary), "-U", "postgres",
			"-D", data, "-R", "-X", "stream", "--no-sync")
	})
	replicaURL := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/hawker?sslmode=disable", replica)
	rdb, err := pg.Open(ctx, replicaURL)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	var standby bool
	if err := rdb.Get(&standby, `SELECT pg_is_in_recovery()`); err != nil || !standby {
		t.Fatalf("the replica is not a standby: %v, %v", standby, err)
	}
	if _, err := rdb.Exec(`CREATE TABLE written_on_replica (id int)`); err == nil {
		t.Fatal("the replica accepted a write")
	}

	// Entries keep going to the primary, into the running month, while the
	// reports are made.
	stop := make(chan struct{})
	var written atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			p := people[n%len(people)]
			if _, err := vs.Record(ctx, audit.System, vendors.Request{ParticipantID: p.ID, Code: p.Code, Today: today,
				Key: fmt.Sprintf("nov-%d", n), Input: vendors.Input{Date: today.Format(time.DateOnly), Kind: "sale", Amount: money.Text("25.00"), Method: "cash"}}); err != nil {
				t.Error(err)
				return
			}
			written.Add(1)
		}
	}()
	waitReplay(t, db, rdb)
	fromReplica, fromPrimary := t.TempDir(), t.TempDir()
	m := month.Format("2006-01")
	hawker(replicaURL, "statements", "--month", m, "--out", fromReplica)
	hawker("", "statements", "--month", m, "--out", fromPrimary)
	for deadline := time.Now().Add(time.Minute); written.Load() < 5 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond) // polling a condition
	}
	if written.Load() < 5 {
		t.Error("fewer than 5 entries reached the primary while the statements were made")
	}
	close(stop)
	wg.Wait()
	a, b := readDir(t, fromReplica), readDir(t, fromPrimary)
	if len(a) != 2*len(people) || len(a) != len(b) {
		t.Fatalf("files from the replica %v, from the primary %v", keys(a), keys(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between the replica and the primary", name)
		}
	}
	t.Logf("%d statements byte-identical from the replica and the primary; %d entries written to the primary meanwhile", len(people), written.Load())

	// With the replica's replay paused, the running month read from it
	// lacks what the primary has since: the reads went to the replica.
	if _, err := rdb.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	record(t, vs, people[0], today, "999.00", "after-pause", today)
	cur := ledger.MonthOf(today).Format("2006-01")
	live, lagging := t.TempDir(), t.TempDir()
	hawker("", "statements", "--month", cur, "--participant", people[0].Code, "--out", live)
	hawker(replicaURL, "statements", "--month", cur, "--participant", people[0].Code, "--out", lagging)
	csv := people[0].Code + "-" + cur + ".csv"
	l, r := readDir(t, live)[csv], readDir(t, lagging)[csv]
	if !bytes.Contains(l, []byte("999.00")) || bytes.Contains(r, []byte("999.00")) {
		t.Errorf("running month: the primary's CSV has the new entry %v, the paused replica's %v; want true, false",
			bytes.Contains(l, []byte("999.00")), bytes.Contains(r, []byte("999.00")))
	}
	if _, err := rdb.Exec(`SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
}

func record(t *testing.T, vs *vendors.Store, p participants.Participant, day time.Time, amount, key string, today time.Time) {
	t.Helper()
	if _, err := vs.Record(context.Background(), audit.System, vendors.Request{ParticipantID: p.ID, Code: p.Code, Today: today, Key: key,
		Input: vendors.Input{Date: day.Format(time.DateOnly), Kind: "sale", Amount: money.Text(amount), Method: "cash"}}); err != nil {
		t.Fatal(err)
	}
}

// waitReplay waits until the replica has replayed everything the primary
// had written when it was called.
func waitReplay(t *testing.T, primary, replica *sqlx.DB) {
	t.Helper()
	var lsn string
	if err := primary.Get(&lsn, `SELECT pg_current_wal_lsn()::text`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var done bool
		if err := replica.Get(&done, `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, lsn); err != nil {
			t.Fatal(err)
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica did not replay up to %s within a minute", lsn)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition, not waiting a fixed time
	}
}

// postgresBin is the newest Debian PostgreSQL's programs folder.
func postgresBin(t *testing.T) string {
	t.Helper()
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		t.Fatal("no /usr/lib/postgresql/*/bin/initdb: install PostgreSQL's server package (make postgres)")
	}
	sort.Slice(found, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(found[i]))))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(found[j]))))
		return vi < vj
	})
	return filepath.Dir(found[len(found)-1])
}

// postgresDir is a temporary folder the postgres user may write (initdb
// refuses to run as root).
func postgresDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		return dir
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	return dir
}

// asPostgres runs a PostgreSQL program, as the postgres user when root.
func asPostgres(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", filepath.Base(name), err, out)
	}
}

// startPostgres makes a data folder with setup and starts a server on it
// on a free port of 127.0.0.1, stopped when the test ends.
func startPostgres(t *testing.T, bin, data string, setup func(data string)) int {
	t.Helper()
	setup(data)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ctl := filepath.Join(bin, "pg_ctl")
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s", port, filepath.Dir(data))
	asPostgres(t, ctl, "-D", data, "-l", data+".log", "-w", "-t", "120", "-o", opts, "start")
	t.Cleanup(func() {
		cmd := exec.Command(ctl, "-D", data, "-m", "immediate", "-w", "stop")
		if os.Geteuid() == 0 {
			cmd = exec.Command("runuser", "-u", "postgres", "--", ctl, "-D", data, "-m", "immediate", "-w", "stop")
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("pg_ctl stop: %v\n%s", err, out)
		}
	})
	return port
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func keys(m map[string][]byte) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
