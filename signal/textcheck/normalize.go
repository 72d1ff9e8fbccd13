package textcheck

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// A reporter can write a name or a number so that it reads the same to a
// person and differently to a program, by accident (a phone keyboard's
// full-width digits, a pasted zero-width space) or to get around the check
// ("S a n n e", "Ѕаnnе" with Cyrillic letters). The check therefore runs
// on the text as a reader reads it: normalize maps it to plain letters and
// digits and keeps, for every byte of the result, where it came from, so
// that each finding still marks the words as the reporter wrote them.

// normalized is a text as the check reads it, with the way back.
type normalized struct {
	text string
	// from[i] and to[i] are the bytes of the original text that byte i of
	// text came from: original[from[i]:to[i]].
	from, to []int
}

// span maps the bytes [start, end) of the normalized text back to the
// original text.
func (n *normalized) span(start, end int) (int, int) {
	if end <= start {
		return n.from[start], n.from[start]
	}
	return n.from[start], n.to[end-1]
}

// normalize reads text as a person does:
//   - invisible characters (zero-width spaces and joiners, the soft hyphen,
//     direction marks: Unicode's format characters) are dropped, so
//     "San\u200bne" is "Sanne";
//   - every kind of space is a space and every kind of dash a dash;
//   - compatibility forms become their plain letter or digit (full-width
//     "１２３", ligatures, super- and subscripts), by Unicode's NFKC;
//   - letters of other scripts that look like Latin ones (Cyrillic "а",
//     Greek "Ο") become those, by Unicode's confusables table (UTS #39);
//     accented Latin letters stay (fold handles them);
//   - letters written one by one with spaces, full stops or dashes between
//     ("S a n n e", "S.a.n.n.e", "s-a-n-n-e"), three or more, are one word.
func normalize(text string) normalized {
	n := normalized{}
	var b strings.Builder
	b.Grow(len(text))
	emit := func(s string, from, to int) {
		b.WriteString(s)
		for range len(s) {
			n.from = append(n.from, from)
			n.to = append(n.to, to)
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r < utf8.RuneSelf {
			emit(text[i:i+1], i, i+1)
			i++
			continue
		}
		emit(readAs(r), i, i+size)
		i += size
	}
	n.text = b.String()
	return n.joinSpelledOut()
}

// blank are characters that show nothing and are no format character:
// the combining grapheme joiner, Hangul fillers (letters!) and the braille
// blank (as keystore.NormaliseName drops them from a name).
var blank = map[rune]bool{
	'\u034f': true, '\u115f': true, '\u1160': true, '\u3164': true, '\uffa0': true, '\u2800': true,
}

// readAs is what a non-ASCII rune reads as (see normalize).
func readAs(r rune) string {
	switch {
	case unicode.Is(unicode.Cf, r), blank[r]:
		return ""
	case unicode.Is(unicode.Zs, r):
		return " "
	case unicode.Is(unicode.Pd, r):
		return "-"
	}
	if _, ok := foldRune[unicode.ToLower(r)]; ok {
		return string(r)
	}
	if s := norm.NFKC.String(string(r)); isASCII(s) && s != "" {
		return s
	}
	if !unicode.IsLetter(r) {
		return string(r)
	}
	if s := confusables.Skeleton(string(r)); isASCII(s) && s != "" {
		return s
	}
	return string(r)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// spellSeparator reports whether s may stand between the letters of a word
// written out letter by letter: one or two of space, full stop, dash,
// underscore, asterisk, slash or middle dot, on one line.
func spellSeparator(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 2 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune(" .-_*/·", r) {
			return false
		}
	}
	return true
}

// joinSpelledOut joins letters written one by one ("S a n n e") into one
// word, keeping the way back.
func (n normalized) joinSpelledOut() normalized {
	text := n.text
	// letters: the single-letter words, as [start, end) byte ranges.
	type run struct{ start, end int }
	var singles []run
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) {
			i += size
			continue
		}
		j := i + size
		for j < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsLetter(r2) && !unicode.Is(unicode.Mn, r2) {
				break
			}
			j += s2
		}
		if utf8.RuneCountInString(text[i:j]) == 1 {
			singles = append(singles, run{i, j})
		}
		i = j
	}
	// drop marks the separator bytes to leave out.
	var drop []run
	for k := 0; k < len(singles); {
		l := k
		for l+1 < len(singles) && spellSeparator(text[singles[l].end:singles[l+1].start]) {
			l++
		}
		if l-k+1 >= 3 {
			for m := k; m < l; m++ {
				drop = append(drop, run{singles[m].end, singles[m+1].start})
			}
		}
		k = l + 1
	}
	if len(drop) == 0 {
		return n
	}
	out := normalized{}
	var b strings.Builder
	at := 0
	for _, d := range drop {
		b.WriteString(text[at:d.start])
		out.from = append(out.from, n.from[at:d.start]...)
		out.to = append(out.to, n.to[at:d.start]...)
		at = d.end
	}
	b.WriteString(text[at:])
	out.from = append(out.from, n.from[at:]...)
	out.to = append(out.to, n.to[at:]...)
	out.text = b.String()
	return out
}
