package textcheck

import (
	"strings"
)

// streetSuffixes end Dutch street names. Those marked true are street words
// only, so a street is found also when typed in lower case ("kerkstraat 12");
// the others ("weg", "park", "dijk") need a capital ("Dorpsweg 3"), because
// "onderweg 2 keer" is no address.
var streetSuffixes = map[string]bool{
	"straat": true, "laan": true, "plein": true, "gracht": true, "kade": true, "singel": true,
	"dreef": true, "steeg": true, "plantsoen": true, "burgwal": true, "boulevard": true, "allee": true,
	"weg": false, "dijk": false, "hof": false, "park": false, "pad": false, "markt": false,
	"wal": false, "baan": false, "ring": false, "kanaal": false, "haven": false, "dam": false,
	"veld": false, "hoven": false, "erf": false, "akker": false, "gaarde": false, "horst": false,
	"oord": false, "zoom": false, "kamp": false, "heuvel": false, "beemd": false, "hage": false,
	"dreve": false, "wetering": false, "vaart": false, "hout": false, "rade": false, "lei": false,
}

// notHouseNumber are words after a number that make it a count, not a house
// number ("op de Markt 3 keer gezien").
var notHouseNumber = map[string]bool{
	"keer": true, "uur": true, "jaar": true, "jarige": true, "minuten": true, "min": true,
	"dagen": true, "weken": true, "maanden": true, "jongeren": true, "leerlingen": true,
	"kinderen": true, "euro": true, "procent": true, "km": true, "meter": true, "m": true,
	"personen": true, "mensen": true, "times": true, "hours": true, "years": true, "van": true,
	"tot": true, "en": true, "of": true,
}

// streetFindings adds a street name with a house number ("Kerkstraat 12a",
// "Burgemeester de Withstraat 5-2").
func streetFindings(text string, toks []token, out []Finding) []Finding {
	for i, t := range toks {
		if !isStreet(t) {
			continue
		}
		h := houseNumberRe.FindStringIndex(text[t.end:])
		if h == nil || strings.HasPrefix(text[t.end:], ",") {
			continue
		}
		end := t.end + h[1]
		if i+1 < len(toks) && toks[i+1].start >= end && notHouseNumber[toks[i+1].norm] && onlySpaces(text[end:toks[i+1].start]) {
			continue
		}
		// Take in the words of a street name of more than one word:
		// "Lange Nieuwstraat", "Burgemeester de Withstraat".
		first := i
		for first > 0 && onlySpaces(toks[first].gap) && !toks[first].sentence {
			p := toks[first-1]
			if p.capital && !starters[p.norm] {
				first--
				continue
			}
			if infixes[p.norm] && first > 1 && toks[first-2].capital && !starters[toks[first-2].norm] && onlySpaces(p.gap) && !p.sentence {
				first -= 2
				continue
			}
			break
		}
		out = append(out, Finding{Kind: KindAddress, Start: toks[first].start, End: end, Text: text[toks[first].start:end]})
	}
	return out
}

// isStreet reports whether t ends in a street suffix with at least three
// letters before it, written as a street name is.
func isStreet(t token) bool {
	for n := 3; n <= 9 && n <= len(t.norm)-3; n++ {
		lowerOK, ok := streetSuffixes[t.norm[len(t.norm)-n:]]
		if ok && (t.capital || lowerOK) {
			return true
		}
	}
	return false
}
