// Package fonts embeds the typefaces Hawker's PDFs are set in: Laksaman
// (TLWG's version of TH Sarabun New, the face of Thai government documents),
// regular and bold, taken unaltered from Debian's fonts-tlwg-laksaman-ttf
// 1:0.7.3-1. They are GPL-2+ with the font exception that lets a document
// embed them (COPYRIGHT-tlwg, GPL-2 beside this file). Laksaman carries the
// legacy Thai glyphs at U+F700–U+F71A that thai.Shape maps marks to.
package fonts

import _ "embed"

// Laksaman is Laksaman.ttf.
//
//go:embed Laksaman.ttf
var Laksaman []byte

// LaksamanBold is Laksaman-Bold.ttf.
//
//go:embed Laksaman-Bold.ttf
var LaksamanBold []byte

// License is the Debian copyright file of the fonts, naming the font
// exception; GPL-2 holds the licence's full text.
//
//go:embed COPYRIGHT-tlwg
var License string
