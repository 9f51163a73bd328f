// Package benchdb gives the benchmark programs scratch databases on the
// server named by DATABASE_URL, and drops them afterwards, and the few
// helpers the programs that start a real server share.
package benchdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/lib/pq"

	"hawker/config"
	"hawker/pg"
)

// Server is the PostgreSQL server the benchmarks use.
func Server() string {
	if s := os.Getenv("DATABASE_URL"); s != "" {
		return s
	}
	return config.DefaultDatabaseURL
}

// Suffix is a random tag that keeps one run's scratch databases apart
// from another's.
func Suffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Name is a fresh scratch database name with prefix.
func Name(prefix string) string { return prefix + Suffix() }

// Pgbench runs PostgreSQL's built-in TPC-B-like script against a scratch
// database name on server (initialised at scale, then clients for
// duration) and returns its transactions per second. The caller drops name.
func Pgbench(ctx context.Context, server, name string, scale, clients int, duration time.Duration) float64 {
	url := Scratch(ctx, server, name)
	fmt.Printf("pgbench: initialising scale %d...\n", scale)
	if out, err := exec.Command("pgbench", "-i", "-q", "-s", strconv.Itoa(scale), url).CombinedOutput(); err != nil {
		log.Fatalf("pgbench -i: %v\n%s", err, out)
	}
	out, err := exec.Command("pgbench", "-n", "-c", strconv.Itoa(clients), "-j", "2", "-T", strconv.Itoa(int(duration.Seconds())), url).CombinedOutput()
	if err != nil {
		log.Fatalf("pgbench: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		log.Fatalf("pgbench: no tps in output:\n%s", out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	fmt.Printf("pgbench TPC-B-like (scale %d, %d clients, -j 2, %s): %.0f tps\n", scale, clients, duration, tps)
	return tps
}

// Scratch creates database name on server and returns its URL.
func Scratch(ctx context.Context, server, name string) string {
	url, err := pg.WithDatabase(server, name)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := pg.CreateDatabase(ctx, url); err != nil {
		log.Fatal(err)
	}
	return url
}

// Drop removes database name from server, ending its sessions.
func Drop(ctx context.Context, server, name string) {
	url, err := pg.WithDatabase(server, "postgres")
	if err != nil {
		log.Print(err)
		return
	}
	admin, err := pg.Open(ctx, url)
	if err != nil {
		log.Print(err)
		return
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`); err != nil {
		log.Print(err)
	}
}

// Verdict says whether a goal was met.
func Verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// WaitReady waits for the server at base to answer /readyz, 30 s at most.
func WaitReady(base string) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	log.Fatal("hawker did not become ready within 30 s")
}

// FreeAddr is a loopback address with a port free to listen on.
func FreeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// BuildHawker builds the real binary, fresh, into a temporary folder; done
// removes it.
func BuildHawker() (bin string, done func()) {
	dir, err := os.MkdirTemp("", "hawker-bench-")
	if err != nil {
		log.Fatal(err)
	}
	bin = filepath.Join(dir, "hawker")
	fmt.Println("building hawker...")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		log.Fatalf("go build: %v\n%s", err, out)
	}
	return bin, func() { os.RemoveAll(dir) }
}
