package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/auth"
)

// Answers per meeting level for a 15-year-old, the meeting as recipient.
var chronoAnswers = map[signal.Level]string{
	signal.LevelFull: `{"purpose": "coordinate_support", "consent": {"youth": "given", "parents": "given", "recorded": true},
		"risk": {"acute_danger": false, "harm": "none", "asking_endangers": false}, "abuse": {"suspected": false}, "legal_duty": false}`,
	signal.LevelMinimal: `{"purpose": "coordinate_support", "consent": {"youth": "refused", "parents": "refused", "recorded": true},
		"risk": {"acute_danger": false, "harm": "likely", "asking_endangers": false},
		"duty_conflict": {"no_other_way": true, "prevents_harm": true, "expert_consulted": true}, "abuse": {"suspected": false}, "legal_duty": false}`,
	signal.LevelAnonymous: `{"purpose": "coordinate_support", "consent": {"youth": "not_asked", "parents": "not_asked", "recorded": false},
		"risk": {"acute_danger": false, "harm": "none", "asking_endangers": false}, "abuse": {"suspected": false}, "legal_duty": false}`,
}

// TestChronologyAcrossThreeMeetingsARestartAndAnErasure is the promise of
// issue 16 item 2, over three meetings held one after another with a
// restart between the second and the third: the coordinator opens one
// young person's history and finds, meeting by meeting, the signals that
// were new there (at the level the meeting may see them, never more than
// the agenda shows), both lead professionals in turn, the action and when
// it was done, the decisions and the closing. An anonymous signal about
// the same young person is not in it (it is never joined to them). Only
// the coordinator may open it; each opening is in the young person's
// access report and counted as a read by the oversight. After an erasure
// the history keeps what happened and shows no text.
func TestChronologyAcrossThreeMeetingsARestartAndAnErasure(t *testing.T) {
	ctx := context.Background()
	amsterdam, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	// A month ago: the audit log keeps the real time, and the oversight
	// counts up to the clock, which the test sets to the real time at the
	// end.
	day0 := time.Now().In(amsterdam).AddDate(0, -1, 0)
	clock := &testClock{t: day0}
	later := func(d time.Duration) { clock.Set(clock.Now().Add(d)) }
	db := filepath.Join(t.TempDir(), "signaal.db")
	params := auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	open := func() *app.App {
		a, err := app.Open(ctx, app.Options{DB: db, Now: clock.Now, PasswordParams: params})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	defer func() { a.Close() }()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	cli := signal.Actor{UserID: "cli", Role: signal.RoleSystem}
	hash, err := auth.HashPassword("correct horse battery staple", params)
	must(err)
	person := func(org, coop string, kind signal.OrgKind, email string, role signal.Role) signal.Actor {
		t.Helper()
		o, err := a.DB.Organisation(ctx, org)
		if err != nil {
			o = signal.Organisation{Name: org, Kind: kind,
				Contact: signal.Person{Name: "Contact " + org, Email: email, Phone: "010-1234567"},
				Deputy:  signal.Person{Name: "Deputy " + org, Email: "deputy." + email}}
			must(a.Accounts.CreateOrganisation(ctx, cli, &o, coop))
		}
		u := &signal.User{Email: email, Name: "Medewerker " + strings.Split(email, "@")[0], OrgID: o.ID, Role: role}
		must(a.Accounts.SeedUser(ctx, cli, u, hash))
		return signal.Actor{UserID: u.ID, OrgID: o.ID, Role: role}
	}
	school := person("Demo College", "Samenwerking West", signal.OrgSchool, "mentor@college.example", signal.RoleReporter)
	youth := person("Jongerenwerk", "Samenwerking West", signal.OrgYouthWork, "jamal@jongerenwerk.example", signal.RoleReporter)
	chair := person("Gemeente", "Samenwerking West", signal.OrgMunicipality, "zeynep@gemeente.example", signal.RoleCoordinator)
	officer := person("Gemeente", "Samenwerking West", signal.OrgMunicipality, "fg@gemeente.example", signal.RolePrivacyOfficer)
	elsewhere := person("Gemeente Oost", "Samenwerking Oost", signal.OrgMunicipality, "chair@oost.example", signal.RoleCoordinator)

	submit := func(by signal.Actor, name string, cat signal.Category, facts string, level signal.Level) string {
		t.Helper()
		var ans signal.Answers
		must(json.Unmarshal([]byte(chronoAnswers[level]), &ans))
		res, err := a.Signals.Submit(ctx, by, signal.NewSignal{Youth: signal.NewYouth{Name: name, BirthDate: "2011-04-30"},
			Category: cat, Facts: facts, ObservedOn: signal.Today(clock.Now()).String(), Answers: ans,
			Versions: signal.Versions{Minimal: &signal.TextVersion{Facts: facts}, Anonymous: &signal.TextVersion{Facts: facts}}}, "")
		must(err)
		if res.Decision.Level != level {
			t.Fatalf("%s: level %s, want %s", facts, res.Decision.Level, level)
		}
		later(time.Minute)
		return res.ID
	}
	plan := func(title string) *signal.Meeting {
		t.Helper()
		m, err := a.Meetings.Plan(ctx, chair, signal.NewMeeting{Title: title, StartsAt: clock.Now().Add(24 * time.Hour).Format(time.RFC3339)})
		must(err)
		return m
	}
	hold := func(m *signal.Meeting) {
		t.Helper()
		_, err := a.Meetings.Hold(ctx, chair, m.ID)
		must(err)
	}
	refOf := func(m *signal.Meeting, sig string) string {
		t.Helper()
		ag, err := a.Meetings.Agenda(ctx, chair, m.ID, false)
		must(err)
		for _, list := range [][]signal.AgendaItem{ag.Items, ag.Carried, ag.FollowUp} {
			for _, it := range list {
				for _, v := range it.Signals {
					if v.ID == sig {
						return it.Ref
					}
				}
			}
		}
		t.Fatalf("signal %s is not on the agenda of %s", sig, m.Title)
		return ""
	}
	var ref string // Sanne's item
	// What the agenda showed of each signal in its meeting, to compare with.
	agendaView := map[string]signal.SignalView{}
	opened := func(m *signal.Meeting) {
		t.Helper()
		op, err := a.Meetings.OpenItem(ctx, chair, m.ID, ref)
		must(err)
		for _, v := range op.Item.Signals {
			agendaView[v.ID] = v
		}
	}
	dueIn := func(days int) string {
		return signal.Today(clock.Now().Add(time.Duration(days) * 24 * time.Hour)).String()
	}

	// Meeting 1: two partners about Sanne (one in full, one at minimal
	// level), and an anonymous signal about her from the school.
	sigA := submit(school, "Sanne de Vries", signal.CategorySchoolAbsence, "Negen dagen afwezig sinds de vakantie.", signal.LevelFull)
	sigB := submit(youth, "Sanne de Vries", signal.CategorySubstanceUse, "Vaak gezien bij de skatebaan, laat op de avond.", signal.LevelMinimal)
	sigAnon := submit(school, "Sanne de Vries", signal.CategoryOnline, "Een onbekende vraagt om foto's.", signal.LevelAnonymous)
	m1 := plan("Overleg maart")
	ref = refOf(m1, sigA)
	if refOf(m1, sigB) != ref || refOf(m1, sigAnon) == ref {
		t.Fatal("the agenda groups Sanne's signals otherwise than expected")
	}
	const actionText, decision1, decision3 = "Huisbezoek plannen met de ouders", "Samen optrekken: school en jongerenwerk", "Aanwezig sinds april, zorg weggenomen"
	_, err = a.Meetings.AssignLead(ctx, chair, m1.ID, ref, youth.UserID)
	must(err)
	act, err := a.Meetings.AddAction(ctx, chair, m1.ID, ref, signal.NewAction{OwnerID: youth.UserID, Description: actionText, Due: dueIn(14)})
	must(err)
	dec1, err := a.Meetings.Decide(ctx, chair, m1.ID, ref, signal.NewDecision{Kind: signal.DecisionAct, Text: decision1})
	must(err)
	// A correction in meeting 1: the action was written down wrongly.
	later(10 * time.Minute)
	const actionFixed, decision1Fixed = "Huisbezoek plannen met moeder en de mentor", "Samen optrekken: school, jongerenwerk en leerplicht"
	fixed, err := a.Meetings.CorrectAction(ctx, chair, act.ID, signal.ActionCorrection{OwnerID: youth.UserID, Description: actionFixed,
		Due: dueIn(21), Reason: signal.CorrectionMistake, Version: 1})
	must(err)
	if fixed.Description != actionFixed || fixed.Version != 2 || !fixed.Corrected || fixed.Due.String() != dueIn(21) {
		t.Fatalf("the corrected action: %+v", fixed)
	}
	// The same correction posted again stores nothing new; one of the
	// replaced version is refused as changed meanwhile.
	if again, err := a.Meetings.CorrectAction(ctx, chair, act.ID, signal.ActionCorrection{OwnerID: youth.UserID, Description: actionFixed,
		Due: dueIn(21), Reason: signal.CorrectionMistake}); err != nil || again.Version != 2 {
		t.Fatalf("the same correction again: %+v %v; want version 2 unchanged", again, err)
	}
	if _, err := a.Meetings.CorrectAction(ctx, chair, act.ID, signal.ActionCorrection{OwnerID: youth.UserID, Description: "iets anders",
		Due: dueIn(21), Version: 1}); signal.ErrorCode(err) != signal.CodeConflict {
		t.Fatalf("a correction of the replaced version: %v; want a conflict", err)
	}
	// Bad input names the field and stores nothing.
	var fe *signal.Error
	if _, err := a.Meetings.CorrectAction(ctx, chair, act.ID, signal.ActionCorrection{OwnerID: youth.UserID, Description: " ",
		Due: "morgen", Reason: "oops"}); !errors.As(err, &fe) || fe.Code != signal.CodeInvalid || len(fe.Fields) != 3 {
		t.Fatalf("a correction without text, with a bad date and reason: %v; want description, due_on and reason named", err)
	}
	if _, err := a.Meetings.CorrectAction(ctx, school, act.ID, signal.ActionCorrection{OwnerID: youth.UserID, Description: "x", Due: dueIn(3)}); signal.ErrorCode(err) != signal.CodeForbidden {
		t.Fatalf("a reporter corrects an action: %v", err)
	}
	later(2 * time.Hour)
	opened(m1)
	hold(m1)
	// After the meeting, its decision is corrected (the agreement changed).
	later(time.Hour)
	dfix, err := a.Meetings.CorrectDecision(ctx, chair, dec1.ID, signal.DecisionCorrection{Kind: signal.DecisionAct, Text: decision1Fixed, Reason: signal.CorrectionChanged})
	must(err)
	if dfix.Text != decision1Fixed || dfix.Version != 2 || !dfix.Corrected {
		t.Fatalf("the corrected decision: %+v", dfix)
	}

	// Meeting 2: a new signal; the action is done; the lead changes.
	later(3 * 24 * time.Hour)
	sigD := submit(school, "Sanne de Vries", signal.CategorySchoolAbsence, "Opnieuw drie dagen afwezig.", signal.LevelFull)
	_, err = a.Meetings.SetActionDone(ctx, youth, act.ID, true)
	must(err)
	doneOn := signal.Today(clock.Now())
	m2 := plan("Overleg april")
	later(24 * time.Hour)
	_, err = a.Meetings.AssignLead(ctx, chair, m2.ID, ref, school.UserID)
	must(err)
	opened(m2)
	hold(m2)

	// A restart: everything below is read from the files again.
	a.Close()
	later(7 * 24 * time.Hour)
	a = open()

	// Meeting 3: one more signal, a decision, and the case closed.
	sigE := submit(youth, "Sanne de Vries", signal.CategorySubstanceUse, "Niet meer gezien bij de skatebaan.", signal.LevelMinimal)
	m3 := plan("Overleg mei")
	_, err = a.Meetings.Decide(ctx, chair, m3.ID, ref, signal.NewDecision{Kind: signal.DecisionAct, Text: decision3})
	must(err)
	must(a.Meetings.CloseCase(ctx, chair, m3.ID, ref, signal.CloseResolved))
	// What the agenda shows of each signal now, to compare with.
	opened(m3)
	hold(m3)
	// After meeting 3 the case is reopened: new worries. It is on the next
	// agenda as a running case; the closing stays in its history.
	later(24 * time.Hour)
	if _, err := a.Meetings.ReopenCase(ctx, chair, ref, "because"); signal.ErrorCode(err) != signal.CodeInvalid {
		t.Fatalf("a reopening without a listed reason: %v", err)
	}
	reopened, err := a.Meetings.ReopenCase(ctx, chair, ref, signal.CaseReopenNewConcern)
	must(err)
	if reopened.Status != signal.CaseOpen || reopened.ClosedAt != nil {
		t.Fatalf("the reopened case: %+v", reopened)
	}
	if _, err := a.Meetings.ReopenCase(ctx, chair, ref, signal.CaseReopenNewConcern); signal.ErrorCode(err) != signal.CodeConflict {
		t.Fatalf("reopening an open case: %v; want a conflict", err)
	}
	m4 := plan("Overleg juni")
	ag4, err := a.Meetings.Agenda(ctx, chair, m4.ID, false)
	must(err)
	if !slices.ContainsFunc(ag4.FollowUp, func(it signal.AgendaItem) bool {
		return it.Ref == ref && it.Case != nil && it.Case.Status == signal.CaseOpen
	}) {
		t.Fatalf("the reopened case is not on the next agenda as running: follow-up %d items", len(ag4.FollowUp))
	}
	// A second restart: the history is read from the files again.
	a.Close()
	a = open()
	history := func(kind signal.RecordKind, id string) []signal.RecordVersionView {
		t.Helper()
		h, err := a.Meetings.RecordHistory(ctx, chair, kind, id)
		must(err)
		return h.Versions
	}
	// Every version, nothing overwritten: the action as first written, as
	// corrected, and as marked done; the decision before and after.
	av := history(signal.RecordAction, act.ID)
	if len(av) != 3 || av[0].Text != actionText || *av[0].Due != act.Due || *av[1].Due != fixed.Due || av[1].Text != actionFixed ||
		av[1].Reason != signal.CorrectionMistake || av[1].WrittenBy == "" || av[2].DoneOn == nil || av[2].Text != actionFixed || !av[2].Current || av[0].Current {
		t.Fatalf("the action's history: %+v", av)
	}
	if !av[1].WrittenAt.After(av[0].WrittenAt) || !av[2].WrittenAt.After(av[1].WrittenAt) {
		t.Errorf("the versions' times do not follow each other: %v %v %v", av[0].WrittenAt, av[1].WrittenAt, av[2].WrittenAt)
	}
	dv := history(signal.RecordDecision, dec1.ID)
	if len(dv) != 2 || dv[0].Text != decision1 || dv[1].Text != decision1Fixed || dv[1].Reason != signal.CorrectionChanged || !dv[1].Current {
		t.Fatalf("the decision's history: %+v", dv)
	}
	// The young person's own copy (AVG art. 15) has the earlier texts too.
	recs, err := a.Meetings.CasesOf(ctx, cooperationOf(t, a, chair), strings.TrimPrefix(ref, "y-"))
	must(err)
	if len(recs) != 1 || !slices.Equal(recs[0].Earlier[act.ID], []string{actionText}) || !slices.Equal(recs[0].Earlier[dec1.ID], []string{decision1}) {
		t.Errorf("the young person's copy lacks the earlier texts: %v", recs)
	}
	if _, err := a.Meetings.RecordHistory(ctx, school, signal.RecordAction, act.ID); signal.ErrorCode(err) != signal.CodeForbidden {
		t.Errorf("a reporter reads the action's history: %v", err)
	}
	if _, err := a.Meetings.RecordHistory(ctx, elsewhere, signal.RecordAction, act.ID); signal.ErrorCode(err) != signal.CodeNotFound {
		t.Errorf("another cooperation's coordinator reads the action's history: %v", err)
	}

	views := func() int {
		t.Helper()
		var n int
		must(a.DB.Read().QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = ?`,
			signal.ActionChronologyView, chair.UserID).Scan(&n))
		return n
	}
	clock.Set(time.Now().Add(time.Minute))
	o1, err := a.Privacy.Oversight(ctx, officer, signal.OversightWindow{Days: 366, Threshold: 1})
	must(err)
	ch, err := a.Meetings.Chronology(ctx, chair, ref)
	must(err)
	if ch.Youth == nil || ch.Youth.Name != "Sanne de Vries" || ch.Anonymous {
		t.Errorf("the chronology is not about Sanne by name: %+v", ch.Youth)
	}
	titles := []string{}
	for _, cm := range ch.Meetings {
		titles = append(titles, cm.Meeting.Title)
	}
	if !slices.Equal(titles, []string{"Overleg maart", "Overleg april", "Overleg mei"}) {
		t.Fatalf("meetings in the chronology: %v, want the three in the order they were held", titles)
	}
	ids := func(vs []signal.SignalView) []string {
		out := []string{}
		for _, v := range vs {
			out = append(out, v.ID)
		}
		return out
	}
	for i, want := range [][]string{{sigA, sigB}, {sigD}, {sigE}} {
		if got := ids(ch.Meetings[i].Signals); !slices.Equal(got, want) {
			t.Errorf("%s: new signals %v, want %v", titles[i], got, want)
		}
		if !ch.Meetings[i].Discussed {
			t.Errorf("%s: not marked discussed", titles[i])
		}
	}
	for _, cm := range ch.Meetings {
		for _, v := range cm.Signals {
			if v.ID == sigAnon {
				t.Error("the anonymous signal is joined to Sanne in her chronology")
			}
			want, ok := agendaView[v.ID]
			if !ok || v.Level != want.Level || v.Facts != want.Facts || v.Opinions != want.Opinions || (v.Youth == nil) != (want.Youth == nil) {
				t.Errorf("signal %s: the chronology shows %s %q, the agenda %s %q", v.ID, v.Level, v.Facts, want.Level, want.Facts)
			}
		}
	}
	if got := ch.Meetings[0]; len(got.Leads) != 1 || got.Leads[0].UserID != youth.UserID || len(got.Actions) != 1 ||
		got.Actions[0].Description != actionFixed || !got.Actions[0].Corrected || !got.Decisions[0].Corrected || got.Actions[0].DoneOn == nil || *got.Actions[0].DoneOn != doneOn ||
		len(got.Decisions) != 1 || got.Decisions[0].Text != decision1Fixed {
		t.Errorf("meeting 1 in the chronology: %+v", got)
	}
	if got := ch.Meetings[1]; len(got.Leads) != 1 || got.Leads[0].UserID != school.UserID || len(got.Actions)+len(got.Decisions) != 0 {
		t.Errorf("meeting 2 in the chronology: %+v", got)
	}
	if got := ch.Meetings[2]; len(got.Decisions) != 1 || got.Decisions[0].Text != decision3 || got.Closed != signal.CloseResolved {
		t.Errorf("meeting 3 in the chronology: %+v", got)
	}
	// The lead history: the first lead until the second took over.
	if len(ch.Leads) != 2 || ch.Leads[0].UserID != youth.UserID || ch.Leads[1].UserID != school.UserID ||
		ch.Leads[0].Until == nil || !ch.Leads[0].Until.Equal(ch.Leads[1].AssignedAt) || ch.Leads[1].Until != nil ||
		ch.Case == nil || ch.Case.Status != signal.CaseOpen {
		t.Errorf("lead history %+v, case %+v", ch.Leads, ch.Case)
	}
	// The closing in meeting 3 is kept, with its reopening.
	if len(ch.Closings) != 1 || ch.Closings[0].CloseReason != signal.CloseResolved || ch.Closings[0].ClosedMeeting != m3.ID ||
		ch.Closings[0].ReopenReason != signal.CaseReopenNewConcern || ch.Closings[0].ReopenedBy != "" {
		t.Errorf("closings in the chronology: %+v", ch.Closings)
	}

	// Audited as a read of content: the access report lists it as a view
	// of each signal shown, and the oversight counts it.
	if n := views(); n != 2 {
		t.Errorf("%d chronology.view entries, want 2 (one per decision: the full and the minimal signals)", n)
	}
	pseudonym := strings.TrimPrefix(ref, "y-")
	rep, err := a.Privacy.AccessReport(ctx, officer, pseudonym)
	must(err)
	seen := map[string]bool{}
	for _, s := range rep.Signals {
		for _, v := range s.Views {
			if v.Action == signal.ActionChronologyView && v.UserID == chair.UserID {
				seen[s.ID] = true
			}
		}
	}
	for _, id := range []string{sigA, sigB, sigD, sigE} {
		if !seen[id] {
			t.Errorf("the access report does not list the chronology's view of signal %s", id)
		}
	}
	if seen[sigAnon] {
		t.Error("the access report lists a chronology view of the anonymous signal")
	}
	clock.Set(time.Now().Add(2 * time.Minute)) // the oversight counts up to now, excluded
	o2, err := a.Privacy.Oversight(ctx, officer, signal.OversightWindow{Days: 366, Threshold: 1})
	must(err)
	viewsOf := func(o signal.Oversight) int {
		for _, r := range o.HeavyReaders {
			if r.UserID == chair.UserID {
				return r.Views
			}
		}
		return 0
	}
	if viewsOf(o2) <= viewsOf(o1) {
		t.Errorf("the oversight counts the coordinator's views %d before and %d after the chronology", viewsOf(o1), viewsOf(o2))
	}

	// Only the coordinator of the cooperation.
	for who, actor := range map[string]signal.Actor{"a reporter": school, "the privacy officer": officer} {
		if _, err := a.Meetings.Chronology(ctx, actor, ref); signal.ErrorCode(err) != signal.CodeForbidden {
			t.Errorf("%s opens the chronology: %v", who, err)
		}
	}
	if _, err := a.Meetings.Chronology(ctx, elsewhere, ref); signal.ErrorCode(err) != signal.CodeNotFound {
		t.Errorf("another cooperation's coordinator opens the chronology: %v", err)
	}

	// An erasure after the meetings: what happened stays, no text does.
	later(24 * time.Hour)
	// Inside a registered request, the one way to erase (issue 17).
	req, err := a.Privacy.RegisterRequest(ctx, officer, signal.RequestForm{Youth: signal.YouthLookup{Name: "Sanne de Vries", BirthDate: "2011-04-30"},
		Requester: signal.Requesters[0], ReceivedOn: signal.Today(clock.Now()).String()})
	must(err)
	if req.Subject != pseudonym {
		t.Fatalf("the request is about %s, want Sanne (%s)", req.Subject, pseudonym)
	}
	erasure, err := a.Privacy.ErasurePlan(ctx, officer, req.ID)
	must(err)
	if _, err := a.Privacy.EraseOnRequest(ctx, officer, req.ID, signal.ErasureObjection, erasure.Fingerprint); err != nil {
		t.Fatalf("erase: %v", err)
	}
	ch, err = a.Meetings.Chronology(ctx, chair, ref)
	must(err)
	out, err := json.Marshal(ch)
	must(err)
	for _, secret := range []string{"Sanne", "Negen dagen", "skatebaan", "drie dagen", actionText, actionFixed, decision1, decision1Fixed, decision3} {
		if strings.Contains(string(out), secret) {
			t.Errorf("after the erasure the chronology still shows %q", secret)
		}
	}
	// Every version is erased too: the history keeps who and when, no text.
	for kind, id := range map[signal.RecordKind]string{signal.RecordAction: act.ID, signal.RecordDecision: dec1.ID} {
		vs := history(kind, id)
		if len(vs) != map[signal.RecordKind]int{signal.RecordAction: 3, signal.RecordDecision: 2}[kind] {
			t.Errorf("after the erasure the %s's history has %d versions", kind, len(vs))
		}
		for _, v := range vs {
			if v.Text != "" || !v.Erased && !v.Withheld {
				t.Errorf("after the erasure version %d of the %s shows %q (erased %v)", v.Version, kind, v.Text, v.Erased)
			}
		}
	}
	var left int
	must(a.DB.Read().QueryRow(`SELECT count(*) FROM case_record_versions WHERE length(text_ct) > 0`).Scan(&left))
	if left != 0 {
		t.Errorf("%d earlier versions keep their sealed text after the erasure", left)
	}
	erasedTexts, meetingsLeft := 0, len(ch.Meetings)
	for _, cm := range ch.Meetings {
		for _, x := range cm.Actions {
			if x.Erased || x.Withheld {
				erasedTexts++
			}
		}
		for _, x := range cm.Decisions {
			if x.Erased || x.Withheld {
				erasedTexts++
			}
		}
	}
	if meetingsLeft != 3 || erasedTexts != 3 || ch.Case == nil || len(ch.Closings) != 1 || ch.Closings[0].CloseReason != signal.CloseResolved {
		t.Errorf("after the erasure: %d meetings, %d texts marked erased or withheld (want 3, 3), case %+v", meetingsLeft, erasedTexts, ch.Case)
	}
}

// TestTheSamePostStoresOnce (issue 16 item 4): an action, a decision and a
// risk posted twice with the same idempotency key (a double click, a retry
// after a lost answer, across a restart) are stored and audited once and
// answered with the record stored the first time; another key stores
// another record; a key that is not one is refused naming the field.
func TestTheSamePostStoresOnce(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{t: time.Now()}
	db := filepath.Join(t.TempDir(), "signaal.db")
	params := auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	open := func() *app.App {
		a, err := app.Open(ctx, app.Options{DB: db, Now: clock.Now, PasswordParams: params})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	defer func() { a.Close() }()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.SeedDemo(ctx))
	u, _, err := a.DB.UserByEmail(ctx, "zorgcoordinator@demo.signaal.nl")
	must(err)
	chair := signal.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}
	list, err := a.Meetings.List(ctx, chair)
	must(err)
	mt := list[0].ID
	ag, err := a.Meetings.Agenda(ctx, chair, mt, false)
	must(err)
	var ref string
	for _, it := range ag.Items {
		if it.TextAllowed() {
			ref = it.Ref
		}
	}
	if ref == "" {
		t.Fatal("no item of the demo agenda takes texts")
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		must(a.DB.Read().QueryRow(q, args...).Scan(&n))
		return n
	}
	in := signal.NewAction{OwnerID: chair.UserID, Description: "Gesprek met de ouders plannen",
		Due: signal.Today(clock.Now().Add(7 * 24 * time.Hour)).String(), Key: signal.NewIdempotencyKey(clock.Now())}
	first, err := a.Meetings.AddAction(ctx, chair, mt, ref, in)
	must(err)
	again, err := a.Meetings.AddAction(ctx, chair, mt, ref, in)
	must(err)
	dec := signal.NewDecision{Kind: signal.DecisionAct, Text: "Samen optrekken", Key: signal.NewIdempotencyKey(clock.Now())}
	d1, err := a.Meetings.Decide(ctx, chair, mt, ref, dec)
	must(err)
	riskKey := signal.NewIdempotencyKey(clock.Now())
	r1, err := a.Meetings.AddRisk(ctx, chair, mt, "Wachtlijst jeugdhulp van twaalf weken", riskKey)
	must(err)
	// A restart between the two posts of the decision and the risk.
	a.Close()
	a = open()
	d2, err := a.Meetings.Decide(ctx, chair, mt, ref, dec)
	must(err)
	r2, err := a.Meetings.AddRisk(ctx, chair, mt, "Wachtlijst jeugdhulp van twaalf weken", riskKey)
	must(err)
	if again.ID != first.ID || again.Description != in.Description || d2.ID != d1.ID || d2.Text != dec.Text || r2.ID != r1.ID {
		t.Errorf("the second post answers another record: %s/%s, %s/%s, %s/%s", first.ID, again.ID, d1.ID, d2.ID, r1.ID, r2.ID)
	}
	for what, n := range map[string]int{
		"actions":              count(`SELECT count(*) FROM case_actions`),
		"decisions":            count(`SELECT count(*) FROM case_decisions`),
		"risks":                count(`SELECT count(*) FROM meeting_risks`),
		"case.action entries":  count(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionCaseAction),
		"case.decide entries":  count(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionCaseDecide),
		"meeting.risk entries": count(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionMeetingRisk),
	} {
		if n != 1 {
			t.Errorf("%d %s after the same post twice, want 1", n, what)
		}
	}
	// Another key: another action.
	in.Key = signal.NewIdempotencyKey(clock.Now())
	other, err := a.Meetings.AddAction(ctx, chair, mt, ref, in)
	must(err)
	if other.ID == first.ID || count(`SELECT count(*) FROM case_actions`) != 2 {
		t.Errorf("a new post with a new key was not stored")
	}
	in.Key = "not a key"
	var se *signal.Error
	if _, err := a.Meetings.AddAction(ctx, chair, mt, ref, in); !errors.As(err, &se) || se.Code != signal.CodeInvalid ||
		len(se.Fields) != 1 || se.Fields[0].Field != "idempotency_key" {
		t.Errorf("a key with spaces: %v", err)
	}
}

// TestAttendanceIsInTheMinutes (issue 16 item 4): the chair records per
// member organisation present, apologies or absent; a correction before
// the close replaces it; the minutes show it after the close and after a
// restart; once held nothing changes; a non-member or an unknown status is
// refused naming the field, and nothing of a refused post is stored.
func TestAttendanceIsInTheMinutes(t *testing.T) {
	a := openDemo(t)
	ctx, must := context.Background(), a.must
	chair := a.actor("zorgcoordinator@demo.signaal.nl")
	list, err := a.Meetings.List(ctx, chair)
	must(err)
	mt := list[0]
	if len(mt.Members) < 2 {
		t.Fatalf("the demo meeting has %d members", len(mt.Members))
	}
	first, second := mt.Members[0], mt.Members[1]
	must(a.Meetings.RecordAttendance(ctx, chair, mt.ID, map[string]signal.AttendanceStatus{first: signal.AttendanceAbsent, second: signal.AttendanceApologies}))
	// A correction: the first was there after all.
	must(a.Meetings.RecordAttendance(ctx, chair, mt.ID, map[string]signal.AttendanceStatus{first: signal.AttendancePresent}))
	var se *signal.Error
	err = a.Meetings.RecordAttendance(ctx, chair, mt.ID, map[string]signal.AttendanceStatus{first: "late", "org_nobody": signal.AttendancePresent})
	if !errors.As(err, &se) || se.Code != signal.CodeInvalid || len(se.Fields) != 2 ||
		se.Fields[0].Field != "attendance["+first+"]" && se.Fields[1].Field != "attendance["+first+"]" {
		t.Errorf("a wrong status and a non-member: %v", err)
	}
	_, err = a.Meetings.Hold(ctx, chair, mt.ID)
	must(err)
	if err := a.Meetings.RecordAttendance(ctx, chair, mt.ID, map[string]signal.AttendanceStatus{second: signal.AttendancePresent}); signal.ErrorCode(err) != signal.CodeConflict {
		t.Errorf("attendance changed after the close: %v", err)
	}
	a.restart()
	mn, err := a.Meetings.Minutes(ctx, chair, mt.ID)
	must(err)
	if mn.Attendance[first] != signal.AttendancePresent || mn.Attendance[second] != signal.AttendanceApologies || len(mn.Attendance) != 2 {
		t.Errorf("attendance in the minutes: %v", mn.Attendance)
	}
	var n int
	must(a.DB.Read().QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionMeetingAttendance).Scan(&n))
	if n != 2 {
		t.Errorf("%d meeting.attendance entries, want 2 (the refused post stores nothing)", n)
	}
}

// The minutes (and the meeting page) list the members by organisation,
// then contact person, whatever order the meeting was planned with.
func TestMinutesListTheMembersInAStableOrder(t *testing.T) {
	a := openDemo(t)
	ctx, clock := context.Background(), a.clock
	chair := a.actor("zorgcoordinator@demo.signaal.nl")
	list, err := a.Meetings.List(ctx, chair)
	if err != nil {
		t.Fatal(err)
	}
	d, err := a.Meetings.Get(ctx, chair, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, o := range d.Members {
		want = append(want, o.Name)
	}
	if len(want) < 3 || !slices.IsSortedFunc(want, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
		t.Fatalf("the meeting page's members %v: want at least 3, by organisation", want)
	}
	// Planned in the reverse order.
	var reversed []string
	for i := len(d.Members) - 1; i >= 0; i-- {
		reversed = append(reversed, d.Members[i].OrgID)
	}
	mt, err := a.Meetings.Plan(ctx, chair, signal.NewMeeting{Title: "Extra overleg", StartsAt: clock.Now().Add(96 * time.Hour).Format(time.RFC3339), Members: reversed})
	if err != nil {
		t.Fatal(err)
	}
	mn, err := a.Meetings.Minutes(ctx, chair, mt.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range mn.Members {
		got = append(got, o.Name)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the minutes list the members as %v; want %v", got, want)
	}
}

// TestReopeningAHeldMeetingLosesNothing (issue 16 item 4): the meeting
// held last is reopened with a reason; a signal that came in after the
// first close is then new on it (its window runs on to the new close) and
// not on the next meeting, so it is still new on exactly one agenda; what
// was recorded stays; the minutes say when and why it was reopened. A
// meeting with a later meeting held after it cannot be reopened; without a
// reason nothing changes.
func TestReopeningAHeldMeetingLosesNothing(t *testing.T) {
	a := openDemo(t)
	ctx, clock, must, actor := context.Background(), a.clock, a.must, a.actor
	later := func(d time.Duration) { clock.Set(clock.Now().Add(d)) }
	chair, mentor := actor("zorgcoordinator@demo.signaal.nl"), actor("mentor@demo.signaal.nl")
	list, err := a.Meetings.List(ctx, chair)
	must(err)
	m1 := list[0]
	newOn := func(m string) map[string]bool {
		t.Helper()
		ag, err := a.Meetings.Agenda(ctx, chair, m, false)
		must(err)
		out := map[string]bool{}
		for _, it := range ag.Items {
			for _, v := range it.Signals {
				out[v.ID] = true
			}
		}
		return out
	}
	before := newOn(m1.ID)
	later(time.Hour)
	_, err = a.Meetings.Hold(ctx, chair, m1.ID)
	must(err)
	decisionsBefore := 0
	must(a.DB.Read().QueryRow(`SELECT count(*) FROM case_decisions`).Scan(&decisionsBefore))

	// A signal after the close.
	later(time.Hour)
	var ans signal.Answers
	must(json.Unmarshal([]byte(chronoAnswers[signal.LevelFull]), &ans))
	res, err := a.Signals.Submit(ctx, mentor, signal.NewSignal{Youth: signal.NewYouth{Name: "Fenna Bos", BirthDate: "2011-04-30"},
		Category: signal.CategorySchoolAbsence, Facts: "Vier dagen afwezig.", ObservedOn: signal.Today(clock.Now()).String(), Answers: ans,
		Versions: signal.Versions{Minimal: &signal.TextVersion{Facts: "Vier dagen afwezig."}, Anonymous: &signal.TextVersion{Facts: "Vier dagen afwezig."}}}, "")
	must(err)
	late := res.ID

	// No reason, another role: nothing changes.
	var se *signal.Error
	if _, err := a.Meetings.Reopen(ctx, chair, m1.ID, ""); !errors.As(err, &se) || se.Code != signal.CodeInvalid || se.Fields[0].Field != "reason" {
		t.Errorf("reopened without a reason: %v", err)
	}
	if _, err := a.Meetings.Reopen(ctx, mentor, m1.ID, signal.ReopenForgotten); signal.ErrorCode(err) != signal.CodeForbidden {
		t.Errorf("a reporter reopens: %v", err)
	}
	later(time.Minute)
	mt, err := a.Meetings.Reopen(ctx, chair, m1.ID, signal.ReopenForgotten)
	must(err)
	if mt.Status != signal.MeetingPlanned {
		t.Fatalf("reopened meeting is %s", mt.Status)
	}
	// A restart while it is open again.
	a.restart()
	now := newOn(m1.ID)
	for id := range before {
		if !now[id] {
			t.Errorf("signal %s left the reopened meeting's agenda", id)
		}
	}
	if !now[late] {
		t.Error("the signal that came in after the first close is not new on the reopened meeting")
	}
	var decisionsAfter int
	must(a.DB.Read().QueryRow(`SELECT count(*) FROM case_decisions`).Scan(&decisionsAfter))
	if decisionsAfter != decisionsBefore {
		t.Errorf("reopening changed the decisions: %d, was %d", decisionsAfter, decisionsBefore)
	}
	later(time.Hour)
	_, err = a.Meetings.Hold(ctx, chair, m1.ID)
	must(err)
	mn, err := a.Meetings.Minutes(ctx, chair, m1.ID)
	must(err)
	if len(mn.Reopened) != 1 || mn.Reopened[0].Reason != signal.ReopenForgotten || mn.Reopened[0].By != "" || !mn.Final {
		t.Errorf("minutes after reopening: final %v, reopened %+v", mn.Final, mn.Reopened)
	}
	// The next meeting: the late signal is not new there.
	later(time.Hour)
	m2, err := a.Meetings.Plan(ctx, chair, signal.NewMeeting{Title: "Volgend overleg", StartsAt: clock.Now().Add(24 * time.Hour).Format(time.RFC3339)})
	must(err)
	if newOn(m2.ID)[late] {
		t.Error("the late signal is new on two agendas")
	}
	later(time.Hour)
	_, err = a.Meetings.Hold(ctx, chair, m2.ID)
	must(err)
	if _, err := a.Meetings.Reopen(ctx, chair, m1.ID, signal.ReopenCorrection); signal.ErrorCode(err) != signal.CodeConflict {
		t.Errorf("reopening a meeting with a later one held: %v", err)
	}
	var n int
	must(a.DB.Read().QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionMeetingReopen).Scan(&n))
	if n != 1 {
		t.Errorf("%d meeting.reopen entries, want 1", n)
	}
}

// TestRisksCarryOverWithOwnerAndStatus (issue 16 item 4): a risk noted in
// one meeting gets an owner; after the close it is on the next agenda with
// that owner (across a restart) until a meeting resolves it, and then on
// no later agenda. Every change is kept; a wrong status or owner is
// refused naming the field.
func TestRisksCarryOverWithOwnerAndStatus(t *testing.T) {
	a := openDemo(t)
	ctx, clock, must, actor := context.Background(), a.clock, a.must, a.actor
	later := func(d time.Duration) { clock.Set(clock.Now().Add(d)) }
	chair, worker := actor("zorgcoordinator@demo.signaal.nl"), actor("jongerenwerker@demo.signaal.nl")
	list, err := a.Meetings.List(ctx, chair)
	must(err)
	m1 := list[0].ID
	r, err := a.Meetings.AddRisk(ctx, chair, m1, "Wachtlijst jeugdhulp van twaalf weken", "")
	must(err)
	var se *signal.Error
	if _, err := a.Meetings.UpdateRisk(ctx, chair, m1, r.ID, "usr_nobody", "later"); !errors.As(err, &se) || len(se.Fields) != 2 {
		t.Errorf("a wrong owner and status: %v", err)
	}
	_, err = a.Meetings.UpdateRisk(ctx, chair, m1, r.ID, worker.UserID, signal.RiskOpen)
	must(err)
	// Its text corrected in the same meeting: the first text is kept.
	const first, fixed, changed = "Wachtlijst jeugdhulp van twaalf weken", "Wachtlijst jeugdhulp van zestien weken", "Wachtlijst jeugdhulp van zestien weken, ook bij spoed"
	later(time.Minute)
	c1, err := a.Meetings.CorrectRisk(ctx, chair, m1, r.ID, fixed, signal.CorrectionMistake, 1)
	must(err)
	if c1.Text != fixed || c1.TextVersion != 2 || !c1.Corrected || len(c1.Versions) != 1 || c1.Versions[0].Text != first || c1.Versions[0].WrittenBy == "" {
		t.Fatalf("the corrected risk: %+v", c1)
	}
	// A correction that names a young person of the meeting is refused
	// like a new risk, naming the field; nothing is stored.
	if _, err := a.Meetings.CorrectRisk(ctx, chair, m1, r.ID, "Sanne de Vries wacht al zestien weken", "", 2); !errors.As(err, &se) ||
		se.Code != signal.CodeInvalid || len(se.Fields) != 1 || se.Fields[0].Field != "text" {
		t.Fatalf("a correction naming a young person: %v", err)
	}
	if _, err := a.Meetings.CorrectRisk(ctx, chair, m1, r.ID, "Wachtlijst", "", 1); signal.ErrorCode(err) != signal.CodeConflict {
		t.Fatalf("a correction of the replaced text: %v; want a conflict", err)
	}
	later(time.Hour)
	_, err = a.Meetings.Hold(ctx, chair, m1)
	must(err)
	plan := func(title string) string {
		t.Helper()
		later(time.Hour)
		m, err := a.Meetings.Plan(ctx, chair, signal.NewMeeting{Title: title, StartsAt: clock.Now().Add(24 * time.Hour).Format(time.RFC3339)})
		must(err)
		return m.ID
	}
	carried := func(m string) []signal.RiskNote {
		t.Helper()
		ag, err := a.Meetings.Agenda(ctx, chair, m, false)
		must(err)
		return ag.CarriedRisks
	}
	m2 := plan("Tweede overleg")
	a.restart()
	got := carried(m2)
	if len(got) != 1 || got[0].ID != r.ID || got[0].Owner == nil || got[0].Owner.UserID != worker.UserID || got[0].Status != signal.RiskOpen ||
		got[0].Text != fixed || !got[0].Corrected || len(got[0].Versions) != 1 || got[0].Versions[0].Text != first {
		t.Fatalf("carried risks on the next agenda: %+v", got)
	}
	// Corrected again in the next meeting; the held one's is closed.
	if _, err := a.Meetings.CorrectRisk(ctx, chair, m1, r.ID, changed, signal.CorrectionChanged, 2); signal.ErrorCode(err) != signal.CodeConflict {
		t.Fatalf("a risk corrected under a held meeting: %v", err)
	}
	c2, err := a.Meetings.CorrectRisk(ctx, chair, m2, r.ID, changed, signal.CorrectionChanged, 2)
	must(err)
	if c2.Text != changed || c2.TextVersion != 3 || len(c2.Versions) != 2 || c2.Versions[0].Text != first || c2.Versions[1].Text != fixed ||
		c2.Versions[1].Reason != signal.CorrectionMistake {
		t.Fatalf("the risk corrected again: %+v", c2)
	}
	a.restart()
	mn, err := a.Meetings.Minutes(ctx, chair, m1)
	must(err)
	if len(mn.Risks) != 1 || mn.Risks[0].Text != changed || !mn.Risks[0].Corrected || len(mn.Risks[0].Versions) != 2 {
		t.Fatalf("the first meeting's minutes show the risk as %+v; want the current text, marked changed, with both earlier ones", mn.Risks)
	}
	later(time.Hour)
	_, err = a.Meetings.Hold(ctx, chair, m2)
	must(err)
	m3 := plan("Derde overleg")
	if got := carried(m3); len(got) != 1 {
		t.Fatalf("an open risk left the agenda: %+v", got)
	}
	_, err = a.Meetings.UpdateRisk(ctx, chair, m3, r.ID, worker.UserID, signal.RiskResolved)
	must(err)
	later(time.Hour)
	_, err = a.Meetings.Hold(ctx, chair, m3)
	must(err)
	m4 := plan("Vierde overleg")
	if got := carried(m4); len(got) != 0 {
		t.Errorf("a resolved risk is still carried: %+v", got)
	}
	if _, err := a.Meetings.UpdateRisk(ctx, chair, m3, r.ID, "", signal.RiskOpen); signal.ErrorCode(err) != signal.CodeConflict {
		t.Errorf("a risk changed under a held meeting: %v", err)
	}
	var n, audited int
	must(a.DB.Read().QueryRow(`SELECT count(*) FROM risk_updates WHERE risk_id = ?`, r.ID).Scan(&n))
	must(a.DB.Read().QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionMeetingRiskUpdate).Scan(&audited))
	if n != 2 || audited != 2 {
		t.Errorf("%d changes kept, %d audited; want 2, 2", n, audited)
	}
	must(a.DB.Read().QueryRow(`SELECT count(*) FROM risk_text_versions WHERE risk_id = ?`, r.ID).Scan(&n))
	must(a.DB.Read().QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionMeetingRiskCorrect).Scan(&audited))
	if n != 2 || audited != 2 {
		t.Errorf("%d earlier texts kept, %d corrections audited; want 2, 2", n, audited)
	}
}

// demoApp is the app on a database file of its own in t.TempDir(), the
// demo seeded, its clock at the real time: the set-up of the meeting
// tests that run on the demo. restart closes it and opens it again on the
// same file; it is closed when the test ends.
type demoApp struct {
	*app.App
	t     *testing.T
	db    string
	clock *testClock
}

func openDemo(t *testing.T) *demoApp {
	t.Helper()
	d := &demoApp{t: t, db: filepath.Join(t.TempDir(), "signaal.db"), clock: &testClock{t: time.Now()}}
	d.open()
	t.Cleanup(func() { d.App.Close() })
	d.must(d.SeedDemo(context.Background()))
	return d
}

func (d *demoApp) open() {
	d.t.Helper()
	a, err := app.Open(context.Background(), app.Options{DB: d.db, Now: d.clock.Now,
		PasswordParams: auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	d.must(err)
	d.App = a
}

// restart closes the app and opens it on the same file.
func (d *demoApp) restart() {
	d.t.Helper()
	d.must(d.App.Close())
	d.open()
}

func (d *demoApp) must(err error) {
	d.t.Helper()
	if err != nil {
		d.t.Fatal(err)
	}
}

// actor is the demo account with address email as an actor.
func (d *demoApp) actor(email string) signal.Actor {
	d.t.Helper()
	u, _, err := d.DB.UserByEmail(context.Background(), email)
	d.must(err)
	return signal.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role}
}

// cooperationOf is the cooperation of actor's organisation.
func cooperationOf(t *testing.T, a *app.App, actor signal.Actor) string {
	t.Helper()
	var coop string
	if err := a.DB.Read().QueryRow(`SELECT cooperation_id FROM organisations WHERE id = ?`, actor.OrgID).Scan(&coop); err != nil {
		t.Fatal(err)
	}
	return coop
}
