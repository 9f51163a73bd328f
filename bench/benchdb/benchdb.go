// Package benchdb gives the benchmark programs scratch databases on the
// server named by DATABASE_URL, and drops them afterwards.
package benchdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log"
	"os"

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

// Name is a fresh scratch database name with prefix.
func Name(prefix string) string {
	b := make([]byte, 4)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
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
