package textcheck

import (
	"regexp"
	"strconv"
	"strings"
)

// The patterns below are compiled once; a regexp.Regexp is safe for
// concurrent use.
var (
	emailRe  = regexp.MustCompile(`(?i)[a-z0-9][a-z0-9._%+\-]*@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}`)
	handleRe = regexp.MustCompile(`@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?`)
	// Phone numbers: +31 or 0031 and nine digits (an optional "(0)"), or a
	// national 0 and nine digits; single spaces, dashes or dots between.
	phoneIntlRe = regexp.MustCompile(`^(?:\+|00)31[ \-]?(?:\(0\)[ \-]?)?[1-9](?:[ \-.]?\d){8}`)
	phoneNatRe  = regexp.MustCompile(`^\(?0(?:[ \-.)]{0,3}\d){9}`)
	datePrefix  = regexp.MustCompile(`^\d{1,2}[\-/.]\d{1,2}[\-/.]\d{2,4}`)
	bsnRe       = regexp.MustCompile(`^\d(?:[ .\-]?\d){8}`)
	// E-mail addresses written so that a program does not see them: "naam
	// at gmail punt com", "naam(at)example(dot)nl", "naam apenstaartje ...".
	emailHiddenRe = regexp.MustCompile(`(?i)[a-z0-9][a-z0-9._%+\-]*\s*(?:\(at\)|\[at\]|\{at\}|\s(?:at|apenstaartje)\s)\s*[a-z0-9\-]+` +
		`(?:\s*(?:\.|\(dot\)|\[dot\]|\(punt\)|\[punt\]|\s(?:dot|punt)\s)\s*[a-z0-9\-]+)*` +
		`\s*(?:\.|\(dot\)|\[dot\]|\(punt\)|\[punt\]|\s(?:dot|punt)\s)\s*(?:nl|com|net|org|be|eu|info|de|uk|fr|tr|ma|sr|io|me)\b`)
	// Postcodes: four digits (not starting with 0) and two letters, the
	// letters upper case (with or without a space) or lower case right
	// after the digits, so that "2012 en" is no postcode.
	postcodeRe    = regexp.MustCompile(`^[1-9]\d{3}(?: ?[A-Z]{2}|[a-z]{2})`)
	houseNumberRe = regexp.MustCompile(`^,?[ \t]*\d{1,5}(?:-?[a-zA-Z]\b|-\d{1,3}\b| hs\b| bis\b)?`)

	months = `(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|` +
		`january|february|march|may|june|july|august|october|` +
		`jan|feb|mrt|mar|apr|jun|jul|aug|sept|sep|okt|oct|nov|dec)`
	dateDMYRe  = regexp.MustCompile(`^(\d{1,2})[\-/. ](\d{1,2})[\-/. ](\d{4}|\d{2})\b`)
	dateISORe  = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})\b`)
	dateTextRe = regexp.MustCompile(`(?i)^(\d{1,2})(?:e|ste|de|st|nd|rd|th)?(?: of)? ` + months + `\b\.?(?:,? ('?\d{2}|\d{4})\b)?`)
	dateMDYRe  = regexp.MustCompile(`(?i)^` + months + `\b\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})\b`)
	bornRe     = regexp.MustCompile(`(?i)(geboren|geb\.|geboortedatum|geboortedag|born|birth|\bdob\b)[^.\n]{0,12}$`)
)

var monthNumber = map[string]int{
	"januari": 1, "january": 1, "jan": 1, "februari": 2, "february": 2, "feb": 2,
	"maart": 3, "march": 3, "mrt": 3, "mar": 3, "april": 4, "apr": 4, "mei": 5, "may": 5,
	"juni": 6, "june": 6, "jun": 6, "juli": 7, "july": 7, "jul": 7, "augustus": 8,
	"august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10,
	"october": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

// areaCode reports whether a national number d ("0...") starts with a
// prefix Dutch numbers have: no area code starts with 012, 014 or 019, so
// "0123456789" is a made-up or other number.
func areaCode(d string) bool {
	switch d[1:3] {
	case "12", "14", "19":
		return false
	}
	return true
}

// digitGroups counts the runs of digits in s: a date has three, a phone
// number written in pairs ("06.12.34.56.78") more.
func digitGroups(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) && (i == 0 || !isDigit(s[i-1])) {
			n++
		}
	}
	return n
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }
func isAlnum(b byte) bool {
	return isDigit(b) || ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z') || b >= 0x80
}

// standsAlone reports whether text[start:end] is not part of a longer
// number or word: no digit or letter touches it, nor a digit behind a
// single separator ("12 345 678 9").
func standsAlone(text string, start, end int) bool {
	if start > 0 && (isAlnum(text[start-1]) || (start > 1 && strings.IndexByte(" .-", text[start-1]) >= 0 && isDigit(text[start-2]))) {
		return false
	}
	if end < len(text) && (isDigit(text[end]) || (end+1 < len(text) && strings.IndexByte(" .-", text[end]) >= 0 && isDigit(text[end+1]) && text[end] != ' ')) {
		return false
	}
	return true
}

func digits(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// ElevenCheck reports whether d (nine digits) passes the 11-check that every
// BSN passes: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not 0).
func ElevenCheck(d string) bool {
	if len(d) != 9 {
		return false
	}
	sum := 0
	for i := 0; i < 9; i++ {
		if !isDigit(d[i]) {
			return false
		}
		w := 9 - i
		if i == 8 {
			w = -1
		}
		sum += w * int(d[i]-'0')
	}
	return sum != 0 && sum%11 == 0
}

// numberFindings adds e-mail addresses, handles, phone numbers, BSNs,
// postcodes and dates of birth.
func numberFindings(text string, s Subject, out []Finding) []Finding {
	add := func(k Kind, start, end int) {
		out = append(out, Finding{Kind: k, Start: start, End: end, Text: text[start:end]})
	}
	for _, m := range emailHiddenRe.FindAllStringIndex(text, -1) {
		add(KindEmail, m[0], m[1])
	}
	if strings.IndexByte(text, '@') >= 0 {
		for _, m := range emailRe.FindAllStringIndex(text, -1) {
			add(KindEmail, m[0], m[1])
		}
		for _, m := range handleRe.FindAllStringIndex(text, -1) {
			if (m[0] == 0 || !isAlnum(text[m[0]-1]) && strings.IndexByte("._-", text[m[0]-1]) < 0) && m[1]-m[0] >= 4 {
				add(KindHandle, m[0], m[1])
			}
		}
	}
	if !strings.ContainsAny(text, "0123456789") {
		return out
	}
	// The number patterns start at a digit (or a "+" or "(" before one), so
	// they are tried only where a run of digits starts, on a short window:
	// scanning the whole text with each costs ten times as much.
	for i := 0; i < len(text); i++ {
		if !isDigit(text[i]) || (i > 0 && isDigit(text[i-1])) {
			continue
		}
		at := i
		if i > 0 && (text[i-1] == '+' || text[i-1] == '(') {
			at = i - 1
		}
		w := text[at:min(len(text), at+40)]
		if m := phoneIntlRe.FindStringIndex(w); m != nil && (at+m[1] == len(text) || !isDigit(text[at+m[1]])) {
			add(KindPhone, at+m[0], at+m[1])
		}
		if m := phoneNatRe.FindStringIndex(w); m != nil {
			start, end := at+m[0], at+m[1]
			if d := digits(text[start:end]); d[1] != '0' && areaCode(d) && standsAlone(text, start, end) &&
				(!datePrefix.MatchString(text[start:end]) || digitGroups(text[start:end]) >= 4) &&
				(start == 0 || text[start-1] != '+') {
				add(KindPhone, start, end)
			}
		}
		w = text[i:min(len(text), i+40)]
		if m := bsnRe.FindStringIndex(w); m != nil && standsAlone(text, i, i+m[1]) && ElevenCheck(digits(w[:m[1]])) {
			add(KindBSN, i, i+m[1])
		}
		if m := postcodeRe.FindStringIndex(w); m != nil {
			end := i + m[1]
			letters := strings.ToUpper(strings.TrimSpace(text[end-2 : end]))
			if (i > 0 && isAlnum(text[i-1])) || (end < len(text) && isAlnum(text[end])) ||
				letters == "SA" || letters == "SD" || letters == "SS" {
				continue
			}
			if h := houseNumberRe.FindStringIndex(text[end:]); h != nil {
				end += h[1]
			}
			add(KindAddress, i, end)
		}
	}
	out = dateFindings(text, s, out)
	return out
}

// dateFindings adds the subject's birth date wherever it is written as a
// date, and any date written as a birth date.
func dateFindings(text string, s Subject, out []Finding) []Finding {
	by, bm, bd := parseISODate(s.BirthDate)
	check := func(start, end, d, m, y int, twoDigitYear bool) {
		if d < 1 || d > 31 || m < 1 || m > 12 {
			return
		}
		born := bornRe.MatchString(text[max(0, start-30):start])
		own := by > 0 && d == bd && m == bm && (y == by || (twoDigitYear && y == by%100) || (y < 0 && born))
		switch {
		case own:
			out = append(out, Finding{Kind: KindOwnBirthDate, Start: start, End: end, Text: text[start:end]})
		case born:
			out = append(out, Finding{Kind: KindBirthDate, Start: start, End: end, Text: text[start:end]})
		}
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(strings.TrimPrefix(s, "'")); return n }
	// Like the numbers, a date is tried only where a run of digits starts
	// (or, for "March 14, 2011", at a month's name), on a short window.
	for i := 0; i < len(text); i++ {
		if i > 0 && isAlnum(text[i-1]) {
			continue
		}
		w := text[i:min(len(text), i+40)]
		if isDigit(text[i]) {
			if m := dateDMYRe.FindStringSubmatchIndex(w); m != nil {
				y := w[m[6]:m[7]]
				check(i, i+m[1], atoi(w[m[2]:m[3]]), atoi(w[m[4]:m[5]]), atoi(y), len(y) == 2)
			} else if m := dateISORe.FindStringSubmatchIndex(w); m != nil {
				check(i, i+m[1], atoi(w[m[6]:m[7]]), atoi(w[m[4]:m[5]]), atoi(w[m[2]:m[3]]), false)
			} else if m := dateTextRe.FindStringSubmatchIndex(w); m != nil {
				y, two := -1, false
				if m[6] >= 0 {
					ys := w[m[6]:m[7]]
					y, two = atoi(ys), len(strings.TrimPrefix(ys, "'")) == 2
				}
				check(i, i+m[1], atoi(w[m[2]:m[3]]), monthNumber[strings.ToLower(w[m[4]:m[5]])], y, two)
			}
		} else if monthAt(text, i) {
			if m := dateMDYRe.FindStringSubmatchIndex(w); m != nil {
				check(i, i+m[1], atoi(w[m[4]:m[5]]), monthNumber[strings.ToLower(w[m[2]:m[3]])], atoi(w[m[6]:m[7]]), false)
			}
		}
	}
	return out
}

// monthAt reports whether the word at text[i] is a month's name.
func monthAt(text string, i int) bool {
	j := i
	for j < len(text) && j-i < 10 && (('a' <= text[j]|0x20) && (text[j]|0x20) <= 'z') {
		j++
	}
	_, ok := monthNumber[strings.ToLower(text[i:j])]
	return ok && j > i
}

// parseISODate reads YYYY-MM-DD; zeros when it is not one.
func parseISODate(s string) (y, m, d int) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, 0
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:7])
	d, err3 := strconv.Atoi(s[8:])
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, 0, 0
	}
	return y, m, d
}
