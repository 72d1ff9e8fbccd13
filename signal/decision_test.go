package signal

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// contractExample is the input document of shared/policy-contract.md.
const contractExample = `{
  "purpose": "coordinate_support",
  "recipient": {"role": "signal_meeting", "directly_involved": true, "in_agreement": true},
  "youth": {"age": 15, "capable": true},
  "consent": {"youth": "given", "parents": "not_asked", "recorded": true},
  "risk": {"acute_danger": false, "harm": "none", "asking_endangers": false},
  "abuse": {"suspected": false, "unsafe": false, "help_possible": true, "help_accepted": true, "help_effective": "pending"},
  "duty_conflict": {"no_other_way": false, "prevents_harm": false, "expert_consulted": false},
  "legal_duty": false,
  "fields": ["identity", "contact", "facts"],
  "facts_opinions_separated": true
}`

func ptr[T any](v T) *T { return &v }

func TestDecodeDecisionInputContractExample(t *testing.T) {
	in, err := DecodeDecisionInput(strings.NewReader(contractExample))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	want := DecisionInput{
		Answers: Answers{
			Purpose:      ptr(PurposeCoordinateSupport),
			Recipient:    Recipient{Role: ptr(RecipientSignalMeeting), DirectlyInvolved: ptr(true), InAgreement: ptr(true)},
			Consent:      Consent{Youth: ptr(ConsentGiven), Parents: ptr(ConsentNotAsked), Recorded: ptr(true)},
			Risk:         Risk{AcuteDanger: ptr(false), Harm: ptr(HarmNone), AskingEndangers: ptr(false)},
			Abuse:        Abuse{Suspected: ptr(false), Unsafe: ptr(false), HelpPossible: ptr(true), HelpAccepted: ptr(true), HelpEffective: ptr(HelpEffectivePending)},
			DutyConflict: DutyConflict{NoOtherWay: ptr(false), PreventsHarm: ptr(false), ExpertConsulted: ptr(false)},
			LegalDuty:    ptr(false),
		},
		Youth:                  Youth{Age: ptr(15), Capable: ptr(true)},
		Fields:                 []Field{FieldIdentity, FieldContact, FieldFacts},
		FactsOpinionsSeparated: ptr(true),
	}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", in, want)
	}

	// Encoding gives the contract's document back: same names, same nesting.
	out, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var got, orig map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(contractExample), &orig); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, orig) {
		t.Errorf("round trip\n%s\ndiffers from the contract example", out)
	}
}

func TestDecodeDecisionInputEmptyFieldsIsAnAnswer(t *testing.T) {
	// An empty proposal (share nothing) is an answer; absent is not.
	in, err := DecodeDecisionInput(strings.NewReader(`{"fields": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if in.Fields == nil {
		t.Fatal("an empty list decoded as not answered")
	}
	out, _ := json.Marshal(in)
	if string(out) != `{"fields":[]}` {
		t.Errorf("encoded as %s, want {\"fields\":[]}", out)
	}
}

func TestDecodeDecisionInputUnanswered(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"empty object", `{}`},
		{"nulls", `{"purpose": null, "recipient": null, "youth": {"age": null}, "fields": null, "legal_duty": null}`},
		{"empty nested objects", `{"recipient": {}, "consent": {}, "risk": {}, "abuse": {}, "duty_conflict": {}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := DecodeDecisionInput(strings.NewReader(tt.doc))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(in, DecisionInput{}) {
				t.Errorf("got %+v, want every answer unanswered", in)
			}
			// Not answered stays absent when encoded, so the policy sees it as missing.
			out, _ := json.Marshal(in)
			if string(out) != `{}` {
				t.Errorf("encoded as %s, want {}", out)
			}
		})
	}
}

func TestDecodeDecisionInputErrors(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		fields []FieldError // nil: a message-only error
		msg    string       // substring of the message when fields is nil
	}{
		{"unknown consent value", `{"consent": {"parents": "maybe"}}`,
			[]FieldError{{"consent.parents", `unknown value "maybe"; allowed: given, refused, not_asked, impossible, not_applicable`}}, ""},
		{"not_applicable is for parents only", `{"consent": {"youth": "not_applicable"}}`,
			[]FieldError{{"consent.youth", `unknown value "not_applicable"; allowed: given, refused, not_asked, impossible`}}, ""},
		{"unknown purpose", `{"purpose": "research"}`,
			[]FieldError{{"purpose", `unknown value "research"; allowed: coordinate_support, safety_risk, radicalisation_concern, other`}}, ""},
		{"unknown recipient role", `{"recipient": {"role": "neighbour"}}`,
			[]FieldError{{"recipient.role", `unknown value "neighbour"; allowed: signal_meeting, partner_contact, own_organisation, veilig_thuis, court_supervisor, police, parent, other`}}, ""},
		{"unknown harm", `{"risk": {"harm": "severe"}}`,
			[]FieldError{{"risk.harm", `unknown value "severe"; allowed: none, possible, likely`}}, ""},
		{"unknown help_effective", `{"abuse": {"help_effective": true}}`,
			[]FieldError{{"abuse.help_effective", `must be a string, not true`}}, ""},
		{"age too high", `{"youth": {"age": 24}}`,
			[]FieldError{{"youth.age", "must be a whole number from 0 to 23, not 24"}}, ""},
		{"age negative", `{"youth": {"age": -1}}`,
			[]FieldError{{"youth.age", "must be a whole number from 0 to 23, not -1"}}, ""},
		{"age fractional", `{"youth": {"age": 15.5}}`,
			[]FieldError{{"youth.age", "must be a whole number from 0 to 23, not 15.5"}}, ""},
		{"age as string", `{"youth": {"age": "15"}}`,
			[]FieldError{{"youth.age", `must be a whole number from 0 to 23, not the string "15"`}}, ""},
		{"bool as string", `{"legal_duty": "yes"}`,
			[]FieldError{{"legal_duty", `must be true or false, not the string "yes"`}}, ""},
		{"bool as number", `{"recipient": {"in_agreement": 1}}`,
			[]FieldError{{"recipient.in_agreement", `must be true or false, not the number 1`}}, ""},
		{"object expected", `{"risk": true}`,
			[]FieldError{{"risk", `must be an object, not true`}}, ""},
		{"unknown top-level field", `{"name": "Anna"}`,
			[]FieldError{{"name", "unknown field; allowed here: purpose, recipient, youth, consent, risk, abuse, duty_conflict, legal_duty, fields, facts_opinions_separated"}}, ""},
		{"unknown nested field", `{"youth": {"birth_date": "2011-04-30"}}`,
			[]FieldError{{"youth.birth_date", "unknown field; allowed here: age, capable"}}, ""},
		{"unknown field value", `{"fields": ["facts", "diagnosis"]}`,
			[]FieldError{{"fields[1]", `unknown value "diagnosis"; allowed: identity, contact, facts, opinions, health, religion_ethnicity, criminal, bsn`}}, ""},
		{"duplicate field", `{"fields": ["facts", "facts"]}`,
			[]FieldError{{"fields[1]", `"facts" is listed twice`}}, ""},
		{"field not a string", `{"fields": ["facts", 3, "nope"]}`,
			[]FieldError{{"fields[1]", `must be a string, not the number 3`}}, ""},
		{"fields not a list", `{"fields": "facts"}`,
			[]FieldError{{"fields", `must be a list of field names, not the string "facts"`}}, ""},
		{"every problem at once", `{"purpose": "x", "youth": {"age": 99}, "legal_duty": null, "risk": {"acute_danger": "no"}}`,
			[]FieldError{
				{"risk.acute_danger", `must be true or false, not the string "no"`},
				{"youth.age", "must be a whole number from 0 to 23, not 99"},
				{"purpose", `unknown value "x"; allowed: coordinate_support, safety_risk, radicalisation_concern, other`},
			}, ""},
		{"not an object", `[1, 2]`, []FieldError{{"(input)", "must be an object, not a list"}}, ""},
		{"not JSON", `{"purpose": `, nil, "not valid JSON"},
		{"empty", ``, nil, "empty input"},
		{"trailing document", `{} {}`, nil, "nothing after it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeDecisionInput(strings.NewReader(tt.doc))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want a *signal.Error", err)
			}
			if e.Code != CodeInvalid {
				t.Errorf("code = %q, want invalid", e.Code)
			}
			if tt.fields == nil {
				if !strings.Contains(e.Error(), tt.msg) {
					t.Errorf("message %q does not mention %q", e.Error(), tt.msg)
				}
				return
			}
			if !reflect.DeepEqual(e.Fields, tt.fields) {
				t.Errorf("fields = %q\nwant     %q", e.Fields, tt.fields)
			}
		})
	}
}

func TestDecodeDecisionInputTooLarge(t *testing.T) {
	doc := `{"fields": [` + strings.Repeat(`"facts",`, MaxDecisionInputBytes/8) + `"facts"]}`
	_, err := DecodeDecisionInput(strings.NewReader(doc))
	if ErrorCode(err) != CodeTooLarge {
		t.Fatalf("err = %v, want too_large", err)
	}
}

func TestDecisionInputValidate(t *testing.T) {
	bad := Purpose("research")
	in := DecisionInput{
		Answers: Answers{Purpose: &bad, Risk: Risk{Harm: ptr(Harm("extreme"))}},
		Youth:   Youth{Age: ptr(30)},
		Fields:  []Field{FieldFacts, "diagnosis"},
	}
	err := in.Validate()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *signal.Error", err)
	}
	var got []string
	for _, f := range e.Fields {
		got = append(got, f.Field)
	}
	want := []string{"purpose", "risk.harm", "youth.age", "fields[1]"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields with problems = %q, want %q", got, want)
	}
	if err := (DecisionInput{}).Validate(); err != nil {
		t.Errorf("an unanswered input must be valid, got %v", err)
	}
}

func TestEnumsValid(t *testing.T) {
	// Every listed value is valid and a value outside the list is not, for
	// every enum the contract defines.
	check := func(name string, valid []bool, invalid bool) {
		for i, v := range valid {
			if !v {
				t.Errorf("%s value %d is listed but not Valid", name, i)
			}
		}
		if invalid {
			t.Errorf("%s accepts an unlisted value", name)
		}
	}
	check("Purpose", mapValid(Purposes), Purpose("x").Valid())
	check("RecipientRole", mapValid(RecipientRoles), RecipientRole("x").Valid())
	check("ConsentAnswer", mapValid(ConsentAnswers), ConsentAnswer("x").Valid())
	check("Harm", mapValid(Harms), Harm("x").Valid())
	check("HelpEffective", mapValid(HelpEffectives), HelpEffective("x").Valid())
	check("Field", mapValid(Fields), Field("x").Valid())
	check("Outcome", mapValid(Outcomes), Outcome("x").Valid())
	check("Level", mapValid(Levels), Level("x").Valid())
	check("Rule", mapValid(Rules), Rule("R12").Valid() || RuleNoneYet.Valid())
	check("Obligation", mapValid(Obligations), Obligation("x").Valid())
}

func mapValid[T interface{ Valid() bool }](vs []T) []bool {
	out := make([]bool, len(vs))
	for i, v := range vs {
		out[i] = v.Valid()
	}
	return out
}

func TestDecodeAnswers(t *testing.T) {
	a, err := DecodeAnswers(strings.NewReader(`{"purpose": "safety_risk", "consent": {"parents": "given"}, "legal_duty": false}`))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if *a.Purpose != PurposeSafetyRisk || *a.Consent.Parents != ConsentGiven || *a.LegalDuty || a.Consent.Youth != nil {
		t.Errorf("decoded %+v", a)
	}

	tests := []struct {
		name string
		doc  string
		want []FieldError
	}{
		{"paths under answers", `{"consent": {"parents": "maybe"}, "risk": {"acute_danger": 1}}`, []FieldError{
			{"answers.risk.acute_danger", "must be true or false, not the number 1"},
			{"answers.consent.parents", `unknown value "maybe"; allowed: given, refused, not_asked, impossible, not_applicable`},
		}},
		{"the service derives age and fields", `{"youth": {"age": 15}, "fields": ["facts"]}`, []FieldError{
			{"answers.fields", "unknown field; allowed here: purpose, recipient, consent, risk, abuse, duty_conflict, legal_duty"},
			{"answers.youth", "unknown field; allowed here: purpose, recipient, consent, risk, abuse, duty_conflict, legal_duty"},
		}},
		{"not an object", `"yes"`, []FieldError{{"answers", `must be an object, not the string "yes"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeAnswers(strings.NewReader(tt.doc))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if !reflect.DeepEqual(e.Fields, tt.want) {
				t.Errorf("fields = %q\nwant     %q", e.Fields, tt.want)
			}
		})
	}
}
