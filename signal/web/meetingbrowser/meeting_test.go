package meetingbrowser_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/auth"
	"github.com/signaal-nl/signaal/signal/web"
	"github.com/signaal-nl/signaal/signal/web/browsertest"
)

func TestMain(m *testing.M) { browsertest.Main(m) }

var params = auth.PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const password = "correct horse battery staple"

// site is the real server with a cooperation of a school, youth work and
// a municipality whose coordinator chairs the meeting; signals at every
// level the meeting can see; one planned meeting.
type site struct {
	url     string
	meeting string
	app     *app.App
	// ahead moves the clock of the app and the server on from the real
	// time by this many nanoseconds.
	ahead *atomic.Int64
}

func startSite(t *testing.T) *site {
	t.Helper()
	ctx := context.Background()
	ahead := new(atomic.Int64)
	now := func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	a, err := app.Open(ctx, app.Options{DB: filepath.Join(t.TempDir(), "signaal.db"), PasswordParams: params, Now: now,
		Demo: true}) // on loopback: its seeded accounts log in without a second factor
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	db, signals, meetings, accounts := a.DB, a.Signals, a.Meetings, a.Accounts
	srv, err := web.New(web.FromApp(a, web.Deps{Now: now}))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)

	hash, err := auth.HashPassword(password, params)
	if err != nil {
		t.Fatal(err)
	}
	cli := signal.Actor{UserID: "cli", Role: signal.RoleSystem}
	person := func(org string, kind signal.OrgKind, email string, role signal.Role) signal.Actor {
		o, err := db.Organisation(ctx, org)
		if err != nil {
			o = signal.Organisation{Name: org, Kind: kind,
				Contact: signal.Person{Name: "Contact " + org, Email: email, Phone: "010-1234567"},
				Deputy:  signal.Person{Name: "Deputy " + org, Email: "deputy." + email}}
			if err := accounts.CreateOrganisation(ctx, cli, &o, "Samenwerking Test"); err != nil {
				t.Fatal(err)
			}
		}
		u := &signal.User{Email: email, Name: strings.Split(email, "@")[0], OrgID: o.ID, Role: role}
		if err := accounts.SeedUser(ctx, cli, u, hash); err != nil {
			t.Fatal(err)
		}
		return signal.Actor{UserID: u.ID, OrgID: o.ID, Role: role}
	}
	school := person("Demo College", signal.OrgSchool, "mentor@college.example", signal.RoleReporter)
	youth := person("Jongerenwerk", signal.OrgYouthWork, "jamal@jongerenwerk.example", signal.RoleReporter)
	chair := person("Gemeente", signal.OrgMunicipality, "zeynep@gemeente.example", signal.RoleCoordinator)

	submit := func(by signal.Actor, name string, cat signal.Category, facts string, answers string) {
		var a signal.Answers
		if err := json.Unmarshal([]byte(answers), &a); err != nil {
			t.Fatal(err)
		}
		_, err := signals.Submit(ctx, by, signal.NewSignal{Youth: signal.NewYouth{Name: name, BirthDate: "2011-04-30"},
			Category: cat, Facts: facts, ObservedOn: signal.Today(time.Now()).String(), Answers: a,
			// The reporter confirms the same facts for the levels below full.
			Versions: signal.Versions{Minimal: &signal.TextVersion{Facts: facts}, Anonymous: &signal.TextVersion{Facts: facts}}}, "")
		if err != nil {
			t.Fatal(err)
		}
	}
	submit(school, "Sanne de Vries", signal.CategorySchoolAbsence, "Negen dagen afwezig.", full)
	submit(youth, "Sanne de Vries", signal.CategorySubstanceUse, "Gezien bij de skatebaan.", existence)
	submit(youth, "Daan Jansen", signal.CategoryWellbeing, "Durft thuis niet te slapen.", minimal)
	submit(school, "Noor Visser", signal.CategoryOnline, "Een onbekende vraagt om foto's.", anonymous)
	m, err := meetings.Plan(ctx, chair, signal.NewMeeting{Title: "Signaleringsoverleg december", StartsAt: time.Now().Add(24 * time.Hour).Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	return &site{url: hs.URL, meeting: m.ID, app: a, ahead: ahead}
}

const (
	full = `{"purpose": "coordinate_support", "consent": {"youth": "given", "parents": "given", "recorded": true},
		"risk": {"acute_danger": false, "harm": "none", "asking_endangers": false}, "abuse": {"suspected": false}, "legal_duty": false}`
	minimal = `{"purpose": "coordinate_support", "consent": {"youth": "refused", "parents": "refused", "recorded": true},
		"risk": {"acute_danger": false, "harm": "likely", "asking_endangers": false},
		"duty_conflict": {"no_other_way": true, "prevents_harm": true, "expert_consulted": true}, "abuse": {"suspected": false}, "legal_duty": false}`
	existence = `{"purpose": "coordinate_support", "consent": {"youth": "refused", "parents": "refused", "recorded": true},
		"risk": {"acute_danger": false, "harm": "none", "asking_endangers": false}, "abuse": {"suspected": false}, "legal_duty": false}`
	anonymous = `{"purpose": "coordinate_support", "consent": {"youth": "not_asked", "parents": "not_asked", "recorded": false},
		"risk": {"acute_danger": false, "harm": "none", "asking_endangers": false}, "abuse": {"suspected": false}, "legal_duty": false}`
)

func login(t *testing.T, p *browsertest.Page, url, email string, ready browsertest.Locator) {
	t.Helper()
	p.Goto(url+"/login", browsertest.Name("E-mailadres"))
	p.Fill(browsertest.Name("E-mailadres"), email)
	p.Fill(browsertest.Name("Wachtwoord"), password)
	p.ClickAndWait(browsertest.CSS("form[action='/login'] button[type=submit]"), ready)
}

func TestCoordinatorRunsTheMeetingOnALaptop(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	p := browsertest.NewPage(t, browsertest.Laptop)
	login(t, p, s.url, "zeynep@gemeente.example", browsertest.Name("Nieuw overleg plannen"))
	p.AssertAccessible()
	p.Screenshot("meetings")

	load := p.Goto(s.url+"/overleg/"+s.meeting, browsertest.Name("Signaleringsoverleg december"))
	t.Logf("agenda: %s", load)
	p.AssertAccessible()
	p.Screenshot("agenda")
	agenda := p.Text(browsertest.CSS("main"))
	for _, tc := range []struct {
		what  string
		shown bool
	}{
		{"Sanne de Vries", true},            // full, and existence of a second partner
		{"Gecombineerd: 2 partners", true},  // the match
		{"Negen dagen afwezig.", true},      // full: facts
		{"Gezien bij de skatebaan.", false}, // existence: no content
		{"Daan Jansen", true},               // minimal: identified
		{"Durft thuis niet te slapen.", true},
		{"Een onbekende vraagt om foto's.", true}, // anonymous: content...
		{"Noor Visser", false},                    // ...without the name
	} {
		if got := strings.Contains(agenda, tc.what); got != tc.shown {
			t.Errorf("agenda shows %q: %v, want %v", tc.what, got, tc.shown)
		}
	}

	// A decision not to act without a reason is refused with an error
	// summary that links to the field.
	p.Click(browsertest.CSS("#punt-2 details.work > summary"))
	p.Click(browsertest.CSS("#f-i2-kind-no_action"))
	p.ExpectConsoleError("status of 400")
	p.ClickAndWait(browsertest.CSS("#punt-2 form[action$='/besluit'] button"), browsertest.CSS(".error-summary"))
	if got := p.Text(browsertest.CSS(".error-summary")); !strings.Contains(got, "waarom") {
		t.Errorf("error summary: %q", got)
	}
	p.AssertAccessible()
	p.Screenshot("agenda-error")
	p.Fill(browsertest.CSS("#f-i2-text"), "Jongerenwerk vraagt eerst toestemming aan Daan en ouders.")
	p.ClickAndWait(browsertest.CSS("#punt-2 form[action$='/besluit'] button"), browsertest.Name("Signaleringsoverleg december"))
	p.Click(browsertest.CSS("#punt-1 details.work > summary"))
	selectPerson(t, p, "#f-i1-user_id", "jamal")
	p.ClickAndWait(browsertest.CSS("#punt-1 form[action$='/lead'] button"), browsertest.Name("Signaleringsoverleg december"))
	if got := p.Text(browsertest.CSS("#punt-1 .case")); !strings.Contains(got, "jamal") {
		t.Errorf("lead not shown: %q", got)
	}

	p.Goto(s.url+"/overleg/"+s.meeting+"/scherm", browsertest.Name("Terug naar de agenda"))
	p.AssertAccessible()
	p.Screenshot("projector")
	screen := p.Text(browsertest.CSS("main"))
	if !strings.Contains(screen, "Sanne de Vries") || strings.Contains(screen, "Daan Jansen") || strings.Contains(screen, "Noor Visser") {
		t.Errorf("projector: names only where shared in full, got:\n%s", screen)
	}

	p.Goto(s.url+"/overleg/"+s.meeting+"/verslag", browsertest.CSS("h1"))
	p.AssertAccessible()
	p.Screenshot("minutes")
	if got := p.Text(browsertest.CSS("main")); !strings.Contains(got, "Niet handelen: Jongerenwerk vraagt eerst toestemming") {
		t.Errorf("minutes lack the decision not to act:\n%s", got)
	}

	// The evaluation shows ended quarters only: this quarter is not on it
	// until it is over.
	q := signal.QuarterOf(time.Now())
	p.Goto(s.url+"/evaluatie", browsertest.CSS("svg.chart"))
	if got := p.Text(browsertest.CSS("main")); strings.Contains(got, q.String()) {
		t.Errorf("the evaluation shows the running quarter %s:\n%s", q, got)
	}
	s.ahead.Store(int64(q.End().Time().Add(time.Hour).Sub(time.Now())))
	p = browsertest.NewPage(t, browsertest.Laptop)
	login(t, p, s.url, "zeynep@gemeente.example", browsertest.Name("Nieuw overleg plannen"))
	p.Goto(s.url+"/evaluatie", browsertest.CSS("svg.chart"))
	if got := p.Text(browsertest.CSS("h1")); !strings.Contains(got, q.String()) {
		t.Errorf("after the quarter the evaluation opens on %q, want %s", got, q)
	}
	p.AssertAccessible()
	p.Screenshot("evaluation")
	if got := p.Text(browsertest.CSS("main")); strings.Contains(got, " 1\n") || !strings.Contains(got, "<5") {
		t.Errorf("evaluation publishes small numbers:\n%s", got)
	}
}

// selectPerson picks the option whose text starts with name.
func selectPerson(t *testing.T, p *browsertest.Page, css, name string) {
	t.Helper()
	v := browsertest.Eval[string](p, `[...document.querySelector("`+css+`").options].find(o => o.text.startsWith("`+name+`")).value`)
	p.Select(browsertest.CSS(css), v)
}

func TestReporterSeesTheMatchWithContactDetailsOnly(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	p := browsertest.NewPage(t, browsertest.Laptop)
	login(t, p, s.url, "jamal@jongerenwerk.example", browsertest.CSS("h1"))
	p.Goto(s.url+"/signalen/terugkoppeling", browsertest.Name("Matches en terugkoppeling"))
	p.AssertAccessible()
	p.Screenshot("feedback")
	got := p.Text(browsertest.CSS("main"))
	if !strings.Contains(got, "ook een signaal van Demo College") || !strings.Contains(got, "mentor@college.example") {
		t.Errorf("the match with the school's contact is missing:\n%s", got)
	}
	if strings.Contains(got, "Negen dagen afwezig") {
		t.Errorf("the match discloses the school's signal:\n%s", got)
	}
}
