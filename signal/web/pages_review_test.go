package web

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// The answers of the new-signal pages per level the meeting gets, for a
// 15-year-old (see answersFor).
var pageAnswersFor = map[signal.Level]map[string]string{
	signal.LevelFull: {
		"risk.acute_danger": "false", "legal_duty": "false", "purpose": "coordinate_support",
		"abuse.suspected": "false", "consent.youth": "given", "consent.parents": "given", "consent.recorded": "true",
		"risk.harm": "none", "risk.asking_endangers": "false",
	},
	signal.LevelMinimal: {
		"risk.acute_danger": "false", "legal_duty": "false", "purpose": "coordinate_support",
		"abuse.suspected": "false", "consent.youth": "refused", "consent.parents": "refused", "consent.recorded": "true",
		"risk.harm": "likely", "risk.asking_endangers": "false",
		"duty_conflict.no_other_way": "true", "duty_conflict.prevents_harm": "true", "duty_conflict.expert_consulted": "true",
	},
	signal.LevelAnonymous: {
		"risk.acute_danger": "false", "legal_duty": "false", "purpose": "coordinate_support",
		"abuse.suspected": "false", "consent.youth": "not_asked", "consent.parents": "not_asked", "consent.recorded": "false",
		"risk.harm": "none", "risk.asking_endangers": "false",
	},
	signal.LevelExistence: {
		"risk.acute_danger": "false", "legal_duty": "false", "purpose": "coordinate_support",
		"abuse.suspected": "false", "consent.youth": "refused", "consent.parents": "refused", "consent.recorded": "true",
		"risk.harm": "none", "risk.asking_endangers": "false",
	},
}

// outgoing is what the summary says one recipient will read.
type outgoing struct {
	level, name, facts, opinions string
	withheld                     bool
}

func outgoingOf(t *testing.T, body string) outgoing {
	t.Helper()
	_, sec, ok := strings.Cut(body, `<section class="recipient">`)
	if !ok {
		t.Fatalf("the summary shows no recipient:\n%s", body)
	}
	sec, _, _ = strings.Cut(sec, `</section>`)
	var o outgoing
	get := func(re string) string {
		if m := regexp.MustCompile(re).FindStringSubmatch(sec); m != nil {
			return html.UnescapeString(m[1])
		}
		return ""
	}
	o.name = get(`<span class="outgoing-name">([^<]*)</span>`)
	o.facts = get(`(?s)<blockquote class="outgoing-facts">(.*?)</blockquote>`)
	o.opinions = get(`(?s)<blockquote class="outgoing-opinions">(.*?)</blockquote>`)
	o.withheld = strings.Contains(sec, `class="withheld"`)
	return o
}

// textareaOf is the text a textarea of the page holds.
func textareaOf(body, name string) string {
	m := regexp.MustCompile(`(?s)<textarea [^>]*name="` + regexp.QuoteMeta(name) + `"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// addTextareas adds the textareas of the page's form to fields, as a
// browser posts them.
func addTextareas(body string, fields url.Values) {
	_, body, _ = strings.Cut(body, `<main`)
	for _, m := range regexp.MustCompile(`(?s)<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(body, -1) {
		fields.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
}

// TestSummaryShowsExactlyWhatTheMeetingReads is the promise of the summary
// before sending (issue 14, items 2, 3 and 6): for each level, the text the
// summary says the meeting will read is, byte for byte, what the
// coordinator reads once it is sent; the young person's name is on the
// summary, and per recipient only where the level shows who it is.
func TestSummaryShowsExactlyWhatTheMeetingReads(t *testing.T) {
	se := newSignalsEnv(t)
	se.srv.now = func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }
	b := newBrowserClient(t, se.url)
	b.login(se.users[signal.RoleReporter].Email)

	const leak = "Sam de Vries zei tegen de mentor dat hij niet meer wil leven. Hij was drie weken niet op school."
	for _, tc := range []struct {
		level signal.Level
		// fix is the text the reporter writes for the level after the
		// check found what the level forbids ("" keeps the signal's own).
		fix      string
		wantName bool
		// wantFacts is the text the meeting reads; "" with withheld: none.
		wantFacts string
		withheld  bool
	}{
		{level: signal.LevelFull, wantName: true, wantFacts: "", withheld: true},
		{level: signal.LevelMinimal, fix: "Sam de Vries was drie weken niet op school.", wantName: true, wantFacts: "Sam de Vries was drie weken niet op school."},
		{level: signal.LevelAnonymous, fix: "De jongere was drie weken niet op school.", wantFacts: "De jongere was drie weken niet op school."},
		{level: signal.LevelExistence, wantName: true},
	} {
		t.Run(string(tc.level), func(t *testing.T) {
			f := validSignalForm()
			f.Set("facts", leak)
			first := b.post("/signalen/nieuw", f)
			if first.status != 200 {
				t.Fatalf("status %d: %s", first.status, first.body)
			}
			summary, _ := answerAll(t, b, first, pageAnswersFor[tc.level])
			if !strings.Contains(summary.body, `<strong id="review-name">Sam de Vries</strong>`) {
				t.Fatalf("the summary does not name the young person:\n%s", summary.body)
			}
			for _, want := range []string{`id="review-warning"`, "Haal namen en alles over gezondheid", "Waarom"} {
				if !strings.Contains(summary.body, want) {
					t.Errorf("summary lacks %q", want)
				}
			}
			if !strings.Contains(summary.body, "Dit staat in je tekst") && !strings.Contains(summary.body, `class="finding blocking"`) && tc.level != signal.LevelExistence {
				t.Errorf("the summary does not show that the text carries what the level forbids:\n%s", summary.body)
			}
			if o := outgoingOf(t, summary.body); o.facts != "" && strings.Contains(o.facts, "leven") {
				t.Fatalf("the summary says the meeting at %s reads the health words: %q", tc.level, o.facts)
			}
			versionField := "versions." + string(tc.level) + ".facts"
			if tc.fix != "" {
				if got := textareaOf(summary.body, versionField); got != leak {
					t.Fatalf("the text for %s is not put in for the reporter to fix: %q", tc.level, got)
				}
				_, fields, _ := formOf(t, summary.body)
				fields.Set(versionField, tc.fix)
				fields.Set("check", "1")
				summary = b.post("/signalen/nieuw", fields)
				if summary.status != 200 {
					t.Fatalf("check again: %d %s", summary.status, summary.body)
				}
			}
			o := outgoingOf(t, summary.body)
			if tc.wantName != (o.name == "Sam de Vries") {
				t.Errorf("name for the meeting at %s: %q", tc.level, o.name)
			}
			if o.facts != tc.wantFacts || o.withheld != tc.withheld {
				t.Fatalf("the summary says the meeting reads %q (withheld %v), want %q (withheld %v)", o.facts, o.withheld, tc.wantFacts, tc.withheld)
			}

			action, fields, _ := formOf(t, summary.body)
			if tc.fix != "" {
				fields.Set(versionField, textareaOf(summary.body, versionField))
				// A text changed after the summary showed it is not sent:
				// the summary comes again for what it now is.
				changed := url.Values{}
				for k, v := range fields {
					changed[k] = v
				}
				changed.Set(versionField, leak)
				again := b.post(action, changed)
				if again.status != 200 || !strings.Contains(again.body, `id="review-changed"`) {
					t.Fatalf("a changed text was not reviewed again: %d\n%s", again.status, again.body)
				}
				if o := outgoingOf(t, again.body); o.facts != "" || !o.withheld {
					t.Fatalf("after the change the summary says %q goes", o.facts)
				}
			}
			sent := b.post(action, fields)
			if sent.status != http.StatusSeeOther {
				t.Fatalf("send: %d %s", sent.status, sent.body)
			}
			id := strings.TrimPrefix(sent.header.Get("Location"), "/signalen/")

			res := se.do("GET", "/api/v1/signals/"+id, se.tokens["coordinator"], nil)
			if res.status != 200 {
				t.Fatalf("coordinator reads %s: %d %s", id, res.status, res.body)
			}
			var read signal.SignalView
			if err := json.Unmarshal(res.body, &read); err != nil {
				t.Fatal(err)
			}
			if read.Facts != o.facts || read.Opinions != o.opinions {
				t.Fatalf("the coordinator reads %q / %q, the summary showed %q / %q", read.Facts, read.Opinions, o.facts, o.opinions)
			}
			if read.Withheld != o.withheld {
				t.Errorf("withheld: coordinator %v, summary %v", read.Withheld, o.withheld)
			}
			name := ""
			if read.Youth != nil {
				name = read.Youth.Name
			}
			if name != o.name {
				t.Errorf("the coordinator reads the name %q, the summary showed %q", name, o.name)
			}
			if strings.Contains(string(res.body), "leven") {
				t.Errorf("the coordinator's answer carries the health words: %s", res.body)
			}
		})
	}
}

// TestCompletingADraftShowsWhatTheMeetingReads: a signal sent as a draft
// (its questions open) is completed later; its summary too names the young
// person and shows per recipient exactly the stored text that will go,
// which is what the coordinator then reads.
func TestCompletingADraftShowsWhatTheMeetingReads(t *testing.T) {
	se := newSignalsEnv(t)
	se.srv.now = func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }
	b := newBrowserClient(t, se.url)
	b.login(se.users[signal.RoleReporter].Email)
	for i, tc := range []struct {
		level     signal.Level
		facts     string
		wantFacts string
		wantName  bool
		withheld  bool
	}{
		{level: signal.LevelFull, facts: "Sam was drie weken niet op school.", wantFacts: "Sam was drie weken niet op school.", wantName: true},
		// The anonymous text is the signal's own until the reporter fixes
		// it; confirmed as it is, it names him and his health: none goes.
		{level: signal.LevelAnonymous, facts: "Sam de Vries zegt dat hij niet meer wil leven.", withheld: true},
	} {
		t.Run(string(tc.level), func(t *testing.T) {
			f := validSignalForm()
			f.Set("facts", tc.facts)
			first := b.post("/signalen/nieuw", f)
			_, fields, _ := formOf(t, first.body)
			fields.Set("idempotency_key", fmt.Sprintf("draft-%d", i))
			sent := b.post("/signalen/verstuur", fields)
			if sent.status != http.StatusSeeOther {
				t.Fatalf("send draft: %d %s", sent.status, sent.body)
			}
			loc := sent.header.Get("Location")
			summary, _ := answerAll(t, b, b.get(loc+"/vragen"), pageAnswersFor[tc.level])
			if !strings.Contains(summary.body, `<strong id="review-name">Sam de Vries</strong>`) {
				t.Fatalf("the completion's summary does not name the young person:\n%s", summary.body)
			}
			o := outgoingOf(t, summary.body)
			if o.facts != tc.wantFacts || o.withheld != tc.withheld || (o.name == "Sam de Vries") != tc.wantName {
				t.Fatalf("the summary says %+v goes", o)
			}
			action, fields, _ := formOf(t, summary.body)
			addTextareas(summary.body, fields) // as a browser posts them
			if done := b.post(action, fields); done.status != http.StatusSeeOther {
				t.Fatalf("confirm: %d %s", done.status, done.body)
			}
			_, read := se.get("coordinator", strings.TrimPrefix(loc, "/signalen/"))
			name := ""
			if read.Youth != nil {
				name = read.Youth.Name
			}
			if read.Facts != o.facts || read.Withheld != o.withheld || name != o.name {
				t.Fatalf("the coordinator reads %q (withheld %v, name %q); the summary showed %+v", read.Facts, read.Withheld, name, o)
			}
		})
	}
}

// TestCompletingADraftWritesTheTextPerLevel: a draft is stored before
// anyone knows at which level the meeting will see it, so it has no text
// for the levels below full. Completing it, the reporter writes that text
// on the summary (offered the signal's own, with the check's findings), and
// the meeting then reads exactly it: on the pages, after fixing what the
// check found, and through the API. A text per level once stored is not
// replaced; a level decided without a text still gets none.
func TestCompletingADraftWritesTheTextPerLevel(t *testing.T) {
	se := newSignalsEnv(t)
	se.srv.now = func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }
	b := newBrowserClient(t, se.url)
	b.login(se.users[signal.RoleReporter].Email)
	draft := func(facts string) string {
		t.Helper()
		f := validSignalForm()
		f.Set("facts", facts)
		_, fields, _ := formOf(t, b.post("/signalen/nieuw", f).body)
		fields.Set("idempotency_key", "draft-"+fmt.Sprint(len(facts)))
		sent := b.post("/signalen/verstuur", fields)
		if sent.status != http.StatusSeeOther {
			t.Fatalf("send draft: %d %s", sent.status, sent.body)
		}
		return strings.TrimPrefix(sent.header.Get("Location"), "/signalen/")
	}

	t.Run("pages, minimal", func(t *testing.T) {
		id := draft("Sam de Vries zegt dat hij niet meer wil leven. Hij komt 's avonds niet thuis.")
		summary, _ := answerAll(t, b, b.get("/signalen/"+id+"/vragen"), pageAnswersFor[signal.LevelMinimal])
		if got := textareaOf(summary.body, "versions.minimal.facts"); got != "Sam de Vries zegt dat hij niet meer wil leven. Hij komt 's avonds niet thuis." {
			t.Fatalf("the summary offers the minimal text %q", got)
		}
		if o := outgoingOf(t, summary.body); !o.withheld || !strings.Contains(summary.body, `class="finding blocking"`) {
			t.Fatalf("the offered text carries health words; the summary says %+v goes:\n%s", o, summary.body)
		}
		// The reporter fixes the text and sends: the summary shows what
		// goes now, and the second send stores it.
		action, fields, _ := formOf(t, summary.body)
		addTextareas(summary.body, fields)
		fields.Set("versions.minimal.facts", "Sam komt 's avonds niet thuis.")
		again := b.post(action, fields)
		if again.status != http.StatusOK || !strings.Contains(again.body, `id="review-changed"`) {
			t.Fatalf("a changed text is sent without the summary showing it: %d\n%s", again.status, again.body)
		}
		if o := outgoingOf(t, again.body); o.facts != "Sam komt 's avonds niet thuis." || o.name != "Sam de Vries" {
			t.Fatalf("the summary of the fixed text says %+v goes", o)
		}
		action, fields, _ = formOf(t, again.body)
		addTextareas(again.body, fields)
		if done := b.post(action, fields); done.status != http.StatusSeeOther {
			t.Fatalf("confirm: %d %s", done.status, done.body)
		}
		res, read := se.get("coordinator", id)
		if res != http.StatusOK || read.Facts != "Sam komt 's avonds niet thuis." || read.Withheld {
			t.Fatalf("the coordinator reads %d %q (withheld %v); the reporter sent the minimal text", res, read.Facts, read.Withheld)
		}
		// Stored, it stays as it went.
		body := `{"versions": {"minimal": {"facts": "Sam is vaak moe."}}}`
		if r := se.do("PATCH", "/api/v1/signals/"+id, se.tokens["school"], strings.NewReader(body)); r.status != http.StatusBadRequest ||
			r.errorBody(t).Fields[0].Field != "versions.minimal" {
			t.Fatalf("replacing a stored minimal text: %d %s", r.status, r.body)
		}
		if _, read := se.get("coordinator", id); read.Facts != "Sam komt 's avonds niet thuis." {
			t.Fatalf("after a refused replacement the coordinator reads %q", read.Facts)
		}
	})

	t.Run("API, anonymous", func(t *testing.T) {
		res := se.do("POST", "/api/v1/signals", se.tokens["school"], strings.NewReader(fmt.Sprintf(
			`{"youth": {"name": "Fleur Mulder", "birth_date": "2011-04-30"}, "category": "wellbeing",
			"facts": "Fleur Mulder wordt online benaderd door een volwassen man.", "observed_on": "2026-11-21", "answers": %s}`,
			answersFor[signal.OutcomeIncomplete])))
		var sub signal.Submitted
		if res.status != http.StatusCreated || json.Unmarshal(res.body, &sub) != nil || sub.Decision.Outcome != signal.OutcomeIncomplete {
			t.Fatalf("draft: %d %s", res.status, res.body)
		}
		body := fmt.Sprintf(`{"answers": %s, "versions": {"anonymous": {"facts": "De jongere wordt online benaderd door een volwassen man."}}}`,
			answersFor[signal.OutcomeAskConsent])
		if r := se.do("PATCH", "/api/v1/signals/"+sub.ID, se.tokens["school"], strings.NewReader(body)); r.status != http.StatusOK {
			t.Fatalf("complete: %d %s", r.status, r.body)
		}
		_, read := se.get("coordinator", sub.ID)
		if read.Facts != "De jongere wordt online benaderd door een volwassen man." || read.Youth != nil {
			t.Fatalf("the coordinator reads %q (youth %+v); the reporter sent the anonymous text", read.Facts, read.Youth)
		}
		// The reporter still reads what they wrote.
		if _, own := se.get("school", sub.ID); own.Facts != "Fleur Mulder wordt online benaderd door een volwassen man." {
			t.Fatalf("the reporter reads %q", own.Facts)
		}
	})
}
