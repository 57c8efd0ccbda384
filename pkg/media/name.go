package media

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-chat/parley/pkg/contracts"
)

// maxExt is the longest extension SafeName keeps when it shortens a name.
const maxExt = 16

// SafeName makes a client's file name fit to show and to put in a
// Content-Disposition header: no directories, no control characters, no
// invisible formatting characters (among them the bidi override that shows
// "invoice\u202Efdp.exe" as "invoiceexe.pdf"), trimmed, at most
// contracts.MaxFileNameLength characters with the extension kept, and
// "file" when nothing is left.
func SafeName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r):
			return -1
		case r == '\u200c' || r == '\u200d': // joiners: part of emoji and of some scripts' words
			return r
		case unicode.Is(unicode.Cf, r): // bidi overrides and isolates, zero-width spaces, BOM, …
			return -1
		case unicode.IsSpace(r):
			return ' '
		}
		return r
	}, name)
	name = strings.TrimRightFunc(strings.TrimSpace(name), func(r rune) bool { return r == '.' || r == ' ' })
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	if utf8.RuneCountInString(name) <= contracts.MaxFileNameLength {
		return name
	}
	r := []rune(name)
	ext := []rune{}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		if e := []rune(name[i:]); len(e) <= maxExt {
			ext = e
		}
	}
	base := strings.TrimSpace(string(r[:contracts.MaxFileNameLength-len(ext)]))
	return base + string(ext)
}
