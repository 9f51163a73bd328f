package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// Checkpoint anchors the chain: at At it held Rows rows, the last one LastID
// with hash Head. Signature is the HMAC-SHA256 of those under the audit key
// (HAWKER_AUDIT_KEY), which the database never holds: whoever rewrites the
// chain and recomputes its hashes cannot sign a checkpoint that matches.
type Checkpoint struct {
	At        time.Time `db:"at"`
	Rows      int64     `db:"rows"`
	LastID    int64     `db:"last_id"`
	Head      string    `db:"head"`
	Signature string    `db:"signature"`
}

// ErrBadSignature is a checkpoint not signed with the key at hand.
var ErrBadSignature = errors.New("audit: checkpoint signature does not match HAWKER_AUDIT_KEY")

const tokenPrefix = "hawker-audit-v1"

func (c Checkpoint) mac(key []byte) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s\x00%d\x00%d\x00%s\x00%d", tokenPrefix, c.Rows, c.LastID, c.Head, c.At.UnixNano())
	return hex.EncodeToString(m.Sum(nil))
}

// Check reports ErrBadSignature unless c was signed with key.
func (c Checkpoint) Check(key []byte) error {
	if !hmac.Equal([]byte(c.mac(key)), []byte(c.Signature)) {
		return ErrBadSignature
	}
	return nil
}

// String is the checkpoint as one token to keep outside the database (the
// log line, a file): hawker-audit-v1:ROWS:LASTID:HEAD:UNIXNANO:SIGNATURE.
func (c Checkpoint) String() string {
	return fmt.Sprintf("%s:%d:%d:%s:%d:%s", tokenPrefix, c.Rows, c.LastID, c.Head, c.At.UnixNano(), c.Signature)
}

var tokenPattern = regexp.MustCompile(tokenPrefix + `:([0-9]+):([0-9]+):([0-9a-f]{64}):(-?[0-9]+):([0-9a-f]{64})`)

// FindCheckpoints reads every checkpoint token in text (a log, a file of
// tokens), in order of appearance.
func FindCheckpoints(text string) []Checkpoint {
	var cs []Checkpoint
	for _, m := range tokenPattern.FindAllStringSubmatch(text, -1) {
		rows, err1 := strconv.ParseInt(m[1], 10, 64)
		last, err2 := strconv.ParseInt(m[2], 10, 64)
		at, err3 := strconv.ParseInt(m[4], 10, 64)
		if err1 != nil || err2 != nil || err3 != nil {
			continue
		}
		cs = append(cs, Checkpoint{Rows: rows, LastID: last, Head: m[3], At: time.Unix(0, at).UTC(), Signature: m[5]})
	}
	return cs
}

// WriteCheckpoint signs the chain's current head with key and keeps it in
// the database; the caller also writes it where the operator keeps it
// (`serve` logs it, `hawker audit checkpoint` prints it).
func WriteCheckpoint(ctx context.Context, db *sqlx.DB, key []byte) (Checkpoint, error) {
	var c Checkpoint
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return c, fmt.Errorf("audit: checkpoint: %w", err)
	}
	defer tx.Rollback()
	// Appends wait while the head is read, so it is the head.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, chainLock); err != nil {
		return c, fmt.Errorf("audit: checkpoint: %w", err)
	}
	err = tx.GetContext(ctx, &c, `SELECT count(*) AS rows, COALESCE(max(id), 0) AS last_id,
		COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), $1) AS head, clock_timestamp() AS at, '' AS signature
		FROM audit_log`, genesis)
	if err != nil {
		return c, fmt.Errorf("audit: checkpoint: %w", err)
	}
	c.At = c.At.UTC().Truncate(time.Microsecond)
	c.Signature = c.mac(key)
	if _, err := tx.NamedExecContext(ctx, `INSERT INTO audit_checkpoints (at, rows, last_id, head, signature)
		VALUES (:at, :rows, :last_id, :head, :signature)`, c); err != nil {
		return c, fmt.Errorf("audit: checkpoint: %w", err)
	}
	return c, tx.Commit()
}

// LatestCheckpoint is the newest checkpoint the database holds, or false.
func LatestCheckpoint(ctx context.Context, db *sqlx.DB) (Checkpoint, bool, error) {
	var cs []Checkpoint
	err := db.SelectContext(ctx, &cs, `SELECT at, rows, last_id, head, signature FROM audit_checkpoints ORDER BY rows DESC, id DESC LIMIT 1`)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("audit: latest checkpoint: %w", err)
	}
	if len(cs) == 0 {
		return Checkpoint{}, false, nil
	}
	cs[0].At = cs[0].At.UTC()
	return cs[0], true, nil
}

// Latest is the checkpoint of cs covering the most rows (the newest).
func Latest(cs ...Checkpoint) (Checkpoint, bool) {
	var best Checkpoint
	found := false
	for _, c := range cs {
		if !found || c.Rows > best.Rows || (c.Rows == best.Rows && c.At.After(best.At)) {
			best, found = c, true
		}
	}
	return best, found
}

// describe names a checkpoint in a break's reason.
func (c Checkpoint) describe() string {
	return fmt.Sprintf("the checkpoint of %s (%d rows, last %d)", c.At.Format(time.RFC3339), c.Rows, c.LastID)
}

// anchorBreaks compares the chain as walked (rows counted, and the row at
// the checkpoint's length) with c.
func anchorBreaks(c Checkpoint, rows int64, atRow *Event) []Break {
	if rows < c.Rows {
		return []Break{{0, fmt.Sprintf("the trail has %d rows, fewer than %s: rows were removed from its end", rows, c.describe())}}
	}
	if atRow != nil && (atRow.ID != c.LastID || atRow.Hash != c.Head) {
		return []Break{{atRow.ID, fmt.Sprintf("does not match %s: the chain was rewritten and its hashes recomputed", c.describe())}}
	}
	return nil
}
