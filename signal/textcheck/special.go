package textcheck

import (
	"fmt"
	"slices"
	"strings"
)

// wordMode is how one word of a special-category entry matches.
type wordMode uint8

const (
	modeExact     wordMode = iota // the word
	modePrefix                    // stem*
	modeSuffix                    // *end
	modeContains                  // *part*
	modeCaseExact                 // =Word
)

type wordPattern struct {
	text string // folded, except for modeCaseExact
	mode wordMode
}

func parseWordPattern(w string) (wordPattern, error) {
	switch {
	case strings.HasPrefix(w, "="):
		return wordPattern{w[1:], modeCaseExact}, nil
	case len(w) > 2 && strings.HasPrefix(w, "*") && strings.HasSuffix(w, "*"):
		return wordPattern{fold(w[1 : len(w)-1]), modeContains}, nil
	case strings.HasPrefix(w, "*"):
		return wordPattern{fold(w[1:]), modeSuffix}, nil
	case strings.HasSuffix(w, "*"):
		return wordPattern{fold(w[:len(w)-1]), modePrefix}, nil
	case strings.Contains(w, "*") || w == "":
		return wordPattern{}, fmt.Errorf("bad word %q", w)
	}
	return wordPattern{fold(w), modeExact}, nil
}

func (p wordPattern) match(t *token) bool {
	switch p.mode {
	case modeExact:
		return t.norm == p.text
	case modePrefix:
		return strings.HasPrefix(t.norm, p.text)
	case modeSuffix:
		return strings.HasSuffix(t.norm, p.text)
	case modeContains:
		return strings.Contains(t.norm, p.text)
	case modeCaseExact:
		return t.raw == p.text
	}
	return false
}

// specialEntry is one line of data/special.txt.
type specialEntry struct {
	kind  Kind
	term  string // as written in the list
	words []wordPattern
}

// specialLists holds the entries indexed for a lookup per word: exact
// and case-exact words by map, stems by map per stem length, phrases in a
// list (few).
type specialLists struct {
	exact, caseExact             map[string]*specialEntry
	prefix, suffix, contains     map[string]*specialEntry
	prefixLen, suffixLen, conLen []int // the stem lengths present, longest first
	// phrases by their first word: exact first words by map, the others
	// (a stem such as "wil*") in a short list tried on every word.
	phraseByWord map[string][]*specialEntry
	phrases      []*specialEntry
}

func parseSpecial(data string) (specialLists, error) {
	l := specialLists{
		exact: map[string]*specialEntry{}, caseExact: map[string]*specialEntry{},
		prefix: map[string]*specialEntry{}, suffix: map[string]*specialEntry{}, contains: map[string]*specialEntry{},
		phraseByWord: map[string][]*specialEntry{},
	}
	for n, line := range strings.Split(data, "\n") {
		if strings.TrimSpace(line) == "" || line[0] == '#' {
			continue
		}
		kind, pattern, ok := strings.Cut(line, "\t")
		if !ok || !Kind(kind).Special() {
			return l, fmt.Errorf("line %d: want kind<TAB>pattern with a special kind, got %q", n+1, line)
		}
		e := &specialEntry{kind: Kind(kind), term: pattern}
		for _, w := range strings.Fields(pattern) {
			p, err := parseWordPattern(w)
			if err != nil {
				return l, fmt.Errorf("line %d: %w", n+1, err)
			}
			e.words = append(e.words, p)
		}
		if len(e.words) > 1 {
			if w := e.words[0]; w.mode == modeExact {
				l.phraseByWord[w.text] = append(l.phraseByWord[w.text], e)
			} else {
				l.phrases = append(l.phrases, e)
			}
			continue
		}
		p := e.words[0]
		var m map[string]*specialEntry
		var lens *[]int
		switch p.mode {
		case modeExact:
			m = l.exact
		case modeCaseExact:
			m = l.caseExact
		case modePrefix:
			m, lens = l.prefix, &l.prefixLen
		case modeSuffix:
			m, lens = l.suffix, &l.suffixLen
		case modeContains:
			m, lens = l.contains, &l.conLen
		}
		if _, dup := m[p.text]; dup {
			return l, fmt.Errorf("line %d: %q is listed twice", n+1, pattern)
		}
		m[p.text] = e
		if lens != nil && !slices.Contains(*lens, len(p.text)) {
			*lens = append(*lens, len(p.text))
			slices.Sort(*lens)
			slices.Reverse(*lens)
		}
	}
	return l, nil
}

// word returns the entry a single word matches, or nil.
func (l *specialLists) word(t *token) *specialEntry {
	if e := l.caseExact[t.raw]; e != nil {
		return e
	}
	if e := l.exact[t.norm]; e != nil {
		return e
	}
	for _, n := range l.prefixLen {
		if n <= len(t.norm) {
			if e := l.prefix[t.norm[:n]]; e != nil {
				return e
			}
		}
	}
	for _, n := range l.suffixLen {
		if n <= len(t.norm) {
			if e := l.suffix[t.norm[len(t.norm)-n:]]; e != nil {
				return e
			}
		}
	}
	for _, n := range l.conLen {
		for i := 0; i+n <= len(t.norm); i++ {
			if e := l.contains[t.norm[i:i+n]]; e != nil {
				return e
			}
		}
	}
	return nil
}

// phraseEnd returns the index of the last word of phrase e starting at
// toks[i], at most one other word between two of its words and all in one
// sentence; -1 when it does not match there.
func phraseEnd(e *specialEntry, toks []token, i int) int {
	if !e.words[0].match(&toks[i]) {
		return -1
	}
	j := i
	for _, w := range e.words[1:] {
		next := -1
		for k := j + 1; k <= j+2 && k < len(toks); k++ {
			if toks[k].sentence {
				break
			}
			if w.match(&toks[k]) {
				next = k
				break
			}
		}
		if next < 0 {
			return -1
		}
		j = next
	}
	return j
}

// specialFindings adds the words and phrases of the special categories.
func (c *Checker) specialFindings(text string, toks []token, out []Finding) []Finding {
	for i, t := range toks {
		for _, list := range [][]*specialEntry{c.special.phraseByWord[t.norm], c.special.phrases} {
			for _, e := range list {
				if j := phraseEnd(e, toks, i); j >= 0 {
					out = append(out, Finding{Kind: e.kind, Start: t.start, End: toks[j].end, Text: text[t.start:toks[j].end], Term: e.term})
				}
			}
		}
		if e := c.special.word(&toks[i]); e != nil {
			out = append(out, Finding{Kind: e.kind, Start: t.start, End: t.end, Text: t.raw, Term: e.term})
		}
	}
	return out
}
