package textcheck

import (
	"fmt"
	"github.com/signaal-nl/signaal/signal"
	"strings"
	"unicode/utf8"
)

// nameEntry says what a name from the name list is.
type nameEntry struct {
	given, family bool
	// word: the name is also an ordinary lower-case word ("Roos", "Visser",
	// "de Jong"), so it counts as a name only when written with a capital
	// where a sentence does not start, or after an infix ("De Jong").
	word bool
}

// parseNames reads data/names.txt: kind<TAB>name[<TAB>word] per line. A
// family name with an infix ("van der Meer") is entered by its last word;
// the infix is matched around it in the text.
func parseNames(data string) (map[string]nameEntry, error) {
	m := map[string]nameEntry{}
	for n, line := range strings.Split(data, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 2 || (f[0] != "g" && f[0] != "f") || (len(f) == 3 && f[2] != "word") || len(f) > 3 {
			return nil, fmt.Errorf("line %d: want kind<TAB>name[<TAB>word], got %q", n+1, line)
		}
		words := strings.Fields(f[1])
		core := fold(words[len(words)-1])
		e := m[core]
		e.given = e.given || f[0] == "g"
		e.family = e.family || f[0] == "f"
		e.word = e.word || len(f) == 3
		m[core] = e
	}
	return m, nil
}

// infixes are the lower-case words between given and family name ("van der",
// "ter", "'t"). Alone they are never a name.
var infixes = map[string]bool{
	"van": true, "de": true, "der": true, "den": true, "het": true, "t": true, "ter": true,
	"ten": true, "te": true, "la": true, "le": true,
	"du": true, "da": true, "di": true, "del": true, "della": true, "dos": true, "el": true,
	"al": true, "vd": true, "v": true, "d": true, "von": true, "bin": true, "ibn": true,
}

// starters are capitalised words that start a sentence or follow an initial
// or a title without being a name ("B. Daarna", "juf. De").
var starters = map[string]bool{
	"de": true, "het": true, "een": true, "hij": true, "zij": true, "ze": true, "wij": true,
	"we": true, "ik": true, "er": true, "dit": true, "dat": true, "deze": true, "die": true,
	"daarna": true, "toen": true, "ook": true, "in": true, "op": true, "na": true, "bij": true,
	"met": true, "maar": true, "en": true, "of": true, "want": true, "omdat": true, "sinds": true,
	"volgens": true, "tijdens": true, "wel": true, "niet": true, "geen": true, "moeder": true,
	"vader": true, "ouders": true, "school": true, "the": true, "he": true, "she": true,
	"it": true, "they": true, "i": true, "this": true, "that": true, "after": true, "then": true,
}

// nameFindings adds the young person's own name, the known names and other
// personal names.
func (c *Checker) nameFindings(text string, toks []token, s Subject, out []Finding) []Finding {
	claimed := make([]bool, len(toks))
	out = c.fullNameFindings(text, toks, s.Name, KindOwnName, claimed, out)
	for _, n := range s.KnownNames {
		out = c.fullNameFindings(text, toks, n, KindKnownName, claimed, out)
	}
	for i := 0; i < len(toks); i++ {
		if claimed[i] {
			continue
		}
		t := toks[i]
		first, last, ok, family, term := i, i, false, true, ""
		if e, found := c.names[t.norm]; found && c.isName(toks, i, e) {
			ok, family = true, e.family
		} else if i > 0 && t.capital && !t.allCaps && !starters[t.norm] && afterTitleOrInitial(toks, i) {
			ok = true // "mevrouw Yilmaz", "J. Smit": a name, listed or not
		} else if c.possibleName(toks, i) {
			// "met Xiomara", "heet Kacper": unlisted, a guess (it may be a
			// place or a shop), so marked as one.
			ok, term = true, signal.TermUnlistedName
		}
		if !ok {
			continue
		}
		if family {
			first = extendInfixBack(toks, first) // "van der Meer", not "moeder van Ayoub"
		}
		if f := toks[first]; first > 0 && utf8.RuneCountInString(toks[first-1].raw) == 1 && toks[first-1].capital && strings.HasPrefix(f.gap, ".") {
			first-- // the initial of "J. de Vries"
		}
		last = extendFamilyForward(toks, last)
		for k := first; k <= last; k++ {
			claimed[k] = true
		}
		if notPersons[spanNorm(toks, first, last)] {
			i = last
			continue
		}
		out = append(out, Finding{Kind: KindPersonName, Start: toks[first].start, End: toks[last].end, Text: text[toks[first].start:toks[last].end], Term: term})
		i = last
	}
	return out
}

// beforeName are the words after which a capitalised word inside a
// sentence is most likely someone's name ("met Xiomara", "haar vriendin
// Priya", "heet Kacper"), listed or not.
var beforeName = map[string]bool{
	"met": true, "en": true, "heet": true, "heten": true, "genaamd": true, "noemt": true, "naast": true,
	"tegen": true, "volgens": true, "samen": true, "vriend": true, "vriendin": true, "vriendje": true,
	"vriendinnetje": true, "broer": true, "broertje": true, "zus": true, "zusje": true, "neef": true,
	"nicht": true, "nichtje": true, "neefje": true, "moeder": true, "vader": true, "oom": true, "tante": true,
	"opa": true, "oma": true, "buurjongen": true, "buurmeisje": true, "klasgenoot": true, "klasgenote": true,
	"vriendinnen": true, "vrienden": true, "stiefvader": true, "stiefmoeder": true, "named": true, "with": true,
	"and": true, "friend": true, "brother": true, "sister": true,
}

// notNames are capitalised words that often stand where a name would and
// are none: places, schools' and care words, apps and shops (folded).
var notNames = map[string]bool{
	"amsterdam": true, "rotterdam": true, "utrecht": true, "eindhoven": true, "groningen": true, "tilburg": true,
	"almere": true, "breda": true, "nijmegen": true, "arnhem": true, "haarlem": true, "zwolle": true, "leiden": true,
	"maastricht": true, "dordrecht": true, "zoetermeer": true, "delft": true, "nederland": true, "marokko": true,
	"turkije": true, "suriname": true, "polen": true, "syrie": true, "instagram": true, "snapchat": true,
	"tiktok": true, "whatsapp": true, "youtube": true, "discord": true, "roblox": true, "fortnite": true,
	"facebook": true, "telegram": true, "google": true, "teams": true, "zoom": true, "magister": true,
	"somtoday": true, "jumbo": true, "lidl": true, "aldi": true, "action": true, "kruidvat": true, "hema": true,
	"sparta": true, "ajax": true, "feyenoord": true, "veilig": true, "thuis": true, "jeugdzorg": true,
	"politie": true, "gemeente": true, "school": true, "mentor": true, "kerst": true, "pasen": true,
	"ramadan": true, "suikerfeest": true, "offerfeest": true, "nederlands": true, "engels": true,
	"wiskunde": true, "gym": true, "english": true, "dutch": true, "mbo": true, "havo": true, "vwo": true,
}

// possibleName reports whether toks[i], capitalised, is a name nobody
// listed: inside a sentence where a name stands (after beforeName, on the
// same line) or where it is no Dutch word ("bij Xiomara thuis"), or at the
// start of a sentence as the subject of a verb a person does, when it is
// no Dutch word ("Xiomara belde"); never a word the check knows to be
// something else.
func (c *Checker) possibleName(toks []token, i int) bool {
	t := toks[i]
	if !t.capital || t.allCaps || utf8.RuneCountInString(t.raw) < 3 ||
		starters[t.norm] || infixes[t.norm] || titles[t.norm] || notNames[t.norm] || roles[t.norm] ||
		c.special.word(&toks[i]) != nil {
		return false
	}
	if i == 0 || t.sentence {
		return actsAsSubject(toks, i) && !dutchWords().has(t.norm)
	}
	p := toks[i-1]
	if beforeName[p.norm] && onlySpaces(t.gap) {
		return true
	}
	if isStreet(t) || placeBefore[p.norm] || (i > 1 && (p.norm == "de" || p.norm == "het") && placeBefore[toks[i-2].norm]) {
		return false
	}
	return !dutchWords().has(t.norm)
}

// placeBefore are the words after which a capitalised word that is no
// Dutch word is a place ("in Lelystad", "de wijk Overvecht", "via
// Amersfoort"), not a person.
var placeBefore = map[string]bool{
	"in": true, "naar": true, "uit": true, "via": true, "vanuit": true, "richting": true, "te": true,
	"wijk": true, "buurt": true, "stad": true, "dorp": true, "gemeente": true, "station": true,
	"centrum": true, "regio": true, "provincie": true, "land": true, "to": true, "from": true,
}

// isName decides whether the listed name at toks[i] is used as a name here.
func (c *Checker) isName(toks []token, i int, e nameEntry) bool {
	t := toks[i]
	n := utf8.RuneCountInString(t.raw)
	if t.allCaps && n <= 3 {
		return false // "BO", "MAX": abbreviations
	}
	if e.word {
		if !t.capital {
			return false
		}
		return !t.sentence || extendInfixBack(toks, i) < i || appositive(toks, i) || actsAsSubject(toks, i)
	}
	return t.capital || n >= 4
}

// notPersons are well-known names of places and shops that read as a
// person's name ("Albert Heijn", "Den Bosch"), folded, words joined by one
// space. Only the whole name: "Albert" alone or "Albert de Vries" is a
// person.
var notPersons = map[string]bool{
	"albert heijn": true, "den bosch": true, "den haag": true, "den helder": true, "jan linders": true,
	// rivers, regions and places named like a family name ("de Maas")
	"de maas": true, "de rijn": true, "de waal": true, "de schelde": true, "de vecht": true, "de dommel": true,
	"de amstel": true, "de ijssel": true, "de lek": true, "de veluwe": true, "de betuwe": true, "de kempen": true,
	"de peel": true, "de dam": true, "de kuip": true, "de bijenkorf": true, "de efteling": true, "de hema": true,
}

// spanNorm is the folded words toks[first..last] joined by one space.
func spanNorm(toks []token, first, last int) string {
	var b strings.Builder
	for k := first; k <= last; k++ {
		if k > first {
			b.WriteByte(' ')
		}
		b.WriteString(toks[k].norm)
	}
	return b.String()
}

// roles are the words that say who someone is in an appositive after a
// name ("Roos, mentor van 2b", "Storm, haar broer").
var roles = map[string]bool{
	"mentor": true, "mentrix": true, "docent": true, "docente": true, "leerkracht": true, "juf": true, "meester": true,
	"trainer": true, "coach": true, "moeder": true, "vader": true, "broer": true, "broertje": true, "zus": true,
	"zusje": true, "oom": true, "tante": true, "opa": true, "oma": true, "neef": true, "nicht": true,
	"vriend": true, "vriendin": true, "buurman": true, "buurvrouw": true, "klasgenoot": true, "klasgenote": true,
	"stiefvader": true, "stiefmoeder": true, "pleegmoeder": true, "pleegvader": true, "jongerenwerker": true,
	"wijkagent": true, "zorgcoordinator": true, "intern": true, "teamleider": true, "leerplichtambtenaar": true,
}

// personVerbs are finite verbs that follow a person who is the subject of
// a sentence ("Roos belde", "Storm zegt"). A word that is also a name,
// capitalised at the start of a sentence without an article and followed
// by one of them, is the name: the common noun would have its article
// ("De storm kwam").
var personVerbs = map[string]bool{
	"is": true, "was": true, "heeft": true, "had": true, "zegt": true, "zei": true, "vertelt": true, "vertelde": true,
	"belt": true, "belde": true, "komt": true, "kwam": true, "gaat": true, "ging": true, "wil": true, "wilde": true,
	"woont": true, "woonde": true, "zit": true, "zat": true, "speelt": true, "speelde": true, "loopt": true, "liep": true,
	"wordt": true, "werd": true, "kan": true, "kon": true, "mag": true, "moet": true, "moest": true, "durft": true,
	"durfde": true, "weet": true, "wist": true, "voelt": true, "voelde": true, "huilt": true, "huilde": true,
	"doet": true, "deed": true, "krijgt": true, "kreeg": true, "slaapt": true, "sliep": true, "blijft": true,
	"bleef": true, "lijkt": true, "leek": true, "vindt": true, "vond": true, "heet": true, "spijbelt": true,
	"verzuimt": true, "rookt": true, "blowt": true, "drinkt": true, "vecht": true, "vocht": true, "schreeuwt": true,
	"says": true, "said": true, "has": true, "told": true, "called": true, "lives": true,
}

// actsAsSubject reports whether toks[i], at the start of a sentence, is
// followed on the same line by a verb a person does (personVerbs).
func actsAsSubject(toks []token, i int) bool {
	j := i + 1
	return j < len(toks) && onlySpaces(toks[j].gap) && !toks[j].capital && personVerbs[toks[j].norm]
}

// appositive reports whether toks[i], the first word of a sentence or list
// item, is followed by a comma and who it is ("Roos, mentor van 2b, belt",
// "Storm, haar broertje, ..."): then it names someone, even if it is also
// a word ("roos", "storm").
func appositive(toks []token, i int) bool {
	j := i + 1
	if j >= len(toks) || strings.TrimSpace(toks[j].gap) != "," {
		return false
	}
	switch toks[j].norm {
	case "de", "het", "onze", "haar", "zijn", "hun", "mijn":
		if j+1 < len(toks) && onlySpaces(toks[j+1].gap) {
			j++
		}
	}
	return roles[toks[j].norm]
}

// afterTitleOrInitial reports whether toks[i] follows a title ("mevrouw",
// "dhr.") or an initial ("J.") on the same line, infixes allowed between.
func afterTitleOrInitial(toks []token, i int) bool {
	j := extendInfixBack(toks, i)
	if j == 0 {
		return false
	}
	p := toks[j-1]
	gap := toks[j].gap
	if strings.Contains(gap, "\n") {
		return false
	}
	if titles[p.norm] && (strings.TrimLeft(gap, ". ") == "") {
		return true
	}
	return utf8.RuneCountInString(p.raw) == 1 && p.capital && strings.HasPrefix(gap, ".") && strings.TrimLeft(gap, ". ") == ""
}

// extendInfixBack returns the index of the first word of the infix that
// stands right before toks[i] ("van der" Meer), or i.
func extendInfixBack(toks []token, i int) int {
	j := i
	for j > 0 && infixes[toks[j-1].norm] && onlySpaces(toks[j].gap) && !toks[j].sentence && !toks[j-1].allCaps {
		j--
	}
	if j < i && toks[i].capital {
		return j
	}
	return i
}

// extendFamilyForward returns the index of the last word of the family name
// that follows a given name at toks[i] ("Daan van Dijk", "Noor Yilmaz"), or i.
func extendFamilyForward(toks []token, i int) int {
	last := i
	for j := i + 1; j < len(toks) && onlySpaces(toks[j].gap); j++ {
		t := toks[j]
		if infixes[t.norm] && !t.allCaps {
			continue
		}
		if t.capital && !t.allCaps && !starters[t.norm] {
			last = j
		}
		break
	}
	return last
}

func onlySpaces(s string) bool { return strings.Trim(s, " \t") == "" }

// fullNameFindings adds each appearance of a part of name (a full name) as
// kind, and marks the words it claims.
func (c *Checker) fullNameFindings(text string, toks []token, name string, kind Kind, claimed []bool, out []Finding) []Finding {
	nt := tokenize(name)
	if len(nt) == 0 {
		return out
	}
	var parts []string
	var initials, coreInitials strings.Builder
	for _, t := range nt {
		initials.WriteString(t.norm[:1])
		if infixes[t.norm] || utf8.RuneCountInString(t.norm) < 2 {
			continue
		}
		coreInitials.WriteString(t.norm[:1])
		parts = append(parts, t.norm)
	}
	// The family name after its own infix counts in any case: "de vries".
	var infix []string
	for _, t := range nt[:len(nt)-1] {
		if infixes[t.norm] {
			infix = append(infix, t.norm)
		} else {
			infix = infix[:0]
		}
	}
	family := nt[len(nt)-1].norm
	if len(infix) > 0 {
		parts = append(parts, strings.Join(infix, "")+family) // "Devries", "vandenberg"
	}
	afterInfix := func(i int) bool {
		if len(infix) == 0 || toks[i].norm != family || i < len(infix) {
			return false
		}
		for k, w := range infix {
			if j := i - len(infix) + k; toks[j].norm != w || (j > i-len(infix) && !onlySpaces(toks[j].gap)) {
				return false
			}
		}
		return onlySpaces(toks[i].gap)
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if claimed[i] {
			continue
		}
		first, last := i, i
		if c.isNamePart(t, parts) || afterInfix(i) {
			first = extendInfixBack(toks, i)
			if afterInfix(i) {
				first = i - len(infix)
			}
			if first > 0 && utf8.RuneCountInString(toks[first-1].raw) == 1 && toks[first-1].capital && strings.HasPrefix(toks[first].gap, ".") {
				first-- // "S. de Vries"
			}
			// "Sanne de Vries": a following part belongs to the same finding.
			for j := i + 1; j < len(toks) && onlySpaces(toks[j].gap); j++ {
				if infixes[toks[j].norm] {
					continue
				}
				if c.isNamePart(toks[j], parts) {
					last = j
				}
				break
			}
		} else if l, ok := initialsAt(toks, i, initials.String(), coreInitials.String()); ok {
			last = l
		} else {
			continue
		}
		for k := first; k <= last; k++ {
			claimed[k] = true
		}
		out = append(out, Finding{Kind: kind, Start: toks[first].start, End: toks[last].end, Text: text[toks[first].start:toks[last].end]})
		i = last
	}
	return out
}

// isNamePart reports whether t is one of a name's parts, or its possessive
// ("Daans moeder"). A part that is also an ordinary word must be capitalised.
func (c *Checker) isNamePart(t token, parts []string) bool {
	for _, p := range parts {
		if t.norm != p && !inflected(t.norm, p) {
			continue
		}
		if t.capital {
			return true
		}
		if e, ok := c.names[p]; (ok && e.word) || utf8.RuneCountInString(p) <= 2 {
			continue
		}
		return true
	}
	return false
}

// inflected reports whether word is name with a possessive or diminutive
// ending: "Sannes", "Sannetje", "Sanneke", "Daantje", "Noortjes".
func inflected(word, name string) bool {
	rest, ok := strings.CutPrefix(word, name)
	if !ok || len(name) < 3 {
		return false
	}
	switch rest {
	case "s":
		return !strings.HasSuffix(name, "s")
	case "tje", "tjes", "je", "jes", "pje", "ke", "kje":
		return true
	}
	return false
}

// initialsAt matches the initials of a name at toks[i]: "SdV", "SV", or
// "S.d.V." (one-letter words joined by full stops). It returns the last word.
func initialsAt(toks []token, i int, all, core string) (int, bool) {
	t := toks[i]
	if len(all) < 2 {
		return 0, false
	}
	if t.capital && utf8.RuneCountInString(t.raw) >= 2 && utf8.RuneCountInString(t.raw) <= 4 && (t.norm == all || t.norm == core) && len(t.norm) >= 3 {
		if t.allCaps || t.norm == all {
			return i, true
		}
	}
	var b strings.Builder
	j := i
	for ; j < len(toks) && utf8.RuneCountInString(toks[j].raw) == 1; j++ {
		if j > i && toks[j].gap != "." {
			break
		}
		b.WriteString(toks[j].norm)
	}
	if j-i >= 2 && toks[i].capital && (b.String() == all || b.String() == core) {
		return j - 1, true
	}
	return 0, false
}
