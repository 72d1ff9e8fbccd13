package signal_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

func validSignal() signal.NewSignal {
	return signal.NewSignal{
		Youth:      signal.NewYouth{Name: "Sanne de Vries", BirthDate: "2011-04-30"},
		Category:   signal.CategorySchoolAbsence,
		Facts:      "Sinds drie weken elke maandag afwezig.",
		ObservedOn: "2026-11-20",
	}
}

var today = signal.Date{Year: 2026, Month: time.November, Day: 22}

func TestValidateNamesEveryProblem(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*signal.NewSignal)
		field string
		want  string
	}{
		{"name missing", func(s *signal.NewSignal) { s.Youth.Name = "  " }, "youth.name", "is required"},
		{"name without letters", func(s *signal.NewSignal) { s.Youth.Name = "123" }, "youth.name", "must contain letters"},
		{"name with a control character", func(s *signal.NewSignal) { s.Youth.Name = "Sanne\x00" }, "youth.name", "control characters"},
		{"name too long", func(s *signal.NewSignal) { s.Youth.Name = strings.Repeat("a", 201) }, "youth.name", "at most 200"},
		{"birth date missing", func(s *signal.NewSignal) { s.Youth.BirthDate = "" }, "youth.birth_date", "is required"},
		{"birth date in another layout", func(s *signal.NewSignal) { s.Youth.BirthDate = "30-04-2011" }, "youth.birth_date", "YYYY-MM-DD"},
		{"birth date that does not exist", func(s *signal.NewSignal) { s.Youth.BirthDate = "2011-02-30" }, "youth.birth_date", "YYYY-MM-DD"},
		{"birth date in the future", func(s *signal.NewSignal) { s.Youth.BirthDate = "2026-11-23" }, "youth.birth_date", "future"},
		{"older than 23", func(s *signal.NewSignal) { s.Youth.BirthDate = "2002-11-19" }, "youth.birth_date", "older than 23"},
		{"observed in the future", func(s *signal.NewSignal) { s.ObservedOn = "2026-11-23" }, "observed_on", "future"},
		{"observed more than two years ago", func(s *signal.NewSignal) { s.ObservedOn = "2024-11-01" }, "observed_on", "two years"},
		{"observed before birth", func(s *signal.NewSignal) { s.Youth.BirthDate = "2025-01-01"; s.ObservedOn = "2024-12-31" }, "observed_on", "before youth.birth_date"},
		{"observed_on missing", func(s *signal.NewSignal) { s.ObservedOn = "" }, "observed_on", "is required"},
		{"category missing", func(s *signal.NewSignal) { s.Category = "" }, "category", "is required"},
		{"category unknown", func(s *signal.NewSignal) { s.Category = "drugs" }, "category", `unknown value "drugs"; allowed: school_absence`},
		{"facts missing", func(s *signal.NewSignal) { s.Facts = " \n" }, "facts", "is required"},
		{"facts too long", func(s *signal.NewSignal) { s.Facts = strings.Repeat("é", 10_001) }, "facts", "at most 10000"},
		{"opinions too long", func(s *signal.NewSignal) { s.Opinions = strings.Repeat("x", 5001) }, "opinions", "at most 5000"},
		{"contains an unknown field", func(s *signal.NewSignal) { s.Contains = []signal.Field{"facts"} }, "contains[0]", "unknown value"},
		{"contains a field twice", func(s *signal.NewSignal) { s.Contains = []signal.Field{"health", "health"} }, "contains[1]", "twice"},
		{"unknown purpose", func(s *signal.NewSignal) { p := signal.Purpose("fun"); s.Answers.Purpose = &p }, "answers.purpose", "unknown value"},
		{"parents-only consent value for the young person", func(s *signal.NewSignal) {
			c := signal.ConsentNotApplicable
			s.Answers.Consent.Youth = &c
		}, "answers.consent.youth", "unknown value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := validSignal()
			tc.edit(&in)
			_, err := in.Validate(today)
			var e *signal.Error
			if !errors.As(err, &e) || e.Code != signal.CodeInvalid {
				t.Fatalf("Validate = %v; want an invalid-input error", err)
			}
			for _, f := range e.Fields {
				if f.Field == tc.field && strings.Contains(f.Problem, tc.want) {
					return
				}
			}
			t.Fatalf("problems %+v; want %s: …%s…", e.Fields, tc.field, tc.want)
		})
	}
}

func TestValidateReportsAllProblemsAtOnce(t *testing.T) {
	_, err := signal.NewSignal{}.Validate(today)
	var e *signal.Error
	if !errors.As(err, &e) {
		t.Fatalf("Validate(empty) = %v", err)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	want := []string{"youth.name", "youth.birth_date", "observed_on", "category", "facts"}
	if !slices.Equal(fields, want) {
		t.Fatalf("fields = %v, want %v", fields, want)
	}
}

func TestAgeIsWholeYearsOnTheDayObserved(t *testing.T) {
	for _, tc := range []struct {
		birth, observed string
		want            int
	}{
		{"2011-04-30", "2026-04-29", 14},
		{"2011-04-30", "2026-04-30", 15},
		{"2008-02-29", "2025-02-28", 16}, // leap-day birthday: 1 March in other years
		{"2008-02-29", "2025-03-01", 17},
		{"2026-11-20", "2026-11-20", 0},
		{"2003-11-20", "2026-11-20", 23},
	} {
		in := validSignal()
		in.Youth.BirthDate, in.ObservedOn = tc.birth, tc.observed
		v, err := in.Validate(signal.Date{Year: 2026, Month: 11, Day: 22})
		if err != nil {
			t.Fatalf("%s on %s: %v", tc.birth, tc.observed, err)
		}
		if v.Age != tc.want {
			t.Errorf("born %s, observed %s: age %d, want %d", tc.birth, tc.observed, v.Age, tc.want)
		}
	}
}

func TestDecisionInputDerivesAgeFieldsAndRecipient(t *testing.T) {
	in := validSignal()
	in.Opinions = "Ik denk dat het thuis onrustig is."
	in.Contains = []signal.Field{signal.FieldHealth, signal.FieldContact}
	v, err := in.Validate(today)
	if err != nil {
		t.Fatal(err)
	}
	di := v.DecisionInput(in.Answers)
	if di.Youth.Age == nil || *di.Youth.Age != 15 {
		t.Errorf("youth.age = %v, want 15", di.Youth.Age)
	}
	wantFields := []signal.Field{"identity", "contact", "facts", "opinions", "health"}
	if !slices.Equal(di.Fields, wantFields) {
		t.Errorf("fields = %v, want %v", di.Fields, wantFields)
	}
	if di.FactsOpinionsSeparated == nil || !*di.FactsOpinionsSeparated {
		t.Errorf("facts_opinions_separated = %v, want true", di.FactsOpinionsSeparated)
	}
	if r := di.Recipient; r.Role == nil || *r.Role != signal.RecipientSignalMeeting ||
		r.DirectlyInvolved == nil || !*r.DirectlyInvolved || r.InAgreement == nil || !*r.InAgreement {
		t.Errorf("recipient = %+v, want the signal meeting", di.Recipient)
	}
	if err := di.Validate(); err != nil {
		t.Errorf("derived input is not valid for the contract: %v", err)
	}

	police := signal.RecipientPolice
	in.Answers.Recipient.Role = &police
	di = v.DecisionInput(in.Answers)
	if *di.Recipient.Role != police || di.Recipient.DirectlyInvolved != nil {
		t.Errorf("a named recipient was overridden: %+v", di.Recipient)
	}
	in.Opinions = ""
	v, _ = in.Validate(today)
	di = v.DecisionInput(in.Answers)
	if slices.Contains(di.Fields, signal.FieldOpinions) || *di.FactsOpinionsSeparated {
		t.Errorf("no opinions written, yet fields = %v, separated = %v", di.Fields, *di.FactsOpinionsSeparated)
	}
}

// TestCategoryAndPurposeCannotContradict: a signal of category
// radicalisation has the purpose radicalisation_concern without the
// question being asked, and a form that answers otherwise (or claims that
// purpose for another category) is refused, naming answers.purpose.
func TestCategoryAndPurposeCannotContradict(t *testing.T) {
	in := validSignal()
	in.Category = signal.CategoryRadicalisation
	v, err := in.Validate(today)
	if err != nil {
		t.Fatal(err)
	}
	if di := v.DecisionInput(in.Answers); di.Purpose == nil || *di.Purpose != signal.PurposeRadicalisationConcern {
		t.Errorf("category radicalisation: purpose %v, want radicalisation_concern", di.Purpose)
	}
	for _, tc := range []struct {
		category signal.Category
		purpose  signal.Purpose
	}{
		{signal.CategoryRadicalisation, signal.PurposeCoordinateSupport},
		{signal.CategoryRadicalisation, signal.PurposeOther},
		{signal.CategorySchoolAbsence, signal.PurposeRadicalisationConcern},
	} {
		in := validSignal()
		in.Category, in.Answers.Purpose = tc.category, &tc.purpose
		_, err := in.Validate(today)
		var se *signal.Error
		if !errors.As(err, &se) || se.Code != signal.CodeInvalid || len(se.Fields) != 1 || se.Fields[0].Field != "answers.purpose" {
			t.Errorf("category %s with purpose %s: %v, want one problem naming answers.purpose", tc.category, tc.purpose, err)
		}
	}
	// Agreeing answers pass, and another category keeps its own purpose.
	in = validSignal()
	p := signal.PurposeSafetyRisk
	in.Answers.Purpose = &p
	v, err = in.Validate(today)
	if err != nil {
		t.Fatal(err)
	}
	if di := v.DecisionInput(in.Answers); *di.Purpose != signal.PurposeSafetyRisk {
		t.Errorf("purpose %s, want safety_risk", *di.Purpose)
	}
}

func TestMergeAnswersKeepsEarlierAnswers(t *testing.T) {
	given, yes := signal.ConsentGiven, true
	purpose := signal.PurposeCoordinateSupport
	base := signal.Answers{Purpose: &purpose, Consent: signal.Consent{Youth: &given}}
	merged := signal.MergeAnswers(base, signal.Answers{Consent: signal.Consent{Recorded: &yes}})
	if merged.Purpose == nil || merged.Consent.Youth == nil || merged.Consent.Recorded == nil {
		t.Fatalf("merged = %+v; want purpose, consent.youth and consent.recorded", merged)
	}
	refused := signal.ConsentRefused
	merged = signal.MergeAnswers(merged, signal.Answers{Consent: signal.Consent{Youth: &refused}})
	if *merged.Consent.Youth != refused {
		t.Errorf("a later answer did not replace the earlier one")
	}
}

func TestIdempotencyKeyFormat(t *testing.T) {
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"3f0c2a4e-5b7d-4e61-9a8b-0c1d2e3f4a5b", true},
		{"x", true},
		{strings.Repeat("k", 100), true},
		{strings.Repeat("k", 101), false},
		{"with space", false},
		{"tab\t", false},
		{"é", false},
	} {
		if err := signal.ValidIdempotencyKey(tc.key); (err == nil) != tc.ok {
			t.Errorf("ValidIdempotencyKey(%q) = %v, want ok=%v", tc.key, err, tc.ok)
		}
	}
}
