package signal

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Each kind of finding, the words that carry it in the fake check.
var findingWords = map[FindingKind]string{
	FindingOwnName:           "Sanne de Vries",
	FindingOwnBirthDate:      "4 mei 2011",
	FindingBirthDate:         "geboren 3-3-2009",
	FindingKnownName:         "Daan Bakker",
	FindingPersonName:        "meneer Storm",
	FindingBSN:               "111222333",
	FindingPhone:             "06-12345678",
	FindingEmail:             "sanne@example.nl",
	FindingHandle:            "@sanne_2011",
	FindingAddress:           "1234 AB 5",
	FindingHealth:            "zelfbeschadiging",
	FindingReligionEthnicity: "moskee",
	FindingCriminal:          "aangehouden",
}

func findingChecker() fakeChecker {
	m := map[string]FindingKind{}
	for k, w := range findingWords {
		if k != FindingOwnName {
			m[w] = k
		}
	}
	return words(m)
}

// signalWithText is sealedSignal whose text for level carries words: the
// signal's own facts at full, the version for minimal or anonymous.
func signalWithText(level Level, fields []Field, text string, confirmed ...Confirmation) *Signal {
	sig := sealedSignal(level, fields...)
	const id, youth = "sig1", "y1"
	switch level {
	case LevelFull:
		sig.Sealed.Facts = sealedFor(youth, sealAD(id, sealFacts), text)
	case LevelMinimal, LevelAnonymous:
		v := &TextVersion{Facts: text, Confirmed: confirmed}
		vs := Versions{Minimal: v}
		if level == LevelAnonymous {
			vs = Versions{Anonymous: v}
		}
		js, _ := json.Marshal(vs)
		sig.Sealed.Versions = sealedFor(youth, sealAD(id, sealVersions), string(js))
	}
	return sig
}

// The gate's promise per level: a text goes only when it carries nothing
// the level and the decision's fields forbid; otherwise the reader sees that
// there is a concern and whom to contact, and not one word of the text.
func TestGateLetsATextGoOnlyWhereItsLevelAllowsEveryFinding(t *testing.T) {
	ctx := context.Background()
	d := NewDisclosure(openVault(), partners(), findingChecker())
	coordinator := Actor{UserID: "zc_1", OrgID: "org_jw", Role: RoleCoordinator}
	base := []Field{FieldIdentity, FieldFacts, FieldOpinions}
	goes := map[Level][]FindingKind{
		LevelFull:      {FindingOwnName, FindingOwnBirthDate, FindingBirthDate, FindingKnownName, FindingPersonName},
		LevelMinimal:   {FindingOwnName, FindingOwnBirthDate},
		LevelAnonymous: {},
		LevelExistence: {},
	}
	for _, level := range []Level{LevelFull, LevelMinimal, LevelAnonymous, LevelExistence} {
		for _, kind := range FindingKinds {
			t.Run(string(level)+"/"+string(kind), func(t *testing.T) {
				words := findingWords[kind]
				text := "vaak afwezig, " + words
				v, err := d.view(ctx, coordinator, signalWithText(level, base, text), level)
				if err != nil {
					t.Fatal(err)
				}
				want := slices.Contains(goes[level], kind)
				got := strings.Contains(v.Facts+v.Opinions, words)
				if got != want {
					t.Errorf("facts %q opinions %q: finding shown %v, want %v", v.Facts, v.Opinions, got, want)
				}
				if !want && (v.Facts != "" || v.Opinions != "") {
					t.Errorf("part of a text that did not pass went: facts %q opinions %q", v.Facts, v.Opinions)
				}
				if !want && level != LevelExistence && !v.Withheld {
					t.Error("the reader is not told that text was withheld")
				}
				if v.Reporter == nil || v.Reporter.Name == "" {
					t.Error("the reader is not told whom to contact")
				}
			})
		}
	}
}

// A field the decision lists lets its finding go at full, and only there.
func TestGateSpecialCategoriesGoOnlyAtFullWhenTheDecisionListsThem(t *testing.T) {
	ctx := context.Background()
	d := NewDisclosure(openVault(), partners(), findingChecker())
	coordinator := Actor{UserID: "zc_1", OrgID: "org_jw", Role: RoleCoordinator}
	for _, kind := range []FindingKind{FindingHealth, FindingReligionEthnicity, FindingCriminal, FindingBSN, FindingPhone} {
		fields := []Field{FieldIdentity, FieldFacts, kind.Field()}
		for _, level := range []Level{LevelFull, LevelMinimal, LevelAnonymous} {
			words := findingWords[kind]
			v, err := d.view(ctx, coordinator, signalWithText(level, fields, "vaak afwezig, "+words), level)
			if err != nil {
				t.Fatal(err)
			}
			want := level == LevelFull || level == LevelMinimal && (kind == FindingBSN || kind == FindingPhone)
			if got := strings.Contains(v.Facts, words); got != want {
				t.Errorf("%s listed, level %s: %q shown %v, want %v", kind.Field(), level, words, got, want)
			}
		}
	}
}

func TestGateAConfirmedGuessGoesAndNothingElseCanBeConfirmed(t *testing.T) {
	ctx := context.Background()
	d := NewDisclosure(openVault(), partners(), findingChecker())
	coordinator := Actor{UserID: "zc_1", OrgID: "org_jw", Role: RoleCoordinator}
	fields := []Field{FieldIdentity, FieldFacts, FieldOpinions}
	confirm := func(k FindingKind) Confirmation {
		return Confirmation{Kind: k, Text: findingWords[k], Reason: "geen naam van een persoon"}
	}
	for _, level := range []Level{LevelMinimal, LevelAnonymous} {
		v, err := d.view(ctx, coordinator, signalWithText(level, fields, "vaak afwezig, meneer Storm", confirm(FindingPersonName)), level)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(v.Facts, "meneer Storm") {
			t.Errorf("%s: a confirmed guess was withheld: %+v", level, v)
		}
		v, err = d.view(ctx, coordinator, signalWithText(level, fields, "vaak afwezig, zelfbeschadiging", confirm(FindingHealth)), level)
		if err != nil {
			t.Fatal(err)
		}
		if v.Facts != "" {
			t.Errorf("%s: a confirmation let a special category through: %q", level, v.Facts)
		}
	}
	var fe FieldErrors
	validateVersions(&fe, Versions{Anonymous: &TextVersion{Facts: "x", Confirmed: []Confirmation{confirm(FindingOwnName)}}})
	if fe.Err() == nil {
		t.Error("a confirmation of the young person's own name was accepted")
	}
}

// "Whatever has no version for a level does not go at that level."
func TestGateWithoutAVersionForTheLevelNoTextGoes(t *testing.T) {
	ctx := context.Background()
	d := NewDisclosure(openVault(), partners(), findingChecker())
	coordinator := Actor{UserID: "zc_1", OrgID: "org_jw", Role: RoleCoordinator}
	for _, level := range []Level{LevelMinimal, LevelAnonymous} {
		sig := sealedSignal(level, FieldIdentity, FieldFacts, FieldOpinions)
		sig.Sealed.Versions = nil
		v, err := d.view(ctx, coordinator, sig, level)
		if err != nil {
			t.Fatal(err)
		}
		if v.Facts != "" || v.Opinions != "" || !v.Withheld {
			t.Errorf("%s without a version: facts %q opinions %q withheld %v", level, v.Facts, v.Opinions, v.Withheld)
		}
	}
}

// Without a check the gate lets no text through (fail closed).
func TestGateWithoutACheckerNoTextGoes(t *testing.T) {
	d := NewDisclosure(openVault(), partners(), nil)
	coordinator := Actor{UserID: "zc_1", OrgID: "org_jw", Role: RoleCoordinator}
	v, err := d.view(context.Background(), coordinator, sealedSignal(LevelFull, FieldIdentity, FieldFacts), LevelFull)
	if err != nil {
		t.Fatal(err)
	}
	if v.Facts != "" || !v.Withheld {
		t.Errorf("facts %q withheld %v", v.Facts, v.Withheld)
	}
}

// The audit entry of a read names which version went, with a digest of the
// text, never the text.
func TestGateTheReadIsAuditedWithVersionAndDigest(t *testing.T) {
	ctx := context.Background()
	d := NewDisclosure(openVault(), partners(), findingChecker())
	coordinator := Actor{UserID: "zc_1", OrgID: "org_jw", Role: RoleCoordinator}
	sig := sealedSignal(LevelAnonymous, FieldFacts, FieldOpinions)
	v, err := d.view(ctx, coordinator, sig, LevelAnonymous)
	if err != nil {
		t.Fatal(err)
	}
	ev := readEvent(ActionSignalRead, coordinator, sig, v)
	var codes []string
	for _, tx := range ev.Decision.Texts {
		codes = append(codes, tx.Code())
	}
	want := []string{
		"sig1:facts:anonymous:" + TextDigest(d.vault, "vaak afwezig"),
		"sig1:opinions:anonymous:" + TextDigest(d.vault, "lijkt somber"),
	}
	if !slices.Equal(codes, want) {
		t.Errorf("audited texts %v, want %v", codes, want)
	}
	for _, c := range codes {
		if strings.Contains(c, "afwezig") || strings.Contains(c, "somber") || len(c) > 80 {
			t.Errorf("audit code %q holds text or is too long for the log", c)
		}
		if p, ok := ParseDisclosedText(c); !ok || p.SignalID != "sig1" {
			t.Errorf("code %q does not parse back: %+v", c, p)
		}
	}
	withheld, err := d.view(ctx, coordinator, signalWithText(LevelAnonymous, []Field{FieldFacts}, "Sanne de Vries is vaak afwezig"), LevelAnonymous)
	if err != nil {
		t.Fatal(err)
	}
	if ev := readEvent(ActionSignalRead, coordinator, sig, withheld); len(ev.Decision.Texts) != 0 || slices.Contains(ev.Decision.Decision.Fields, FieldFacts) {
		t.Errorf("a withheld text is audited as shown: %+v", ev.Decision)
	}
}
