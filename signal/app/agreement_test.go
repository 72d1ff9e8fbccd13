package app_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/auth"
)

var cheap = auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// agreementSite is a new cooperation set up as its administrator would:
// three partners (a school, youth work, the police), an admin at the
// school and a reporter at youth work.
type agreementSite struct {
	a                      *app.App
	admin, reporter        signal.Actor
	school, youth, politie signal.Organisation
	dbPath                 string
}

func openAgreementSite(t *testing.T) *agreementSite {
	t.Helper()
	ctx := context.Background()
	s := &agreementSite{dbPath: filepath.Join(t.TempDir(), "signaal.db")}
	var err error
	if s.a, err = app.Open(ctx, app.Options{DB: s.dbPath, PasswordParams: cheap}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.a.Close() })
	op := signal.Actor{Role: signal.RoleSystem}
	person := func(n string) signal.Person { return signal.Person{Name: n, Email: n + "@noord.example"} }
	s.school = signal.Organisation{Name: "Het Noorderlicht", Kind: signal.OrgSchool, Contact: person("ans"), Deputy: person("bert")}
	if err := s.a.Accounts.CreateOrganisation(ctx, op, &s.school, "Wijk Noord"); err != nil {
		t.Fatal(err)
	}
	adminUser := signal.User{Email: "beheer@noord.example", Name: "Beheer", OrgID: s.school.ID, Role: signal.RoleAdmin}
	if err := s.a.Accounts.CreateUser(ctx, op, &adminUser, "een lang genoeg wachtwoord"); err != nil {
		t.Fatal(err)
	}
	s.admin = signal.Actor{UserID: adminUser.ID, OrgID: adminUser.OrgID, Role: signal.RoleAdmin}
	// The rest through the console, as the administrator.
	s.youth = signal.Organisation{Name: "Jongerenwerk Noord", Kind: signal.OrgYouthWork, Part: "Jongerenwerk op straat en in het buurthuis",
		Contact: person("cor"), Deputy: person("dina")}
	s.politie = signal.Organisation{Name: "Wijkagent Noord", Kind: signal.OrgPolice, Part: "Wijkagent", Contact: person("eef"), Deputy: person("fred")}
	for _, o := range []*signal.Organisation{&s.youth, &s.politie} {
		if err := s.a.Admin.AddPartner(ctx, s.admin, o); err != nil {
			t.Fatal(err)
		}
	}
	rep := signal.User{Email: "gijs@noord.example", Name: "Gijs", OrgID: s.youth.ID, Role: signal.RoleReporter}
	if err := s.a.Admin.AddAccount(ctx, s.admin, &rep, "een lang genoeg wachtwoord"); err != nil {
		t.Fatal(err)
	}
	s.reporter = signal.Actor{UserID: rep.ID, OrgID: rep.OrgID, Role: signal.RoleReporter}
	return s
}

func (s *agreementSite) setAgreement(t *testing.T, parties []signal.Organisation, purposes ...signal.Purpose) {
	t.Helper()
	ag := signal.Agreement{Version: "2026-1", SignedOn: signal.DateOf(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)), RetentionMonths: 24}
	for _, p := range purposes {
		ag.Purposes = append(ag.Purposes, signal.AgreedPurpose{Purpose: p, Fields: []signal.Field{signal.FieldIdentity, signal.FieldFacts}})
	}
	for _, o := range parties {
		ag.Parties = append(ag.Parties, signal.AgreementParty{OrgID: o.ID})
	}
	if err := s.a.Admin.SetAgreement(context.Background(), s.admin, &ag); err != nil {
		t.Fatal(err)
	}
}

// preview decides a signal of the reporter to role for purpose; inAgreement
// is what the reporter claims (nil: no answer).
func (s *agreementSite) preview(t *testing.T, purpose signal.Purpose, role signal.RecipientRole, inAgreement *bool) signal.Decision {
	t.Helper()
	yes, no, harm := true, false, signal.Harm("none")
	category := signal.CategoryWellbeing
	if purpose == signal.PurposeRadicalisationConcern {
		category = signal.CategoryRadicalisation // the two go together
	}
	in := signal.NewSignal{
		Youth:      signal.NewYouth{Name: "Sem de Vries", BirthDate: "2011-03-04"},
		Category:   category,
		Facts:      "Komt al drie weken te laat en slaapt in de les.",
		ObservedOn: "2026-11-30",
		Answers: signal.Answers{Purpose: &purpose,
			Recipient: signal.Recipient{Role: &role, DirectlyInvolved: &yes, InAgreement: inAgreement},
			Risk:      signal.Risk{AcuteDanger: &no, Harm: &harm}, Abuse: signal.Abuse{Suspected: &no}, LegalDuty: &no},
	}
	d, err := s.a.Signals.Preview(context.Background(), s.reporter, in)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func outsideAgreement(d signal.Decision) bool {
	return slices.Contains(d.ReasonCodes(), "recipient_not_in_agreement")
}

// The promise: once the administrator recorded the agreement, whether a
// recipient is a party is a fact the product knows: the reporter is not
// asked, and cannot claim otherwise; a purpose or party the agreement
// lacks is outside it; after a restart on the same files the same holds.
func TestAgreementDecidesWhoIsAParty(t *testing.T) {
	ctx := context.Background()
	s := openAgreementSite(t)
	claim := true

	// No agreement recorded yet: the reporter is asked, as before.
	if d := s.preview(t, signal.PurposeCoordinateSupport, signal.RecipientPartnerContact, nil); !slices.Contains(d.Missing, "recipient.in_agreement") {
		t.Fatalf("without an agreement: missing %v; want recipient.in_agreement asked", d.Missing)
	}

	// The reporter's organisation is not a party: outside the agreement,
	// whatever the reporter answers.
	s.setAgreement(t, []signal.Organisation{s.school}, signal.PurposeCoordinateSupport)
	d := s.preview(t, signal.PurposeCoordinateSupport, signal.RecipientPartnerContact, &claim)
	if !outsideAgreement(d) || d.Outcome != signal.OutcomeDoNotShare {
		t.Fatalf("reporter's organisation not a party, reporter claims it is: %s %v; want do_not_share, recipient_not_in_agreement", d.Outcome, d.ReasonCodes())
	}

	// Youth work signs: never asked, inside the agreement.
	s.setAgreement(t, []signal.Organisation{s.school, s.youth}, signal.PurposeCoordinateSupport)
	d = s.preview(t, signal.PurposeCoordinateSupport, signal.RecipientPartnerContact, nil)
	if slices.Contains(d.Missing, "recipient.in_agreement") || outsideAgreement(d) {
		t.Fatalf("both parties: missing %v, reasons %v; want in_agreement neither asked nor refused", d.Missing, d.ReasonCodes())
	}
	// A purpose the agreement does not name is outside it.
	if d := s.preview(t, signal.PurposeSafetyRisk, signal.RecipientPartnerContact, &claim); !outsideAgreement(d) {
		t.Fatalf("purpose not in the agreement: %v; want recipient_not_in_agreement", d.ReasonCodes())
	}
	// The police are a party only once a police organisation signed.
	if d := s.preview(t, signal.PurposeCoordinateSupport, signal.RecipientPolice, &claim); !outsideAgreement(d) {
		t.Fatalf("police not a party: %v; want recipient_not_in_agreement", d.ReasonCodes())
	}
	offer, err := s.a.Signals.Offer(ctx, s.reporter)
	if err != nil {
		t.Fatal(err)
	}
	if want := []signal.Purpose{signal.PurposeCoordinateSupport, signal.PurposeOther}; !slices.Equal(offer.Purposes, want) || offer.Recipient[signal.RecipientPolice] {
		t.Fatalf("offer %+v; want purposes %v and the police outside", offer, want)
	}

	s.setAgreement(t, []signal.Organisation{s.school, s.youth, s.politie}, signal.PurposeCoordinateSupport, signal.PurposeSafetyRisk)
	if d := s.preview(t, signal.PurposeSafetyRisk, signal.RecipientPolice, nil); outsideAgreement(d) || slices.Contains(d.Missing, "recipient.in_agreement") {
		t.Fatalf("police signed, safety_risk agreed: missing %v, reasons %v", d.Missing, d.ReasonCodes())
	}

	// A parent is never a party, whatever is claimed; the submitted
	// decision (and its audit entry) says so.
	purpose, role, yes, no, harm := signal.PurposeCoordinateSupport, signal.RecipientParent, true, false, signal.Harm("none")
	sub, err := s.a.Signals.Submit(ctx, s.reporter, signal.NewSignal{
		Youth: signal.NewYouth{Name: "Sem de Vries", BirthDate: "2011-03-04"}, Category: signal.CategoryWellbeing,
		Facts: "Komt al drie weken te laat.", ObservedOn: "2026-11-30",
		Answers: signal.Answers{Purpose: &purpose, Recipient: signal.Recipient{Role: &role, DirectlyInvolved: &yes, InAgreement: &yes},
			Risk: signal.Risk{AcuteDanger: &no, Harm: &harm}, Abuse: signal.Abuse{Suspected: &no}, LegalDuty: &no},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !outsideAgreement(sub.Decision) {
		t.Fatalf("submitted to a parent with a claimed agreement: %v; want recipient_not_in_agreement", sub.Decision.ReasonCodes())
	}

	// Every change by the administrator is on record, under their account.
	var n int
	s.a.DB.Read().QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = ?`, signal.ActionAgreementSet, s.admin.UserID).Scan(&n)
	if n != 3 {
		t.Errorf("agreement.set entries by the admin: %d; want 3", n)
	}

	// After a restart on the same files the agreement still decides.
	s.a.Close()
	if s.a, err = app.Open(ctx, app.Options{DB: s.dbPath, PasswordParams: cheap}); err != nil {
		t.Fatal(err)
	}
	if d := s.preview(t, signal.PurposeRadicalisationConcern, signal.RecipientSignalMeeting, &claim); !outsideAgreement(d) {
		t.Fatalf("after a restart, a purpose outside the agreement: %v; want recipient_not_in_agreement", d.ReasonCodes())
	}
	m, err := s.a.Admin.Map(ctx, s.admin)
	if err != nil {
		t.Fatal(err)
	}
	if m.Agreement == nil || m.Agreement.Version != "2026-1" || len(m.Agreement.Parties) != 3 || len(m.Partners) != 3 {
		t.Fatalf("map after restart: %+v", m)
	}
}

// Bad input is refused naming the field, and nothing is written.
func TestAgreementRefusesBadInputNamingTheField(t *testing.T) {
	ctx := context.Background()
	s := openAgreementSite(t)
	ag := signal.Agreement{Purposes: []signal.AgreedPurpose{{Purpose: signal.PurposeOther}, {Purpose: signal.PurposeSafetyRisk}}}
	err := s.a.Admin.SetAgreement(ctx, s.admin, &ag)
	var se *signal.Error
	if signal.ErrorCode(err) != signal.CodeInvalid || !asError(err, &se) {
		t.Fatalf("empty agreement: %v; want invalid", err)
	}
	got := map[string]bool{}
	for _, f := range se.Fields {
		got[f.Field] = true
	}
	for _, f := range []string{"version", "signed_on", "retention_months", "purposes", "purposes.safety_risk.fields", "parties"} {
		if !got[f] {
			t.Errorf("no error for %s in %v", f, se.Fields)
		}
	}
	// A party of another cooperation is refused inside the unit.
	other := signal.Organisation{Name: "Elders", Kind: signal.OrgSchool, Contact: signal.Person{Name: "x", Email: "x@elders.example"}, Deputy: signal.Person{Name: "y", Email: "y@elders.example"}}
	if err := s.a.Accounts.CreateOrganisation(ctx, signal.Actor{Role: signal.RoleSystem}, &other, "Wijk Zuid"); err != nil {
		t.Fatal(err)
	}
	ag = signal.Agreement{Version: "1", SignedOn: signal.DateOf(time.Now()), RetentionMonths: 12,
		Purposes: []signal.AgreedPurpose{{Purpose: signal.PurposeCoordinateSupport, Fields: []signal.Field{signal.FieldFacts}}},
		Parties:  []signal.AgreementParty{{OrgID: s.youth.ID}, {OrgID: other.ID}}}
	if err := s.a.Admin.SetAgreement(ctx, s.admin, &ag); signal.ErrorCode(err) != signal.CodeInvalid {
		t.Fatalf("a party of another cooperation: %v; want invalid", err)
	}
	var n int
	s.a.DB.Read().QueryRow(`SELECT (SELECT count(*) FROM agreements) + (SELECT count(*) FROM audit_entries WHERE action = ?)`, signal.ActionAgreementSet).Scan(&n)
	if n != 0 {
		t.Fatalf("after refused agreements: %d rows/entries; want none written", n)
	}
	// Only an administrator records it.
	if err := s.a.Admin.SetAgreement(ctx, s.reporter, &ag); signal.ErrorCode(err) != signal.CodeForbidden {
		t.Fatalf("a reporter sets the agreement: %v; want forbidden", err)
	}
}

// A leaver who is a contact person cannot be disabled before the role is
// handed over; after the hand-over the account is disabled.
func TestConsoleHandsOverBeforeDisabling(t *testing.T) {
	ctx := context.Background()
	s := openAgreementSite(t)
	cor := signal.User{Email: "cor@noord.example", Name: "Cor", OrgID: s.youth.ID, Role: signal.RoleCoordinator}
	if err := s.a.Admin.AddAccount(ctx, s.admin, &cor, "een lang genoeg wachtwoord"); err != nil {
		t.Fatal(err)
	}
	if err := s.a.Admin.SetAccountDisabled(ctx, s.admin, cor.ID, true); signal.ErrorCode(err) != signal.CodeConflict {
		t.Fatalf("disabling the contact person: %v; want conflict", err)
	}
	if err := s.a.Admin.SetPartner(ctx, s.admin, s.youth.ID, "Jongerenwerk", signal.Person{Name: "Hanna", Email: "hanna@noord.example"}, s.youth.Deputy); err != nil {
		t.Fatal(err)
	}
	if err := s.a.Admin.SetAccountDisabled(ctx, s.admin, cor.ID, true); err != nil {
		t.Fatalf("disabling after the hand-over: %v", err)
	}
	if _, err := s.a.Accounts.Login(ctx, signal.Actor{}, "cor@noord.example", "een lang genoeg wachtwoord", ""); err == nil {
		t.Fatal("a disabled account logged in")
	}
	if err := s.a.Admin.SetAccountDisabled(ctx, s.admin, s.admin.UserID, true); signal.ErrorCode(err) != signal.CodeConflict {
		t.Fatalf("disabling one's own account: %v; want conflict", err)
	}
}

func asError(err error, target **signal.Error) bool { return errors.As(err, target) }

// The meeting's standing members, recorded in the console, are the members
// of a meeting the coordinator plans without naming any; bad input names
// the field and changes nothing.
func TestStandingMembersJoinEveryPlannedMeeting(t *testing.T) {
	ctx := context.Background()
	s := openAgreementSite(t)
	chair := signal.User{Email: "chair@noord.example", Name: "Voorzitter", OrgID: s.school.ID, Role: signal.RoleCoordinator}
	if err := s.a.Admin.AddAccount(ctx, s.admin, &chair, "een lang genoeg wachtwoord"); err != nil {
		t.Fatal(err)
	}
	coord := signal.Actor{UserID: chair.ID, OrgID: chair.OrgID, Role: signal.RoleCoordinator}
	plan := func() []string {
		t.Helper()
		mt, err := s.a.Meetings.Plan(ctx, coord, signal.NewMeeting{Title: "Signaleringsoverleg", StartsAt: time.Now().Add(72 * time.Hour).Format(time.RFC3339)})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(mt.Members)
		return mt.Members
	}
	if got := plan(); len(got) != 3 {
		t.Fatalf("without standing members: %v; want every partner", got)
	}
	bad := signal.MeetingStanding{Weekday: 9, StartTime: "25 uur", EveryWeeks: 0}
	err := s.a.Admin.SetMeetingStanding(ctx, s.admin, &bad)
	var se *signal.Error
	if !asError(err, &se) || len(se.Fields) != 4 {
		t.Fatalf("bad arrangement: %v; want weekday, start_time, every_weeks and members named", err)
	}
	ms := signal.MeetingStanding{Weekday: 2, StartTime: "15:00", EveryWeeks: 2, Members: []string{s.school.ID, s.youth.ID}}
	if err := s.a.Admin.SetMeetingStanding(ctx, s.admin, &ms); err != nil {
		t.Fatal(err)
	}
	want := []string{s.school.ID, s.youth.ID}
	slices.Sort(want)
	if got := plan(); !slices.Equal(got, want) {
		t.Fatalf("planned with standing members: %v; want %v", got, want)
	}
	m, err := s.a.Admin.Map(ctx, s.reporter)
	if err != nil {
		t.Fatal(err)
	}
	if m.Standing == nil || m.Standing.Weekday != 2 || !m.Partners[0].StandingMember == slices.Contains(want, m.Partners[0].ID) {
		t.Fatalf("the map's meeting: %+v", m.Standing)
	}
	var n int
	s.a.DB.Read().QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = ?`, signal.ActionMeetingStanding, s.admin.UserID).Scan(&n)
	if n != 1 {
		t.Fatalf("meeting.standing entries: %d; want 1", n)
	}
}
