package sqlite_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/audit/audittest"
	"github.com/signaal-nl/signaal/policy"
	"github.com/signaal-nl/signaal/rego"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/keystore"
	"github.com/signaal-nl/signaal/signal/sqlite"
	"github.com/signaal-nl/signaal/signal/textcheck"
)

var loadPolicy = sync.OnceValues(func() (*policy.Engine, error) {
	return policy.Load(context.Background(), rego.FS)
})

// meetingEnv is a cooperation with a school, a youth-work organisation and
// a municipality whose coordinator chairs the meeting, on a real database,
// the real policy and a real key store, with a clock the test moves.
type meetingEnv struct {
	t           testing.TB
	db          *sqlite.DB
	keys        *keystore.Store
	signals     *signal.Signals
	meetings    *signal.Meetings
	now         time.Time
	school      signal.Actor
	youthwork   signal.Actor
	coordinator signal.Actor
	elsewhere   signal.Actor // coordinator of another cooperation
}

func newMeetingEnv(t testing.TB) *meetingEnv { return newMeetingEnvWith(t, nil) }

// newMeetingEnvWith lets a benchmark wrap the real policy and signal store
// (to reuse decisions while seeding, to time the audit appends).
func newMeetingEnvWith(t testing.TB, wrap func(signal.Decider, signal.SignalStore) (signal.Decider, signal.SignalStore)) *meetingEnv {
	t.Helper()
	ctx := context.Background()
	engine, err := loadPolicy()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	e := &meetingEnv{t: t, now: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return e.now }
	e.db, err = sqlite.Open(ctx, filepath.Join(dir, "signaal.db"), sqlite.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.db.Close() })
	keys, err := keystore.Open(ctx, filepath.Join(dir, "keys"), keystore.Options{Keys: e.db.YouthKeys()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keys.Close() })
	e.keys = keys
	var decider signal.Decider = engine
	var store signal.SignalStore = e.db.Signals()
	if wrap != nil {
		decider, store = wrap(decider, store)
	}
	disclosure := signal.NewDisclosure(keys, e.db, textcheck.Default())
	e.signals = signal.NewSignals(decider, keys, store, disclosure, signal.SignalsOptions{Now: clock})
	stores := e.db.MeetingStores()
	stores.Audit = store // the meeting's reads are audited through the (wrapped) signal store
	e.meetings = signal.NewMeetings(disclosure, keys, stores, signal.MeetingsOptions{Evaluations: e.db.Meetings(), Now: clock, TextChecker: textcheck.Default()})
	e.school = e.person("Demo College", "Samenwerking Test", signal.OrgSchool, "mentor@college.example", signal.RoleReporter)
	e.youthwork = e.person("Jongerenwerk", "Samenwerking Test", signal.OrgYouthWork, "jw@jongerenwerk.example", signal.RoleReporter)
	e.coordinator = e.person("Gemeente", "Samenwerking Test", signal.OrgMunicipality, "zc@gemeente.example", signal.RoleCoordinator)
	e.elsewhere = e.person("Gemeente Elders", "Samenwerking Elders", signal.OrgMunicipality, "zc@elders.example", signal.RoleCoordinator)
	return e
}

// person adds an account; the organisation's contact person is the first
// account made in it.
func (e *meetingEnv) person(org, coop string, kind signal.OrgKind, email string, role signal.Role) signal.Actor {
	e.t.Helper()
	ctx := context.Background()
	o, err := e.db.Organisation(ctx, org)
	if err != nil {
		o = signal.Organisation{Name: org, Kind: kind,
			Contact: signal.Person{Name: "Contact " + org, Email: email, Phone: "010-1234567"},
			Deputy:  signal.Person{Name: "Deputy " + org, Email: "deputy." + email}}
		if err := accountsOf(e.t, e.db).CreateOrganisation(ctx, cli, &o, coop); err != nil {
			e.t.Fatal(err)
		}
	}
	u := &signal.User{Email: email, Name: "Person " + email, OrgID: o.ID, Role: role}
	if err := accountsOf(e.t, e.db).SeedUser(ctx, cli, u, "$argon2id$test"); err != nil {
		e.t.Fatal(err)
	}
	return signal.Actor{UserID: u.ID, OrgID: o.ID, Role: role, RequestID: "req-test", IP: "127.0.0.1"}
}

// answers per meeting level for a 15-year-old (the young person and the
// parents must consent), with the meeting as recipient.
var answersFor = map[signal.Level]string{
	signal.LevelFull: `{"purpose": "coordinate_support",
		"consent": {"youth": "given", "parents": "given", "recorded": true},
		"risk": {"acute_danger": false, "harm": "none", "asking_endangers": false},
		"abuse": {"suspected": false}, "legal_duty": false}`,
	signal.LevelMinimal: `{"purpose": "coordinate_support",
		"consent": {"youth": "refused", "parents": "refused", "recorded": true},
		"risk": {"acute_danger": false, "harm": "likely", "asking_endangers": false},
		"duty_conflict": {"no_other_way": true, "prevents_harm": true, "expert_consulted": true},
		"abuse": {"suspected": false}, "legal_duty": false}`,
	signal.LevelExistence: `{"purpose": "coordinate_support",
		"consent": {"youth": "refused", "parents": "refused", "recorded": true},
		"risk": {"acute_danger": false, "harm": "none", "asking_endangers": false},
		"abuse": {"suspected": false}, "legal_duty": false}`,
	signal.LevelAnonymous: `{"purpose": "coordinate_support",
		"consent": {"youth": "not_asked", "parents": "not_asked", "recorded": false},
		"risk": {"acute_danger": false, "harm": "none", "asking_endangers": false},
		"abuse": {"suspected": false}, "legal_duty": false}`,
	// Acute danger: 112 now, nothing goes through the meeting (R1).
	signal.LevelNone: `{"purpose": "coordinate_support",
		"consent": {"youth": "given", "parents": "given", "recorded": true},
		"risk": {"acute_danger": true, "harm": "likely", "asking_endangers": false},
		"abuse": {"suspected": false}, "legal_duty": false}`,
}

// submit records a signal about name (born 2011-04-30) at level, and checks
// the policy decided that level for the meeting.
func (e *meetingEnv) submit(by signal.Actor, name string, cat signal.Category, facts, opinions string, level signal.Level) string {
	e.t.Helper()
	in := e.newSignal(name, cat, facts, opinions, level)
	res, err := e.signals.Submit(context.Background(), by, in, "")
	if err != nil {
		e.t.Fatalf("submit: %v", err)
	}
	if res.Decision.Level != level {
		e.t.Fatalf("submit %s: level %s (%s %s), want %s", name, res.Decision.Level, res.Decision.Outcome, res.Decision.Rule, level)
	}
	e.now = e.now.Add(time.Minute)
	return res.ID
}

func (e *meetingEnv) newSignal(name string, cat signal.Category, facts, opinions string, level signal.Level) signal.NewSignal {
	var a signal.Answers
	if err := json.Unmarshal([]byte(answersFor[level]), &a); err != nil {
		e.t.Fatal(err)
	}
	return signal.NewSignal{
		Youth: signal.NewYouth{Name: name, BirthDate: "2011-04-30"}, Category: cat,
		Facts: facts, Opinions: opinions, ObservedOn: signal.Today(e.now).String(), Answers: a,
		Versions: sameVersions(facts, opinions),
	}
}

// sameVersions is the reporter confirming the signal's own text for the
// levels below full (issue 14): the tests' texts name no one.
func sameVersions(facts, opinions string) signal.Versions {
	return signal.Versions{
		Minimal:   &signal.TextVersion{Facts: facts},
		Anonymous: &signal.TextVersion{Facts: facts, Opinions: opinions},
	}
}

func (e *meetingEnv) plan(title string, startsAt time.Time) *signal.Meeting {
	e.t.Helper()
	m, err := e.meetings.Plan(context.Background(), e.coordinator, signal.NewMeeting{Title: title, StartsAt: startsAt.Format(time.RFC3339)})
	if err != nil {
		e.t.Fatalf("plan: %v", err)
	}
	return m
}

func (e *meetingEnv) agenda(id string, projector bool) signal.Agenda {
	e.t.Helper()
	ag, err := e.meetings.Agenda(context.Background(), e.coordinator, id, projector)
	if err != nil {
		e.t.Fatalf("agenda: %v", err)
	}
	return ag
}

func (e *meetingEnv) count(q string, args ...any) int {
	e.t.Helper()
	return audittest.Count(e.t, e.db.Read(), q, args...)
}

// findSignal returns the item and the view of signal id on the agenda.
func findSignal(ag signal.Agenda, id string) (*signal.AgendaItem, *signal.SignalView) {
	for _, list := range [][]signal.AgendaItem{ag.Items, ag.FollowUp} {
		for i := range list {
			for j := range list[i].Signals {
				if list[i].Signals[j].ID == id {
					return &list[i], &list[i].Signals[j]
				}
			}
		}
	}
	return nil, nil
}

func TestAgendaShowsEachSignalOnlyAtTheLevelTheDecisionAllowed(t *testing.T) {
	e := newMeetingEnv(t)
	ids := map[signal.Level]string{}
	for _, l := range []signal.Level{signal.LevelFull, signal.LevelMinimal, signal.LevelExistence, signal.LevelAnonymous, signal.LevelNone} {
		// A different young person per level, so each stands alone. The
		// anonymous one's name is not in its text: "feiten anonymous" about
		// "Jongere anonymous" names them, and the gate would withhold it.
		name := "Jongere " + string(l)
		if l == signal.LevelAnonymous {
			name = "Jongere Onbekend"
		}
		ids[l] = e.submit(e.school, name, signal.CategoryWellbeing, "feiten "+string(l), "mening "+string(l), l)
	}
	m := e.plan("Overleg november", e.now.Add(24*time.Hour))
	ag := e.agenda(m.ID, false)

	tests := []struct {
		level                                       signal.Level
		onAgenda, name, category, facts, opinions   bool
		reporterContact, anonymousItem, projectName bool
	}{
		{level: signal.LevelFull, onAgenda: true, name: true, category: true, facts: true, opinions: true, reporterContact: true, projectName: true},
		{level: signal.LevelMinimal, onAgenda: true, name: true, category: true, facts: true, reporterContact: true},
		{level: signal.LevelExistence, onAgenda: true, name: true, reporterContact: true},
		{level: signal.LevelAnonymous, onAgenda: true, category: true, facts: true, opinions: true, reporterContact: true, anonymousItem: true},
		{level: signal.LevelNone},
	}
	proj := e.agenda(m.ID, true)
	for _, tc := range tests {
		t.Run(string(tc.level), func(t *testing.T) {
			it, v := findSignal(ag, ids[tc.level])
			if (v != nil) != tc.onAgenda {
				t.Fatalf("on the agenda: %v, want %v", v != nil, tc.onAgenda)
			}
			if v == nil {
				return
			}
			if v.Level != tc.level {
				t.Errorf("level %s, want %s", v.Level, tc.level)
			}
			hasName := v.Youth != nil && v.Youth.Name == "Jongere "+string(tc.level)
			if hasName != tc.name || (it.Youth != nil) != tc.name {
				t.Errorf("name shown: signal %v, item %v; want %v", hasName, it.Youth != nil, tc.name)
			}
			if (v.Category != "") != tc.category {
				t.Errorf("category shown: %v, want %v", v.Category != "", tc.category)
			}
			if (v.Facts == "feiten "+string(tc.level)) != tc.facts {
				t.Errorf("facts shown: %q, want %v", v.Facts, tc.facts)
			}
			if (v.Opinions != "") != tc.opinions {
				t.Errorf("opinions shown: %q, want %v", v.Opinions, tc.opinions)
			}
			if (v.Reporter != nil && v.Reporter.Contact.Email != "") != tc.reporterContact {
				t.Errorf("reporter contact shown: %v, want %v", v.Reporter != nil, tc.reporterContact)
			}
			if it.Anonymous != tc.anonymousItem || tc.anonymousItem && strings.HasPrefix(it.Ref, "y-") {
				t.Errorf("anonymous item %v (ref %s), want %v", it.Anonymous, it.Ref, tc.anonymousItem)
			}
			if !tc.category && it.CategoryNotShared != 1 {
				t.Errorf("category not shared: %d, want 1", it.CategoryNotShared)
			}
			pit, pv := findSignal(proj, ids[tc.level])
			if got := pit.Youth != nil || pv.Youth != nil; got != tc.projectName {
				t.Errorf("projector shows identity: %v, want %v", got, tc.projectName)
			}
			if !tc.projectName && pit.Label == "" {
				t.Error("projector item without identity has no label")
			}
		})
	}
	// Every signal shown was audited under the young person's pseudonym,
	// with the level and fields shown: the access report (AVG art. 15)
	// lists each view of the agenda and each view on the projector.
	for _, tc := range []struct {
		level             signal.Level
		viewed, projected []string
	}{
		{signal.LevelFull, []string{"identity", "facts", "opinions"}, []string{"identity", "facts", "opinions"}},
		// The projector shows free text only where shared in full (issue
		// 14, item 4): a minimal or anonymous signal is projected without.
		{signal.LevelMinimal, []string{"identity", "facts"}, nil},
		{signal.LevelExistence, []string{"identity"}, nil},
		{signal.LevelAnonymous, []string{"facts", "opinions"}, nil},
		{signal.LevelNone, nil, nil},
	} {
		t.Run("access report of the "+string(tc.level)+" signal", func(t *testing.T) {
			views := e.agendaViews(m.CooperationID, ids[tc.level])
			want := map[signal.AuditAction][]string{}
			if tc.level != signal.LevelNone {
				want = map[signal.AuditAction][]string{signal.ActionAgendaView: tc.viewed, signal.ActionAgendaProject: tc.projected}
			}
			if len(views) != len(want) {
				t.Fatalf("views %+v, want one agenda.view and one agenda.project", views)
			}
			for _, v := range views {
				if v.Level != string(tc.level) || v.Meeting != m.ID || v.Recipient != "signal_meeting" || v.Role != "coordinator" ||
					v.Rule == "" || v.Policy == "" || !slices.Equal(v.Fields, want[v.Action]) {
					t.Errorf("%s: %+v, want level %s, meeting %s, fields %v", v.Action, v, tc.level, m.ID, want[v.Action])
				}
			}
		})
	}
	// One entry per young person and decision, plus one per view.
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND object = ?`, signal.ActionAgendaView, "meeting/"+m.ID); n != 5 {
		t.Errorf("agenda.view entries: %d, want 5 (the view, 4 young people shown)", n)
	}
}

// Logs written before the agenda was audited per young person hold one
// entry per signal shown (object signal/<id>): the access report still
// lists those as views.
func TestAccessReportReadsAgendaViewsAuditedPerSignal(t *testing.T) {
	e := newMeetingEnv(t)
	ctx := context.Background()
	id := e.submit(e.school, "Sanne de Vries", signal.CategorySchoolAbsence, "vaak afwezig", "", signal.LevelFull)
	sig, err := e.db.Signals().Signal(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	old := signal.AuditEvent{Action: signal.ActionAgendaView, Object: "signal/" + id, Subject: sig.Youth,
		Decision: &signal.AuditedDecision{Recipient: "signal_meeting", Decision: signal.Decision{Outcome: sig.Decision.Outcome,
			Level: signal.LevelFull, Rule: sig.Decision.Rule, Fields: []signal.Field{signal.FieldIdentity, signal.FieldFacts},
			PolicyVersion: sig.Decision.PolicyVersion}}}
	if err := e.db.Signals().Record(ctx, e.coordinator, []signal.AuditEvent{old}); err != nil {
		t.Fatal(err)
	}
	m := e.plan("Overleg", e.now.Add(time.Hour))
	e.agenda(m.ID, false)
	views := e.agendaViews(sig.CooperationID, id)
	if len(views) != 2 || views[0].Meeting != "" || views[0].Level != "full" || !slices.Equal(views[0].Fields, []string{"identity", "facts"}) ||
		views[1].Meeting != m.ID || !slices.Equal(views[1].Fields, []string{"identity", "facts"}) {
		t.Errorf("views %+v, want the entry per signal, then the entry per young person of meeting %s", views, m.ID)
	}
}

// agendaViews returns the views of the agenda of signal id in the access
// report about its young person.
func (e *meetingEnv) agendaViews(coop, id string) []signal.AccessEvent {
	e.t.Helper()
	ctx := context.Background()
	sig, err := e.db.Signals().Signal(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	orgs, err := e.db.Privacy().CooperationOrgs(ctx, coop)
	if err != nil || len(orgs) == 0 {
		e.t.Fatal(err)
	}
	officer := signal.Actor{UserID: "privacy-officer", OrgID: orgs[0], Role: signal.RolePrivacyOfficer}
	rep, err := privacyOf(e.db).AccessReport(ctx, officer, sig.Youth)
	if err != nil {
		e.t.Fatal(err)
	}
	var views []signal.AccessEvent
	for _, s := range rep.Signals {
		if s.ID != id {
			continue
		}
		for _, v := range s.Views {
			if strings.HasPrefix(string(v.Action), "agenda.") {
				views = append(views, v)
			}
		}
	}
	return views
}

// recordingStore is the real signal store with its Record replaced.
type recordingStore struct {
	signal.SignalStore
	record func(ctx context.Context, actor signal.Actor, events []signal.AuditEvent) error
}

func (s recordingStore) Record(ctx context.Context, actor signal.Actor, events []signal.AuditEvent) error {
	return s.record(ctx, actor, events)
}

// Fail closed: an agenda whose view cannot be audited is not shown.
func TestAgendaIsNotShownWhenItsViewCannotBeAudited(t *testing.T) {
	var refuse bool
	e := newMeetingEnvWith(t, func(d signal.Decider, s signal.SignalStore) (signal.Decider, signal.SignalStore) {
		return d, recordingStore{SignalStore: s, record: func(ctx context.Context, actor signal.Actor, events []signal.AuditEvent) error {
			if refuse {
				return errors.New("disk full")
			}
			return s.Record(ctx, actor, events)
		}}
	})
	e.submit(e.school, "Sanne de Vries", signal.CategorySchoolAbsence, "vaak afwezig", "", signal.LevelFull)
	m := e.plan("Overleg", e.now.Add(time.Hour))
	refuse = true
	for _, projector := range []bool{false, true} {
		ag, err := e.meetings.Agenda(context.Background(), e.coordinator, m.ID, projector)
		if err == nil || len(ag.Items) != 0 {
			t.Errorf("projector %v: agenda with %d items and error %v, want no agenda and an error", projector, len(ag.Items), err)
		}
	}
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE action LIKE 'agenda.%'`); n != 0 {
		t.Errorf("%d agenda entries in the audit log, want none", n)
	}
	refuse = false
	if ag := e.agenda(m.ID, false); len(ag.Items) != 1 {
		t.Errorf("agenda once the audit works again: %d items, want 1", len(ag.Items))
	}
}

func TestAgendaNeverJoinsAnAnonymousSignalToTheYoungPerson(t *testing.T) {
	e := newMeetingEnv(t)
	full := e.submit(e.school, "Sanne de Vries", signal.CategorySchoolAbsence, "vaak afwezig", "", signal.LevelFull)
	anon := e.submit(e.youthwork, "Sanne de Vries", signal.CategoryOnline, "online contact met onbekenden", "", signal.LevelAnonymous)
	ag := e.agenda(e.plan("Overleg", e.now.Add(time.Hour)).ID, false)
	fi, _ := findSignal(ag, full)
	ai, av := findSignal(ag, anon)
	if fi == ai {
		t.Fatal("the anonymous signal is in the young person's item: that would tell the meeting who it is about")
	}
	if ai.Youth != nil || av.Youth != nil || strings.Contains(ai.Ref, fi.Ref[2:]) {
		t.Errorf("the anonymous item carries an identity or the young person's ref: %+v", ai)
	}
	if fi.Match || ai.Match {
		t.Error("a match was marked through an anonymous signal")
	}
}

func TestCombinedSignalsAreMarkedAndBothReportersToldWithContactDetailsOnly(t *testing.T) {
	e := newMeetingEnv(t)
	ctx := context.Background()
	a := e.submit(e.school, "Daan Jansen", signal.CategorySchoolAbsence, "drie weken niet op school", "", signal.LevelFull)
	b := e.submit(e.youthwork, "daan  JANSEN", signal.CategorySubstanceUse, "gezien met blowen", "", signal.LevelExistence)
	e.submit(e.school, "Daan Jansen", signal.CategoryBehaviour, "conflict in de klas", "", signal.LevelMinimal)
	other := e.submit(e.youthwork, "Eva Bakker", signal.CategoryWellbeing, "somber", "", signal.LevelFull)
	ag := e.agenda(e.plan("Overleg", e.now.Add(time.Hour)).ID, false)

	it, _ := findSignal(ag, a)
	if it2, _ := findSignal(ag, b); it2 != it {
		t.Fatal("two partners' signals about the same young person are not combined")
	}
	if !it.Match || len(it.Partners) != 2 || len(it.Signals) != 3 {
		t.Errorf("combined item: match %v, partners %d, signals %d; want true, 2, 3", it.Match, len(it.Partners), len(it.Signals))
	}
	if &ag.Items[0] != it {
		t.Error("the combined item is not first on the agenda")
	}
	wantCats := []signal.CategoryCount{{Category: signal.CategorySchoolAbsence, Signals: 1}, {Category: signal.CategoryBehaviour, Signals: 1}}
	if !slices.Equal(it.Categories, wantCats) || it.CategoryNotShared != 1 {
		t.Errorf("categories %+v (not shared %d); the existence signal's category must not count", it.Categories, it.CategoryNotShared)
	}
	if oi, _ := findSignal(ag, other); oi.Match {
		t.Error("a single partner's signal is marked as a match")
	}

	for _, tc := range []struct {
		name     string
		reporter signal.Actor
		wantWith string
	}{
		{"school is told about youth work", e.school, "Jongerenwerk"},
		{"youth work is told about the school", e.youthwork, "Demo College"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := e.meetings.Matches(ctx, tc.reporter)
			if err != nil {
				t.Fatal(err)
			}
			if len(ms) != 1 || ms[0].With.Name != tc.wantWith || ms[0].With.Contact.Email == "" {
				t.Fatalf("matches %+v, want one with %s and its contact", ms, tc.wantWith)
			}
			b, _ := json.Marshal(ms)
			for _, leak := range []string{"drie weken", "blowen", "conflict", "school_absence", "substance_use"} {
				if strings.Contains(string(b), leak) {
					t.Errorf("the match discloses %q: %s", leak, b)
				}
			}
		})
	}
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND subject <> ''`, signal.ActionMatchesView); n != 2 {
		t.Errorf("matches.view entries with a subject: %d, want 2", n)
	}
}

func TestNoMatchThroughASignalTheMeetingMayNotIdentify(t *testing.T) {
	e := newMeetingEnv(t)
	e.submit(e.school, "Noor Visser", signal.CategoryWellbeing, "huilt vaak", "", signal.LevelFull)
	for _, l := range []signal.Level{signal.LevelAnonymous, signal.LevelNone} {
		e.submit(e.youthwork, "Noor Visser", signal.CategoryWellbeing, "stil", "", l)
	}
	for _, who := range []signal.Actor{e.school, e.youthwork} {
		ms, err := e.meetings.Matches(context.Background(), who)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 0 {
			t.Errorf("matches %+v: an anonymous or unshared signal must not match", ms)
		}
	}
}

func TestMeetingRecordsLeadActionsDecisionsFollowUpAndMinutes(t *testing.T) {
	e := newMeetingEnv(t)
	ctx := context.Background()
	sig := e.submit(e.school, "Lucas Smit", signal.CategorySchoolAbsence, "veel verzuim", "", signal.LevelFull)
	anon := e.submit(e.youthwork, "Mila Mulder", signal.CategoryOnline, "zorgen over online gedrag", "", signal.LevelAnonymous)
	first := e.plan("Overleg 1", e.now.Add(time.Hour))
	ag := e.agenda(first.ID, false)
	it, _ := findSignal(ag, sig)
	ai, _ := findSignal(ag, anon)

	lead, err := e.meetings.AssignLead(ctx, e.coordinator, first.ID, it.Ref, e.youthwork.UserID)
	if err != nil || lead.OrgName != "Jongerenwerk" {
		t.Fatalf("assign lead: %+v, %v", lead, err)
	}
	due := signal.Today(e.now.Add(7 * 24 * time.Hour)).String()
	act, err := e.meetings.AddAction(ctx, e.coordinator, first.ID, it.Ref, signal.NewAction{OwnerID: e.school.UserID, Description: "gesprek met ouders", Due: due})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.meetings.Decide(ctx, e.coordinator, first.ID, it.Ref, signal.NewDecision{Kind: signal.DecisionAct, Text: "begeleiding via jongerenwerk"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.meetings.Decide(ctx, e.coordinator, first.ID, ai.Ref, signal.NewDecision{Kind: signal.DecisionNoAction, Text: "reporter vraagt eerst toestemming"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.meetings.AddRisk(ctx, e.coordinator, first.ID, "wachtlijst jeugdhulp 12 weken", ""); err != nil {
		t.Fatal(err)
	}

	t.Run("bad input names the field and stores nothing", func(t *testing.T) {
		before := e.count(`SELECT count(*) FROM case_decisions`) + e.count(`SELECT count(*) FROM case_actions`)
		for _, tc := range []struct {
			name, field string
			err         error
		}{
			{"no reason not to act", "text", func() error {
				_, err := e.meetings.Decide(ctx, e.coordinator, first.ID, it.Ref, signal.NewDecision{Kind: signal.DecisionNoAction})
				return err
			}()},
			{"unknown kind", "kind", func() error {
				_, err := e.meetings.Decide(ctx, e.coordinator, first.ID, it.Ref, signal.NewDecision{Kind: "maybe", Text: "x"})
				return err
			}()},
			{"due in the past", "due_on", func() error {
				_, err := e.meetings.AddAction(ctx, e.coordinator, first.ID, it.Ref, signal.NewAction{OwnerID: e.school.UserID, Description: "x", Due: "2020-01-01"})
				return err
			}()},
			{"owner of another cooperation", "owner_id", func() error {
				_, err := e.meetings.AddAction(ctx, e.coordinator, first.ID, it.Ref, signal.NewAction{OwnerID: e.elsewhere.UserID, Description: "x", Due: due})
				return err
			}()},
		} {
			var se *signal.Error
			if !errorsAs(tc.err, &se) || se.Code != signal.CodeInvalid || len(se.Fields) == 0 || se.Fields[0].Field != tc.field {
				t.Errorf("%s: %v, want invalid %s", tc.name, tc.err, tc.field)
			}
		}
		if after := e.count(`SELECT count(*) FROM case_decisions`) + e.count(`SELECT count(*) FROM case_actions`); after != before {
			t.Errorf("rows %d -> %d after refused input", before, after)
		}
	})

	t.Run("another cooperation's coordinator cannot see or write", func(t *testing.T) {
		if _, err := e.meetings.Agenda(ctx, e.elsewhere, first.ID, false); signal.ErrorCode(err) != signal.CodeNotFound {
			t.Errorf("agenda: %v, want not found", err)
		}
		if _, err := e.meetings.AssignLead(ctx, e.elsewhere, first.ID, it.Ref, e.elsewhere.UserID); signal.ErrorCode(err) != signal.CodeNotFound {
			t.Errorf("assign lead: %v, want not found", err)
		}
		if _, err := e.meetings.Agenda(ctx, e.school, first.ID, false); signal.ErrorCode(err) != signal.CodeForbidden {
			t.Errorf("a reporter opening the agenda: %v, want forbidden", err)
		}
	})

	mn, err := e.meetings.Minutes(ctx, e.coordinator, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(mn.Items) != 2 || len(mn.Risks) != 1 {
		t.Fatalf("minutes: %d items, %d risks; want 2, 1", len(mn.Items), len(mn.Risks))
	}
	var named, anonymous *signal.MinutesItem
	for i := range mn.Items {
		if mn.Items[i].Anonymous {
			anonymous = &mn.Items[i]
		} else {
			named = &mn.Items[i]
		}
	}
	if named == nil || named.Youth == nil || named.Youth.Name != "Lucas Smit" || !named.LeadAssigned ||
		len(named.Actions) != 1 || named.Actions[0].Description != "gesprek met ouders" || len(named.Decisions) != 1 {
		t.Errorf("minutes of the identified young person: %+v", named)
	}
	if anonymous == nil || anonymous.Youth != nil || len(anonymous.Decisions) != 1 || anonymous.Decisions[0].Kind != signal.DecisionNoAction {
		t.Errorf("minutes of the anonymous signal: %+v", anonymous)
	}
	// The school's reporter is the contact person of a member: they get
	// the minutes; the coordinator of another cooperation does not.
	if _, err := e.meetings.Minutes(ctx, e.school, first.ID); err != nil {
		t.Errorf("member's contact person reading the minutes: %v", err)
	}
	if _, err := e.meetings.Minutes(ctx, e.elsewhere, first.ID); signal.ErrorCode(err) != signal.CodeNotFound {
		t.Errorf("other cooperation reading the minutes: %v", err)
	}

	if _, err := e.meetings.Hold(ctx, e.coordinator, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.meetings.Decide(ctx, e.coordinator, first.ID, it.Ref, signal.NewDecision{Kind: signal.DecisionAct, Text: "later"}); signal.ErrorCode(err) != signal.CodeConflict {
		t.Errorf("a decision under a closed meeting: %v, want conflict", err)
	}

	// Two weeks on, the action is overdue on the next agenda, under
	// follow-up (no new signals about Lucas).
	e.now = e.now.Add(14 * 24 * time.Hour)
	second := e.plan("Overleg 2", e.now.Add(time.Hour))
	ag2 := e.agenda(second.ID, false)
	if len(ag2.Items) != 0 || len(ag2.FollowUp) != 2 || ag2.Overdue != 1 {
		t.Fatalf("second agenda: %d items, %d follow-up, %d overdue; want 0, 2, 1", len(ag2.Items), len(ag2.FollowUp), ag2.Overdue)
	}
	var fu *signal.AgendaItem
	for i := range ag2.FollowUp {
		if ag2.FollowUp[i].Ref == it.Ref {
			fu = &ag2.FollowUp[i]
		}
	}
	if fu == nil || fu.Youth == nil || fu.Case == nil || fu.Case.Lead == nil || len(fu.Case.Actions) != 1 || !fu.Case.Actions[0].Overdue {
		t.Fatalf("follow-up of Lucas: %+v", fu)
	}
	// What follow-up shows of a young person is a disclosure too: the
	// access report finds it under the second meeting.
	for _, id := range []string{sig, anon} {
		var meetings []string
		for _, v := range e.agendaViews(first.CooperationID, id) {
			meetings = append(meetings, v.Meeting)
		}
		if !slices.Equal(meetings, []string{first.ID, second.ID}) {
			t.Errorf("agenda views of signal %s in the access report: meetings %v, want %s then %s", id, meetings, first.ID, second.ID)
		}
	}

	// The owner marks it done: no longer overdue.
	if _, err := e.meetings.SetActionDone(ctx, e.youthwork, act.ID, true); signal.ErrorCode(err) != signal.CodeNotFound {
		t.Errorf("someone else's action marked done: %v, want not found", err)
	}
	done, err := e.meetings.SetActionDone(ctx, e.school, act.ID, true)
	if err != nil || done.DoneOn == nil || done.Overdue {
		t.Fatalf("mark done: %+v, %v", done, err)
	}
	if ag3 := e.agenda(second.ID, false); ag3.Overdue != 0 {
		t.Errorf("overdue after done: %d", ag3.Overdue)
	}

	// A new lead in the second meeting: the first meeting's minutes still
	// name the lead of then.
	if _, err := e.meetings.AssignLead(ctx, e.coordinator, second.ID, it.Ref, e.school.UserID); err != nil {
		t.Fatal(err)
	}
	old, err := e.meetings.Minutes(ctx, e.coordinator, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range old.Items {
		if !item.Anonymous && (item.Lead == nil || item.Lead.UserID != e.youthwork.UserID || !item.LeadAssigned) {
			t.Errorf("first minutes after a new lead: %+v", item.Lead)
		}
	}
	if _, err := e.meetings.AssignLead(ctx, e.coordinator, second.ID, it.Ref, e.youthwork.UserID); err != nil {
		t.Fatal(err)
	}

	// The reporter sees what became of the signal.
	work, err := e.meetings.Work(ctx, e.school)
	if err != nil {
		t.Fatal(err)
	}
	if len(work.Outcomes) != 1 || work.Outcomes[0].Lead == nil || work.Outcomes[0].Lead.OrgName != "Jongerenwerk" ||
		len(work.Outcomes[0].Discussed) != 2 || len(work.Actions) != 1 {
		t.Errorf("feedback to the school: %+v", work)
	}
	if b, _ := json.Marshal(work.Outcomes); strings.Contains(string(b), "begeleiding via") {
		t.Errorf("feedback holds the decision's text: %s", b)
	}

	if err := e.meetings.CloseCase(ctx, e.coordinator, second.ID, it.Ref, signal.CloseResolved); err != nil {
		t.Fatal(err)
	}
	if ag4 := e.agenda(second.ID, false); len(ag4.FollowUp) != 1 {
		t.Errorf("a closed case still under follow-up: %d items", len(ag4.FollowUp))
	}
	// Every change was audited with the young person's pseudonym.
	if n := e.count(`SELECT count(*) FROM audit_entries WHERE action IN (?, ?, ?, ?, ?) AND subject <> ''`,
		signal.ActionCaseLead, signal.ActionCaseAction, signal.ActionCaseDecide, signal.ActionCaseClose, signal.ActionActionUpdate); n != 8 {
		t.Errorf("audited case changes: %d, want 8", n)
	}
	// The evaluation counts from the same records: one lead, assigned the
	// day of the first signal; one action due in the quarter, done on time.
	q := signal.QuarterOf(e.now)
	start, end := q.Start().Time(), q.End().Time()
	data, err := e.db.Meetings().EvaluationData(ctx, first.CooperationID, start, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(data.Signals) != 2 || len(data.LeadDays) != 1 || data.LeadDays[0] != 0 || len(data.Actions) != 1 ||
		data.Actions[0].DoneOn == nil || data.MeetingsHeld != 1 {
		t.Errorf("evaluation data: %+v", data)
	}
	// Free text about a young person is sealed, not stored in the clear.
	if n := e.count(`SELECT count(*) FROM case_actions WHERE instr(description_ct, 'ouders') > 0`); n != 0 {
		t.Error("an action's description is stored in the clear")
	}
}

func errorsAs(err error, target **signal.Error) bool { return errors.As(err, target) }

// afterSeal calls after once, right after the first Seal: an erasure
// committing between the sealing of a meeting's text and its storing.
type afterSeal struct {
	signal.Vault
	once  sync.Once
	after func()
}

func (v *afterSeal) Seal(ctx context.Context, youth string, ad, pt []byte) ([]byte, error) {
	ct, err := v.Vault.Seal(ctx, youth, ad, pt)
	v.once.Do(v.after)
	return ct, err
}

// TestMeetingTextsGoWithTheYoungPersonsKey: what a meeting writes about a
// young person (an action, a decision) is sealed under that young person's
// live key, checked in the unit that stores it, and erased with the key.
// An erasure that commits between the sealing and the storing makes the
// store refuse the retired key's ciphertext; the meeting then sees the
// young person's data erased and records nothing (never a text under a
// retired key, never a new key for an erased young person). Erasing a
// young person overwrites the meeting's texts about them, which then read
// as erased.
func TestMeetingTextsGoWithTheYoungPersonsKey(t *testing.T) {
	e := newMeetingEnv(t)
	ctx := context.Background()
	lucas := e.submit(e.school, "Lucas Smit", signal.CategorySchoolAbsence, "veel verzuim", "", signal.LevelFull)
	noor := e.submit(e.school, "Noor Visser", signal.CategoryWellbeing, "huilt vaak", "", signal.LevelFull)
	first := e.plan("Overleg 1", e.now.Add(time.Hour))
	ag := e.agenda(first.ID, false)
	lucasItem, _ := findSignal(ag, lucas)
	noorItem, _ := findSignal(ag, noor)
	youthOf := func(id string) string {
		s, err := e.db.Signals().Signal(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return s.Youth
	}
	lucasSig, err := e.db.Signals().Signal(ctx, lucas)
	if err != nil {
		t.Fatal(err)
	}
	coop := lucasSig.CooperationID
	erase := func(youth string) { eraseOnRequest(t, e.db, e.keys, e.now, coop, youth) }
	liveKeys := func(youth string) int {
		return e.count(`SELECT count(*) FROM youth_keys WHERE youth = ? AND erased_at IS NULL`, youth)
	}
	due := signal.Today(e.now.Add(7 * 24 * time.Hour)).String()

	t.Run("an erasure between sealing and storing", func(t *testing.T) {
		youth := youthOf(noor)
		racing := signal.NewMeetings(signal.NewDisclosure(e.keys, e.db, textcheck.Default()), &afterSeal{Vault: e.keys, after: func() { erase(youth) }},
			e.db.MeetingStores(), signal.MeetingsOptions{Now: func() time.Time { return e.now }, TextChecker: textcheck.Default()})
		actions := e.count(`SELECT count(*) FROM case_actions`)
		_, err := racing.AddAction(ctx, e.coordinator, first.ID, noorItem.Ref, signal.NewAction{OwnerID: e.school.UserID, Description: "gesprek met ouders", Due: due})
		if err == nil || signal.ErrorCode(err) == "" {
			t.Fatalf("an action whose young person was erased while its text was sealed: %v; want a refusal with a code", err)
		}
		if signal.ErrorCode(err) != signal.CodeInvalid || !strings.Contains(err.Error(), "erased") {
			t.Fatalf("refused with %v; want the meeting told the young person's data were erased", err)
		}
		if n := e.count(`SELECT count(*) FROM case_actions`); n != actions {
			t.Fatalf("%d actions stored, want %d: nothing may be stored under a retired key", n, actions)
		}
		if n := liveKeys(youth); n != 0 {
			t.Fatalf("%d live keys of the erased young person; want none", n)
		}
	})

	t.Run("erased with the key", func(t *testing.T) {
		youth := youthOf(lucas)
		act, err := e.meetings.AddAction(ctx, e.coordinator, first.ID, lucasItem.Ref, signal.NewAction{OwnerID: e.school.UserID, Description: "gesprek met ouders", Due: due})
		if err != nil {
			t.Fatal(err)
		}
		var ct []byte
		if err := e.db.Read().QueryRow(`SELECT description_ct FROM case_actions WHERE id = ?`, act.ID).Scan(&ct); err != nil {
			t.Fatal(err)
		}
		var live int64
		if err := e.db.Read().QueryRow(`SELECT id FROM youth_keys WHERE youth = ? AND erased_at IS NULL`, youth).Scan(&live); err != nil {
			t.Fatal(err)
		}
		if id, ok := keystore.KeyID(ct); !ok || id != live {
			t.Fatalf("the action is sealed under key %d (%v); want the young person's live key %d", id, ok, live)
		}
		if _, err := e.meetings.Decide(ctx, e.coordinator, first.ID, lucasItem.Ref, signal.NewDecision{Kind: signal.DecisionAct, Text: "begeleiding via jongerenwerk"}); err != nil {
			t.Fatal(err)
		}
		texts := func() (actions, decisions []string, erased int) {
			mn, err := e.meetings.Minutes(ctx, e.coordinator, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, item := range mn.Items {
				for _, a := range item.Actions {
					actions = append(actions, a.Description)
					if a.Erased || a.Withheld {
						erased++
					}
				}
				for _, d := range item.Decisions {
					decisions = append(decisions, d.Text)
					if d.Erased || d.Withheld {
						erased++
					}
				}
			}
			return
		}
		if a, d, n := texts(); len(a) != 1 || a[0] != "gesprek met ouders" || len(d) != 1 || d[0] != "begeleiding via jongerenwerk" || n != 0 {
			t.Fatalf("minutes before the erasure: actions %q, decisions %q, %d erased or withheld; want both texts readable", a, d, n)
		}
		erase(youth)
		if n := e.count(`SELECT count(*) FROM case_actions WHERE length(description_ct) > 0`) + e.count(`SELECT count(*) FROM case_decisions WHERE length(text_ct) > 0`); n != 0 {
			t.Fatalf("%d meeting texts about the erased young person still hold a ciphertext", n)
		}
		if n := liveKeys(youth); n != 0 {
			t.Fatalf("%d live keys of the erased young person", n)
		}
		if a, d, n := texts(); len(a) != 1 || a[0] != "" || len(d) != 1 || d[0] != "" || n != 2 {
			t.Fatalf("minutes after the erasure: actions %q, decisions %q, %d erased or withheld; want neither text shown", a, d, n)
		}
		// The ciphertext kept from before no longer opens: its key is a
		// tombstone, an erasure on record (not a missing key).
		if _, err := e.keys.Unseal(ctx, youth, []byte("action/"+act.ID+"/description"), ct); !errors.Is(err, signal.ErrContentErased) {
			t.Fatalf("the action's old ciphertext after the erasure: %v; want ErrContentErased", err)
		}
	})
}
