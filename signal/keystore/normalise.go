package keystore

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldLetters maps letters that Unicode decomposition leaves alone to the
// plain letters people type instead (Straße/Strasse, Søren/Soren, Łukasz/Lukasz).
var foldLetters = map[rune]string{
	'ß': "ss", 'ẞ': "ss",
	'æ': "ae", 'Æ': "ae",
	'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o",
	'ł': "l", 'Ł': "l",
	'đ': "d", 'Đ': "d",
	'ð': "d", 'Ð': "d",
	'þ': "th", 'Þ': "th",
	'ı': "i", // Turkish dotless i
}

// NormaliseName returns the form of a name that the pseudonym is computed
// from, so that spellings of one name by different professionals agree:
//
//  1. Unicode NFKD decomposition, then every combining mark is dropped
//     (é→e, ë→e, ç→c, the ligature ĳ→ij);
//  2. the letters that do not decompose are folded (ß→ss, æ→ae, œ→oe, ø→o,
//     ł→l, đ/ð→d, þ→th, ı→i);
//  3. everything is lower-cased;
//  4. only letters and digits are kept: spaces, hyphens, apostrophes, dots
//     and other punctuation are removed, so "Jan-Willem van den Berg",
//     "jan willem Van Den Berg" and "JanWillem vandenberg" agree (Dutch
//     surname prefixes are written in all these ways).
//
// Word order is not normalised: "Berg, Jan van den" differs from "Jan van
// den Berg". The birth date, which is part of the pseudonym too, keeps two
// different young people with the same normalised name apart.
func NormaliseName(name string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(name) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if f, ok := foldLetters[r]; ok {
			b.WriteString(f)
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
