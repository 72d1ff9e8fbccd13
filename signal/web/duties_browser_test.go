package web

import (
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal"
	bt "github.com/signaal-nl/signaal/signal/web/browsertest"
)

// TestBrowserDutiesOnThePhone: on a phone, in Dutch and English, a reporter
// finds the report to Veilig Thuis still to do on their home, opens it,
// calls from the page, confirms the report on its own and sees it recorded;
// a postponement without its date and reason is refused with the fields
// named and nothing typed lost. axe finds nothing on any of these screens.
func TestBrowserDutiesOnThePhone(t *testing.T) {
	se := browserEnv(t)
	for _, lang := range []string{"nl", "en"} {
		t.Run(lang, func(t *testing.T) {
			abuse := se.mustSubmit("school", dutyBody("Daan de Boer", "Blauwe plekken op beide armen.",
				`{"risk": {"acute_danger": false}, "legal_duty": false, "purpose": "safety_risk", "abuse": {"suspected": true, "unsafe": true}}`),
				signal.OutcomeReportVeiligThuis)
			minimal := se.mustSubmit("school", dutyBody("Sanne Visser", "Zegt dat ze niet naar huis durft.", answersFor[signal.OutcomeShareMinimal]), signal.OutcomeShareMinimal)
			p := bt.NewPage(t, bt.Phone)
			p.ExpectConsoleError("status of 400") // the two refused forms
			loginAs(p, se.url, se.users[signal.RoleReporter].Email, lang)
			p.Goto(se.url+"/signalen", bt.CSS("#open-duties"))
			p.Screenshot("duties-home-" + lang)
			p.AssertAccessible()
			p.ClickAndWait(bt.CSS(`#open-duties a[href="/signalen/`+abuse.ID+`#duty-report_veilig_thuis"]`), bt.CSS("#duty-report_veilig_thuis form"))
			if !p.Has(bt.CSS(`#duty-report_veilig_thuis a[href="tel:08002000"]`)) {
				t.Error("the report's step has no number to call")
			}
			// "Het signaleringsoverleg" says which partners it is.
			for _, sel := range []string{"#report-step .report-to", ".panel dd"} {
				if got := p.Text(bt.CSS(sel)); !strings.Contains(got, "Demo College") || !strings.Contains(got, "Jongerenwerk Test") {
					t.Errorf("%s reads %q: the meeting's partners are not named", sel, got)
				}
			}
			p.Screenshot("duties-report-open-" + lang)
			p.AssertAccessible()
			// Without the tick: refused, the field named, the choice kept.
			p.Click(bt.CSS(`label[for=f-report_veilig_thuis-how-1]`))
			submit(p, bt.CSS("#duty-report_veilig_thuis button.primary"), ".error-summary")
			if got := p.Text(bt.CSS(".error-summary")); !strings.Contains(got, map[string]string{"nl": "Vink aan", "en": "Tick that"}[lang]) {
				t.Errorf("the problem reads %q", got)
			}
			if !bt.Eval[bool](p, `document.getElementById('f-report_veilig_thuis-how-1').checked`) {
				t.Error("the way of reporting chosen is lost after the refusal")
			}
			p.Screenshot("duties-report-refused-" + lang)
			p.AssertAccessible()
			p.Click(bt.CSS(`label[for=f-report_veilig_thuis-confirm-0]`))
			submit(p, bt.CSS("#duty-report_veilig_thuis button.primary"), "#duty-recorded")
			if got := p.Text(bt.CSS("#duty-report_veilig_thuis")); !strings.Contains(got, map[string]string{"nl": "Gemeld bij Veilig Thuis op", "en": "Reported to Veilig Thuis on"}[lang]) {
				t.Errorf("the recorded report reads %q", got)
			}
			p.Screenshot("duties-report-recorded-" + lang)
			p.AssertAccessible()

			// Informing that must wait, sent without a date or a reason.
			p.Goto(se.url+"/signalen/"+minimal.ID, bt.CSS("#duty-inform_youth_parents form"))
			p.Click(bt.CSS(`label[for=f-inform_youth_parents-state-1]`))
			p.Click(bt.CSS(`label[for=f-inform_youth_parents-parties-1]`))
			submit(p, bt.CSS("#duty-inform_youth_parents button.primary"), ".error-summary")
			for _, f := range []string{"f-inform_youth_parents-until", "f-inform_youth_parents-note"} {
				if !p.Has(bt.CSS(`.error-summary a[href="#` + f + `"]`)) {
					t.Errorf("the problems do not link to %s", f)
				}
			}
			if !bt.Eval[bool](p, `document.getElementById('f-inform_youth_parents-parties-1').checked && document.getElementById('f-inform_youth_parents-state-1').checked`) {
				t.Error("the choices made are lost after the refusal")
			}
			p.Screenshot("duties-inform-refused-" + lang)
			p.AssertAccessible()
		})
	}
}
