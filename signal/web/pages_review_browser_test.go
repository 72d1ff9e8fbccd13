package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal"
	bt "github.com/signaal-nl/signaal/signal/web/browsertest"
)

// TestBrowserSummaryShowsWhatTheMeetingReads is the summary's promise in
// Chromium, with app.js sending through the outbox: at level anonymous the
// reporter sees the check's findings in the text for the meeting, fixes it,
// sees the exact text that will go, and the coordinator reads exactly that;
// a text changed after the summary showed it is shown again, not sent.
func TestBrowserSummaryShowsWhatTheMeetingReads(t *testing.T) {
	se := browserEnv(t)
	p := bt.NewPage(t, bt.Phone)
	loginAs(p, se.url, se.users[signal.RoleReporter].Email, "nl")
	p.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
	if !p.Has(bt.CSS("#facts-warning")) {
		t.Error("the form does not warn to keep names and health details out of the facts")
	}
	toAnonymousSummary(t, p, "Sam de Vries zei tegen de mentor dat hij niet meer wil leven. Hij was drie weken niet op school.")
	p.Screenshot("summary-findings")
	p.AssertAccessible()
	if got := p.Text(bt.CSS("#review-name")); got != "Sam de Vries" {
		t.Errorf("the summary names %q", got)
	}
	if !p.Has(bt.CSS(".outgoing .withheld")) || p.Has(bt.CSS(".outgoing-facts")) {
		t.Fatalf("with the name and health words in it, the text is not held back: %s", p.Text(bt.CSS(".outgoing")))
	}
	findings := p.Text(bt.CSS(".version .findings"))
	for _, want := range []string{"Sam de Vries", "naam van de jongere", "niet meer wil leven", "gezondheid"} {
		if !strings.Contains(findings, want) {
			t.Errorf("the findings lack %q: %s", want, findings)
		}
	}

	const fixed = "De jongere was drie weken niet op school."
	p.Fill(bt.CSS("#f-versions-anonymous-facts"), fixed)
	submit(p, bt.CSS("button[name=check]"), ".outgoing")
	if got := p.Text(bt.CSS(".outgoing-facts")); got != fixed {
		t.Fatalf("the summary shows %q going, want %q", got, fixed)
	}
	if p.Has(bt.CSS(".outgoing-name")) {
		t.Errorf("the summary shows a name going at level anonymous")
	}

	// Changed after the check, then sent: the summary comes back for the
	// new text; nothing is stored.
	const changed = "De jongere komt al drie weken niet meer naar school."
	p.Fill(bt.CSS("#f-versions-anonymous-facts"), changed)
	submit(p, bt.CSS("main form[data-outbox] button.primary"), "#review-changed")
	p.Screenshot("summary-changed")
	p.AssertAccessible()
	if n := countSignals(t, se); n != 0 {
		t.Fatalf("%d signals stored from a text the summary had not shown", n)
	}
	shown := p.Text(bt.CSS(".outgoing-facts"))
	if shown != changed {
		t.Fatalf("the summary shows %q, want %q", shown, changed)
	}
	submit(p, bt.CSS("main form[data-outbox] button.primary"), ".tag.decided")
	if n := countSignals(t, se); n != 1 {
		t.Fatalf("%d signals stored, want 1", n)
	}
	id := strings.TrimPrefix(bt.Eval[string](p, `location.pathname`), "/signalen/")
	res := se.do("GET", "/api/v1/signals/"+id, se.tokens["coordinator"], nil)
	var read signal.SignalView
	if res.status != 200 || json.Unmarshal(res.body, &read) != nil {
		t.Fatalf("coordinator: %d %s", res.status, res.body)
	}
	if read.Facts != shown || read.Youth != nil && read.Youth.Name != "" {
		t.Fatalf("the coordinator reads %q (youth %+v), the summary showed %q without a name", read.Facts, read.Youth, shown)
	}
}

// TestBrowserCompletingADraftWritesTheTextPerLevel: in Chromium, a draft
// (stored before its level was known) is completed on the phone; the
// summary offers the signal's own text for the minimal level with the
// check's findings, the reporter fixes it, checks again, saves, and the
// coordinator reads exactly the fixed text.
func TestBrowserCompletingADraftWritesTheTextPerLevel(t *testing.T) {
	se := browserEnv(t)
	res := se.do("POST", "/api/v1/signals", se.tokens["school"], strings.NewReader(`{"youth": {"name": "Sam de Vries", "birth_date": "2011-04-02"},
		"category": "wellbeing", "facts": "Sam de Vries zegt dat hij niet meer wil leven. Hij komt 's avonds niet thuis.",
		"observed_on": "2026-11-20", "answers": {"purpose": "coordinate_support"}}`))
	var draft signal.Submitted
	if res.status != 201 || json.Unmarshal(res.body, &draft) != nil || draft.Decision.Outcome != signal.OutcomeIncomplete {
		t.Fatalf("draft: %d %s", res.status, res.body)
	}
	p := bt.NewPage(t, bt.Phone)
	loginAs(p, se.url, se.users[signal.RoleReporter].Email, "nl")
	p.Goto(se.url+"/signalen/"+draft.ID+"/vragen", bt.CSS("main h1"))
	answerQuestions(t, p, pageAnswersFor[signal.LevelMinimal], false)
	p.WaitFor(bt.CSS("#f-versions-minimal-facts"))
	p.Screenshot("complete-summary-findings")
	p.AssertAccessible()
	if !p.Has(bt.CSS(".outgoing .withheld")) || !strings.Contains(p.Text(bt.CSS(".version .findings")), "niet meer wil leven") {
		t.Fatalf("the offered text with health words: %s", p.Text(bt.CSS("main")))
	}
	const fixed = "Sam komt 's avonds niet thuis."
	p.Fill(bt.CSS("#f-versions-minimal-facts"), fixed)
	submit(p, bt.CSS("button[name=check]"), ".outgoing")
	p.Screenshot("complete-summary-fixed")
	if got := p.Text(bt.CSS(".outgoing-facts")); got != fixed {
		t.Fatalf("the summary shows %q going, want %q", got, fixed)
	}
	submit(p, bt.CSS("main button.primary"), "main h1")
	if _, read := se.get("coordinator", draft.ID); read.Facts != fixed || read.Withheld {
		t.Fatalf("the coordinator reads %q (withheld %v), want %q", read.Facts, read.Withheld, fixed)
	}
}

// TestBrowserFindingsThroughDisguises (issue 14): a name spelled out letter
// by letter and a phone number in a phone keyboard's full-width digits are
// found on the phone's summary as the reporter wrote them, explained in
// plain Dutch, and the text is held back from the meeting.
func TestBrowserFindingsThroughDisguises(t *testing.T) {
	se := browserEnv(t)
	p := bt.NewPage(t, bt.Phone)
	loginAs(p, se.url, se.users[signal.RoleReporter].Email, "nl")
	p.Goto(se.url+"/signalen/nieuw", bt.CSS("#f-youth-name"))
	toAnonymousSummary(t, p, "S a m wil niet naar huis. Bel zijn oom op ０６１２３４５６７８.")
	p.Screenshot("summary-disguised-findings")
	p.AssertAccessible()
	if !p.Has(bt.CSS(".outgoing .withheld")) || p.Has(bt.CSS(".outgoing-facts")) {
		t.Fatalf("with a spelled-out name and a full-width phone number in it, the text is not held back: %s", p.Text(bt.CSS(".outgoing")))
	}
	findings := p.Text(bt.CSS(".version .findings"))
	for _, want := range []string{"S a m", "naam van de jongere", "０６１２３４５６７８", "telefoonnummer"} {
		if !strings.Contains(findings, want) {
			t.Errorf("the findings lack %q: %s", want, findings)
		}
	}
}

// toAnonymousSummary fills the open new-signal form for Sam de Vries with
// facts, answers the questions of a signal that goes to the meeting at
// level anonymous and waits for the summary.
func toAnonymousSummary(t *testing.T, p *bt.Page, facts string) {
	t.Helper()
	fillSignal(p, "Sam de Vries")
	p.Fill(bt.CSS("#f-facts"), facts)
	submit(p, bt.CSS("main button.primary"), "main h1")
	answerQuestions(t, p, pageAnswersFor[signal.LevelAnonymous], false)
	p.WaitFor(bt.CSS(".outgoing"))
}
