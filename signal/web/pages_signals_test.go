package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// hiddenAndAsked reads the form of a question or summary screen: its hidden
// fields and the question it asks.
func formOf(t *testing.T, body string) (action string, fields url.Values, asked string) {
	t.Helper()
	// The page's own form is in <main>; the header has the logout form.
	_, body, _ = strings.Cut(body, `<main`)
	m := regexp.MustCompile(`<form method="post" action="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form in:\n%s", body)
	}
	body = body[strings.Index(body, m[0]):]
	body, _, _ = strings.Cut(body, "</form>")
	fields = url.Values{}
	for _, h := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(body, -1) {
		fields.Add(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	asked = fields.Get("asked")
	return html.UnescapeString(m[1]), fields, asked
}

func validSignalForm() url.Values {
	return url.Values{
		"youth.name": {"Sam de Vries"}, "youth.birth_date": {"2011-04-02"}, "category": {"school_absence"},
		"facts": {"Sam was drie weken niet op school."}, "observed_on": {"2026-11-20"},
	}
}

// answerAll answers every question the flow asks with answers[id] (or the
// first option), and returns the summary page.
func answerAll(t *testing.T, b *browserClient, first pageResponse, answers map[string]string) (pageResponse, []string) {
	t.Helper()
	page := first
	var asked []string
	for i := 0; i < 30; i++ {
		action, fields, q := formOf(t, page.body)
		if q == "" {
			return page, asked
		}
		asked = append(asked, q)
		a, ok := answers[q]
		if !ok {
			m := regexp.MustCompile(`name="answers\.` + regexp.QuoteMeta(q) + `" id="[^"]+" value="([^"]+)"`).FindStringSubmatch(page.body)
			if m == nil {
				t.Fatalf("question %s has no options:\n%s", q, page.body)
			}
			a = m[1]
		}
		fields.Set("answers."+q, a)
		page = b.post(action, fields)
		if page.status != 200 {
			t.Fatalf("answer %s=%s: status %d\n%s", q, a, page.status, page.body)
		}
	}
	t.Fatal("the questions never end")
	return page, asked
}

// TestReporterPagesWriteDaysInWords (issue 15 item 7): the reporter's list
// writes the day a signal was seen as "4 december 2026", not 2026-12-04.
func TestReporterPagesWriteDaysInWords(t *testing.T) {
	se := newSignalsEnv(t)
	b := newBrowserClient(t, se.url)
	b.login(se.users[signal.RoleReporter].Email)
	se.mustSubmit("school", signalBody("Daan Bakker", "Komt vaak te laat.", "", signal.OutcomeShareFull), signal.OutcomeShareFull)
	home := b.get("/signalen")
	if regexp.MustCompile(`gezien op \d{4}-\d{2}-\d{2}`).MatchString(home.body) || !regexp.MustCompile(`gezien op \d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4}`).MatchString(home.body) {
		t.Errorf("the reporter's list does not write the day in words:\n%s", home.body)
	}
}

// TestQuestionFocusLandsOnTheFirstAnswer (issue 15 item 7): each question
// page without the phone's script puts the focus on its first answer, so a
// keyboard or screen reader user answers at once; after a refusal the
// error summary has it instead.
func TestQuestionFocusLandsOnTheFirstAnswer(t *testing.T) {
	se := newSignalsEnv(t)
	b := newBrowserClient(t, se.url)
	b.login(se.users[signal.RoleReporter].Email)
	q := b.post("/signalen/nieuw", validSignalForm())
	if q.status != http.StatusOK || !strings.Contains(q.body, `name="asked"`) {
		t.Fatalf("no question page: %d", q.status)
	}
	if n := strings.Count(q.body, "autofocus"); n != 1 || !regexp.MustCompile(`id="q-(yes|0)" value="[^"]*" autofocus`).MatchString(q.body) {
		t.Errorf("the focus is not on the first answer (%d autofocus)", n)
	}
}

func TestNewSignalFlow(t *testing.T) {
	se := newSignalsEnv(t)
	se.srv.now = func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }
	b := newBrowserClient(t, se.url)
	b.login(se.users[signal.RoleReporter].Email)

	t.Run("the required fields say so, to the eye and to a screen reader", func(t *testing.T) {
		res := b.get("/signalen/nieuw")
		for _, id := range []string{"f-youth-name", "f-youth-birth_date", "f-facts", "f-observed_on"} {
			label := regexp.MustCompile(`<label for="` + id + `">[^<]*<span class="required">\(verplicht\)</span></label>`)
			field := regexp.MustCompile(`id="` + id + `"[^>]*aria-required="true"`)
			if !label.MatchString(res.body) || !field.MatchString(res.body) {
				t.Errorf("%s is not marked required", id)
			}
		}
		if !regexp.MustCompile(`<legend>[^<]*<span class="required">\(verplicht\)</span></legend>\s*<ul class="choices">\s*<li class="choice"><input type="radio" name="category"`).MatchString(res.body) {
			t.Error("the category is not marked required")
		}
		if !strings.Contains(res.body, `<label for="f-opinions">`) || regexp.MustCompile(`<label for="f-opinions">[^<]*<span class="required">`).MatchString(res.body) {
			t.Error("the opinion, which is optional, is marked required")
		}
	})

	t.Run("screen one names every problem with a link to its field", func(t *testing.T) {
		res := b.post("/signalen/nieuw", url.Values{"youth.birth_date": {"2030-01-01"}, "observed_on": {"2026-11-20"}})
		if res.status != http.StatusBadRequest {
			t.Fatalf("status %d", res.status)
		}
		for _, want := range []string{
			`href="#f-youth-name">Vul de naam van de jongere in`,
			`href="#f-youth-birth_date">De geboortedatum ligt in de toekomst`,
			`href="#f-category">Kies waar je zorg over gaat`,
			`href="#f-facts">Schrijf op wat je zag of hoorde`,
			`id="f-youth-birth_date" name="youth.birth_date" type="date" value="2030-01-01"`,
		} {
			if !strings.Contains(res.body, want) {
				t.Errorf("lacks %q", want)
			}
		}
	})

	t.Run("questions one by one, only those missing, then the summary, then stored once", func(t *testing.T) {
		first := b.post("/signalen/nieuw", validSignalForm())
		if first.status != 200 {
			t.Fatalf("status %d: %s", first.status, first.body)
		}
		// A "next" without an answer asks again, with the error.
		action, fields, q := formOf(t, first.body)
		if q != "risk.acute_danger" {
			t.Fatalf("first question %q, want risk.acute_danger", q)
		}
		again := b.post(action, fields)
		if again.status != http.StatusBadRequest || !strings.Contains(again.body, `href="#f-answers-risk-acute_danger">Kies een antwoord`) {
			t.Fatalf("no answer: %d", again.status)
		}
		summary, asked := answerAll(t, b, first, map[string]string{
			"risk.acute_danger": "false", "legal_duty": "false", "purpose": "coordinate_support",
			"abuse.suspected": "false", "consent.youth": "given", "consent.parents": "given", "consent.recorded": "true",
		})
		t.Logf("asked: %v", asked)
		for _, want := range []string{"Controleer en verstuur", "Delen mag", "Het signaleringsoverleg", "Naam en geboortedatum", `name="idempotency_key"`, "data-outbox"} {
			if !strings.Contains(summary.body, want) {
				t.Errorf("summary lacks %q:\n%s", want, summary.body)
			}
		}
		if n := countSignals(t, se); n != 0 {
			t.Fatalf("%d signals stored before sending", n)
		}
		action, fields, _ = formOf(t, summary.body)
		sent := b.post(action, fields)
		if sent.status != http.StatusSeeOther || !strings.HasPrefix(sent.header.Get("Location"), "/signalen/") {
			t.Fatalf("send: %d %q %s", sent.status, sent.header.Get("Location"), sent.body)
		}
		// The same summary sent again (a double tap) stores nothing new.
		if again := b.post(action, fields); again.header.Get("Location") != sent.header.Get("Location") {
			t.Fatalf("resend went to %q", again.header.Get("Location"))
		}
		if n := countSignals(t, se); n != 1 {
			t.Fatalf("%d signals stored, want 1", n)
		}
		page := b.get(sent.header.Get("Location"))
		for _, want := range []string{"Sam de Vries", "Besloten", "Sam was drie weken niet op school.", "Delen mag"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("signal page lacks %q", want)
			}
		}
		home := b.get("/signalen")
		if !strings.Contains(home.body, "Sam de Vries – Schoolverzuim") {
			t.Errorf("home does not list it:\n%s", home.body)
		}
	})

	t.Run("a young person reported before is picked instead of typed", func(t *testing.T) {
		form := b.get("/signalen/nieuw")
		if !strings.Contains(form.body, `<option value="2011-04-02|Sam de Vries">Sam de Vries (2 april 2011)</option>`) {
			t.Fatalf("no earlier young person to pick:\n%s", form.body)
		}
		if shell := b.get("/signalen/nieuw?shell=1"); strings.Contains(shell.body, "Sam de Vries") {
			t.Fatalf("the app shell the service worker keeps names a young person")
		}
		f := validSignalForm()
		f.Del("youth.name")
		f.Del("youth.birth_date")
		f.Set("youth.pick", "2011-04-02|Sam de Vries")
		if res := b.post("/signalen/nieuw", f); res.status != 200 || !strings.Contains(res.body, `name="asked" value="risk.acute_danger"`) {
			t.Fatalf("picked: %d\n%s", res.status, res.body)
		}
	})

	t.Run("acute danger shows 112 and Veilig Thuis first", func(t *testing.T) {
		first := b.post("/signalen/nieuw", validSignalForm())
		summary, asked := answerAll(t, b, first, map[string]string{"risk.acute_danger": "true"})
		if len(asked) != 1 {
			t.Errorf("asked %v after acute danger, want only that question", asked)
		}
		for _, want := range []string{`class="emergency" role="alert"`, `href="tel:112"`, "0800-2000"} {
			if !strings.Contains(summary.body, want) {
				t.Errorf("summary lacks %q", want)
			}
		}
	})

	t.Run("a draft sent with open questions is completed later", func(t *testing.T) {
		first := b.post("/signalen/nieuw", validSignalForm())
		action, fields, _ := formOf(t, first.body)
		_ = action
		fields.Set("idempotency_key", "draft-1")
		sent := b.post("/signalen/verstuur", fields)
		if sent.status != http.StatusSeeOther {
			t.Fatalf("send draft: %d %s", sent.status, sent.body)
		}
		loc := sent.header.Get("Location")
		page := b.get(loc)
		if !strings.Contains(page.body, "Vragen beantwoorden") {
			t.Fatalf("draft page:\n%s", page.body)
		}
		q := b.get(loc + "/vragen")
		summary, _ := answerAll(t, b, q, map[string]string{
			"risk.acute_danger": "false", "legal_duty": "false", "purpose": "coordinate_support",
			"abuse.suspected": "false", "consent.youth": "given", "consent.parents": "given", "consent.recorded": "true",
		})
		action, fields, _ = formOf(t, summary.body)
		if fields.Get("confirm") != "1" {
			t.Fatalf("summary does not confirm")
		}
		done := b.post(action, fields)
		if done.status != http.StatusSeeOther {
			t.Fatalf("confirm: %d %s", done.status, done.body)
		}
		if page := b.get(loc); !strings.Contains(page.body, "Besloten") {
			t.Fatalf("not decided after completing")
		}
	})

	t.Run("another role may not use the reporter's pages", func(t *testing.T) {
		c := newBrowserClient(t, se.url)
		c.login(se.users[signal.RoleCoordinator].Email)
		if res := c.get("/signalen/nieuw"); res.status != http.StatusForbidden || !strings.Contains(res.body, "Dat lukte niet") {
			t.Fatalf("coordinator: %d", res.status)
		}
	})
}

func countSignals(t *testing.T, se *signalsEnv) int {
	t.Helper()
	var n int
	if err := se.app.DB.Read().QueryRowContext(context.Background(), "SELECT count(*) FROM signals").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
