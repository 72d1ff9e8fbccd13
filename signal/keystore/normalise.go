package keystore

import (
	"strings"
	"unicode"

	"github.com/mtibben/confusables"
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

// invisible are characters that show nothing but are not format characters
// (Unicode category Cf, dropped as well): fillers that render blank.
var invisible = map[rune]bool{
	'\u115F': true, '\u1160': true, '\u3164': true, '\uFFA0': true, // Hangul fillers
	'\u2800': true, // braille blank
	'\u034F': true, // combining grapheme joiner
}

// apostrophes join what they stand between: "D'Angelo" is one word, and
// "'t Hart" starts with the particle "t".
var apostrophes = map[rune]bool{'\'': true, '’': true, 'ʼ': true, '`': true, '´': true, '‘': true}

// particles are the Dutch (and a few neighbouring) surname prefixes that
// people write apart, capitalised or joined: "van den Berg", "Van Den Berg"
// and "Vandenberg" are one surname. A particle is joined to the word after
// it, except as the first word of a name (Van is a Vietnamese given name).
var particles = map[string]bool{
	"van": true, "de": true, "den": true, "der": true, "het": true, "t": true,
	"ter": true, "ten": true, "te": true, "in": true, "op": true, "aan": true, "uit": true, "onder": true,
	"von": true, "zu": true, "la": true, "le": true, "du": true, "da": true, "di": true, "dos": true,
	"das": true, "del": true, "della": true, "el": true, "al": true,
}

// NormaliseName returns the form of a name that the pseudonym is computed
// from, so that spellings of one name by different professionals agree
// while two names that differ stay apart:
//
//  1. invisible characters are dropped (zero-width space and joiners, the
//     soft hyphen, the byte order mark, fillers: Unicode category Cf and a
//     few blank letters), without splitting a word: they do not show, so
//     nobody meant a space;
//  2. Unicode NFKD decomposition, then every combining mark is dropped
//     (é→e, ë→e, ç→c, the ligature ĳ→ij, full-width letters);
//  3. the letters that do not decompose are folded (ß→ss, æ→ae, œ→oe, ø→o,
//     ł→l, đ/ð→d, þ→th, ı→i);
//  4. a letter outside ASCII becomes the letter it is confusable with
//     (Unicode TR 39 skeleton: Cyrillic "а" and Greek "ο" become "a" and
//     "o"), so a name typed with a letter of another script is the same
//     name. ASCII letters are left alone: the skeleton maps "m" to "rn",
//     which would make Amie and Arnie one name;
//  5. everything is lower-cased;
//  6. words are kept apart: any run of spaces, hyphens or other punctuation
//     is one boundary (apostrophes join), and so is a capital right after a
//     small letter ("JanWillem" is "Jan Willem"); so "Jan Nes" and "Janne
//     S" differ where the old form, without boundaries, made them one young
//     person;
//  7. a surname particle (van, de, den, der, ter, 't, …) is joined to the
//     word after it, so "Jan van den Berg", "jan Van Den Berg" and "Jan
//     Vandenberg" agree (Dutch prefixes are written in all these ways).
//
// Pseudonyms already stored stay as they are. They were computed from the
// form without word boundaries, confusables or the particle rule, and they
// are the subject of audit entries (a hash chain that is never rewritten),
// the name of the young person's key and the key of their cases; rewriting
// them would need every name unsealed and the chain broken. So a young
// person recorded before this form gets a second pseudonym with their next
// signal; the two items then have the same name under these rules and the
// same birth date, and the meeting proposes them as a match (spelling) for
// the coordinator to confirm once. Two strangers the old form joined (Jan
// Nes, Janne S) stay joined in the signals stored before.
//
// Word order is not normalised: "Berg, Jan van den" differs from "Jan van
// den Berg". The birth date, which is part of the pseudonym too, keeps two
// different young people with the same normalised name apart. Spellings
// that may or may not be one person (Mohamed/Mohammed, a typo in the birth
// date, JanWillem/Jan Willem) are not joined here: the meeting proposes
// them to the coordinator (signal.MatchProposal).
func NormaliseName(name string) string {
	var clean strings.Builder
	for _, r := range name {
		if unicode.Is(unicode.Cf, r) || invisible[r] {
			continue
		}
		clean.WriteRune(r)
	}
	var b strings.Builder
	prevLower := false
	var letter func(r rune, mapped bool)
	letter = func(r rune, mapped bool) {
		switch {
		case unicode.Is(unicode.Mn, r):
			return // a mark does not end a word, nor a run of small letters
		case foldLetters[r] != "":
			b.WriteString(foldLetters[r])
		case r > unicode.MaxASCII && unicode.IsLetter(r) && !mapped:
			for _, s := range norm.NFKD.String(confusables.Skeleton(string(r))) {
				letter(s, true)
			}
			return
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if prevLower && unicode.IsUpper(r) {
				b.WriteByte(' ') // JanWillem is Jan Willem
			}
			b.WriteRune(unicode.ToLower(r))
		case apostrophes[r]:
			prevLower = false // d'Hondt is one word
			return
		default:
			b.WriteByte(' ')
		}
		prevLower = unicode.IsLower(r) || foldLetters[r] != "" && !unicode.IsUpper(r)
	}
	for _, r := range norm.NFKD.String(clean.String()) {
		letter(r, false)
	}
	words := strings.Fields(b.String())
	var out []string
	pending := ""
	for i, w := range words {
		if i > 0 && particles[w] && i < len(words)-1 {
			pending += w
			continue
		}
		out = append(out, pending+w)
		pending = ""
	}
	return strings.Join(out, " ")
}

// NormaliseName is NormaliseName, for the meeting's match proposals
// (signal.NameNormaliser): names compare as the pseudonym compares them.
func (s *Store) NormaliseName(name string) string { return NormaliseName(name) }
