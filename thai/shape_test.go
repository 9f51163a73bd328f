package thai

import (
	"fmt"
	"testing"
)

func TestShape(t *testing.T) {
	cases := []struct{ in, want string }{
		{"ที่", "ที่"},                       // tone above an above vowel stays high
		{"ก่", "ก\uF70A"},                    // tone over a bare consonant drops
		{"ปู่", "ปู\uF705"},                  // below vowel, then tone under an ascender: down and left
		{"ญุ", "\uF70Fุ"},                    // ญ loses its lower part
		{"ฐุ", "\uF700ุ"},                    // ฐ too
		{"ฎุ", "ฎ\uF718"},                    // below vowel drops under a strict descender
		{"น้ำ", "น\u0E4D\u0E49\u0E32"},       // SARA AM decomposed, NIKHAHIT before the tone
		{"ปี่", "ป\uF702\uF713"},             // above vowel and tone move left
		{"ฟ้า", "ฟ\uF706า"},                  // tone down-left
		{"ปั้น", "ป\uF710\uF714น"},           // MAI HAN-AKAT and tone move left
		{"กั้น", "กั้น"},                     // normal consonant: nothing moves
		{"หนึ่ง", "หนึ่ง"},                   // tone above SARA UE stays
		{"ป่ำ", "ป\uF711\uF713\u0E32"},       // ascender with SARA AM
		{"ฬ่", "ฬ\uF705"},                    // ฬ is an ascender here too
		{"total 1,234.50", "total 1,234.50"}, // no Thai
		{"", ""},
	}
	for _, c := range cases {
		if got := Shape(c.in); got != c.want {
			t.Errorf("Shape(%q) = %+q, want %+q", c.in, got, c.want)
		}
	}
	if Shaped("กั้น") || !Shaped("น้ำ") || Shaped("abc") {
		t.Error("Shaped disagrees with Shape")
	}
}

func ExampleShape() {
	fmt.Printf("%+q\n", Shape("ปู่"))
	// Output: "\u0e1b\u0e39\uf705"
}
