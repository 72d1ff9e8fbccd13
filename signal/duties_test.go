package signal

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDutyRecordValidation(t *testing.T) {
	today := Date{2026, time.December, 5}
	for _, tc := range []struct {
		name  string
		rec   DutyRecord
		field string // "" when valid
	}{
		{"a report by phone today", DutyRecord{Duty: DutyReportVeiligThuis, State: DutyDone, On: today, How: HowPhone}, ""},
		{"a report tomorrow", DutyRecord{Duty: DutyReportVeiligThuis, State: DutyDone, On: today.AddDays(1), How: HowPhone}, "on"},
		{"a report without a day", DutyRecord{Duty: DutyReportVeiligThuis, State: DutyDone, How: HowOnline}, "on"},
		{"a report in person", DutyRecord{Duty: DutyReportVeiligThuis, State: DutyDone, On: today, How: HowInPerson}, "how"},
		{"a report put off", DutyRecord{Duty: DutyReportVeiligThuis, State: DutyPostponed, Until: today.AddDays(3), Note: "later", Parties: []Party{PartyYouth}}, "state"},
		{"a justification", DutyRecord{Duty: DutyRecordJustification, State: DutyDone, Note: "Vader dreigt met geweld."}, ""},
		{"a justification of a word", DutyRecord{Duty: DutyRecordJustification, State: DutyDone, Note: "nodig"}, "note"},
		{"a justification too long", DutyRecord{Duty: DutyRecordJustification, State: DutyDone, Note: strings.Repeat("x", MaxDutyNote+1)}, "note"},
		{"a consent without what for", DutyRecord{Duty: DutyRecordConsent, State: DutyDone, On: today, How: HowWritten, Parties: []Party{PartyParents}}, "note"},
		{"a consent of nobody", DutyRecord{Duty: DutyRecordConsent, State: DutyDone, On: today, How: HowWritten, Note: "school"}, "parties"},
		{"informing both in person", DutyRecord{Duty: DutyInformYouthParents, State: DutyDone, On: today, How: HowInPerson, Parties: []Party{PartyYouth, PartyParents}}, ""},
		{"informing the neighbours", DutyRecord{Duty: DutyInformYouthParents, State: DutyDone, On: today, How: HowInPerson, Parties: []Party{"neighbours"}}, "parties"},
		{"informing waits 92 days", DutyRecord{Duty: DutyInformYouthParents, State: DutyPostponed, Until: today.AddDays(MaxPostpone), Note: "onveilig", Parties: []Party{PartyParents}}, ""},
		{"informing waits 93 days", DutyRecord{Duty: DutyInformYouthParents, State: DutyPostponed, Until: today.AddDays(MaxPostpone + 1), Note: "onveilig", Parties: []Party{PartyParents}}, "until"},
		{"informing waits until today", DutyRecord{Duty: DutyInformYouthParents, State: DutyPostponed, Until: today, Note: "onveilig", Parties: []Party{PartyParents}}, "until"},
		{"informing waits without why", DutyRecord{Duty: DutyInformYouthParents, State: DutyPostponed, Until: today.AddDays(7), Parties: []Party{PartyParents}}, "note"},
		{"an unknown duty", DutyRecord{Duty: "call_the_press", State: DutyDone}, "duty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.rec.validate(today)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var fields []string
			if e, ok := err.(*Error); ok {
				for _, f := range e.Fields {
					fields = append(fields, f.Field)
				}
			}
			if !slices.Contains(fields, tc.field) {
				t.Fatalf("problems %v (%v), want one about %s", fields, err, tc.field)
			}
		})
	}
}

// A postponement is open again the day after its last day; a record of
// "done" closes a duty for good; a draft asks only a report already
// required.
func TestDutiesOpenAcrossTime(t *testing.T) {
	d := Decision{Outcome: OutcomeShareMinimal, Rule: RuleConflictOfDuties,
		Obligations: []Obligation{ObligationInformYouthParents, ObligationRecordJustification}}
	until := Date{2026, time.December, 31}
	recs := []DutyRecord{{Duty: DutyInformYouthParents, State: DutyPostponed, Until: until}}
	open := func(today Date) bool {
		for _, st := range statusOfDuties(d, recs, today) {
			if st.Duty == DutyInformYouthParents {
				return st.Open
			}
		}
		t.Fatal("informing is not among the duties")
		return false
	}
	if open(until) || !open(until.AddDays(1)) {
		t.Errorf("postponed until %s: open on that day %v, the day after %v", until, open(until), open(until.AddDays(1)))
	}
	recs = append(recs, DutyRecord{Duty: DutyInformYouthParents, State: DutyDone, On: until})
	if open(until.AddDays(400)) {
		t.Error("informing done is open again a year later")
	}
	draft := Decision{Outcome: OutcomeIncomplete, Obligations: []Obligation{ObligationReportVeiligThuis}}
	if got := DutiesOf(draft); !slices.Equal(got, []Duty{DutyReportVeiligThuis}) {
		t.Errorf("a draft with a report required asks %v", got)
	}
	consent := Decision{Outcome: OutcomeShareFull, Rule: RuleConsent, Obligations: []Obligation{ObligationInformYouthParents}}
	if got := DutiesOf(consent); !slices.Equal(got, []Duty{DutyRecordConsent, DutyInformYouthParents}) {
		t.Errorf("a decision on consent asks %v", got)
	}
}

// "Het signaleringsoverleg" is its standing members, else the partners
// that signed the agreement, else every partner.
func TestMeetingPartners(t *testing.T) {
	p := func(name string, signed, standing bool) Partner {
		return Partner{Organisation: Organisation{Name: name}, InAgreement: signed, StandingMember: standing}
	}
	for _, tc := range []struct {
		name string
		m    CooperationMap
		want []string
	}{
		{"standing members", CooperationMap{Partners: []Partner{p("School", true, true), p("Wijkteam", true, false), p("Jongerenwerk", false, true)}}, []string{"School", "Jongerenwerk"}},
		{"signed", CooperationMap{Partners: []Partner{p("School", true, false), p("Wijkteam", false, false)}}, []string{"School"}},
		{"nothing recorded", CooperationMap{Partners: []Partner{p("School", false, false), p("Wijkteam", false, false)}}, []string{"School", "Wijkteam"}},
	} {
		if got := tc.m.MeetingPartners(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The signal meeting chosen by name on the phone is the default recipient,
// so checking it decides as leaving it out does; another recipient keeps
// what was answered about them.
func TestMeetingChosenByNameIsTheDefaultRecipient(t *testing.T) {
	meeting, partner := RecipientSignalMeeting, RecipientPartnerContact
	in := decisionInput(Answers{Recipient: Recipient{Role: &meeting}}, CategorySchoolAbsence, 10, nil, []Field{FieldIdentity, FieldFacts}, false)
	def := DefaultRecipient()
	if *in.Recipient.Role != *def.Role || *in.Recipient.DirectlyInvolved != *def.DirectlyInvolved || *in.Recipient.InAgreement != *def.InAgreement {
		t.Errorf("the meeting by name reads %+v, want the default %+v", in.Recipient, def)
	}
	in = decisionInput(Answers{Recipient: Recipient{Role: &partner}}, CategorySchoolAbsence, 10, nil, []Field{FieldIdentity, FieldFacts}, false)
	if in.Recipient.DirectlyInvolved != nil || in.Recipient.InAgreement != nil {
		t.Errorf("a partner's contact person is assumed involved: %+v", in.Recipient)
	}
}
