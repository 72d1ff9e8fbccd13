package signal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// fakeVault is a Vault of function fields; a nil field is not expected to
// be called.
type fakeVault struct {
	pseudonym   func(name, birthDate string) string
	fingerprint func(data []byte) string
	seal        func(ctx context.Context, youth string, ad, plaintext []byte) ([]byte, error)
	unseal      func(ctx context.Context, youth string, ad, ciphertext []byte) ([]byte, error)
}

func (v fakeVault) Pseudonym(name, birthDate string) string { return v.pseudonym(name, birthDate) }
func (v fakeVault) Fingerprint(data []byte) string          { return v.fingerprint(data) }
func (v fakeVault) Seal(ctx context.Context, youth string, ad, pt []byte) ([]byte, error) {
	return v.seal(ctx, youth, ad, pt)
}
func (v fakeVault) Unseal(ctx context.Context, youth string, ad, ct []byte) ([]byte, error) {
	return v.unseal(ctx, youth, ad, ct)
}

// fakeDirectory is a Directory of function fields.
type fakeDirectory struct {
	organisation func(ctx context.Context, id string) (Organisation, error)
}

func (d fakeDirectory) Organisation(ctx context.Context, id string) (Organisation, error) {
	return d.organisation(ctx, id)
}

// fakeChecker is a TextChecker of a function field.
type fakeChecker struct {
	check func(text string, s TextSubject) []TextFinding
}

func (c fakeChecker) CheckText(text string, s TextSubject) []TextFinding { return c.check(text, s) }

var (
	_ Vault       = fakeVault{}
	_ Directory   = fakeDirectory{}
	_ TextChecker = fakeChecker{}
)

// words is a checker that finds each of the words given, as the kind given,
// and the subject's name wherever it is written.
func words(kinds map[string]FindingKind) fakeChecker {
	return fakeChecker{check: func(text string, s TextSubject) []TextFinding {
		var out []TextFinding
		find := func(w string, k FindingKind) {
			if i := strings.Index(text, w); w != "" && i >= 0 {
				out = append(out, TextFinding{Kind: k, Start: i, End: i + len(w), Text: w})
			}
		}
		find(s.Name, FindingOwnName)
		for w, k := range kinds {
			find(w, k)
		}
		return out
	}}
}

// openVault "seals" as "<youth>|<ad>|<text>" and opens only what was sealed
// for that young person under that associated data; the keys of the young
// people in erased are gone.
func openVault(erased ...string) fakeVault {
	return fakeVault{
		fingerprint: func(data []byte) string { return fmt.Sprintf("%064x", len(data)) },
		unseal: func(_ context.Context, youth string, ad, ct []byte) ([]byte, error) {
			for _, e := range erased {
				if youth == e {
					return nil, fmt.Errorf("key of %s: %w", youth, ErrContentErased)
				}
			}
			prefix := []byte(youth + "|" + string(ad) + "|")
			if !bytes.HasPrefix(ct, prefix) {
				return nil, errors.New("message authentication failed")
			}
			return ct[len(prefix):], nil
		},
	}
}

func sealedFor(youth string, ad []byte, text string) []byte {
	return []byte(youth + "|" + string(ad) + "|" + text)
}

// partners is a directory of two organisations of cooperation coop_a and
// one of coop_b.
func partners() fakeDirectory {
	orgs := map[string]Organisation{
		"org_school": {ID: "org_school", Name: "Demo College", CooperationID: "coop_a"},
		"org_jw":     {ID: "org_jw", Name: "Jongerenwerk", CooperationID: "coop_a"},
		"org_far":    {ID: "org_far", Name: "Elders", CooperationID: "coop_b"},
	}
	return fakeDirectory{organisation: func(_ context.Context, id string) (Organisation, error) {
		o, ok := orgs[id]
		if !ok {
			return Organisation{}, Errorf(CodeNotFound, "no organisation %s", id)
		}
		return o, nil
	}}
}

// sealedSignal is a decided signal of the school's reporter rep_1 about
// young person y1, shared with the meeting at level.
func sealedSignal(level Level, fields ...Field) *Signal {
	const id, youth = "sig1", "y1"
	return &Signal{
		ID: id, Youth: youth, OrgID: "org_school", ReporterID: "rep_1", CooperationID: "coop_a",
		Category: CategorySchoolAbsence, ObservedOn: Date{Year: 2026, Month: 10, Day: 1}, Age: 15,
		Status: StatusDecided, MeetingLevel: level,
		Decision: Decision{Outcome: OutcomeShareFull, Level: level, Fields: fields},
		Sealed: SealedContent{
			Name:      sealedFor(youth, sealAD(id, sealName), "Sanne de Vries"),
			BirthDate: sealedFor(youth, sealAD(id, sealBirthDate), "2011-05-04"),
			Facts:     sealedFor(youth, sealAD(id, sealFacts), "vaak afwezig"),
			Opinions:  sealedFor(youth, sealAD(id, sealOpinions), "lijkt somber"),
			// The reporter confirmed the same text for the levels below full.
			Versions: sealedFor(youth, sealAD(id, sealVersions),
				`{"minimal":{"facts":"vaak afwezig"},"anonymous":{"facts":"vaak afwezig","opinions":"lijkt somber"}}`),
		},
	}
}

func TestDisclosureLevelPerReader(t *testing.T) {
	d := NewDisclosure(openVault(), partners(), words(nil))
	reporter := Actor{UserID: "rep_1", OrgID: "org_school", Role: RoleReporter}
	otherReporter := Actor{UserID: "rep_2", OrgID: "org_jw", Role: RoleReporter}
	coordinator := Actor{UserID: "zc_1", OrgID: "org_jw", Role: RoleCoordinator}
	officer := Actor{UserID: "fg_1", OrgID: "org_jw", Role: RolePrivacyOfficer}
	admin := Actor{UserID: "adm", OrgID: "org_school", Role: RoleAdmin}
	for _, tc := range []struct {
		name      string
		actor     Actor
		coop      string
		meeting   Level
		wantLevel Level
		wantOK    bool
	}{
		{"the reporter sees their own signal in full", reporter, "coop_a", LevelNone, LevelFull, true},
		{"another reporter sees nothing", otherReporter, "coop_a", LevelFull, LevelNone, false},
		{"the coordinator sees the meeting's level", coordinator, "coop_a", LevelMinimal, LevelMinimal, true},
		{"the coordinator sees an anonymous signal anonymously", coordinator, "coop_a", LevelAnonymous, LevelAnonymous, true},
		{"the coordinator sees nothing not shared with the meeting", coordinator, "coop_a", LevelNone, LevelNone, false},
		{"another cooperation's coordinator sees nothing", coordinator, "coop_b", LevelFull, LevelFull, false},
		{"the privacy officer sees metadata only", officer, "coop_a", LevelFull, LevelNone, true},
		{"another cooperation's privacy officer sees nothing", officer, "coop_b", LevelFull, LevelNone, false},
		{"an admin sees nothing", admin, "coop_a", LevelFull, LevelNone, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			level, ok := d.levelFor(tc.actor, tc.coop, sealedSignal(tc.meeting))
			if ok != tc.wantOK || ok && level != tc.wantLevel {
				t.Errorf("level %q (%v), want %q (%v)", level, ok, tc.wantLevel, tc.wantOK)
			}
		})
	}
}

func TestDisclosureViewShowsWhatTheLevelAllows(t *testing.T) {
	ctx := context.Background()
	d := NewDisclosure(openVault(), partners(), words(nil))
	coordinator := Actor{UserID: "zc_1", OrgID: "org_jw", Role: RoleCoordinator}
	all := []Field{FieldIdentity, FieldFacts, FieldOpinions}
	for _, tc := range []struct {
		name             string
		level            Level
		fields           []Field
		wantName         string
		wantFacts        string
		wantOpinions     string
		wantCategory     bool
		wantYouth        bool
		wantShownFields  int
		wantReporterName string
	}{
		{"full: identity, facts and opinions", LevelFull, all, "Sanne de Vries", "vaak afwezig", "lijkt somber", true, true, 3, "Demo College"},
		{"full without opinions in the decision", LevelFull, []Field{FieldIdentity, FieldFacts}, "Sanne de Vries", "vaak afwezig", "", true, true, 2, "Demo College"},
		{"minimal: never opinions", LevelMinimal, all, "Sanne de Vries", "vaak afwezig", "", true, true, 2, "Demo College"},
		{"existence: who and whom to contact, nothing of what", LevelExistence, all, "Sanne de Vries", "", "", false, true, 1, "Demo College"},
		{"anonymous: content without identity", LevelAnonymous, all, "", "vaak afwezig", "lijkt somber", true, false, 2, "Demo College"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := d.view(ctx, coordinator, sealedSignal(tc.level, tc.fields...), tc.level)
			if err != nil {
				t.Fatal(err)
			}
			name := ""
			if v.Youth != nil {
				name = v.Youth.Name
			}
			if name != tc.wantName || v.Facts != tc.wantFacts || v.Opinions != tc.wantOpinions {
				t.Errorf("shown name %q facts %q opinions %q, want %q %q %q", name, v.Facts, v.Opinions, tc.wantName, tc.wantFacts, tc.wantOpinions)
			}
			if (v.Category != "") != tc.wantCategory || (v.Youth != nil) != tc.wantYouth {
				t.Errorf("category %q youth %+v, want category shown %v, youth shown %v", v.Category, v.Youth, tc.wantCategory, tc.wantYouth)
			}
			if n := len(shownFields(v)); n != tc.wantShownFields {
				t.Errorf("audited as %d fields shown (%v), want %d", n, shownFields(v), tc.wantShownFields)
			}
			if v.Reporter == nil || v.Reporter.Name != tc.wantReporterName {
				t.Errorf("reporter %+v, want %s", v.Reporter, tc.wantReporterName)
			}
			if v.Erased {
				t.Error("view says erased")
			}
		})
	}
}

func TestDisclosureErasedContentReadsAsErased(t *testing.T) {
	ctx := context.Background()
	reporter := Actor{UserID: "rep_1", OrgID: "org_school", Role: RoleReporter}
	erasedByRetention := sealedSignal(LevelFull)
	erasedByRetention.Sealed = SealedContent{}
	for _, tc := range []struct {
		name  string
		vault fakeVault
		sig   *Signal
	}{
		{"the young person's key is erased", openVault("y1"), sealedSignal(LevelFull)},
		{"the ciphertexts are gone (retention)", openVault(), erasedByRetention},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDisclosure(tc.vault, partners(), words(nil))
			v, err := d.view(ctx, reporter, tc.sig, LevelFull)
			if err != nil {
				t.Fatal(err)
			}
			if !v.Erased {
				t.Error("not marked erased")
			}
			if v.Youth == nil || v.Youth.Name != "" || v.Youth.BirthDate != "" || v.Facts != "" || v.Opinions != "" {
				t.Errorf("erased content shown: youth %+v facts %q opinions %q", v.Youth, v.Facts, v.Opinions)
			}
			if v.Decision == nil || v.Category == "" {
				t.Errorf("the record of what happened is gone too: decision %v category %q", v.Decision, v.Category)
			}
		})
	}
}

func TestDisclosureOpensMeetingTextsOnlyForTheCasesYoungPerson(t *testing.T) {
	ctx := context.Background()
	d := NewDisclosure(openVault("y_erased"), partners(), words(nil))
	ct := sealedFor("y1", actionAD("act_1"), "huisbezoek plannen")
	for _, tc := range []struct {
		name       string
		youth      string
		ad         []byte
		wantText   string
		wantErased bool
		wantErr    bool
	}{
		{"the case's young person", "y1", actionAD("act_1"), "huisbezoek plannen", false, false},
		{"another young person's case", "y2", actionAD("act_1"), "", false, true},
		{"another action's text", "y1", actionAD("act_2"), "", false, true},
		{"a decision is not an action", "y1", decisionAD("act_1"), "", false, true},
		{"the young person's key is erased", "y_erased", actionAD("act_1"), "", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, erased, err := d.caseText(ctx, &Case{ID: "case_1", Youth: tc.youth}, tc.ad, ct)
			if (err != nil) != tc.wantErr || text != tc.wantText || erased != tc.wantErased {
				t.Errorf("text %q erased %v error %v; want %q %v error %v", text, erased, err, tc.wantText, tc.wantErased, tc.wantErr)
			}
		})
	}
}

// An organisation's cooperation is asked of the directory once: it never
// changes, so the cache is never stale.
func TestDisclosureAsksTheCooperationOfAnOrganisationOnce(t *testing.T) {
	ctx := context.Background()
	asked := map[string]int{}
	dir := partners()
	counting := fakeDirectory{organisation: func(ctx context.Context, id string) (Organisation, error) {
		asked[id]++
		return dir.Organisation(ctx, id)
	}}
	d := NewDisclosure(openVault(), counting, words(nil))
	for range 3 {
		for _, a := range []Actor{{OrgID: "org_school"}, {OrgID: "org_far"}} {
			if _, err := d.perRequest().cooperationOf(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
	}
	if coop, err := d.cooperationOf(ctx, Actor{OrgID: "org_far"}); err != nil || coop != "coop_b" {
		t.Errorf("cooperation of org_far: %q, %v", coop, err)
	}
	if asked["org_school"] != 1 || asked["org_far"] != 1 {
		t.Errorf("directory asked %v, want each organisation once", asked)
	}
	if _, err := d.cooperationOf(ctx, Actor{OrgID: "org_gone"}); ErrorCode(err) != CodeNotFound {
		t.Errorf("unknown organisation: %v, want not found", err)
	}
}
