package web

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	bt "github.com/signaal-nl/signaal/signal/web/browsertest"
)

// The product's promise, end to end (issue 14): no recipient reads a word
// beyond its level. Young people are reported with the texts careless
// reporters write (a first name and surname, "wil niet meer leven",
// "zelfbeschadiging", a BSN, an arrest), confirmed as they are for every
// level below full, at levels full, minimal, existence and anonymous; then
// every page, API answer and export is read as every role, and each
// forbidden word may stand only where its author reads their own signal.

// leakSignal is one signal of the promise test.
type leakSignal struct {
	key      string
	reporter string // "school" or "youthwork"
	name     string
	outcome  signal.Outcome
	level    signal.Level
	purpose  string   // "" for coordinate_support
	contains []string // what the reporter ticked the text holds
	facts    string
	opinions string
	// minimal and anonymous are the versions the reporter confirmed ("":
	// the signal's own facts, as a careless reporter confirms them).
	minimal, anonymous string
	// secrets are words only the reporter may read (the check must stop
	// them for everyone else).
	secrets []string
	// shown are words the coordinator must read on the agenda (that the
	// gate does not stop what the level allows).
	shown []string
}

const leakBirth = "2011-04-30"

var leakSignals = []leakSignal{
	{key: "sanne", reporter: "school", name: "Sanne de Vries", outcome: signal.OutcomeShareFull, level: signal.LevelFull,
		facts:    "Sanne de Vries zei tegen haar mentor dat ze wil niet meer leven. Er zijn sporen van zelfbeschadiging op haar armen. Haar BSN is 111222333. Haar broer Kevin Bos is gearresteerd wegens inbraak.",
		opinions: "Ik vermoed een depressie.",
		secrets:  []string{"wil niet meer leven", "zelfbeschadiging op haar armen", "111222333", "Kevin Bos", "gearresteerd wegens inbraak", "depressie"}},
	{key: "lotte", reporter: "school", name: "Lotte Smit", outcome: signal.OutcomeShareFull, level: signal.LevelFull,
		facts: "Lotte was negen dagen afwezig zonder bericht.", shown: []string{"negen dagen afwezig zonder bericht"}},
	{key: "daan", reporter: "youthwork", name: "Daan Jansen", outcome: signal.OutcomeShareMinimal, level: signal.LevelMinimal,
		facts:    "Daan Jansen durft thuis niet te slapen. Hij zegt dat hij dood wil. Zijn vader Erik is opgepakt door de politie.",
		opinions: "Volgens mij is hij suicidaal.", contains: []string{"health", "criminal", "bsn"},
		secrets: []string{"dood wil", "Erik", "opgepakt door de politie", "suicidaal", "durft thuis niet te slapen"}},
	{key: "bram", reporter: "youthwork", name: "Bram Peters", outcome: signal.OutcomeShareMinimal, level: signal.LevelMinimal,
		facts: "Bram Peters heeft een diagnose ADHD en komt vaak te laat op school.", minimal: "Bram komt vaak te laat op school.",
		secrets: []string{"ADHD"}, shown: []string{"Bram komt vaak te laat op school."}},
	{key: "noor", reporter: "youthwork", name: "Noor Visser", outcome: signal.OutcomeAskConsent, level: signal.LevelAnonymous,
		facts:   "Noor Visser (06-12345678) wordt benaderd door een onbekende en krast zichzelf.",
		secrets: []string{"Noor", "Visser", "06-12345678", "krast zichzelf", "benaderd door een onbekende"}},
	{key: "fleur", reporter: "school", name: "Fleur Mulder", outcome: signal.OutcomeAskConsent, level: signal.LevelAnonymous,
		facts:     "Fleur Mulder wordt online benaderd door een volwassen man.",
		anonymous: "De jongere wordt online benaderd door een volwassen man.",
		secrets:   []string{"Fleur", "Mulder"}, shown: []string{"online benaderd door een volwassen man"}},
	{key: "rami", reporter: "school", name: "Rami Haddad", outcome: signal.OutcomeEscalate, level: signal.LevelAnonymous, purpose: "radicalisation_concern",
		facts:   "Rami Haddad deelt filmpjes van een extremistische groep in de klasapp en bidt niet meer mee in de moskee.",
		secrets: []string{"Rami", "Haddad", "moskee", "extremistische groep"}},
	// Texts written around the check (issue 14), each with one thing the
	// level forbids and nothing else the check would stop: a name with a
	// zero-width space and spelled out, a phone number in full-width digits,
	// a BSN with dashes, injuries.
	{key: "eva", reporter: "youthwork", name: "Eva de Wit", outcome: signal.OutcomeAskConsent, level: signal.LevelAnonymous,
		facts:   "E\u200bva d e W i t wordt online benaderd.",
		secrets: []string{"E\u200bva", "d e W i t"}},
	{key: "fatih", reporter: "youthwork", name: "Fatih Demir", outcome: signal.OutcomeAskConsent, level: signal.LevelAnonymous,
		facts:   "Bereikbaar op ０６-１２３４５６７８ als het misgaat.",
		secrets: []string{"０６-１２３４５６７８"}},
	{key: "yusuf", reporter: "school", name: "Yusuf Kaya", outcome: signal.OutcomeShareMinimal, level: signal.LevelMinimal,
		facts:   "Yusuf komt vaak te laat; BSN 111-222-333.",
		secrets: []string{"111-222-333"}},
	{key: "joy", reporter: "school", name: "Joy Meijer", outcome: signal.OutcomeShareMinimal, level: signal.LevelMinimal,
		facts:   "Joy heeft blauwe plekken op haar armen.",
		secrets: []string{"blauwe plekken"}},
	{key: "milan", reporter: "school", name: "Milan Bakker", outcome: signal.OutcomeDoNotShare, level: signal.LevelExistence,
		facts:   "Milan Bakker is aangehouden na een steekpartij, BSN 123456782, en gebruikt medicatie.",
		secrets: []string{"steekpartij", "123456782", "aangehouden", "medicatie"}},
}

func (ls leakSignal) body() string {
	observed := signal.Today(time.Now()).String()
	answers := answersFor[ls.outcome]
	if ls.purpose == "radicalisation_concern" {
		answers = `{"purpose": "radicalisation_concern",
		"consent": {"youth": "not_asked", "parents": "not_applicable", "recorded": false},
		"risk": {"acute_danger": false, "harm": "possible", "asking_endangers": false},
		"abuse": {"suspected": false}, "legal_duty": false}`
	}
	minimal, anonymous := ls.minimal, ls.anonymous
	if minimal == "" {
		minimal = ls.facts
	}
	if anonymous == "" {
		anonymous = ls.facts
	}
	versions := map[string]any{"minimal": map[string]string{"facts": minimal}, "anonymous": map[string]string{"facts": anonymous, "opinions": ls.opinions}}
	if ls.opinions == "" {
		versions["anonymous"] = map[string]string{"facts": anonymous}
	}
	v, _ := json.Marshal(versions)
	category := "wellbeing"
	if ls.purpose == "radicalisation_concern" {
		category = "radicalisation"
	}
	contains, _ := json.Marshal(append([]string{}, ls.contains...))
	return fmt.Sprintf(`{"youth": {"name": %q, "birth_date": %q}, "category": %q,
		"facts": %q, "opinions": %q, "observed_on": %q, "answers": %s, "versions": %s, "contains": %s}`,
		ls.name, leakBirth, category, ls.facts, ls.opinions, observed, answers, v, contains)
}

// promiseSite is a real server with the leak signals, a meeting planned
// on them with an action and a decision per item the level allows text
// for, and the partners' contact persons.
type promiseSite struct {
	*textsSite
	sigs     map[string]string // leak signal key -> signal id
	subjects map[string]string // leak signal key -> pseudonym
	items    map[string]string // leak signal key -> agenda item ref
}

func newPromiseSite(t *testing.T) *promiseSite {
	t.Helper()
	pe := newPrivacyEnv(t)
	ts := &textsSite{privacyEnv: pe, contacts: map[string]string{}}
	s := &promiseSite{textsSite: ts, sigs: map[string]string{}, subjects: map[string]string{}, items: map[string]string{}}
	for _, ls := range leakSignals {
		s.sigs[ls.key] = s.mustSubmit(ls.reporter, ls.body(), ls.outcome).ID
	}
	s.addContact("school-contact", s.org)
	youthwork, err := s.app.DB.Organisation(t.Context(), "Jongerenwerk Test")
	if err != nil {
		t.Fatal(err)
	}
	s.addContact("youthwork-contact", youthwork)
	var mt signal.Meeting
	s.json("coordinator", "POST", "/api/v1/meetings", map[string]any{
		"title": "Signaleringsoverleg januari", "starts_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339),
	}, http.StatusCreated, &mt)
	s.meeting = mt.ID
	var ag signal.Agenda
	s.json("coordinator", "GET", "/api/v1/meetings/"+mt.ID+"/agenda", nil, http.StatusOK, &ag)
	for _, it := range ag.Items {
		for _, sv := range it.Signals {
			for k, id := range s.sigs {
				if sv.ID == id {
					s.items[k] = it.Ref
				}
			}
		}
	}
	for _, ls := range leakSignals {
		if s.items[ls.key] == "" {
			t.Fatalf("%s (%s) is not on the agenda: %+v", ls.key, ls.level, ag.Items)
		}
		s.subjects[ls.key] = s.lookup(ls.name, leakBirth)
	}
	// The chair writes a clean action under every item that takes text.
	due := signal.Today(time.Now().Add(7 * 24 * time.Hour)).String()
	for _, ls := range leakSignals {
		if ls.level == signal.LevelExistence {
			continue
		}
		s.json("coordinator", "POST", "/api/v1/meetings/"+mt.ID+"/items/"+s.items[ls.key]+"/actions",
			map[string]any{"owner_id": s.ids[ls.reporter], "description": "Gesprek plannen met de mentor.", "due_on": due}, http.StatusCreated, nil)
	}
	s.json("coordinator", "POST", "/api/v1/meetings/"+mt.ID+"/risks", map[string]any{"text": "Wachtlijst jeugdhulp is lang."}, http.StatusCreated, nil)
	return s
}

// promiseView is one thing a person reads: who, where, and the bytes.
type promiseView struct {
	who, where string
	body       string
}

// author reports whether who reads ls as its author (their own signal).
func author(who string, ls leakSignal) bool { return who == ls.reporter }

// apiViews reads every API answer and export as every role.
func (s *promiseSite) apiViews(t *testing.T) []promiseView {
	t.Helper()
	var out []promiseView
	get := func(who, path string) {
		res := s.do("GET", path, s.tokens[who], nil)
		if res.status >= 500 {
			t.Fatalf("GET %s as %s: %d %s", path, who, res.status, res.body)
		}
		out = append(out, promiseView{who: who, where: "GET " + path, body: string(res.body)})
	}
	m := "/api/v1/meetings/" + s.meeting
	everyone := []string{"school", "youthwork", "coordinator", "privacy", "admin", "school-contact", "youthwork-contact", "elsewhere", "elsewhere-coordinator"}
	for _, who := range everyone {
		get(who, "/api/v1/signals")
		for _, ls := range leakSignals {
			get(who, "/api/v1/signals/"+s.sigs[ls.key])
		}
		for _, ls := range leakSignals {
			get(who, m+"/items/"+s.items[ls.key]) // one young person opened (issue 16, item 7)
		}
		for _, p := range []string{"/api/v1/meetings", m, m + "/agenda", m + "/agenda?view=projector", m + "/contents", m + "/minutes",
			"/api/v1/matches", "/api/v1/outcomes", "/api/v1/evaluation", "/api/v1/evaluation.csv", "/api/v1/me"} {
			get(who, p)
		}
	}
	for _, p := range []string{"/api/v1/privacy/audit", "/api/v1/privacy/escalations", "/api/v1/privacy/oversight",
		"/api/v1/privacy/retention", "/api/v1/privacy/verify"} {
		get("privacy", p)
	}
	for _, ls := range leakSignals {
		get("privacy", "/api/v1/privacy/access-reports/"+url.PathEscape(s.subjects[ls.key]))
		get("privacy", "/api/v1/privacy/audit?subject="+url.QueryEscape(s.subjects[ls.key]))
	}
	return out
}

// pagePaths are the pages each role opens.
func (s *promiseSite) pagePaths(who string) []string {
	m := "/overleg/" + s.meeting
	switch who {
	case "coordinator":
		out := []string{"/overleg", m, m + "/scherm", m + "/inhoud", m + "/verslag", "/evaluatie", "/evaluatie.csv"}
		for _, ls := range leakSignals {
			out = append(out, m+"/jongere/"+s.items[ls.key])
		}
		return out
	case "privacy":
		out := []string{"/privacy", "/privacy/audit", "/privacy/escalaties", "/privacy/beleid", "/evaluatie", "/evaluatie.csv", "/privacy/inzage"}
		for _, ls := range leakSignals {
			out = append(out, "/privacy/inzage/"+url.PathEscape(s.subjects[ls.key]), "/privacy/audit?subject="+url.QueryEscape(s.subjects[ls.key]))
		}
		return out
	}
	// Reporters and contact persons.
	out := []string{"/signalen", "/signalen/terugkoppeling", m + "/verslag", "/signalen/nieuw"}
	for _, ls := range leakSignals {
		out = append(out, "/signalen/"+s.sigs[ls.key])
	}
	return out
}

// checkPromise fails for every forbidden word a view shows.
func checkPromise(t *testing.T, views []promiseView) {
	t.Helper()
	leaks := map[string][]string{}
	for _, v := range views {
		for _, ls := range leakSignals {
			if author(v.who, ls) {
				continue
			}
			for _, w := range ls.secrets {
				if strings.Contains(v.body, w) {
					k := fmt.Sprintf("%s (%s, %s) %q", ls.key, ls.level, ls.outcome, w)
					leaks[k] = append(leaks[k], v.who+": "+v.where)
				}
			}
		}
	}
	keys := make([]string, 0, len(leaks))
	for k := range leaks {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Errorf("%s is read beyond its level in:\n  %s", k, strings.Join(leaks[k], "\n  "))
	}
}

// checkShown fails when the coordinator's agenda lacks what the level
// allows (the promise is kept by showing the right text, not by showing
// none).
func checkShown(t *testing.T, where, body string) {
	t.Helper()
	for _, ls := range leakSignals {
		for _, w := range ls.shown {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q (%s at %s), which the level allows", where, w, ls.key, ls.level)
			}
		}
	}
}

func TestPromiseNoRecipientReadsBeyondItsLevel(t *testing.T) {
	s := newPromiseSite(t)
	views := s.apiViews(t)
	checkPromise(t, views)
	for _, v := range views {
		if v.who == "coordinator" && strings.HasSuffix(v.where, "/agenda") {
			checkShown(t, "the agenda (API)", v.body)
		}
		for _, ls := range leakSignals {
			if v.who == "coordinator" && strings.HasSuffix(v.where, "/items/"+s.items[ls.key]) {
				for _, w := range ls.shown {
					if !strings.Contains(v.body, w) {
						t.Errorf("the opened item of %s lacks %q, which its level allows", ls.key, w)
					}
				}
			}
		}
	}
	// The database files hold none of it in the clear: every text about a
	// young person is sealed under their key.
	for _, f := range []string{s.app.DB.Path(), s.app.DB.Path() + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, ls := range leakSignals {
			for _, w := range append([]string{ls.name}, ls.secrets...) {
				if i := clearIndex(raw, w); i >= 0 {
					t.Errorf("%s holds %q (%s) in the clear: %s", filepath.Base(f), w, ls.key, hitContext(raw, i, len(w)))
				}
			}
		}
	}
	// The author reads their own signal as written.
	for _, ls := range leakSignals {
		_, sv := s.get(ls.reporter, s.sigs[ls.key])
		if sv.Facts != ls.facts {
			t.Errorf("%s reads their own %s as %q", ls.reporter, ls.key, sv.Facts)
		}
	}

	// Pages, in Chromium, as each role: the whole document (attributes and
	// hidden fields too) and what is on screen.
	if testing.Short() {
		return
	}
	defer func() {
		// Once the meeting is held, the final minutes, in both languages,
		// for every member and the chair.
		s.json("coordinator", "POST", "/api/v1/meetings/"+s.meeting+"/held", nil, http.StatusOK, nil)
		var held []promiseView
		for _, who := range []string{"coordinator", "school-contact", "youthwork-contact", "school", "youthwork"} {
			res := s.do("GET", "/api/v1/meetings/"+s.meeting+"/minutes", s.tokens[who], nil)
			held = append(held, promiseView{who: who, where: "final minutes (API)", body: string(res.body)})
		}
		for _, lang := range []string{"nl", "en"} {
			for _, who := range []string{"coordinator", "school-contact"} {
				b := newBrowserClient(t, s.url)
				if lang == "en" {
					b.get("/taal?lang=en&next=%2Flogin")
				}
				email := s.users[signal.RoleCoordinator].Email
				if who != "coordinator" {
					email = s.contacts[who]
				}
				b.login(email)
				held = append(held, promiseView{who: who, where: "final minutes page (" + lang + ")", body: b.get("/overleg/" + s.meeting + "/verslag").body})
			}
		}
		for _, v := range held {
			if (v.who == "coordinator" || strings.HasSuffix(v.who, "-contact")) && !strings.Contains(v.body, "Gesprek plannen met de mentor.") {
				t.Errorf("%s as %s does not show the minutes", v.where, v.who)
			}
		}
		checkPromise(t, held)
	}()
	var pages []promiseView
	for _, who := range []string{"coordinator", "privacy", "school", "youthwork", "school-contact", "youthwork-contact", "admin"} {
		p := bt.NewPage(t, bt.Laptop)
		p.ExpectConsoleError("403")
		p.ExpectConsoleError("404")
		p.ExpectConsoleError("Cache.add() failed")
		email := who + "@example.nl" // the accounts addPerson made
		if c, ok := s.contacts[who]; ok {
			email = c
		} else if r, ok := map[string]signal.Role{"coordinator": signal.RoleCoordinator, "privacy": signal.RolePrivacyOfficer,
			"admin": signal.RoleAdmin, "school": signal.RoleReporter}[who]; ok {
			email = s.users[r].Email
		}
		p.Goto(s.url+"/login", bt.CSS("#f-email"))
		p.Fill(bt.CSS("#f-email"), email)
		p.Fill(bt.CSS("#f-password"), testPassword)
		submit(p, bt.CSS("main button[type=submit]"), "main h1")
		for _, path := range s.pagePaths(who) {
			if strings.HasSuffix(path, ".csv") {
				res := s.do("GET", strings.Replace(path, "/evaluatie.csv", "/api/v1/evaluation.csv", 1), s.tokens[who], nil)
				pages = append(pages, promiseView{who: who, where: "export " + path, body: string(res.body)})
				continue
			}
			p.Goto(s.url+path, bt.CSS("body"))
			html := bt.Eval[string](p, `document.documentElement.outerHTML`)
			pages = append(pages, promiseView{who: who, where: "page " + path, body: html})
			if who == "coordinator" && path == "/overleg/"+s.meeting {
				checkShown(t, "the agenda page", p.Text(bt.CSS("main")))
				p.Screenshot("agenda")
			}
			if who == "coordinator" && strings.HasSuffix(path, "/scherm") {
				p.Screenshot("projector")
			}
			if who == "privacy" && strings.HasPrefix(path, "/privacy/inzage/"+url.PathEscape(s.subjects["daan"])) {
				p.Screenshot("access-report-daan")
			}
		}
	}
	checkPromise(t, pages)
}

// TestPromiseAccessReportShowsTheVersionEachRecipientSaw: the access report
// tells per reader which version of the text went (its level and digest),
// and with content the very text (issue 14, item 5); where the gate held a
// text back, the report says no text was seen.
func TestPromiseAccessReportShowsTheVersionEachRecipientSaw(t *testing.T) {
	s := newPromiseSite(t)
	for _, k := range []string{"bram", "daan", "fleur", "lotte"} {
		s.get("coordinator", s.sigs[k])
	}
	want := map[string]struct {
		version signal.Level
		text    string
	}{
		"bram":  {signal.LevelMinimal, "Bram komt vaak te laat op school."},
		"fleur": {signal.LevelAnonymous, "De jongere wordt online benaderd door een volwassen man."},
		"lotte": {signal.LevelFull, "Lotte was negen dagen afwezig zonder bericht."},
		"daan":  {}, // held back: no text seen
	}
	for k, w := range want {
		for _, content := range []bool{false, true} {
			var rep signal.AccessReport
			path := "/api/v1/privacy/access-reports/" + url.PathEscape(s.subjects[k])
			if content {
				// Content only inside a registered request (issue 17).
				for _, ls := range leakSignals {
					if ls.key == k {
						var r signal.AccessRequest
						s.mustAPI("POST", "/api/v1/privacy/access-requests", map[string]any{"youth": map[string]string{"name": ls.name, "birth_date": leakBirth},
							"requester": "young_person", "received_on": signal.Today(time.Now()).String()}, &r)
						path = "/api/v1/privacy/access-requests/" + r.ID + "/report?reason=assess"
					}
				}
			}
			s.mustAPI("GET", path, nil, &rep)
			if len(rep.Signals) != 1 {
				t.Fatalf("%s: %d signals in the report", k, len(rep.Signals))
			}
			var coordinatorViews int
			for _, v := range rep.Signals[0].Views {
				if v.Role != string(signal.RoleCoordinator) {
					continue
				}
				coordinatorViews++
				if w.version == "" {
					if len(v.Texts) != 0 {
						t.Errorf("%s: the report says the coordinator saw %+v, but no text went", k, v.Texts)
					}
					continue
				}
				if len(v.Texts) != 1 || v.Texts[0].Version != w.version || v.Texts[0].Part != signal.FieldFacts || v.Texts[0].Digest == "" {
					t.Errorf("%s: the coordinator's view (%s) lists %+v, want the facts at version %s", k, v.Action, v.Texts, w.version)
					continue
				}
				if got := v.Texts[0].Text; content && got != w.text || !content && got != "" {
					t.Errorf("%s (content %v): the report gives the text seen as %q", k, content, got)
				}
			}
			if coordinatorViews < 2 {
				t.Errorf("%s: %d views by the coordinator (the agenda and the read)", k, coordinatorViews)
			}
		}
	}
	if testing.Short() {
		return
	}
	p := bt.NewPage(t, bt.Laptop)
	p.Goto(s.url+"/login", bt.CSS("#f-email"))
	p.Fill(bt.CSS("#f-email"), s.users[signal.RolePrivacyOfficer].Email)
	p.Fill(bt.CSS("#f-password"), testPassword)
	submit(p, bt.CSS("main button[type=submit]"), "main h1")
	p.Goto(s.url+"/privacy/inzage/"+url.PathEscape(s.subjects["bram"]), bt.CSS(".report-signal"))
	p.AssertAccessible()
	p.Screenshot("access-report-bram")
	if got := p.Text(bt.CSS(".report-signal")); !strings.Contains(got, "versie met naam, minimaal") {
		t.Errorf("the access report page does not name the version seen:\n%s", got)
	}
	p.Goto(s.url+"/privacy/inzage/"+url.PathEscape(s.subjects["daan"]), bt.CSS(".report-signal"))
	if got := p.Text(bt.CSS(".report-signal")); !strings.Contains(got, "Geen tekst gezien") || strings.Contains(got, "Tekst gezien") {
		t.Errorf("the access report page of a held-back text:\n%s", got)
	}
}

// TestPromiseRisksFromBeforeTheCheckAreHeldBack: risks were kept in the
// clear before the text check (migration 0050), so an old one may name a
// young person. It is checked again whenever shown and held back when the
// check refuses it, on the agenda, the meeting, the projector's answer and
// the minutes for every member; an old risk the check passes still shows.
func TestPromiseRisksFromBeforeTheCheckAreHeldBack(t *testing.T) {
	s := newPromiseSite(t)
	shell, err := sql.Open("sqlite3", "file:"+s.app.DB.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer shell.Close()
	// As written before the check: no checked column set (it defaults to 0).
	for i, text := range []string{"Daan Jansen wacht al maanden op een plek bij de jeugdhulp.", "Bel Kevin Bos over 06-12345678.", "De wachtlijst voor schuldhulp is vijf maanden."} {
		if _, err := shell.Exec(`INSERT INTO meeting_risks (id, meeting_id, text, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			fmt.Sprintf("rsk_old%d", i), s.meeting, text, s.ids["coordinator"], time.Now().UTC().Add(-time.Hour).Format(time.RFC3339Nano)); err != nil {
			t.Fatal(err)
		}
	}
	m := "/api/v1/meetings/" + s.meeting
	views := map[string]string{}
	for _, v := range []struct{ who, path string }{
		{"coordinator", m}, {"coordinator", m + "/agenda"}, {"coordinator", m + "/agenda?view=projector"}, {"coordinator", m + "/minutes"},
		{"school-contact", m + "/minutes"}, {"youthwork-contact", m + "/minutes"},
	} {
		views[v.who+" "+v.path] = string(s.json(v.who, "GET", v.path, nil, http.StatusOK, nil).body)
	}
	b := newBrowserClient(t, s.url)
	b.login(s.users[signal.RoleCoordinator].Email)
	views["agenda page"] = b.get("/overleg/" + s.meeting).body
	views["minutes page"] = b.get("/overleg/" + s.meeting + "/verslag").body
	for where, body := range views {
		for _, w := range []string{"Daan Jansen wacht", "Kevin Bos", "06-12345678"} {
			if strings.Contains(body, w) {
				t.Errorf("%s shows %q of a risk from before the check", where, w)
			}
		}
		if strings.Contains(where, "projector") {
			continue // the projector's page shows no risks; its answer carries them as the agenda's
		}
		if !strings.Contains(body, "De wachtlijst voor schuldhulp is vijf maanden.") || !strings.Contains(body, "Wachtlijst jeugdhulp is lang.") {
			t.Errorf("%s lacks the risks the check passes", where)
		}
		if strings.HasSuffix(where, "page") {
			if !strings.Contains(body, "Tekst niet getoond: deze tekst is van vóór de controle") {
				t.Errorf("%s does not say a risk is held back", where)
			}
		} else if strings.Count(body, `"withheld":true`) < 2 {
			t.Errorf("%s does not mark the two held-back risks: %s", where, body)
		}
	}
}

// pageViews reads every page of pagePaths as every role through the page
// routes (the whole document as served, hidden fields and attributes too),
// and the CSV export as each role may fetch it.
func (s *promiseSite) pageViews(t *testing.T) []promiseView {
	t.Helper()
	var out []promiseView
	for _, who := range []string{"coordinator", "privacy", "school", "youthwork", "school-contact", "youthwork-contact", "admin"} {
		email := who + "@example.nl"
		if c, ok := s.contacts[who]; ok {
			email = c
		} else if r, ok := map[string]signal.Role{"coordinator": signal.RoleCoordinator, "privacy": signal.RolePrivacyOfficer,
			"admin": signal.RoleAdmin, "school": signal.RoleReporter}[who]; ok {
			email = s.users[r].Email
		}
		b := newBrowserClient(t, s.url)
		b.login(email)
		for _, path := range s.pagePaths(who) {
			if strings.HasSuffix(path, ".csv") {
				res := s.do("GET", strings.Replace(path, "/evaluatie.csv", "/api/v1/evaluation.csv", 1), s.tokens[who], nil)
				out = append(out, promiseView{who: who, where: "export " + path, body: string(res.body)})
				continue
			}
			res := b.get(path)
			if res.status >= 500 {
				t.Fatalf("page %s as %s: %d %s", path, who, res.status, res.body)
			}
			out = append(out, promiseView{who: who, where: "page " + path, body: res.body})
		}
	}
	return out
}

// TestPromiseHoldsAcrossARestartAndAnErasure: the promise across time. The
// service is restarted on the same files, the meeting is held, then three
// young people (full, minimal, anonymous) are erased, and the service is
// restarted again. At each point every API answer, export and page is read
// as every role: no one reads a word beyond its level, the agenda still
// shows what the level allows of those not erased, and of the erased no
// name, text or meeting text is left for anyone, their reporter included,
// nor in the database files.
func TestPromiseHoldsAcrossARestartAndAnErasure(t *testing.T) {
	s := newPromiseSite(t)
	// A decision per young person to be erased, with words no other text has.
	erased := map[string]string{"lotte": "Afspraak met het wijkteam op dinsdag.", "bram": "Afspraak met het wijkteam op woensdag.", "fleur": "Afspraak met het wijkteam op donderdag."}
	for k, text := range erased {
		s.json("coordinator", "POST", "/api/v1/meetings/"+s.meeting+"/items/"+s.items[k]+"/decisions",
			map[string]string{"kind": "act", "text": text}, http.StatusCreated, nil)
	}
	for _, k := range []string{"bram", "daan", "fleur", "lotte"} {
		s.get("coordinator", s.sigs[k]) // reads to show up in the access reports
	}

	all := func(stage string) []promiseView {
		t.Helper()
		views := append(s.apiViews(t), s.pageViews(t)...)
		for i := range views {
			views[i].where = stage + ": " + views[i].where
		}
		checkPromise(t, views)
		return views
	}
	shownToCoordinator := func(stage string, views []promiseView, gone map[string]bool) {
		t.Helper()
		for _, v := range views {
			if v.who != "coordinator" || !strings.HasSuffix(v.where, "/agenda") && !strings.HasSuffix(v.where, "page /overleg/"+s.meeting) {
				continue
			}
			for _, ls := range leakSignals {
				for _, w := range ls.shown {
					if !gone[ls.key] && !strings.Contains(v.body, w) {
						t.Errorf("%s lacks %q (%s at %s), which the level allows", v.where, w, ls.key, ls.level)
					}
				}
			}
		}
	}

	s.restart()
	views := all("after a restart")
	shownToCoordinator("after a restart", views, nil)
	for k, text := range erased {
		var found bool
		for _, v := range views {
			found = found || v.who == "coordinator" && strings.HasSuffix(v.where, "/minutes") && strings.Contains(v.body, text)
		}
		if !found {
			t.Errorf("after a restart the minutes lack the decision about %s", k)
		}
	}

	// The meeting is held; afterwards the young people are erased.
	s.json("coordinator", "POST", "/api/v1/meetings/"+s.meeting+"/held", nil, http.StatusOK, nil)
	for _, ls := range leakSignals {
		if _, ok := erased[ls.key]; ok {
			s.eraseByRequest(ls.name, leakBirth, signal.ErasureDataSubjectRequest)
		}
	}
	gone := func(stage string, views []promiseView) {
		t.Helper()
		for _, v := range views {
			for _, ls := range leakSignals {
				if _, ok := erased[ls.key]; !ok {
					continue
				}
				words := append([]string{ls.name, ls.facts, erased[ls.key]}, append(ls.secrets, ls.shown...)...)
				if ls.minimal != "" {
					words = append(words, ls.minimal)
				}
				if ls.anonymous != "" {
					words = append(words, ls.anonymous)
				}
				for _, w := range words {
					if strings.Contains(v.body, w) {
						t.Errorf("%s (erased) %q is still read by %s in %s", ls.key, w, v.who, v.where)
					}
				}
			}
		}
		for _, f := range []string{s.app.DB.Path(), s.app.DB.Path() + "-wal"} {
			raw, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			for _, ls := range leakSignals {
				for _, w := range append([]string{ls.name, erased[ls.key]}, ls.secrets...) {
					if i := clearIndex(raw, w); w != "" && i >= 0 {
						t.Errorf("%s: %s holds %q (%s) in the clear: %s", stage, filepath.Base(f), w, ls.key, hitContext(raw, i, len(w)))
					}
				}
			}
		}
	}
	gone2 := map[string]bool{"lotte": true, "bram": true, "fleur": true}
	views = all("after the meeting and the erasure")
	gone("after the meeting and the erasure", views)
	shownToCoordinator("after the meeting and the erasure", views, gone2)

	s.restart()
	views = all("after the erasure and a restart")
	gone("after the erasure and a restart", views)
	shownToCoordinator("after the erasure and a restart", views, gone2)
	// Those not erased: their reporter still reads them as written.
	for _, ls := range leakSignals {
		if _, ok := erased[ls.key]; ok {
			continue
		}
		if _, sv := s.get(ls.reporter, s.sigs[ls.key]); sv.Facts != ls.facts {
			t.Errorf("after the erasure and a restart %s reads their own %s as %q", ls.reporter, ls.key, sv.Facts)
		}
	}
	// The record of it all still verifies.
	s.mustAPI("GET", "/api/v1/privacy/verify", nil, nil)
}

// clearIndex returns where w stands in the clear in a database file, or -1.
// A word shorter than 8 bytes also occurs by chance inside the random
// values the database keeps encoded as text (tokens, hashes, ids in
// base64): "ADHD" was found inside "…Cn-vZ5wADHDOGM6jvQI…" once in about
// 20 runs (4 letters out of 64 per place, over some 100 kB of such text).
// Such a hit, inside a run of 16 or more characters of the base64
// alphabets, is not text in the clear: every text about a young person
// has its words between spaces or punctuation. Every other hit counts,
// also one between binary bytes (a word stored as a value of its own).
func clearIndex(raw []byte, w string) int {
	for from := 0; ; {
		i := bytes.Index(raw[from:], []byte(w))
		if i < 0 {
			return -1
		}
		i += from
		if len(w) >= 8 || encodedRun(raw, i, len(w)) < 16 {
			return i
		}
		from = i + 1
	}
}

// encodedRun is the length of the run of base64 (standard or URL) alphabet
// characters around raw[i:i+n].
func encodedRun(raw []byte, i, n int) int {
	in := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '+' || c == '/'
	}
	from, to := i, i+n
	for from > 0 && in(raw[from-1]) {
		from--
	}
	for to < len(raw) && in(raw[to]) {
		to++
	}
	return to - from
}

// hitContext describes where in a database file a word was found: its
// offset, page and the bytes around it, to tell text kept in the clear
// (letters around it) from a chance match inside ciphertext.
func hitContext(raw []byte, i, n int) string {
	from, to := max(0, i-48), min(len(raw), i+n+48)
	return fmt.Sprintf("offset %d (page %d of %d bytes) in %q", i, i/4096+1, len(raw), raw[from:to])
}

// TestClearIndexTellsTextFromEncodedValues: the database search of the
// promise tests finds a word written in the clear wherever it stands (in a
// sentence, quoted, as a value between binary bytes) and passes over a
// short word that a random value encoded as text happens to spell.
func TestClearIndexTellsTextFromEncodedValues(t *testing.T) {
	for _, c := range []struct {
		raw, word string
		found     bool
	}{
		{"Bram Peters heeft een diagnose ADHD en komt", "ADHD", true},
		{`{"facts":"ADHD"}`, "ADHD", true},
		{"\x98\x01ADHD\xa6\xbf", "ADHD", true},
		{"zie ADHDzorg", "ADHD", true},
		{"J1T586ep8TTOzTtEMCn-vZ5wADHDOGM6jvQI\x98W", "ADHD", false},
		{"a2V5/Noor+dGVzdGluZw==", "Noor", false},
		{"J1T586ep8TTOzTtEMCn-vZ5wADHDOGM6jvQI\x98W en ADHD.", "ADHD", true},
		{"xxxxxxxxxxxxxxxxBramPetersxxxxxxxxxxxx", "BramPeters", true}, // 8 bytes or more: any hit
	} {
		if got := clearIndex([]byte(c.raw), c.word) >= 0; got != c.found {
			t.Errorf("clearIndex(%q, %q) found %v, want %v", c.raw, c.word, got, c.found)
		}
	}
}

// TestPromiseTitlesFromBeforeTheCheckNeverLeave: meeting titles were kept
// in the clear and, before the text check (migration 0050), unchecked, so
// an old title may name a young person. The service, restarted on such
// files, checks every old title once: one naming a young person known to
// the meeting or anyone else is dropped and its meeting is "Overleg van
// <date>" on every page, API answer, export, minutes and feedback, for
// every role; an old title the check passes is kept. After that no title,
// old or new, is in the database files in the clear (sealed under the
// cooperation's key), across a further restart, the meeting held and its
// notices sent.
func TestPromiseTitlesFromBeforeTheCheckNeverLeave(t *testing.T) {
	s := newPromiseSite(t)
	plan := func(title string, days int) string {
		var mt signal.Meeting
		s.json("coordinator", "POST", "/api/v1/meetings", map[string]any{
			"title": title, "starts_at": time.Now().Add(time.Duration(days) * 24 * time.Hour).Format(time.RFC3339)}, http.StatusCreated, &mt)
		return mt.ID
	}
	kept, named := plan("Overleg gepland", 9), plan("Overleg gepland later", 16)
	// As an older version left them: in the clear, never checked.
	old := map[string]string{
		s.meeting: "Bespreking Daan Jansen en zijn vader", // a young person known to the meeting
		named:     "Extra overleg over Jurre Hoekstra",    // another person's name
		kept:      "Overleg wachtlijsten jeugdhulp",       // about no one
	}
	s.restartAfter(func() {
		shell, err := sql.Open("sqlite3", "file:"+filepath.Join(s.dir, "signaal.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer shell.Close()
		for id, title := range old {
			if _, err := shell.Exec(`UPDATE meetings SET title = ?, title_ct = NULL, title_checked = 0 WHERE id = ?`, title, id); err != nil {
				t.Fatal(err)
			}
		}
	})
	planned := plan("Overleg jeugdhulp voorjaar", 23)
	forbidden := []string{"Bespreking", "zijn vader", "Jurre", "Hoekstra", "Extra overleg"}
	inClear := []string{old[s.meeting], old[named], old[kept], "Jurre Hoekstra", "Overleg jeugdhulp voorjaar", "Signaleringsoverleg januari", "Overleg gepland"}
	var meetingsAt map[string]signal.Meeting
	check := func(stage string) {
		t.Helper()
		views := append(s.apiViews(t), s.pageViews(t)...)
		for _, v := range views {
			for _, w := range forbidden {
				if strings.Contains(v.body, w) {
					t.Errorf("%s: %s reads %q of an old title in %s", stage, v.who, w, v.where)
				}
			}
		}
		for _, f := range []string{s.app.DB.Path(), s.app.DB.Path() + "-wal"} {
			raw, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			for _, w := range inClear {
				if i := clearIndex(raw, w); i >= 0 {
					t.Errorf("%s: %s holds the title %q in the clear: %s", stage, filepath.Base(f), w, hitContext(raw, i, len(w)))
				}
			}
		}
		var list struct{ Meetings []signal.Meeting }
		s.json("coordinator", "GET", "/api/v1/meetings", nil, http.StatusOK, &list)
		meetingsAt = map[string]signal.Meeting{}
		for _, mt := range list.Meetings {
			meetingsAt[mt.ID] = mt
		}
		for id, want := range map[string]string{kept: old[kept], planned: "Overleg jeugdhulp voorjaar"} {
			if mt := meetingsAt[id]; mt.Title != want || mt.TitleWithheld {
				t.Errorf("%s: meeting %s is listed as %q (withheld %v), want its own title %q", stage, id, mt.Title, mt.TitleWithheld, want)
			}
		}
		for _, id := range []string{s.meeting, named} {
			mt := meetingsAt[id]
			d := signal.Today(mt.StartsAt)
			if want := fmt.Sprintf("Overleg van %d-%d-%d", d.Day, d.Month, d.Year); mt.Title != want || !mt.TitleWithheld {
				t.Errorf("%s: meeting %s is listed as %q (withheld %v), want %q", stage, id, mt.Title, mt.TitleWithheld, want)
			}
		}
		b := newBrowserClient(t, s.url)
		b.login(s.users[signal.RoleCoordinator].Email)
		page := b.get("/overleg").body
		d := signal.Today(meetingsAt[s.meeting].StartsAt)
		months := []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
		for _, w := range []string{fmt.Sprintf("Overleg van %d %s %d", d.Day, months[d.Month-1], d.Year), old[kept], "Overleg jeugdhulp voorjaar"} {
			if !strings.Contains(page, w) {
				t.Errorf("%s: the coordinator's meeting list lacks %q", stage, w)
			}
		}
		if mn := b.get("/overleg/" + s.meeting + "/verslag").body; !strings.Contains(mn, "Verslag: Overleg van ") {
			t.Errorf("%s: the minutes are not headed by the neutral title", stage)
		}
	}
	check("after the upgrade")
	var audit struct {
		Entries []struct {
			Action string `json:"action"`
			Object string `json:"object"`
		} `json:"entries"`
	}
	s.json("privacy", "GET", "/api/v1/privacy/audit?action=meeting.title_sealed", nil, http.StatusOK, &audit)
	sealed := map[string]bool{}
	for _, e := range audit.Entries {
		if e.Action == string(signal.ActionMeetingTitleSealed) {
			sealed[e.Object] = true
		}
	}
	for id := range old {
		if !sealed["meeting/"+id] {
			t.Errorf("the audit log has no meeting.title_sealed for meeting %s: %+v", id, audit.Entries)
		}
	}

	s.restart()
	check("after a further restart")
	s.json("coordinator", "POST", "/api/v1/meetings/"+s.meeting+"/held", nil, http.StatusOK, nil)
	if _, err := s.app.Notifications.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	check("after the meeting was held and its notices sent")
	if testing.Short() {
		return
	}

	// In Chromium, as the coordinator on a laptop and the school's reporter
	// on a phone, in Dutch and in English: the neutral title, in words.
	d := signal.Today(meetingsAt[s.meeting].StartsAt)
	nlMonths := []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
	neutral := map[string]string{
		"nl": fmt.Sprintf("Overleg van %d %s %d", d.Day, nlMonths[d.Month-1], d.Year),
		"en": fmt.Sprintf("Meeting of %d %s %d", d.Day, time.Month(d.Month), d.Year),
	}
	for _, lang := range []string{"nl", "en"} {
		for _, who := range []struct {
			email  string
			device bt.Device
			pages  map[string]string // screenshot name -> path
		}{
			{s.users[signal.RoleCoordinator].Email, bt.Laptop, map[string]string{"meetings": "/overleg", "minutes": "/overleg/" + s.meeting + "/verslag"}},
			{s.users[signal.RoleReporter].Email, bt.Phone, map[string]string{"feedback": "/signalen/terugkoppeling"}},
		} {
			p := bt.NewPage(t, who.device)
			if lang == "en" {
				p.Goto(s.url+"/taal?lang=en&next=%2Flogin", bt.CSS("#f-email"))
			}
			p.Goto(s.url+"/login", bt.CSS("#f-email"))
			p.Fill(bt.CSS("#f-email"), who.email)
			p.Fill(bt.CSS("#f-password"), testPassword)
			submit(p, bt.CSS("main button[type=submit]"), "main h1")
			for name, path := range who.pages {
				p.Goto(s.url+path, bt.CSS("main h1"))
				p.AssertAccessible()
				p.Screenshot(name + "-" + lang)
				got := p.Text(bt.CSS("main"))
				if !strings.Contains(got, neutral[lang]) {
					t.Errorf("%s (%s) does not show %q:\n%s", path, lang, neutral[lang], got)
				}
				for _, w := range forbidden {
					if strings.Contains(got, w) {
						t.Errorf("%s (%s) shows %q of an old title", path, lang, w)
					}
				}
			}
		}
	}
}
