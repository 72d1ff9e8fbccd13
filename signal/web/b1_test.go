package web

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/signaal-nl/signaal/signal"
)

// Language at B1 (issue 15 item 7). The promise: a worker who reads Dutch at
// B1 understands every question of the policy and every text of the new
// signal's screens without a glossary. Two things are checkable, so they are
// checked here: no sentence runs over maxSentenceWords, and a specialist
// term appears only where it is explained right there.

// maxSentenceWords is the hard limit for one sentence; B1 guidance aims at
// 15 words (aimSentenceWords), never more than 20.
const (
	maxSentenceWords = 20
	aimSentenceWords = 15
)

// jargon are the specialist terms a B1 reader cannot be expected to know,
// matched at the start of a word, case-insensitively. Such a term may
// appear in a question (its text, help or an answer label) only when the
// question's help explains it, and in a page text only when that text
// explains it. A term counts as explained when it is followed by an
// explanation in brackets, "gezag (…)", or when a sentence starts with it
// and says what it is: "Gezag: …", "Het convenant is …", "… betekent …".
var jargon = map[Lang][]string{
	LangNL: {
		"conflict van plichten", "beroepsgeheim", "meldcode", "dat-informatie",
		"convenant", "bijzondere persoonsgegevens", "grondslag", "wilsbekwaam",
		"gezag", "ondertoezichtstelling", "gezinsvoogd",
		"aandachtsfunctionaris", "functionaris gegevensbescherming",
		"privacy-functionaris", "aanspreekpunt", "wettelijk vertegenwoordiger",
		"structure", "strafrechtelijk", "interpretatie", "rechterlijke uitspraak",
	},
	LangEN: {
		"conflict of duties", "professional secrecy", "reporting code",
		"privacy agreement", "special categor", "legal ground", "competent",
		"authority", "supervision order", "family guardian",
		"safeguarding lead", "data protection officer", "privacy officer",
		"contact point", "legal representative", "structural", "criminal data",
		"interpretation", "court order",
	},
}

// formTextPrefixes are the message keys the reporter reads on the new
// signal's screens (signal_form.html, signal_summary.html, _decision.html,
// phone.js), with the form's error messages and the outbox's states.
var formTextPrefixes = []string{
	"new.", "label.", "outcome.", "level.", "obligation.", "report.",
	"emergency.", "phone.", "decision.", "review.", "field.", "category.",
	"answer.", "draft.", "form.", "outbox.", "recipient.", "screen.", "summary.",
	"youth.name", "youth.pick", "youth.birth_date",
}

var sentenceEnd = regexp.MustCompile(`[.?!](\s+|$)|\n+`)

// sentences splits a text at a full stop, question or exclamation mark
// followed by a space or the end, and at line breaks. A colon or semicolon
// does not end a sentence: "Acuut: nu of binnen enkele uren" is one.
func sentences(text string) []string {
	var out []string
	for _, s := range sentenceEnd.Split(text, -1) {
		if len(words(s)) > 0 {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

// words are the space-separated tokens holding a letter or a digit; "%s"
// (a recipient's name filled in later) counts as one word.
func words(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			out = append(out, f)
		}
	}
	return out
}

// uses reports whether text uses term at the start of a word.
func uses(text, term string) bool {
	return regexp.MustCompile(`(?i)(^|[^\p{L}])` + regexp.QuoteMeta(term)).MatchString(text)
}

// explains reports whether text explains term: the term (with the rest of
// its word and perhaps one more) followed by a bracketed explanation of at
// least two words, "Strafrechtelijke gegevens (politie en justitie)", or
// a sentence that starts with the term, perhaps after an article, and says
// what it is.
func explains(text, term string) bool {
	q := regexp.QuoteMeta(term)
	bracket := regexp.MustCompile(`(?i)(^|[^\p{L}])` + q + `[\p{L}-]*(\s+[\p{L}-]+)?\s+\(([^)]+)\)`)
	for _, m := range bracket.FindAllStringSubmatch(text, -1) {
		if len(words(m[3])) >= 2 {
			return true
		}
	}
	definition := regexp.MustCompile(`(?i)^((de|het|een|the|a|an)\s+)?` + q + `[\p{L}-]*(\s+[\p{L}-]+)?(:|\s+(is|zijn|betekent|means|are)\s)`)
	for _, s := range sentences(text) {
		if definition.MatchString(s) {
			return true
		}
	}
	return false
}

// readability gathers sentence lengths per language.
type readability struct {
	sentences, words, over, overAim map[Lang]int
	longest                         map[Lang]string
}

func newReadability() *readability {
	return &readability{
		sentences: map[Lang]int{}, words: map[Lang]int{},
		over: map[Lang]int{}, overAim: map[Lang]int{},
		longest: map[Lang]string{},
	}
}

// read counts the sentences of text and reports each over the limit. Only
// running text (ending in a full stop, question or exclamation mark) counts
// toward the figures; a label such as "Nee, geweigerd" is checked for
// length but would flatter the average.
func (r *readability) read(t *testing.T, where string, lang Lang, text string) {
	t.Helper()
	running := strings.ContainsAny(text[max(0, len(text)-1):], ".?!")
	for _, s := range sentences(text) {
		n := len(words(s))
		if running {
			r.sentences[lang]++
			r.words[lang] += n
			if n > aimSentenceWords {
				r.overAim[lang]++
			}
		}
		if n > len(words(r.longest[lang])) {
			r.longest[lang] = s
		}
		if n > maxSentenceWords {
			r.over[lang]++
			t.Errorf("%s (%s): %d words in one sentence, at most %d: %q", where, lang, n, maxSentenceWords, s)
		}
	}
}

func (r *readability) report(t *testing.T, what string) {
	t.Helper()
	for _, lang := range []Lang{LangNL, LangEN} {
		avg := 0.0
		if r.sentences[lang] > 0 {
			avg = float64(r.words[lang]) / float64(r.sentences[lang])
		}
		t.Logf("%s (%s): %d sentences of running text, %.1f words per sentence on average, %d over %d words, %d over %d; longest: %q",
			what, lang, r.sentences[lang], avg, r.overAim[lang], aimSentenceWords, r.over[lang], maxSentenceWords, r.longest[lang])
	}
}

func textOf(t signal.Text, lang Lang) string {
	if lang == LangEN {
		return t.EN
	}
	return t.NL
}

// TestEveryQuestionAndFormTextReadsAtB1: every question the policy can ask
// (text, help, answer labels; the same catalogue the phone's WebAssembly
// policy shows) and every text of the new signal's screens, in Dutch and
// English, keeps each sentence at 20 words or fewer and explains each
// specialist term where it is used.
func TestEveryQuestionAndFormTextReadsAtB1(t *testing.T) {
	e, err := loadPolicy()
	if err != nil {
		t.Fatal(err)
	}
	questions := newReadability()
	for _, q := range e.Questions() {
		for _, lang := range []Lang{LangNL, LangEN} {
			help := textOf(q.Help, lang)
			shown := []string{textOf(q.Text, lang), help}
			questions.read(t, q.ID+" text", lang, textOf(q.Text, lang))
			questions.read(t, q.ID+" help", lang, help)
			for _, a := range q.Answers {
				label := textOf(a.Label, lang)
				questions.read(t, fmt.Sprintf("%s answer %s", q.ID, a.Value), lang, label)
				shown = append(shown, label)
			}
			for _, term := range jargon[lang] {
				for _, s := range shown {
					if uses(s, term) && !explains(help, term) && !explains(s, term) {
						t.Errorf("%s (%s): %q uses %q, but the help does not explain it (%q)", q.ID, lang, s, term, help)
					}
				}
			}
		}
	}
	questions.report(t, "questions")

	c, err := loadCatalogue(messageFiles)
	if err != nil {
		t.Fatal(err)
	}
	// A recipient's name (recipient.court_supervisor: "De gezinsvoogd") is
	// shown only after the worker chose that recipient in the question
	// recipient.role, so that question's help may explain it.
	var chosenIn signal.Text
	for _, q := range e.Questions() {
		if q.ID == "recipient.role" {
			chosenIn = q.Help
		}
	}
	form := newReadability()
	for key, text := range c.msgs {
		if !hasAnyPrefix(key, formTextPrefixes) {
			continue
		}
		for _, lang := range []Lang{LangNL, LangEN} {
			s := textOf(text, lang)
			form.read(t, key, lang, s)
			for _, term := range jargon[lang] {
				if uses(s, term) && !explains(s, term) && !(strings.HasPrefix(key, "recipient.") && explains(textOf(chosenIn, lang), term)) {
					t.Errorf("%s (%s): %q uses %q without explaining it", key, lang, s, term)
				}
			}
		}
	}
	form.report(t, "new signal screens")
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// TestB1CheckCanFail: the checks of TestEveryQuestionAndFormTextReadsAtB1
// reject what they promise to reject.
func TestB1CheckCanFail(t *testing.T) {
	long := "Bespreek de situatie eerst met iemand die hier verstand van heeft, zonder de naam van de jongere te noemen: de aandachtsfunctionaris."
	if n := len(words(sentences(long)[0])); n <= maxSentenceWords {
		t.Errorf("a sentence of %d words passes as at most %d", n, maxSentenceWords)
	}
	if got := len(sentences("Acuut: nu of binnen enkele uren. Bel dan eerst 112.")); got != 2 {
		t.Errorf("%d sentences, want 2", got)
	}
	for _, c := range []struct {
		text, term string
		want       bool
	}{
		{"Hebben de ouders met gezag toestemming gegeven?", "gezag", false},
		{"Gezag: het recht om over een kind te beslissen.", "gezag", true},
		{"Ouders met gezag (ouders die over het kind beslissen) geven toestemming.", "gezag", true},
		{"Het convenant is de afspraak tussen de partners.", "convenant", true},
		{"De meldcode is een stappenplan bij geweld thuis.", "meldcode", true},
		{"Volgens de meldcode meld je dit.", "meldcode", false},
		{"De privacy-functionaris (iemand) krijgt een bericht.", "privacy-functionaris", false},
		{"Strafrechtelijke gegevens (politie en justitie)", "strafrechtelijk", true},
		{"Strafrechtelijke gegevens over hem (politie en justitie)", "strafrechtelijk", false},
	} {
		if got := explains(c.text, c.term); got != c.want {
			t.Errorf("explains(%q, %q) = %v, want %v", c.text, c.term, got, c.want)
		}
	}
	if uses("Dit is gezagsgetrouw", "gezag") != true || uses("ongezag", "gezag") {
		t.Error("a term is matched at the start of a word only")
	}
}

// TestEveryReasonReadsAtB1: the "Waarom" lines of a decision, which the
// worker reads on the phone and on the check, keep to the same B1 rules:
// sentences of at most 20 words, and a specialist term only with its
// explanation in the same line (rego/reasons.rego, both languages).
func TestEveryReasonReadsAtB1(t *testing.T) {
	src, err := os.ReadFile("../../rego/reasons.rego")
	if err != nil {
		t.Fatal(err)
	}
	pairs := regexp.MustCompile(`"([a-z0-9_]+)": \{\s*"nl": "([^"]*)",\s*"en": "([^"]*)",`).FindAllStringSubmatch(string(src), -1)
	if len(pairs) < 30 {
		t.Fatalf("found %d reasons in rego/reasons.rego: the pattern no longer matches the file", len(pairs))
	}
	reasons := newReadability()
	for _, p := range pairs {
		for lang, text := range map[Lang]string{LangNL: p[2], LangEN: p[3]} {
			reasons.read(t, "reason "+p[1], lang, text)
			for _, term := range jargon[lang] {
				if uses(text, term) && !explains(text, term) {
					t.Errorf("reason %s (%s): %q uses %q without explaining it", p[1], lang, text, term)
				}
			}
		}
	}
	reasons.report(t, "reasons")
}
