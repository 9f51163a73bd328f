package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"hawker/audit"
	"hawker/pg"
	"hawker/users"
	"hawker/valid"
)

// A vendor's phone set up by her officer (issue 14). The officer makes a
// one-time link on the participant's page (LinkTTL, one use, only the
// latest works); the phone opens it and she chooses her PIN (UseLink), and
// the phone is given a device token, kept in a long-lived cookie. From then
// on that phone signs her in with her PIN alone (SignInDevice), under the
// limits of any sign-in. The officer sees her phones and revokes one
// (RevokeDevice), which ends its sessions: the phone falls back to the
// normal sign-in. It owns devices and device_links.

// LinkTTL is how long a one-time link works.
const LinkTTL = 15 * time.Minute

// Errors of the phone set-up.
var (
	ErrLinkUnknown = valid.NewError("auth: no such sign-in link", "device.link_unknown")
	ErrLinkUsed    = valid.NewError("auth: sign-in link already used", "device.link_used")
	ErrLinkExpired = valid.NewError("auth: sign-in link expired", "device.link_expired")
	ErrNotVendor   = valid.NewError("auth: only a vendor's phone is set up with a link", "device.not_vendor")
	// ErrNoDevice is a device token that signs no one in: unknown, revoked,
	// or of a user who cannot sign in with a PIN.
	ErrNoDevice = valid.NewError("auth: this phone is not set up, or was revoked", "device.revoked")
	ErrNotFound = valid.NewError("auth: not found", "error.not_found")
)

// Link is a one-time sign-in link just made; its token is known only now.
type Link struct {
	Token     string
	UserID    int64
	ExpiresAt time.Time
}

// Device is a phone that remembers its vendor.
type Device struct {
	ID         int64      `db:"id"`
	UserID     int64      `db:"user_id"`
	Label      string     `db:"label"`
	CreatedAt  time.Time  `db:"created_at"`
	CreatedBy  *int64     `db:"created_by"`
	LastUsedAt *time.Time `db:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

// Revoked reports whether the device was revoked.
func (d Device) Revoked() bool { return d.RevokedAt != nil }

// linkAlphabet leaves out characters read alike (0/o, 1/l/i): a link may
// be typed from the screen when no camera reads the QR code.
const linkAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// LinkLen is the length of a link's token: about 64 bits, for a link that
// works once and for minutes, and whose every guess is counted.
const LinkLen = 13

func linkToken() (string, error) {
	b := make([]byte, LinkLen)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	var sb strings.Builder
	for _, x := range b {
		sb.WriteByte(linkAlphabet[int(x)%len(linkAlphabet)])
	}
	return sb.String(), nil
}

// CreateLink makes a one-time link that sets up vendor u's phone, and
// expires any earlier one of hers still unused: only the latest works.
func (s *Store) CreateLink(ctx context.Context, a audit.Actor, u users.User) (Link, error) {
	if u.Role != users.Vendor || u.DisabledAt != nil {
		return Link{}, ErrNotVendor
	}
	token, err := linkToken()
	if err != nil {
		return Link{}, err
	}
	now := s.now()
	l := Link{Token: token, UserID: u.ID, ExpiresAt: now.Add(LinkTTL)}
	err = pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE device_links SET expires_at = $2
			WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2`, u.ID, now); err != nil {
			return fmt.Errorf("auth: expire links: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO device_links (token_hash, user_id, created_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5)`, hashToken(token), u.ID, a.UserID, now, l.ExpiresAt); err != nil {
			return fmt.Errorf("auth: create link: %w", err)
		}
		return audit.RecordDetails(ctx, tx, a, "auth.device_link.create", userObject(u.ID),
			"one-time phone sign-in link, expires "+l.ExpiresAt.UTC().Format(time.RFC3339),
			audit.Details{"expires": l.ExpiresAt.UTC().Format(time.RFC3339)})
	})
	return l, err
}

// linkRow is a link with its state.
type linkRow struct {
	ID        int64      `db:"id"`
	UserID    int64      `db:"user_id"`
	CreatedBy int64      `db:"created_by"`
	ExpiresAt time.Time  `db:"expires_at"`
	UsedAt    *time.Time `db:"used_at"`
}

// judge is ErrLinkUsed, ErrLinkExpired or nil for a link at now.
func (l linkRow) judge(now time.Time) error {
	switch {
	case l.UsedAt != nil:
		return ErrLinkUsed
	case !now.Before(l.ExpiresAt):
		return ErrLinkExpired
	}
	return nil
}

// linkLogin is the login under which guesses at links from one address
// are counted (attempt): a link opened is an attempt like a sign-in.
const linkLogin = "#device-link"

// CheckLink reads the vendor a link would set up a phone for, without
// using it (opening the page, or a link preview, must not spend it). Each
// look is counted as a sign-in attempt from ip: a guesser is locked out like
// any other. Errors: ErrLinkUnknown, ErrLinkUsed, ErrLinkExpired, a
// *LockedError.
func (s *Store) CheckLink(ctx context.Context, token, ip string) (users.User, error) {
	var u users.User
	err := s.attempt(ctx, linkLogin, ip, func() (int64, bool, error) {
		var l linkRow
		err := s.db.GetContext(ctx, &l, `SELECT id, user_id, created_by, expires_at, used_at FROM device_links WHERE token_hash = $1`, hashToken(token))
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, nil
		} else if err != nil {
			return 0, false, fmt.Errorf("auth: check link: %w", err)
		}
		if u, err = users.NewStore(s.db).ByID(ctx, l.UserID); err != nil {
			return 0, false, err
		}
		return l.UserID, true, l.judge(s.now())
	})
	if errors.Is(err, ErrBadCredentials) {
		return users.User{}, ErrLinkUnknown
	}
	return u, err
}

// PhoneSetup is what the phone sends with its link: the PIN she chose,
// twice, and a label for the phone (its browser's description).
type PhoneSetup struct {
	Token, PIN, Confirm, Label, IP string
}

// UseLink sets up a phone with a one-time link, all in one transaction:
// her PIN is set (users.SetPINForPhoneTx: field errors leave the link
// unused), the link is spent, the phone is given a device token, and a
// session starts on it. It returns the session and the device token, which
// the phone keeps. Each step is audited.
func (s *Store) UseLink(ctx context.Context, p PhoneSetup) (Session, string, error) {
	if _, err := s.CheckLink(ctx, p.Token, p.IP); err != nil {
		return Session{}, "", err
	}
	deviceToken, err := randomToken()
	if err != nil {
		return Session{}, "", err
	}
	label := strings.TrimSpace(p.Label)
	if r := []rune(label); len(r) > 120 {
		label = string(r[:120])
	}
	var sess Session
	err = pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		now := s.now()
		var l linkRow
		err := tx.GetContext(ctx, &l, `SELECT id, user_id, created_by, expires_at, used_at FROM device_links
			WHERE token_hash = $1 FOR UPDATE`, hashToken(p.Token))
		if err != nil {
			return fmt.Errorf("auth: use link: %w", pg.NotFound(err, ErrLinkUnknown))
		}
		if err := l.judge(now); err != nil {
			return err // a twin request spent it first
		}
		u, err := users.NewStore(s.db).ByID(ctx, l.UserID)
		if err != nil {
			return err
		}
		if u.Role != users.Vendor || u.DisabledAt != nil {
			return ErrNotVendor
		}
		a := audit.Actor{UserID: u.ID, Role: string(u.Role), IP: p.IP}
		if err := users.SetPINForPhoneTx(ctx, tx, a, u.ID, p.PIN, p.Confirm); err != nil {
			return err
		}
		var deviceID int64
		if err := tx.GetContext(ctx, &deviceID, `INSERT INTO devices (token_hash, user_id, label, created_at, created_by, last_used_at)
			VALUES ($1, $2, $3, $4, $5, $4) RETURNING id`, hashToken(deviceToken), u.ID, label, now, l.CreatedBy); err != nil {
			return fmt.Errorf("auth: add device: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE device_links SET used_at = $2, device_id = $3 WHERE id = $1`, l.ID, now, deviceID); err != nil {
			return fmt.Errorf("auth: spend link: %w", err)
		}
		if err := audit.RecordDetails(ctx, tx, a, "auth.device_link.use", userObject(u.ID), fmt.Sprintf("link made by user %d; device %d", l.CreatedBy, deviceID),
			audit.Details{"by": strconv.FormatInt(l.CreatedBy, 10), "device": strconv.FormatInt(deviceID, 10)}); err != nil {
			return err
		}
		if err := audit.RecordDetails(ctx, tx, a, "auth.device.add", userObject(u.ID), fmt.Sprintf("device %d: %s", deviceID, label),
			audit.Details{"device": strconv.FormatInt(deviceID, 10), "label": label}); err != nil {
			return err
		}
		u.MustChangePassword = false
		if sess, err = s.start(ctx, tx, u, p.IP, now, &deviceID); err != nil {
			return err
		}
		return audit.RecordDetails(ctx, tx, a, "auth.sign_in", userObject(u.ID), fmt.Sprintf("method=device_link device=%d", deviceID),
			audit.Details{"method": "device_link", "device": strconv.FormatInt(deviceID, 10)})
	})
	if err != nil {
		return Session{}, "", err
	}
	return sess, deviceToken, nil
}

// device is the live device of token, with its user.
func (s *Store) device(ctx context.Context, token string) (Device, users.User, error) {
	var d Device
	err := s.db.GetContext(ctx, &d, `SELECT id, user_id, label, created_at, created_by, last_used_at, revoked_at
		FROM devices WHERE token_hash = $1 AND revoked_at IS NULL`, hashToken(token))
	if err != nil {
		return Device{}, users.User{}, fmt.Errorf("auth: device: %w", pg.NotFound(err, ErrNoDevice))
	}
	u, err := users.NewStore(s.db).ByID(ctx, d.UserID)
	if err != nil {
		return Device{}, users.User{}, err
	}
	if u.Role != users.Vendor || u.DisabledAt != nil || u.PINHash == nil {
		return Device{}, users.User{}, ErrNoDevice
	}
	return d, u, nil
}

// DeviceUser is the vendor a phone's device token remembers: the sign-in
// page then asks her only for her PIN. ErrNoDevice when it remembers no
// one (unknown, revoked, her account disabled or her PIN cleared by a
// password reset).
func (s *Store) DeviceUser(ctx context.Context, token string) (users.User, error) {
	if token == "" {
		return users.User{}, ErrNoDevice
	}
	_, u, err := s.device(ctx, token)
	return u, err
}

// SignInDevice signs in the vendor a phone remembers with her PIN, under
// the limits of any sign-in with her login from ip. The session names the
// device, so that revoking it ends the session.
func (s *Store) SignInDevice(ctx context.Context, token, pin, ip string) (Session, error) {
	d, u, err := s.device(ctx, token)
	if err != nil {
		return Session{}, err
	}
	return s.signIn(ctx, u.Login, ip, "device", &d.ID, func(u users.User) (bool, error) {
		if u.Role != users.Vendor || u.PINHash == nil {
			_, err := users.CheckPassword(dummyHash(), pin)
			return false, err
		}
		return users.CheckPassword(*u.PINHash, pin)
	})
}

// Devices lists user id's phones, the latest first, revoked ones included.
func (s *Store) Devices(ctx context.Context, userID int64) ([]Device, error) {
	ds := []Device{}
	err := s.db.SelectContext(ctx, &ds, `SELECT id, user_id, label, created_at, created_by, last_used_at, revoked_at
		FROM devices WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: devices of %d: %w", userID, err)
	}
	return ds, nil
}

// RevokeDevice revokes user id's phone deviceID and ends its sessions: the
// phone falls back to the normal sign-in. Revoking a revoked phone changes
// nothing; another user's phone is ErrNotFound.
func (s *Store) RevokeDevice(ctx context.Context, a audit.Actor, userID, deviceID int64) error {
	return pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE devices SET revoked_at = COALESCE(revoked_at, $3), revoked_by = COALESCE(revoked_by, $4)
			WHERE id = $1 AND user_id = $2`, deviceID, userID, s.now(), a.User())
		if err != nil {
			return fmt.Errorf("auth: revoke device %d: %w", deviceID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("auth: revoke device %d: %w", deviceID, ErrNotFound)
		}
		ended, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE device_id = $1`, deviceID)
		if err != nil {
			return fmt.Errorf("auth: end sessions of device %d: %w", deviceID, err)
		}
		n, _ := ended.RowsAffected()
		return audit.RecordDetails(ctx, tx, a, "auth.device.revoke", userObject(userID), fmt.Sprintf("device %d; %d sessions ended", deviceID, n),
			audit.Details{"device": strconv.FormatInt(deviceID, 10), "count": strconv.FormatInt(n, 10)})
	})
}
