package signal

import (
	"slices"
	"testing"
)

// TestMeetingTextShowsOnlyWhereTheItemAllows pins the gate of the meeting's
// texts: what an item's signals, as the meeting sees them, let a text that
// carries these fields show, on the chair's view and on the projector.
func TestMeetingTextShowsOnlyWhereTheItemAllows(t *testing.T) {
	sig := func(level Level, name string, fields ...Field) shown {
		v := SignalView{Level: level}
		if name != "" {
			v.Youth = &YouthView{Ref: "y", Name: name}
		}
		return shown{sig: &Signal{Decision: Decision{Level: level, Fields: fields}}, view: v}
	}
	full := sig(LevelFull, "Sanne de Vries", FieldIdentity, FieldFacts)
	fullHealth := sig(LevelFull, "Sanne de Vries", FieldIdentity, FieldFacts, FieldHealth)
	fullNoName := sig(LevelFull, "", FieldFacts)
	fullNoContent := sig(LevelFull, "Sanne de Vries", FieldIdentity)
	minimal := sig(LevelMinimal, "Daan Jansen", FieldIdentity, FieldFacts)
	anonymous := sig(LevelAnonymous, "", FieldFacts, FieldOpinions)
	existence := sig(LevelExistence, "Milan Bakker", FieldIdentity)
	erased := sig(LevelFull, "", FieldIdentity, FieldFacts)
	erased.view.Erased = true

	plain, named, health, bsn, legacy := []Field{}, []Field{FieldIdentity}, []Field{FieldHealth}, []Field{FieldBSN}, []Field(nil)
	for _, tc := range []struct {
		name      string
		item      []shown
		needs     []Field
		chair     bool
		projector bool
	}{
		{"plain text, full", []shown{full}, plain, true, true},
		{"the name, full", []shown{full}, named, true, true},
		{"the name, full without the name shown", []shown{fullNoName}, named, false, false},
		{"health, full not listing it", []shown{full}, health, false, false},
		{"health, full listing it", []shown{fullHealth}, health, true, true},
		{"a BSN, full", []shown{fullHealth}, bsn, false, false},
		{"anything, full without content", []shown{fullNoContent}, plain, false, false},
		{"plain text, minimal", []shown{minimal}, plain, true, false},
		{"the name, minimal", []shown{minimal}, named, true, false},
		{"health, minimal", []shown{minimal}, health, false, false},
		{"plain text, anonymous", []shown{anonymous}, plain, true, false},
		{"the name, anonymous", []shown{anonymous}, named, false, false},
		{"plain text, existence", []shown{existence}, plain, false, false},
		{"plain text, no signal the meeting may see", nil, plain, false, false},
		{"the name, minimal and existence", []shown{existence, minimal}, named, true, false},
		{"the name, minimal and full", []shown{minimal, full}, named, true, true},
		{"plain text, full but erased", []shown{erased}, plain, false, false},
		{"written before the check, full", []shown{full}, legacy, true, true},
		{"written before the check, minimal", []shown{minimal}, legacy, false, false},
		{"written before the check, anonymous", []shown{anonymous}, legacy, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := allowanceOf(tc.item, false).shows(tc.needs); got != tc.chair {
				t.Errorf("on the agenda and in the minutes: shown %v, want %v", got, tc.chair)
			}
			if got := allowanceOf(tc.item, true).shows(tc.needs); got != tc.projector {
				t.Errorf("on the projector: shown %v, want %v", got, tc.projector)
			}
		})
	}
}

// TestNamesInFindsTheNamesKnownToTheMeeting: without the text check wired,
// a meeting text is still held against the young people's names.
func TestNamesInFindsTheNamesKnownToTheMeeting(t *testing.T) {
	about := TextSubject{Name: "Sanne de Vries", KnownNames: []string{"Daan Jansen", "Noor van Dijk"}}
	for _, tc := range []struct {
		text string
		want []FindingKind
	}{
		{"Gesprek met de ouders plannen.", nil},
		{"Sanne krijgt bijles.", []FindingKind{FindingOwnName}},
		{"Overleg met daan over de klas.", []FindingKind{FindingKnownName}},
		{"De vries-familie en Noor", []FindingKind{FindingKnownName}}, // "vries-familie" is one word
		{"Van de school en de wijk", nil},                             // infixes are not names
	} {
		var got []FindingKind
		for _, f := range namesIn(tc.text, about) {
			got = append(got, f.Kind)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("namesIn(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
