package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/web/browsertest"
)

// browserLogin logs email in on a new page of dev.
func browserLogin(t *testing.T, base, email string, dev browsertest.Device) *browsertest.Page {
	t.Helper()
	p := browsertest.NewPage(t, dev)
	// The service worker caches the reporter's form as its app shell; for
	// the console's people that page is 403.
	p.ExpectConsoleError("Cache.add() failed")
	p.ExpectConsoleError("403")
	p.Goto(base+"/login", browsertest.CSS("#f-email"))
	p.Fill(browsertest.CSS("#f-email"), email)
	p.Fill(browsertest.CSS("#f-password"), testPassword)
	if l := p.ClickAndWait(browsertest.CSS("form button[type=submit].primary"), browsertest.CSS("main h1")); l.Status != 200 || strings.Contains(l.URL, "/login") {
		t.Fatalf("log in %s: %s", email, l)
	}
	return p
}

func setValue(t *testing.T, p *browsertest.Page, css, value string) {
	t.Helper()
	if _, err := chromedp.Run(p.Context(), chromedp.SetValue(chromedp.CSS(css), value)); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserRequestBeforeContent walks issue 17 item 1 in Chromium as two
// privacy officers would: content by pseudonym is refused; the first
// registers a parent's request, reads the content inside it with a reason
// and asks to release the copy; the second approves; the first cannot make
// the copy before that. Every page is scanned with axe.
func TestBrowserRequestBeforeContent(t *testing.T) {
	if testing.Short() {
		t.Skip("a real browser; skipped with -short")
	}
	pe := newPrivacyEnv(t)
	today := signal.Today(time.Now()).String()
	pe.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	pe.signalsEnv.addPerson("privacy2", "Demo College", "Samenwerking Test", signal.OrgSchool, signal.RolePrivacyOfficer)
	subject := pe.lookup("Sanne de Vries", "2011-04-30")

	p := browserLogin(t, pe.url, pe.users[signal.RolePrivacyOfficer].Email, browsertest.Laptop)
	if l := p.Goto(pe.url+"/privacy/inzage/"+subject+"?content=true", browsertest.CSS("main h1")); l.Status != 403 ||
		strings.Contains(p.Text(browsertest.CSS("main")), factsText) {
		t.Fatalf("content by pseudonym in the browser: %d", l.Status)
	}

	p.ExpectConsoleError("400") // the form sent without who asked
	p.Goto(pe.url+"/privacy/verzoeken", browsertest.CSS("#f-name"))
	p.AssertAccessible()
	// Submitted without who asked: the summary names the field.
	p.Fill(browsertest.CSS("#f-name"), "Sanne de Vries")
	setValue(t, p, "#f-birth_date", "2011-04-30")
	setValue(t, p, "#f-received_on", today)
	p.ClickAndWait(browsertest.CSS(`form[action="/privacy/verzoeken"] button`), browsertest.CSS(".error-summary"))
	if msg := p.Text(browsertest.CSS(".error-summary")); !strings.Contains(msg, "Wie vraagt het") {
		t.Fatalf("error summary: %q", msg)
	}
	p.AssertAccessible()
	p.Fill(browsertest.CSS("#f-name"), "Sanne de Vries")
	setValue(t, p, "#f-birth_date", "2011-04-30")
	setValue(t, p, "#f-requester", "parent")
	setValue(t, p, "#f-received_on", today)
	p.ClickAndWait(browsertest.CSS(`form[action="/privacy/verzoeken"] button`), browsertest.Name("Inhoud lezen"))
	page := p.Text(browsertest.CSS("main"))
	if !strings.Contains(page, "Een ouder of voogd") || !strings.Contains(page, "Open") {
		t.Fatalf("request page: %s", page)
	}
	p.AssertAccessible()
	p.Screenshot("request")
	reqURL, err := chromedp.Run(p.Context(), chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}

	p.Click(browsertest.CSS("#f-reason-assess"))
	p.ClickAndWait(browsertest.CSS(`form[action$="/inhoud"] button`), browsertest.CSS(".report-signal"))
	if body := p.Text(browsertest.CSS("main")); !strings.Contains(body, factsText) {
		t.Fatalf("the content inside the request: %s", body)
	}
	p.AssertAccessible()

	p.Goto(reqURL, browsertest.Name("Vrijgave vragen"))
	if !strings.Contains(p.Text(browsertest.CSS("main")), "Beoordelen") {
		t.Fatal("the request page does not list the read with its reason")
	}
	p.ClickAndWait(browsertest.Name("Vrijgave vragen"), browsertest.CSS(".notice"))
	if !strings.Contains(p.Text(browsertest.CSS("main")), "Wacht op goedkeuring") {
		t.Fatal("the release does not wait for a second person")
	}
	p.AssertAccessible()

	second := browserLogin(t, pe.url, "privacy2@example.nl", browsertest.Laptop)
	second.Goto(reqURL, browsertest.Name("Vrijgave goedkeuren"))
	second.ClickAndWait(browsertest.CSS(`form[action$="/goedkeuren"] button`), browsertest.CSS(".notice"))
	if !strings.Contains(second.Text(browsertest.CSS("main")), "Vrijgegeven") {
		t.Fatal("approved, but not released")
	}
	second.AssertAccessible()
	second.Screenshot("approved")
}
