package thai

import "strings"

// Shape prepares Thai text for a font that has no OpenType shaping applied
// to it (gofpdf maps each character to one glyph): it substitutes the legacy
// Private Use Area glyphs U+F700–U+F71A that TLWG fonts such as Laksaman
// carry, so that tone marks sit lower over a bare consonant, marks move left
// over the tall consonants ป ฝ ฟ ฬ, ญ and ฐ drop their lower part before a
// below vowel, and below vowels drop under ฎ ฏ. SARA AM is decomposed into
// NIKHAHIT + SARA AA with NIKHAHIT moved before the tone mark.
//
// It is the logic of HarfBuzz's Thai PUA fallback (Windows PUA, the same
// as libthai's th_render_cell_win). The result is for drawing only: it is
// not Thai any more to a search or a screen reader, so a PDF carries the
// original beside it (reports' ActualText). Text without Thai is returned
// as it is.
func Shape(s string) string {
	if !hasThai(s) {
		return s
	}
	rs := decomposeSaraAm([]rune(s))
	above, below := aboveStart[notConsonant], belowStart[notConsonant]
	base := 0
	for i, r := range rs {
		mt := markType(r)
		if mt == notMark {
			ct := consonantType(r)
			above, below = aboveStart[ct], belowStart[ct]
			base = i
			continue
		}
		ae, be := aboveMachine[above][mt], belowMachine[below][mt]
		above, below = ae.next, be.next
		// At most one of the two machines acts on a mark.
		act := ae.action
		if act == nop {
			act = be.action
		}
		if act == rd {
			rs[base] = puaOf(rs[base], act)
		} else {
			rs[i] = puaOf(r, act)
		}
	}
	return string(rs)
}

// Shaped reports whether Shape changes s, i.e. whether s drawn shaped needs
// its original text carried beside it.
func Shaped(s string) bool { return hasThai(s) && Shape(s) != s }

func hasThai(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 0x0E00 && r <= 0x0E7F }) >= 0
}

const (
	saraAm   = 0x0E33
	saraAa   = 0x0E32
	nikhahit = 0x0E4D
)

func isAboveBaseMark(r rune) bool {
	return r == 0x0E31 || (r >= 0x0E34 && r <= 0x0E37) || (r >= 0x0E47 && r <= 0x0E4E) || r == 0x0E3B
}

// decomposeSaraAm writes each SARA AM as NIKHAHIT + SARA AA and moves the
// NIKHAHIT before the above-base marks that precede it (น้ำ → น ํ ้ า), so
// the tone mark stacks above the circle as in print.
func decomposeSaraAm(rs []rune) []rune {
	n := 0
	for _, r := range rs {
		if r == saraAm {
			n++
		}
	}
	if n == 0 {
		return rs
	}
	out := make([]rune, 0, len(rs)+n)
	for _, r := range rs {
		if r != saraAm {
			out = append(out, r)
			continue
		}
		start := len(out)
		for start > 0 && isAboveBaseMark(out[start-1]) {
			start--
		}
		out = append(out, 0)
		copy(out[start+1:], out[start:len(out)-1])
		out[start] = nikhahit
		out = append(out, saraAa)
	}
	return out
}

type consonant int

const (
	nc           consonant = iota // normal
	ac                            // ascender: ป ฝ ฟ ฬ
	rc                            // removable descender: ญ ฐ
	dc                            // strict descender: ฎ ฏ
	notConsonant                  // anything else starts a fresh cluster
)

func consonantType(r rune) consonant {
	switch {
	case r == 0x0E1B || r == 0x0E1D || r == 0x0E1F || r == 0x0E2C:
		return ac
	case r == 0x0E0D || r == 0x0E10:
		return rc
	case r == 0x0E0E || r == 0x0E0F:
		return dc
	case r >= 0x0E01 && r <= 0x0E2E:
		return nc
	}
	return notConsonant
}

type mark int

const (
	av   mark = iota // above vowel (and NIKHAHIT, MAITAIKHU)
	bv               // below vowel
	tone             // tone mark or THANTHAKHAT
	notMark
)

func markType(r rune) mark {
	switch {
	case r == 0x0E31 || (r >= 0x0E34 && r <= 0x0E37) || r == 0x0E47 || r == 0x0E4D || r == 0x0E4E:
		return av
	case r >= 0x0E38 && r <= 0x0E3A:
		return bv
	case r >= 0x0E48 && r <= 0x0E4C:
		return tone
	}
	return notMark
}

type action int

const (
	nop action = iota
	sd         // shift down
	sl         // shift left
	sdl        // shift down and left
	rd         // remove descender (acts on the base)
)

type aboveState int

// Above-base states: t0 nothing above a normal consonant yet, t1 nothing
// above an ascender consonant yet, t2 an above vowel over an ascender, t3
// done (marks stay where the font puts them).
const (
	t0 aboveState = iota
	t1
	t2
	t3
)

type belowState int

// Below-base states: no descender, removable descender, strict descender.
const (
	b0 belowState = iota
	b1
	b2
)

var aboveStart = [...]aboveState{nc: t0, ac: t1, rc: t0, dc: t0, notConsonant: t3}
var belowStart = [...]belowState{nc: b0, ac: b0, rc: b1, dc: b2, notConsonant: b2}

var aboveMachine = [4][3]struct {
	action action
	next   aboveState
}{
	//        av          bv          tone
	t0: {{nop, t3}, {nop, t0}, {sd, t3}},
	t1: {{sl, t2}, {nop, t1}, {sdl, t2}},
	t2: {{nop, t3}, {nop, t2}, {sl, t3}},
	t3: {{nop, t3}, {nop, t3}, {nop, t3}},
}

var belowMachine = [3][3]struct {
	action action
	next   belowState
}{
	//        av          bv         tone
	b0: {{nop, b0}, {nop, b2}, {nop, b0}},
	b1: {{nop, b1}, {rd, b2}, {nop, b1}},
	b2: {{nop, b2}, {sd, b2}, {nop, b2}},
}

// The Windows PUA glyphs of each action.
var (
	puaSD = map[rune]rune{
		0x0E48: 0xF70A, 0x0E49: 0xF70B, 0x0E4A: 0xF70C, 0x0E4B: 0xF70D, 0x0E4C: 0xF70E,
		0x0E38: 0xF718, 0x0E39: 0xF719, 0x0E3A: 0xF71A,
	}
	puaSDL = map[rune]rune{
		0x0E48: 0xF705, 0x0E49: 0xF706, 0x0E4A: 0xF707, 0x0E4B: 0xF708, 0x0E4C: 0xF709,
	}
	puaSL = map[rune]rune{
		0x0E48: 0xF713, 0x0E49: 0xF714, 0x0E4A: 0xF715, 0x0E4B: 0xF716, 0x0E4C: 0xF717,
		0x0E31: 0xF710, 0x0E34: 0xF701, 0x0E35: 0xF702, 0x0E36: 0xF703, 0x0E37: 0xF704,
		0x0E47: 0xF712, 0x0E4D: 0xF711,
	}
	puaRD = map[rune]rune{0x0E0D: 0xF70F, 0x0E10: 0xF700}
)

func puaOf(r rune, a action) rune {
	var m map[rune]rune
	switch a {
	case sd:
		m = puaSD
	case sdl:
		m = puaSDL
	case sl:
		m = puaSL
	case rd:
		m = puaRD
	default:
		return r
	}
	if p, ok := m[r]; ok {
		return p
	}
	return r
}
