package thai

import (
	"strings"

	"github.com/shopspring/decimal"
)

var (
	digitWords = [10]string{"ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า"}
	placeWords = [6]string{"", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน"}
)

// BahtText writes an amount in Thai words as Excel's BAHTTEXT does:
// 21 → ยี่สิบเอ็ดบาทถ้วน, 1,000,001 → หนึ่งล้านเอ็ดบาทถ้วน, 25.50 →
// ยี่สิบห้าบาทห้าสิบสตางค์, 0.50 → ห้าสิบสตางค์, 0 → ศูนย์บาทถ้วน; a
// negative amount starts with ลบ. It rounds to the satang first. It spells
// any decimal (thai imports no Hawker package); pass money.Amount.Decimal().
func BahtText(d decimal.Decimal) string {
	d = d.Round(2)
	var b strings.Builder
	if d.IsNegative() {
		b.WriteString("ลบ")
		d = d.Neg()
	}
	whole, frac, _ := strings.Cut(d.StringFixed(2), ".")
	satang := readNumber(frac)
	switch {
	case strings.Trim(whole, "0") == "" && satang == "":
		return b.String() + "ศูนย์บาทถ้วน"
	case strings.Trim(whole, "0") != "":
		b.WriteString(readNumber(whole))
		b.WriteString("บาท")
	}
	if satang == "" {
		b.WriteString("ถ้วน")
	} else {
		b.WriteString(satang)
		b.WriteString("สตางค์")
	}
	return b.String()
}

// readNumber reads a string of decimal digits in Thai words ("" for zero).
// ล้าน repeats every six digits; a units 1 after any higher digit of the
// whole number is เอ็ด, so 1,000,001 is หนึ่งล้านเอ็ด as in Excel.
func readNumber(digits string) string {
	digits = strings.TrimLeft(digits, "0")
	var b strings.Builder
	n := len(digits)
	for i := 0; i < n; i++ {
		d := int(digits[i] - '0')
		pos := n - 1 - i // power of ten
		place := pos % 6
		if d != 0 {
			switch {
			case place == 1 && d == 1: // สิบ, not หนึ่งสิบ
			case place == 1 && d == 2:
				b.WriteString("ยี่")
			case place == 0 && d == 1 && i > 0:
				b.WriteString("เอ็ด")
			default:
				b.WriteString(digitWords[d])
			}
			b.WriteString(placeWords[place])
		}
		if place == 0 && pos > 0 {
			b.WriteString("ล้าน")
		}
	}
	return b.String()
}
