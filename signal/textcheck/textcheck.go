package textcheck

import (
	"embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed data/names.txt data/names-origins.txt data/special.txt
var dataFiles embed.FS

// Finding is one thing in a text that a level below full may forbid.
type Finding struct {
	Kind Kind
	// Start and End are byte offsets into the checked text: Text is
	// text[Start:End], the words the reporter sees marked.
	Start, End int
	Text       string
	// Term is, for a special category, the word-list entry that matched
	// ("zelfbeschadig*"), so an explanation can say which word it was.
	Term string
}

// Subject is whom a text is about, and whom else its context knows.
type Subject struct {
	// Name is the young person's full name as registered ("Sanne de Vries").
	Name string
	// BirthDate is the young person's birth date as YYYY-MM-DD; empty if
	// unknown.
	BirthDate string
	// KnownNames are other young people the text must not name either: for
	// a meeting text, those on the meeting's agenda. Full names.
	KnownNames []string
}

// Checker checks texts against the embedded word lists. It is built once
// and safe for concurrent use: Check reads it only.
type Checker struct {
	names   map[string]nameEntry // folded core of a name -> what it is
	special specialLists
}

// New builds a Checker from the word lists embedded in the package.
func New() (*Checker, error) {
	c := &Checker{}
	var names []byte
	for _, f := range []string{"data/names.txt", "data/names-origins.txt"} {
		b, err := dataFiles.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read name list: %w", err)
		}
		names = append(append(names, b...), '\n')
	}
	var err error
	if c.names, err = parseNames(string(names)); err != nil {
		return nil, fmt.Errorf("parse name list: %w", err)
	}
	special, err := dataFiles.ReadFile("data/special.txt")
	if err != nil {
		return nil, fmt.Errorf("read special categories: %w", err)
	}
	if c.special, err = parseSpecial(string(special)); err != nil {
		return nil, fmt.Errorf("parse special categories: %w", err)
	}
	dutchWords() // read the word list now, not during a reporter's first check
	return c, nil
}

var defaultChecker = sync.OnceValue(func() *Checker {
	c, err := New()
	if err != nil {
		panic("textcheck: embedded word lists: " + err.Error()) // the tests load them
	}
	return c
})

// Check checks text about s with the embedded word lists; see Checker.Check.
func Check(text string, s Subject) []Finding { return defaultChecker().Check(text, s) }

// Check returns what text holds that a level below full may forbid, in the
// order of the text. Where two findings overlap only the longer is kept
// (a phone number is not also a BSN). An empty result does not mean the text
// is safe to share: see the package comment.
//
// The text is checked as a reader reads it (normalize): invisible
// characters, look-alike letters of other scripts, full-width digits and
// words spelled out letter by letter do not hide a finding. Each finding's
// Start, End and Text are those of the text as written.
func (c *Checker) Check(text string, s Subject) []Finding {
	n := normalize(text)
	toks := tokenize(n.text)
	var out []Finding
	out = c.nameFindings(n.text, toks, s, out)
	out = numberFindings(n.text, s, out)
	out = streetFindings(n.text, toks, out)
	out = c.specialFindings(n.text, toks, out)
	for i := range out {
		out[i].Start, out[i].End = n.span(out[i].Start, out[i].End)
		out[i].Text = text[out[i].Start:out[i].End]
	}
	return resolve(out)
}

// resolve sorts findings by position and drops each one that overlaps a
// longer (or, as long, an earlier-found) one.
func resolve(fs []Finding) []Finding {
	for i := range fs {
		fs[i].Text = strings.TrimSpace(fs[i].Text)
	}
	order := make([]int, len(fs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return (fs[b].End - fs[b].Start) - (fs[a].End - fs[a].Start)
	})
	var kept []Finding
	for _, i := range order {
		f := fs[i]
		if !slices.ContainsFunc(kept, func(k Finding) bool { return f.Start < k.End && k.Start < f.End }) {
			kept = append(kept, f)
		}
	}
	slices.SortFunc(kept, func(a, b Finding) int { return a.Start - b.Start })
	return kept
}

// token is one word of the text: a run of letters (and combining marks).
type token struct {
	start, end int
	raw        string // as written
	norm       string // folded: lower case, no accents
	capital    bool   // starts with an upper-case letter
	allCaps    bool   // every letter upper case
	sentence   bool   // first word of a sentence, line or list item
	gap        string // what stands between the previous word and this one
}

// abbreviations are words that end with a full stop without ending the
// sentence; after a title the next capitalised word is a name.
var titles = map[string]bool{
	"dhr": true, "mevr": true, "mw": true, "mevrouw": true, "meneer": true, "hr": true,
	"juf": true, "juffrouw": true, "meester": true, "mr": true, "dr": true, "drs": true,
	"ir": true, "ing": true, "prof": true, "mej": true, "fam": true, "familie": true,
	"mrs": true, "mr.": true, "ms": true, "miss": true,
}

func tokenize(text string) []token {
	var toks []token
	prevEnd := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsLetter(r) {
			i += size
			continue
		}
		start := i
		upper, lowerSeen := unicode.IsUpper(r), !unicode.IsUpper(r)
		capital := upper
		i += size
		for i < len(text) {
			r, size = utf8.DecodeRuneInString(text[i:])
			if !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) {
				break
			}
			if unicode.IsLower(r) {
				lowerSeen = true
			}
			i += size
		}
		t := token{start: start, end: i, raw: text[start:i], capital: capital, allCaps: upper && !lowerSeen}
		t.norm = fold(t.raw)
		t.gap = text[prevEnd:start]
		t.sentence = len(toks) == 0 || strings.ContainsAny(t.gap, ".!?:\n•*") || strings.HasPrefix(strings.TrimLeft(t.gap, " \t"), "- ")
		if t.sentence && len(toks) > 0 && strings.HasPrefix(t.gap, ".") && !strings.ContainsAny(t.gap, "\n!?") {
			p := toks[len(toks)-1]
			if titles[p.norm] || (utf8.RuneCountInString(p.raw) == 1 && p.capital) {
				t.sentence = false // "Dhr. Bakker", "J. Bakker"
			}
		}
		toks = append(toks, t)
		prevEnd = i
	}
	return toks
}
