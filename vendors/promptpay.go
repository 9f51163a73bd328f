package vendors

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	qrcode "github.com/skip2/go-qrcode"

	"hawker/audit"
	"hawker/money"
	"hawker/participants"
	"hawker/pg"
	"hawker/valid"
)

// PromptPayKind is what a PromptPay id is.
type PromptPayKind string

// PromptPay id kinds.
const (
	PromptPayMobile     PromptPayKind = "mobile"
	PromptPayNationalID PromptPayKind = "national_id"
)

// PromptPayID is a vendor's PromptPay proxy: her mobile number (0812345678)
// or a 13-digit national id or tax id.
type PromptPayID struct {
	Kind  PromptPayKind `db:"id_kind"`
	Value string        `db:"id_value"`
}

// ParsePromptPayID reads a mobile number or a 13-digit id as people write
// them (spaces and dashes allowed). A national id must pass its check digit.
func ParsePromptPayID(s string) (PromptPayID, error) {
	digits := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r == ' ' || r == '-':
			return -1
		}
		return 'x'
	}, strings.TrimSpace(s))
	switch {
	case digits == "":
		return PromptPayID{}, valid.Errors{"promptpay": "vendor.promptpay_required"}
	case strings.Contains(digits, "x"):
		return PromptPayID{}, valid.Errors{"promptpay": "vendor.promptpay_invalid"}
	case len(digits) == 10 && digits[0] == '0' && digits[1] >= '6' && digits[1] <= '9':
		return PromptPayID{Kind: PromptPayMobile, Value: digits}, nil
	case len(digits) == 13:
		if !nationalIDCheck(digits) {
			return PromptPayID{}, valid.Errors{"promptpay": "vendor.promptpay_checksum"}
		}
		return PromptPayID{Kind: PromptPayNationalID, Value: digits}, nil
	}
	return PromptPayID{}, valid.Errors{"promptpay": "vendor.promptpay_invalid"}
}

// nationalIDCheck verifies a Thai 13-digit id's last digit: the first 12
// digits weighted 13 down to 2, then (11 − sum mod 11) mod 10.
func nationalIDCheck(id string) bool {
	sum := 0
	for i := 0; i < 12; i++ {
		sum += int(id[i]-'0') * (13 - i)
	}
	return int(id[12]-'0') == (11-sum%11)%10
}

// Display is the id written for people: 081-234-5678 or 1-2345-67890-12-3.
func (id PromptPayID) Display() string {
	v := id.Value
	switch {
	case id.Kind == PromptPayMobile && len(v) == 10:
		return v[:3] + "-" + v[3:6] + "-" + v[6:]
	case id.Kind == PromptPayNationalID && len(v) == 13:
		return v[:1] + "-" + v[1:5] + "-" + v[5:10] + "-" + v[10:12] + "-" + v[12:]
	}
	return v
}

// PromptPay's application id in Thai QR Payment (tag 29, sub-tag 00).
const promptPayAID = "A000000677010111"

// tlv is one EMVCo field: a 2-digit tag, a 2-digit length, the value.
func tlv(tag, value string) string { return fmt.Sprintf("%s%02d%s", tag, len(value), value) }

// Payload is the Thai QR Payment (EMVCo merchant-presented) text for id:
// static ("01"="11") when amount is nil, else dynamic ("12") with the amount
// in tag 54; the last field is tag 63, the CRC-16/CCITT-FALSE of everything
// before it including "6304".
func Payload(id PromptPayID, amount *money.Amount) string {
	var proxy string
	switch id.Kind {
	case PromptPayMobile:
		proxy = tlv("01", "0066"+strings.TrimPrefix(id.Value, "0"))
	default:
		proxy = tlv("02", id.Value)
	}
	var b strings.Builder
	b.WriteString(tlv("00", "01"))
	if amount == nil {
		b.WriteString(tlv("01", "11"))
	} else {
		b.WriteString(tlv("01", "12"))
	}
	b.WriteString(tlv("29", tlv("00", promptPayAID)+proxy))
	b.WriteString(tlv("53", "764"))
	if amount != nil {
		b.WriteString(tlv("54", amount.String()))
	}
	b.WriteString(tlv("58", "TH"))
	b.WriteString("6304")
	return b.String() + fmt.Sprintf("%04X", CRC16(b.String()))
}

// CRC16 is CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no
// reflection, no final XOR.
func CRC16(s string) uint16 {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for j := 0; j < 8; j++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// QRSVG draws payload as a QR code in SVG (medium error correction, with its
// quiet zone), one path of dark modules, scalable to any size.
func QRSVG(payload string) ([]byte, error) {
	q, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("vendors: qr: %w", err)
	}
	bits := q.Bitmap()
	n := len(bits)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bits {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run - 1
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String()), nil
}

// PromptPay reads a participant's saved PromptPay id; ErrNotFound when none.
func (s *Store) PromptPay(ctx context.Context, participantID int64) (PromptPayID, error) {
	var id PromptPayID
	err := s.db.GetContext(ctx, &id, `SELECT id_kind, id_value FROM vendor_promptpay WHERE participant_id = $1`, participantID)
	if err != nil {
		return PromptPayID{}, fmt.Errorf("vendors: promptpay of %d: %w", participantID, pg.NotFound(err, ErrNotFound))
	}
	return id, nil
}

// SetPromptPay saves a participant's PromptPay id, replacing any before it.
// An erased file keeps no personal data: the id is refused (ErrErased), and
// an erasure under way waits for this to end, then deletes it.
func (s *Store) SetPromptPay(ctx context.Context, a audit.Actor, participantID int64, code string, id PromptPayID) error {
	return pg.InTx(ctx, s.db, func(tx *sqlx.Tx) error {
		if _, err := participants.LockLive(ctx, tx, participantID); errors.Is(err, participants.ErrErased) {
			return fmt.Errorf("vendors: save promptpay of %s: %w", code, ErrErased)
		} else if err != nil {
			return fmt.Errorf("vendors: save promptpay: %w", err)
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO vendor_promptpay (participant_id, id_kind, id_value, updated_by)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (participant_id) DO UPDATE SET id_kind = EXCLUDED.id_kind, id_value = EXCLUDED.id_value,
			    updated_at = now(), updated_by = EXCLUDED.updated_by`,
			participantID, id.Kind, id.Value, a.User())
		if err != nil {
			return fmt.Errorf("vendors: save promptpay: %w", err)
		}
		return audit.RecordDetails(ctx, tx, a, "vendor.promptpay.set", "participant:"+code, "PromptPay id set ("+string(id.Kind)+")",
			audit.Details{"id_kind": string(id.Kind)})
	})
}
