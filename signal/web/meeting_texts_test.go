package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/auth"
	bt "github.com/signaal-nl/signaal/signal/web/browsertest"
)

// The meeting's texts (issue 14, item 4): actions, decisions and risks that
// carry a young person's name, written under items at every level, and
// searched for in every view of the meeting as the coordinator, the
// projector and the partners' contact persons; then the young person is
// erased, and the texts are gone from the minutes and the database files.

// textsSite is a real server (real policy, key store, SQLite, text check)
// with a young person at each level the meeting can see them:
//   - Sanne de Vries: full (identity and facts);
//   - Daan Jansen: minimal;
//   - Noor Visser: anonymous (the meeting does not know it is her);
//   - Milan Bakker: existence (that there is a concern, not what).
type textsSite struct {
	*privacyEnv
	meeting                  string
	sanne, daan, noor, milan string // item refs
	// contacts are the partners' contact persons (they receive the minutes).
	contacts map[string]string // name -> e-mail
}

func newTextsSite(t *testing.T) *textsSite {
	t.Helper()
	pe := newPrivacyEnv(t)
	s := &textsSite{privacyEnv: pe, contacts: map[string]string{}}
	s.mustSubmit("school", signalBody("Sanne de Vries", "Negen dagen afwezig.", "", signal.OutcomeShareFull), signal.OutcomeShareFull)
	s.mustSubmit("youthwork", signalBody("Daan Jansen", "Durft thuis niet te slapen.", "", signal.OutcomeShareMinimal), signal.OutcomeShareMinimal)
	noor := s.mustSubmit("youthwork", signalBody("Noor Visser", "Een onbekende vraagt om foto's.", "", signal.OutcomeAskConsent), signal.OutcomeAskConsent)
	s.mustSubmit("school", signalBody("Milan Bakker", "Gezien bij de skatebaan.", "", signal.OutcomeDoNotShare), signal.OutcomeDoNotShare)
	s.addContact("school-contact", s.org)
	youthwork, err := s.app.DB.Organisation(context.Background(), "Jongerenwerk Test")
	if err != nil {
		t.Fatal(err)
	}
	s.addContact("youthwork-contact", youthwork)

	var mt signal.Meeting
	s.json("coordinator", "POST", "/api/v1/meetings", map[string]any{
		"title": "Signaleringsoverleg december", "starts_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339),
	}, http.StatusCreated, &mt)
	s.meeting = mt.ID
	var ag signal.Agenda
	s.json("coordinator", "GET", "/api/v1/meetings/"+mt.ID+"/agenda", nil, http.StatusOK, &ag)
	for _, it := range ag.Items {
		switch {
		case it.Anonymous && it.Signals[0].ID == noor.ID:
			s.noor = it.Ref
		case it.Youth != nil && it.Youth.Name == "Sanne de Vries":
			s.sanne = it.Ref
		case it.Youth != nil && it.Youth.Name == "Daan Jansen":
			s.daan = it.Ref
		case it.Youth != nil && it.Youth.Name == "Milan Bakker":
			s.milan = it.Ref
		}
	}
	if s.sanne == "" || s.daan == "" || s.noor == "" || s.milan == "" {
		t.Fatalf("agenda items: %+v", ag.Items)
	}
	return s
}

// addContact adds a reporter whose e-mail is org's contact person's: the
// person who receives the minutes for org.
func (s *textsSite) addContact(name string, org signal.Organisation) {
	t := s.t
	hash, err := auth.HashPassword(testPassword, testParams)
	if err != nil {
		t.Fatal(err)
	}
	u := signal.User{Email: org.Contact.Email, Name: "Aanspreekpunt " + org.Name, OrgID: org.ID, Role: signal.RoleReporter}
	if err := s.accounts.SeedUser(context.Background(), cliActor, &u, hash); err != nil {
		t.Fatal(err)
	}
	res := s.login(u.Email, testPassword)
	var lr loginResponse
	if res.status != http.StatusOK || json.Unmarshal(res.body, &lr) != nil {
		t.Fatalf("login %s: %d %s", name, res.status, res.body)
	}
	s.tokens[name], s.ids[name] = lr.Token, u.ID
	s.contacts[name] = u.Email
}

// A meeting text, where it is written, and what becomes of it.
type meetingText struct {
	what   string // "action", "decision", "risk", "title"
	item   string // for an action or decision: which young person
	text   string
	marker string // words of the text no other text or signal has
	// refused: the problem's words when the text may not be written.
	refused string
	// shown: where the marker may be read once written (none when refused).
	chair, projector, minutes bool
}

var meetingTexts = []meetingText{
	// Full: the name may stand in a text; another young person's, a
	// special category the decision does not list, a BSN may not.
	{what: "action", item: "sanne", text: "Sanne krijgt bijles wiskunde van de mentor.", marker: "bijles wiskunde", chair: true, projector: true, minutes: true},
	{what: "decision", item: "sanne", text: "Sanne en Daan Jansen zitten samen in de klas.", marker: "samen in de klas", refused: "names a young person known to the meeting"},
	{what: "action", item: "sanne", text: "Sanne wordt aangemeld bij de psycholoog.", marker: "aangemeld bij de psycholoog", refused: "about health"},
	{what: "action", item: "sanne", text: "BSN 111222333 doorgeven aan de leerplichtambtenaar.", marker: "111222333", refused: "a BSN"},
	// Minimal: identified, so the name may stand; on the projector no
	// free text (it shows only what is shared in full); no contact details.
	{what: "decision", item: "daan", text: "Daan krijgt een gesprek met het jongerenwerk.", marker: "gesprek met het jongerenwerk", chair: true, minutes: true},
	{what: "action", item: "daan", text: "Daan gaat naar de huiswerkklas.", marker: "huiswerkklas", chair: true, minutes: true},
	{what: "action", item: "daan", text: "Daan belt 06-12345678 voor een afspraak.", marker: "06-12345678", refused: "contact details"},
	// Anonymous: text without anyone's name, her own included.
	{what: "decision", item: "noor", text: "Eerst toestemming vragen aan de ouders.", marker: "toestemming vragen aan de ouders", chair: true, minutes: true},
	{what: "action", item: "noor", text: "Noor Visser komt op het spreekuur.", marker: "op het spreekuur", refused: "a name or a birth date"},
	// ...and another young person's name is refused in the same words, so
	// trying names does not tell whose item it is.
	{what: "decision", item: "noor", text: "Daan Jansen en de ouders uitnodigen.", marker: "en de ouders uitnodigen", refused: "a name or a birth date"},
	// Existence: no text at all.
	{what: "action", item: "milan", text: "Contact opnemen met de melder.", marker: "opnemen met de melder", refused: "existence level"},
	// Risks and titles are about the cooperation, sealed under its key:
	// no young person's name (a special category about a service may
	// stand).
	{what: "risk", text: "Wachtlijst jeugd-GGZ is twaalf weken.", marker: "twaalf weken", chair: true, minutes: true},
	{what: "risk", text: "Sanne de Vries wacht al maanden op hulp.", marker: "wacht al maanden", refused: "names a young person known to the meeting"},
	// A provider or a place is no one: the check's guesses at unlisted
	// names do not refuse a risk (the young people known are found by name).
	{what: "risk", text: "Wachtlijst bij Accare voor Zuidhaven is lang.", marker: "Accare voor Zuidhaven", chair: true, minutes: true},
	{what: "title", text: "Extra overleg Daan Jansen", marker: "Extra overleg", refused: "names a young person known to the meeting"},
}

// write records every text through the API, checking each refusal.
func (s *textsSite) write(t *testing.T) {
	base := "/api/v1/meetings/" + s.meeting
	due := signal.Today(time.Now().Add(7 * 24 * time.Hour)).String()
	refs := map[string]string{"sanne": s.sanne, "daan": s.daan, "noor": s.noor, "milan": s.milan}
	owners := map[string]string{"sanne": "school", "daan": "youthwork", "noor": "youthwork", "milan": "school"}
	for _, mt := range meetingTexts {
		var path string
		var body map[string]any
		switch mt.what {
		case "action":
			path, body = base+"/items/"+refs[mt.item]+"/actions", map[string]any{"owner_id": s.ids[owners[mt.item]], "description": mt.text, "due_on": due}
		case "decision":
			path, body = base+"/items/"+refs[mt.item]+"/decisions", map[string]any{"kind": "act", "text": mt.text}
		case "risk":
			path, body = base+"/risks", map[string]any{"text": mt.text}
		case "title":
			path, body = "/api/v1/meetings", map[string]any{"title": mt.text, "starts_at": time.Now().Add(72 * time.Hour).Format(time.RFC3339)}
		}
		want := http.StatusCreated
		if mt.refused != "" {
			want = http.StatusBadRequest
		}
		res := s.json("coordinator", "POST", path, body, want, nil)
		if mt.refused != "" && !strings.Contains(string(res.body), mt.refused) {
			t.Errorf("%s %q refused with %s, want a problem saying %q", mt.what, mt.text, res.body, mt.refused)
		}
		if mt.item == "noor" && strings.Contains(string(res.body), "known to the meeting") {
			t.Errorf("under the anonymous item, %q is refused as a name the meeting knows: %s", mt.text, res.body)
		}
	}
	// A lead professional can be named for every item, existence too.
	s.json("coordinator", "POST", base+"/items/"+s.milan+"/lead", map[string]string{"user_id": s.ids["school"]}, http.StatusOK, nil)
}

// views reads every API answer and export of the meeting as each role.
func (s *textsSite) views(t *testing.T) map[string]string {
	base := "/api/v1/meetings/" + s.meeting
	get := func(who, path string) string {
		return string(s.json(who, "GET", path, nil, http.StatusOK, nil).body)
	}
	return map[string]string{
		"agenda (API)":                        get("coordinator", base+"/agenda"),
		"meeting (API)":                       get("coordinator", base),
		"projector (API)":                     get("coordinator", base+"/agenda?view=projector"),
		"minutes as coordinator (API)":        get("coordinator", base+"/minutes"),
		"minutes as the school's contact":     get("school-contact", base+"/minutes"),
		"minutes as youth work's contact":     get("youthwork-contact", base+"/minutes"),
		"outcomes as the school's reporter":   get("school", "/api/v1/outcomes"),
		"outcomes as youth work's reporter":   get("youthwork", "/api/v1/outcomes"),
		"evaluation (API)":                    get("coordinator", "/api/v1/evaluation"),
		"evaluation export (CSV)":             get("privacy", "/api/v1/evaluation.csv"),
		"meetings as the school's contact":    get("school-contact", "/api/v1/meetings"),
		"meetings as youth work's contact":    get("youthwork-contact", "/api/v1/meetings"),
		"matches as the school's reporter":    get("school", "/api/v1/matches"),
		"signals as the coordinator (API)":    get("coordinator", "/api/v1/signals"),
		"meetings as the coordinator (API)":   get("coordinator", "/api/v1/meetings"),
		"outcomes as the school's contact":    get("school-contact", "/api/v1/outcomes"),
		"outcomes as youth work's contact":    get("youthwork-contact", "/api/v1/outcomes"),
		"evaluation as privacy officer (API)": get("privacy", "/api/v1/evaluation"),
	}
}

// shownIn says in which views a text's marker may appear.
func (mt meetingText) shownIn(view string) bool {
	switch {
	case mt.refused != "":
		return false
	case strings.HasPrefix(view, "agenda"), mt.what == "risk" && (view == "meeting (API)" || view == "projector (API)"):
		// Risks are on the agenda's answer for both views (the projector
		// page does not show them).
		return mt.chair
	case strings.HasPrefix(view, "projector"):
		return mt.projector
	case strings.HasPrefix(view, "minutes"):
		return mt.minutes
	case strings.HasPrefix(view, "outcomes as the school's reporter"):
		return mt.what == "action" && mt.item == "sanne"
	case strings.HasPrefix(view, "outcomes as youth work's reporter"):
		return mt.what == "action" && mt.item == "daan"
	}
	return false
}

func TestMeetingTextsShowOnlyWhereTheLevelAllows(t *testing.T) {
	s := newTextsSite(t)
	s.write(t)
	views := s.views(t)
	for view, body := range views {
		for _, mt := range meetingTexts {
			if got, want := strings.Contains(body, mt.marker), mt.shownIn(view); got != want {
				t.Errorf("%s shows %q (%s, %s): %v, want %v", view, mt.marker, mt.what, mt.item, got, want)
			}
		}
		// Youth work reported both: its reporter reads their names in their
		// own outcomes.
		own := view == "outcomes as youth work's reporter"
		if strings.Contains(body, "Noor") && !own {
			t.Errorf("%s names the young person of the anonymous item", view)
		}
		if strings.Contains(body, "Daan") != (strings.HasPrefix(view, "agenda") || strings.HasPrefix(view, "minutes") ||
			own || view == "signals as the coordinator (API)") {
			t.Errorf("%s: shows Daan (minimal) %v", view, strings.Contains(body, "Daan"))
		}
	}
	// The projector marks what it withholds, so the room knows there is
	// more, not what.
	if !strings.Contains(views["projector (API)"], `"withheld":true`) {
		t.Errorf("the projector does not mark the withheld texts: %s", views["projector (API)"])
	}
	checkSignalTexts(t, "projector (API)", views["projector (API)"], true)
	checkSignalTexts(t, "agenda (API)", views["agenda (API)"], false)

	// Erase Sanne: her texts are gone from the minutes for everyone, and
	// no name or text of the meeting is readable in the database files.
	s.eraseByRequest("Sanne de Vries", "2011-04-30", signal.ErasureObjection)
	for view, body := range s.views(t) {
		for _, leak := range []string{"Sanne", "bijles wiskunde"} {
			if strings.Contains(body, leak) {
				t.Errorf("after the erasure %s still shows %q", view, leak)
			}
		}
	}
	// Nothing new is written about her: it would be sealed under a new key
	// that outlives the erasure.
	res := s.json("coordinator", "POST", "/api/v1/meetings/"+s.meeting+"/items/"+s.sanne+"/decisions",
		map[string]string{"kind": "act", "text": "Verder zonder nieuwe signalen."}, http.StatusBadRequest, nil)
	if !strings.Contains(string(res.body), "were erased") {
		t.Errorf("a decision about an erased young person: %s", res.body)
	}
	var mn signal.Minutes
	s.json("coordinator", "GET", "/api/v1/meetings/"+s.meeting+"/minutes", nil, http.StatusOK, &mn)
	for _, it := range mn.Items {
		for _, a := range it.Actions {
			if a.Description != "" && strings.Contains(a.Description, "wiskunde") || a.Owner != nil && a.Owner.UserID == s.ids["school"] && !a.Erased && !a.Withheld {
				t.Errorf("Sanne's action after the erasure: %+v", a)
			}
		}
	}
	for _, f := range []string{s.app.DB.Path(), s.app.DB.Path() + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		words := []string{"Sanne", "Daan", "Noor", "Milan", "bijles wiskunde", "huiswerkklas", "gesprek met het jongerenwerk", "toestemming vragen aan"}
		for _, mt := range meetingTexts {
			if mt.refused != "" {
				words = append(words, mt.marker)
			}
		}
		for _, w := range words {
			if bytes.Contains(raw, []byte(w)) {
				t.Errorf("%s holds %q in plain text", filepath.Base(f), w)
			}
		}
	}
}

// checkSignalTexts: the signals' own free text shows on the agenda at
// every level that allows it, on the projector only where shared in full.
func checkSignalTexts(t *testing.T, view, body string, projector bool) {
	t.Helper()
	for _, tc := range []struct {
		facts string
		full  bool
	}{
		{"Negen dagen afwezig.", true},          // Sanne, full
		{"Durft thuis niet te slapen.", false},  // Daan, minimal
		{"Een onbekende vraagt om foto", false}, // Noor, anonymous
		{"Gezien bij de skatebaan.", false},     // Milan, existence: never
	} {
		want := tc.full || !projector && tc.facts != "Gezien bij de skatebaan."
		if got := strings.Contains(body, tc.facts); got != want {
			t.Errorf("%s shows the facts %q: %v, want %v", view, tc.facts, got, want)
		}
	}
}

// TestMeetingTextPagesInChromium drives the agenda, the projector and the
// minutes in Chromium: the chair's refused texts come back as a Dutch field
// error with the same status as the API's, and each page shows the texts
// only where the level allows (screenshots: agenda, projector, minutes).
func TestMeetingTextPagesInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("a real browser; skipped with -short")
	}
	s := newTextsSite(t)
	s.write(t)
	login := func(p *bt.Page, email string) {
		p.Goto(s.url+"/login", bt.CSS("#f-email"))
		p.Fill(bt.CSS("#f-email"), email)
		p.Fill(bt.CSS("#f-password"), testPassword)
		submit(p, bt.CSS("main button[type=submit]"), "main h1")
	}
	p := bt.NewPage(t, bt.Laptop)
	p.ExpectConsoleError("Cache.add() failed") // the reporter's app shell is 403 for a coordinator
	p.ExpectConsoleError("403")
	login(p, s.users[signal.RoleCoordinator].Email)

	agenda := s.url + "/overleg/" + s.meeting
	p.Goto(agenda, bt.Name("Signaleringsoverleg december"))
	p.AssertAccessible()
	p.Screenshot("agenda")
	page := p.Text(bt.CSS("main"))
	for _, mt := range meetingTexts {
		if got := strings.Contains(page, mt.marker); got != mt.shownIn("agenda") {
			t.Errorf("agenda page shows %q: %v", mt.marker, got)
		}
	}
	checkSignalTexts(t, "agenda page", page, false)
	// Where no text may go, the page offers no form for one.
	p.Click(bt.CSS("#punt-4 details.work > summary"))
	if p.Has(bt.CSS("#punt-4 form[action$='/actie']")) || !strings.Contains(p.Text(bt.CSS("#punt-4")), "alleen weten dát er zorg is") {
		t.Errorf("the existence item offers a text form:\n%s", p.Text(bt.CSS("#punt-4")))
	}

	// A risk that names a young person: the page refuses it as the API
	// does (400), in Dutch, linked to the field.
	p.Fill(bt.CSS("#f-risk"), "Daan Jansen komt niet naar school.")
	p.ExpectConsoleError("status of 400")
	p.ClickAndWait(bt.CSS("form[action$='/knelpunten'] button"), bt.CSS(".error-summary"))
	if got := p.Text(bt.CSS(".error-summary")); !strings.Contains(got, "nooit over een jongere") {
		t.Errorf("error summary of the risk: %q", got)
	}
	p.AssertAccessible()
	p.Screenshot("agenda-risk-refused")

	p.Goto(agenda+"/scherm", bt.Name("Terug naar de agenda"))
	p.AssertAccessible()
	p.Screenshot("projector")
	screen := p.Text(bt.CSS("main"))
	for _, mt := range meetingTexts {
		if got := strings.Contains(screen, mt.marker); got != mt.shownIn("projector") {
			t.Errorf("projector page shows %q: %v", mt.marker, got)
		}
	}
	if strings.Contains(screen, "Daan") || strings.Contains(screen, "Noor") || !strings.Contains(screen, "Tekst niet getoond") {
		t.Errorf("projector page:\n%s", screen)
	}
	checkSignalTexts(t, "projector page", screen, true)

	p.Goto(agenda+"/verslag", bt.CSS("h1"))
	p.AssertAccessible()
	p.Screenshot("minutes")
	minutes := p.Text(bt.CSS("main"))
	for _, mt := range meetingTexts {
		if got := strings.Contains(minutes, mt.marker); got != mt.shownIn("minutes") {
			t.Errorf("minutes page shows %q: %v", mt.marker, got)
		}
	}

	// The school's contact person reads the same minutes.
	p2 := bt.NewPage(t, bt.Laptop)
	login(p2, s.contacts["school-contact"])
	p2.Goto(agenda+"/verslag", bt.CSS("h1"))
	p2.Screenshot("minutes-contact")
	if got := p2.Text(bt.CSS("main")); !strings.Contains(got, "bijles wiskunde") || strings.Contains(got, "Noor") || strings.Contains(got, "wacht al maanden") {
		t.Errorf("minutes for the school's contact:\n%s", got)
	}
}
