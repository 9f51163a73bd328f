package users

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"

	"hawker/valid"
)

// argon2id parameters (RFC 9106's second recommendation, scaled for small servers).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// ErrBusy means every argon2id slot stayed taken for SlotWait: the caller
// answers "try again shortly" rather than queue without end.
var ErrBusy = valid.NewError("users: too many password checks at once", "error.rate_limited")

// SlotWait is how long a password hash or check waits for a free slot.
const SlotWait = 2 * time.Second

// slots bounds how many argon2id computations run at once, about one per
// core (at most 8): each takes argonMemory KiB, so that a flood of sign-ins
// queues here instead of taking the server's memory. It is process-wide by
// nature, like the memory it guards.
var slots = make(chan struct{}, max(1, min(runtime.GOMAXPROCS(0), 8)))

// hashes counts the argon2id computations run (HashRuns).
var hashes atomic.Int64

// Slots is how many argon2id computations may run at once.
func Slots() int { return cap(slots) }

// HashRuns is how many argon2id computations this process has run: the
// metrics show it, and tests count the checks a sign-in costs.
func HashRuns() int64 { return hashes.Load() }

// idKey runs argon2id in one of the slots, or returns ErrBusy.
func idKey(password, salt []byte, t, mem uint32, p uint8, keyLen uint32) ([]byte, error) {
	timer := time.NewTimer(SlotWait)
	defer timer.Stop()
	select {
	case slots <- struct{}{}:
	case <-timer.C:
		return nil, ErrBusy
	}
	defer func() { <-slots }()
	hashes.Add(1)
	return argon2.IDKey(password, salt, t, mem, p, keyLen), nil
}

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("users: salt: %w", err)
	}
	key, err := idKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("users: unreadable password hash")

// CheckPassword reports whether password matches the PHC-format hash. It
// waits up to SlotWait for an argon2id slot, else returns ErrBusy.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var mem uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	// A stored hash names its own cost; one far above ours is refused
	// rather than run, as it would break the memory bound.
	if mem > 4*argonMemory || t > 8*argonTime || p != argonThreads || len(want) > 64 {
		return false, errBadHash
	}
	got, err := idKey([]byte(password), salt, t, mem, p, uint32(len(want)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
