package textcheck

import (
	"slices"
	"strings"
	"testing"
)

// TestEvasions holds the promise of issue 14 against a reporter who writes
// around the check, by accident (a pasted zero-width space, a phone
// keyboard's full-width digits) or on purpose: what a person reads as the
// young person's name, a name, a BSN, a phone number, an e-mail or postal
// address or a birth date is found however it is written, and the finding
// marks the words as written. Each "must find" names the kind and the text
// as written; the "must leave alone" rows are ordinary texts written the
// same ways, which must raise nothing.
func TestEvasions(t *testing.T) {
	const zw, zwj, shy, wj = "\u200b", "\u200d", "\u00ad", "\u2060"
	find := []struct {
		name, text, kind, found string
	}{
		// the young person's own name
		{"zero-width space in the name", "Gesprek met San" + zw + "ne gehad.", "own_name", "San" + zw + "ne"},
		{"zero-width joiner and word joiner", "S" + zwj + "an" + wj + "ne komt niet.", "own_name", "S" + zwj + "an" + wj + "ne"},
		{"Hangul filler", "Met San\u3164ne gesproken.", "own_name", "San\u3164ne"},
		{"braille blank", "Met San\u2800ne gesproken.", "own_name", "San\u2800ne"},
		{"soft hyphen", "Met San" + shy + "ne gesproken.", "own_name", "San" + shy + "ne"},
		{"Cyrillic look-alikes", "Gesprek met Ѕаnnе over school.", "own_name", "Ѕаnnе"},
		{"Greek and Cyrillic in the family name", "Moeder de Vrіеѕ belde.", "own_name", "de Vrіеѕ"},
		{"full-width letters", "Ｓａｎｎｅ was er niet.", "own_name", "Ｓａｎｎｅ"},
		{"spaced letters", "Het gaat om S a n n e uit 2b.", "own_name", "S a n n e"},
		{"dotted letters", "Het gaat om S.a.n.n.e uit 2b.", "own_name", "S.a.n.n.e"},
		{"dashed letters", "Het gaat om s-a-n-n-e uit 2b.", "own_name", "s-a-n-n-e"},
		{"spaced and dotted", "Het gaat om S. a. n. n. e.", "own_name", "S. a. n. n. e"},
		{"lower case", "sanne zat alleen.", "own_name", "sanne"},
		{"all capitals", "SANNE zat alleen.", "own_name", "SANNE"},
		{"possessive", "Sannes moeder belde.", "own_name", "Sannes"},
		{"possessive with apostrophe", "Sanne's moeder belde.", "own_name", "Sanne"},
		{"diminutive", "Sannetje komt niet meer.", "own_name", "Sannetje"},
		{"diminutive -ke", "Sanneke komt niet meer.", "own_name", "Sanneke"},
		{"glued to punctuation", "(Sanne)/Daan: ruzie.", "own_name", "Sanne"},
		{"glued to digits", "Sanne2011 op insta.", "own_name", "Sanne"},
		{"hashtag", "#sanne #devries", "own_name", "sanne"},
		{"family name joined to its infix", "Gesprek met Devries gehad.", "own_name", "Devries"},
		{"family name lower case", "de vries komt uit 2b.", "own_name", "de vries"},
		// other names
		{"Turkish name mid-sentence", "Ze zit naast Emre in de klas.", "person_name", "Emre"},
		{"Can after a semicolon", "Het gaat goed; Can helpt haar.", "person_name", "Can"},
		{"Can after met", "Ze fietst met Can naar huis.", "person_name", "Can"},
		{"Moroccan name", "Volgens Mohammed is zij bedreigd.", "person_name", "Mohammed"},
		{"Hindustani name", "Ze speelt met Priya op het plein.", "person_name", "Priya"},
		{"Polish name", "Ze speelt met Kacper op het plein.", "person_name", "Kacper"},
		{"Surinamese name", "Ze speelt met Dewi op het plein.", "person_name", "Dewi"},
		{"name in Cyrillic look-alikes", "Ze zit naast Nооr in de klas.", "person_name", "Nооr"},
		{"name spaced", "Ze zit naast N o o r in de klas.", "person_name", "N o o r"},
		{"name with zero-width space", "Ze zit naast Lis" + zw + "a in de klas.", "person_name", "Lis" + zw + "a"},
		{"an unlisted name after met", "Ze speelt met Zuleika op het plein.", "person_name", "Zuleika"},
		{"an unlisted name after vriendin", "Haar vriendin Xiomara belde de mentor.", "person_name", "Xiomara"},
		{"an unlisted name after heet", "Het meisje heet Ksenia en zit in 2b.", "person_name", "Ksenia"},
		{"word-name starting a sentence as its subject", "Het gaat slecht. Roos belde vanochtend over thuis.", "person_name", "Roos"},
		{"word-name starting a list item as its subject", "- Storm zegt dat hij niet naar huis wil.", "person_name", "Storm"},
		{"an unlisted name, no Dutch word, inside a sentence", "Ze was gisteren bij Xiomara thuis.", "person_name", "Xiomara"},
		{"an unlisted name, no Dutch word, as a sentence's subject", "Het gaat slecht. Zuleika belde vanochtend.", "person_name", "Zuleika"},
		{"word-name after genaamd", "Een jongen genaamd Storm kwam erbij.", "person_name", "Storm"},
		// BSN
		{"BSN with spaces", "BSN 111 222 333", "bsn", "111 222 333"},
		{"BSN with dashes", "BSN 111-222-333", "bsn", "111-222-333"},
		{"BSN spaced digits", "bsn 1 1 1 2 2 2 3 3 3", "bsn", "1 1 1 2 2 2 3 3 3"},
		{"BSN full-width", "BSN １１１２２２３３３", "bsn", "１１１２２２３３３"},
		{"BSN with zero-width spaces", "BSN 111" + zw + "222" + zw + "333", "bsn", "111" + zw + "222" + zw + "333"},
		// phone
		{"mobile +31", "bel +31 6 12345678", "phone", "+31 6 12345678"},
		{"mobile 0031", "bel 0031 6 1234 5678", "phone", "0031 6 1234 5678"},
		{"mobile dashes", "bel 06-12 34 56 78", "phone", "06-12 34 56 78"},
		{"landline brackets", "bel (020) 123 4567", "phone", "(020) 123 4567"},
		{"mobile full-width", "bel ０６１２３４５６７８", "phone", "０６１２３４５６７８"},
		{"mobile non-breaking spaces", "bel 06\u00a012\u00a034\u00a056\u00a078", "phone", "06\u00a012\u00a034\u00a056\u00a078"},
		{"mobile dotted", "bel 06.12.34.56.78", "phone", "06.12.34.56.78"},
		// e-mail
		{"e-mail at punt", "mail sanne2011 at gmail punt com", "email", "sanne2011 at gmail punt com"},
		{"e-mail (at) (dot)", "mail s.devries(at)example(dot)nl", "email", "s.devries(at)example(dot)nl"},
		{"e-mail [at]", "mail s.devries [at] example.nl", "email", "s.devries [at] example.nl"},
		{"e-mail apenstaartje", "mail s.devries apenstaartje hotmail punt nl", "email", "s.devries apenstaartje hotmail punt nl"},
		{"e-mail full-width at", "mail s.devries＠example.nl", "email", "s.devries＠example.nl"},
		// address
		{"postcode and number", "woont op 1234 AB 12", "address", "1234 AB 12"},
		{"postcode no space", "woont op 1234AB, nr 12", "address", "1234AB"},
		{"postcode lower case glued", "woont op 1234ab", "address", "1234ab"},
		{"street and number, zero-width", "Dorps" + zw + "weg 14", "address", "Dorps" + zw + "weg 14"},
		// birth date
		{"own birth date d-m-yyyy", "geboren 14-3-2011", "own_birth_date", "14-3-2011"},
		{"own birth date in words", "jarig op 14 maart 2011", "own_birth_date", "14 maart 2011"},
		{"own birth date dd/mm/yy", "dob 14/03/11", "own_birth_date", "14/03/11"},
		{"own birth date full-width", "geboren １４-０３-２０１１", "own_birth_date", "１４-０３-２０１１"},
		{"someone's birth date d-m-yyyy", "zusje geboren 3-4-2016", "birth_date", "3-4-2016"},
		{"someone's birth date in words", "broertje, geboren op 3 april 2016", "birth_date", "3 april 2016"},
		// special categories, written around
		{"health, zero-width", "Tekenen van zelf" + zw + "beschadiging.", "health", "zelf" + zw + "beschadiging"},
		{"health, Cyrillic", "Ze is suïcіdaal.", "health", "suïcіdaal"},
		{"bruises", "Ze heeft blauwe plekken op haar armen.", "health", "blauwe plekken"},
		{"one bruise", "Er zat een blauwe plek op zijn wang.", "health", "blauwe plek"},
		{"cuts", "Snijwonden op de armen gezien.", "health", "Snijwonden"},
		{"injuries", "De verwondingen waren oud.", "health", "verwondingen"},
		{"broken arm", "Hij kwam met een gebroken arm op school.", "health", "gebroken arm"},
		{"in hospital", "Ze is opgenomen in het ziekenhuis.", "health", "opgenomen in het ziekenhuis"},
		{"criminal, spaced", "Hij is a a n g e h o u d e n.", "criminal", "a a n g e h o u d e n"},
	}
	for _, tc := range find {
		t.Run("find/"+tc.name, func(t *testing.T) {
			got := Check(tc.text, sanne)
			if !slices.ContainsFunc(got, func(f Finding) bool { return string(f.Kind) == tc.kind && f.Text == tc.found }) {
				t.Errorf("%q: want %s=%q, got %s", tc.text, tc.kind, tc.found, show(got))
			}
			for _, f := range got {
				if f.Text != tc.text[f.Start:f.End] {
					t.Errorf("%q: finding %s=%q does not mark the text as written (%d:%d)", tc.text, f.Kind, f.Text, f.Start, f.End)
				}
			}
		})
	}
	leave := []struct{ name, text string }{
		{"abbreviations with full stops", "Volgens de mentor o.a. i.v.m. de toetsen; t.z.t. volgt een gesprek z.s.m."},
		{"a list of letters", "Kies a, b of c op het formulier."},
		{"zero-width space in ordinary words", "De mentor" + zw + " belde de ouders."},
		{"full-width ordinary text", "Ｈｅｔ ｇａａｔ ｂｅｔｅｒ ｍｅｔ ｈａａｒ."},
		{"non-breaking spaces", "Het\u00a0gaat\u00a0beter\u00a0sinds\u00a0maandag."},
		{"an invalid number in full-width", "kenmerk １２３４５６７８９"},
		{"the river", "Ze hangt vaak rond bij de Maas, vlak bij het station."},
		{"a made-up number", "Uitkering nr. 0123456789."},
		{"a meeting date", "Het overleg is op 3-4-2027 om 14:00."},
		{"a stolen bike", "De wijkagent neemt de actie over een gestolen fiets op zich."},
		{"contact taken up", "De mentor heeft contact opgenomen met de ouders."},
		{"a word-name starting a sentence as a thing", "Storm en regen: de buitenles ging niet door. Roos in de vaas."},
		{"Dutch words and places starting or inside sentences", "Gisteren was ze thuis. Vandaag is ze er. Ze woont in Lelystad, in de wijk Overvecht, bij de Kerkstraat."},
		{"places and apps after met", "Ze chat met Snapchat en gaat met Jumbo-tassen naar Amsterdam."},
		{"blue", "Ze droeg een blauwe jas en had plekken op haar rooster vrij."},
	}
	for _, tc := range leave {
		t.Run("leave/"+tc.name, func(t *testing.T) {
			if got := Check(tc.text, sanne); len(got) > 0 {
				t.Errorf("%q raised %s", tc.text, show(got))
			}
		})
	}
}

func show(fs []Finding) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(f.Kind) + "=" + f.Text)
	}
	if b.Len() == 0 {
		return "nothing"
	}
	return b.String()
}
