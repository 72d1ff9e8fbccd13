package meetingbrowser_test

import (
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal/web/browsertest"
)

// TestCoordinatorNavigatesTheAgendaPerYoungPerson (issue 16, item 7): at
// laptop size the chair finds the young people in a contents list that
// names no one and shows no text, filters it, opens one young person (who
// is then shown as on the agenda), records a lead there and returns to a
// list that marks the young person "besproken". Every page passes axe.
func TestCoordinatorNavigatesTheAgendaPerYoungPerson(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	p := browsertest.NewPage(t, browsertest.Laptop)
	login(t, p, s.url, "zeynep@gemeente.example", browsertest.Name("Nieuw overleg plannen"))

	contents := s.url + "/overleg/" + s.meeting + "/inhoud"
	p.Goto(contents, browsertest.Name("Filter toepassen"))
	p.AssertAccessible()
	p.Screenshot("contents")
	list := p.Text(browsertest.CSS("main"))
	for _, hidden := range []string{"Sanne de Vries", "Daan Jansen", "Noor Visser", "Negen dagen afwezig.", "Durft thuis", "foto's", "Verzuim"} {
		if strings.Contains(list, hidden) {
			t.Errorf("the contents list shows %q:\n%s", hidden, list)
		}
	}
	for _, shown := range []string{"3 van 3 jongeren en signalen", "Jongere 1", "Jongere 2", "Anoniem signaal (punt 3)", "Gecombineerd", "Nog niet besproken",
		"Demo College (1), Jongerenwerk (1)"} {
		if !strings.Contains(list, shown) {
			t.Errorf("the contents list lacks %q:\n%s", shown, list)
		}
	}
	if n := browsertest.Eval[int](p, `document.querySelectorAll("table.contents tbody tr").length`); n != 3 {
		t.Errorf("%d rows, want 3", n)
	}

	// Only young people of two or more partners.
	p.Click(browsertest.Name("Alleen jongeren met signalen van 2 of meer partners"))
	p.ClickAndWait(browsertest.Name("Filter toepassen"), browsertest.Name("Alles tonen"))
	p.AssertAccessible()
	if n := browsertest.Eval[int](p, `document.querySelectorAll("table.contents tbody tr").length`); n != 1 {
		t.Errorf("filtered on match: %d rows, want 1", n)
	}
	if got := p.Text(browsertest.CSS("main")); !strings.Contains(got, "1 van 3 jongeren en signalen") {
		t.Errorf("filtered count:\n%s", got)
	}

	// Open Jongere 1: now the young person is shown, as on the agenda.
	p.ClickAndWait(browsertest.Name("Jongere 1"), browsertest.Name("Terug naar de inhoud"))
	p.AssertAccessible()
	p.Screenshot("opened")
	item := p.Text(browsertest.CSS("main"))
	for _, shown := range []string{"Sanne de Vries", "Negen dagen afwezig.", "Gecombineerd: 2 partners", "Nog niet besproken"} {
		if !strings.Contains(item, shown) {
			t.Errorf("the opened young person lacks %q:\n%s", shown, item)
		}
	}
	if strings.Contains(item, "Gezien bij de skatebaan.") || strings.Contains(item, "Daan Jansen") {
		t.Errorf("the opened young person shows more than the agenda would:\n%s", item)
	}
	// A refused form comes back on the young person's own page.
	p.Click(browsertest.CSS("#punt-1 details.work > summary"))
	p.Click(browsertest.CSS("#f-i1-kind-no_action"))
	p.ExpectConsoleError("status of 400")
	p.ClickAndWait(browsertest.CSS("#punt-1 form[action$='/besluit'] button"), browsertest.CSS(".error-summary"))
	if got := p.Text(browsertest.CSS("main")); !strings.Contains(got, "waarom") || !strings.Contains(got, "Terug naar de inhoud") ||
		strings.Contains(got, "Daan Jansen") {
		t.Errorf("refused decision on the opened page:\n%s", got)
	}
	p.AssertAccessible()
	selectPerson(t, p, "#f-i1-user_id", "jamal")
	p.ClickAndWait(browsertest.CSS("#punt-1 form[action$='/lead'] button"), browsertest.Name("Terug naar de inhoud"))
	if got := p.Text(browsertest.CSS("main")); !strings.Contains(got, "jamal") || !strings.Contains(got, "Besproken") ||
		!strings.Contains(got, "al eerder geopend") {
		t.Errorf("after the lead, on the young person's page:\n%s", got)
	}

	p.ClickAndWait(browsertest.Name("Terug naar de inhoud"), browsertest.Name("Filter toepassen"))
	if got := p.Text(browsertest.CSS("table.contents tbody tr:first-child")); !strings.Contains(got, "Besproken") || !strings.Contains(got, "Vaste begeleider") {
		t.Errorf("Jongere 1 after the lead: %q, want besproken with a lead", got)
	}
	p.Click(browsertest.Name("Alleen wat nog niet besproken is"))
	p.ClickAndWait(browsertest.Name("Filter toepassen"), browsertest.Name("Alles tonen"))
	if got := p.Text(browsertest.CSS("main")); strings.Contains(got, "Jongere 1\n") || !strings.Contains(got, "2 van 3 jongeren en signalen") {
		t.Errorf("not discussed yet:\n%s", got)
	}
	p.AssertAccessible()
	p.Screenshot("contents-open")

	// Closed: the minutes carry the held date and the agenda's numbers.
	// Closing asks for a confirmation first: without it, nothing changes
	// and the error names the box to tick.
	p.Goto(s.url+"/overleg/"+s.meeting, browsertest.Name("Overleg afsluiten"))
	p.ClickAndWait(browsertest.Name("Overleg afsluiten"), browsertest.CSS(".error-summary"))
	if got := p.Text(browsertest.CSS("main")); !strings.Contains(got, "Vink aan dat het overleg is afgelopen") || strings.Contains(got, "Gehouden op") {
		t.Errorf("closing without the confirmation:\n%s", got)
	}
	p.AssertAccessible()
	p.Screenshot("hold-unconfirmed")
	p.Click(browsertest.CSS("#f-confirm"))
	p.ClickAndWait(browsertest.Name("Overleg afsluiten"), browsertest.CSS("h1"))
	p.AssertAccessible()
	p.Screenshot("minutes-held")
	if got := p.Text(browsertest.CSS("main")); !strings.Contains(got, "Gehouden op") || !strings.Contains(got, "Definitief") ||
		!strings.Contains(got, "1. Sanne de Vries") {
		t.Errorf("minutes after closing:\n%s", got)
	}
}
