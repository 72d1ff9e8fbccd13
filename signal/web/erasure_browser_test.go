package web

import (
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/web/browsertest"
)

// TestBrowserErasureConfirmationAndReceipt walks issue 17 item 3 in
// Chromium as a privacy officer would, for a young person seen in three
// meetings: the access report no longer erases in one click but points to
// the request; inside the request the confirmation step counts what will
// go (no content); sent without a ground or without the tick it names the
// field and erases nothing; confirmed, the receipt (printable, one
// document with page numbers) names the request, the date, the officer,
// the audit entry and the counts, never the young person; the request
// page then links to it. Every page is scanned with axe, in Dutch and
// English.
func TestBrowserErasureConfirmationAndReceipt(t *testing.T) {
	if testing.Short() {
		t.Skip("a real browser; skipped with -short")
	}
	pe := newPrivacyEnv(t)
	youthSeenInThreeMeetings(t, pe)
	subject := pe.lookup("Sanne de Vries", "2011-04-30")
	req := pe.register("Sanne de Vries", "2011-04-30")

	p := browserLogin(t, pe.url, pe.users[signal.RolePrivacyOfficer].Email, browsertest.Laptop)
	// The access report has no erase button any more: it leads to the
	// requests.
	p.Goto(pe.url+"/privacy/inzage/"+subject, browsertest.CSS("#erase-title"))
	if p.Has(browsertest.CSS(`form[action$="/wissen"]`)) || !p.Has(browsertest.CSS(`#erase-title ~ p a[href="/privacy/verzoeken"]`)) {
		t.Fatal("the access report still erases in one click, or does not lead to the requests")
	}

	p.Goto(pe.url+"/privacy/verzoeken/"+req.ID, browsertest.Name("Bekijken wat er gewist wordt"))
	p.AssertAccessible()
	p.ClickAndWait(browsertest.Name("Bekijken wat er gewist wordt"), browsertest.CSS(".erasure-counts"))
	plan := p.Text(browsertest.CSS("main"))
	for _, want := range []string{"Wissen: controleer wat er weg gaat", "Signalen\t2", "Acties van het overleg\t1", "Besluiten van het overleg\t1",
		"1 bespreking(en) in het overleg", "In 3 verslag(en)", "regels in het logboek", "Definitief wissen", "Wissen weigeren"} {
		if !strings.Contains(plan, want) {
			t.Errorf("the confirmation step lacks %q:\n%s", want, plan)
		}
	}
	for _, never := range append([]string{"Sanne", "2011", factsText}, sanneMeetingTexts...) {
		if strings.Contains(plan, never) {
			t.Errorf("the confirmation step shows %q", never)
		}
	}
	p.AssertAccessible()
	p.Screenshot("confirm")

	// Sent without the ground and without the tick: both named, nothing
	// erased.
	p.ExpectConsoleError("400")
	p.ClickAndWait(browsertest.Name("Definitief wissen"), browsertest.CSS(".error-summary"))
	if msg := p.Text(browsertest.CSS(".error-summary")); !strings.Contains(msg, "Kies de grond voor het wissen") || !strings.Contains(msg, "Vink aan") {
		t.Fatalf("error summary: %q", msg)
	}
	if n := pe.count(`SELECT count(*) FROM signals WHERE youth = ? AND length(name_ct) > 0`, subject); n != 2 {
		t.Fatalf("a refused form erased: %d signals with content left", n)
	}
	p.AssertAccessible()
	p.Screenshot("confirm-errors")

	p.Select(browsertest.CSS("#f-reason"), "data_subject_request")
	p.Click(browsertest.CSS("#f-confirm"))
	p.ClickAndWait(browsertest.Name("Definitief wissen"), browsertest.CSS(".receipt"))
	receipt := p.Text(browsertest.CSS(".receipt"))
	for _, want := range []string{"Ontvangstbewijs: verzoek om wissen", req.ID, "gewist (verzoek van de betrokkene (art. 17))", "afgerond op",
		"regel ", "Signalen\t2\t0", "Acties van het overleg\t1\t0", "Dit bewijs noemt de jongere niet"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("the receipt lacks %q:\n%s", want, receipt)
		}
	}
	for _, never := range append([]string{"Sanne", "Vries", "2011", subject, factsText}, sanneMeetingTexts...) {
		if strings.Contains(receipt, never) {
			t.Errorf("the receipt shows %q", never)
		}
	}
	p.AssertAccessible()
	p.Screenshot("receipt")
	printReceipt(t, p)

	// The request page says it was answered and links the receipt.
	p.Goto(pe.url+"/privacy/verzoeken/"+req.ID, browsertest.Name("Ontvangstbewijs voor het dossier"))
	if page := p.Text(browsertest.CSS("main")); !strings.Contains(page, "Gewist op") {
		t.Fatalf("the request page after the erasure: %s", page)
	}
	p.AssertAccessible()

	// English is available.
	p.Goto(pe.url+"/privacy/verzoeken/"+req.ID+"/ontvangstbewijs", browsertest.CSS(".receipt"))
	p.ClickAndWait(browsertest.CSS(`a[hreflang="en"]`), browsertest.CSS(".receipt"))
	if en := p.Text(browsertest.CSS(".receipt")); !strings.Contains(en, "Receipt: request for erasure") || !strings.Contains(en, "What was erased") {
		t.Fatalf("the English receipt: %.300s", en)
	}
	p.AssertAccessible()
	p.Screenshot("receipt-en")
}

// printReceipt prints the receipt as the officer would for the file: one
// document starting with its title, every page numbered.
func printReceipt(t *testing.T, p *browsertest.Page) {
	t.Helper()
	printDocument(t, p, "receipt", "Ontvangstbewijs: verzoek om wissen")
}
