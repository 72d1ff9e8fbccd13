package textcheck

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldRune maps the accented Latin letters written in Dutch names and words
// to their base letters, so that "Noël", "Noel" and "NOEL" are one name and
// "suïcidaal" is "suicidaal". Unlisted letters are only lower-cased.
var foldRune = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ą': "a",
	'æ': "ae", 'ç': "c", 'ć': "c", 'č': "c",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ė': "e", 'ę': "e", 'ě': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'ı': "i",
	'ñ': "n", 'ń': "n", 'ň': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o", 'ő': "o",
	'œ': "oe", 'ß': "ss", 'ş': "s", 'ś': "s", 'š': "s", 'ğ': "g", 'ł': "l",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ű': "u", 'ů': "u",
	'ý': "y", 'ÿ': "y", 'ž': "z", 'ź': "z", 'ż': "z", 'ĳ': "ij", 'ř': "r", 'ť': "t", 'ď': "d",
}

// fold lower-cases s and strips the accents foldRune knows; combining marks
// are dropped.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unicode.ToLower(r)
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if f, ok := foldRune[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
