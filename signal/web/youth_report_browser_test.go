package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/web/browsertest"
)

// dutchDay is t's day as the report writes it: "4 december 2026".
func dutchDay(t time.Time) string {
	months := []string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}
	t = t.In(amsterdam)
	return fmt.Sprintf("%d %s %d", t.Day(), months[t.Month()-1], t.Year())
}

// youthSeenInThreeMeetings is a young person (Sanne) reported by a school
// and by youth work and discussed in three signal meetings: the first
// makes youth work the lead, the second agrees an action, the third
// decides; each is held and its minutes read. It returns Sanne's signals.
func youthSeenInThreeMeetings(t *testing.T, pe *privacyEnv) (school, youthwork submitted) {
	t.Helper()
	se := pe.signalsEnv
	today := signal.Today(time.Now()).String()
	school = pe.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	youthwork = pe.mustSubmit("youthwork", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	pe.mustSubmit("school", youthBody("Daan Bakker", "2010-02-11", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	se.get("coordinator", school.ID)
	steps := []func(base, ref string){
		func(base, ref string) {
			se.json("coordinator", "POST", base+"/items/"+ref+"/lead", map[string]string{"user_id": se.ids["youthwork"]}, http.StatusOK, nil)
		},
		func(base, ref string) {
			se.json("coordinator", "POST", base+"/items/"+ref+"/actions", map[string]string{"owner_id": se.ids["youthwork"],
				"description": "Wekelijks gesprek op het jongerenwerk", "due_on": signal.Today(time.Now().Add(14 * 24 * time.Hour)).String()}, http.StatusCreated, nil)
		},
		func(base, ref string) {
			se.json("coordinator", "POST", base+"/items/"+ref+"/decisions", map[string]string{"kind": "act", "text": "Begeleiding door het jongerenwerk loopt door"}, http.StatusCreated, nil)
		},
	}
	for i, step := range steps {
		var mt signal.Meeting
		se.json("coordinator", "POST", "/api/v1/meetings", map[string]any{
			"title": fmt.Sprintf("Signaleringsoverleg %d", i+1), "starts_at": time.Now().Add(time.Duration(48+24*i) * time.Hour).Format(time.RFC3339),
		}, http.StatusCreated, &mt)
		base := "/api/v1/meetings/" + mt.ID
		var ag signal.Agenda
		se.json("coordinator", "GET", base+"/agenda", nil, http.StatusOK, &ag)
		ref := ""
		// The first meeting has her as new; the others follow her case up.
		for _, it := range append(append(ag.Items, ag.Carried...), ag.FollowUp...) {
			if it.Youth != nil && it.Youth.Name == "Sanne de Vries" {
				ref = it.Ref
			}
		}
		if ref == "" {
			t.Fatalf("meeting %d: Sanne is not on the agenda", i+1)
		}
		step(base, ref)
		se.json("coordinator", "POST", base+"/held", nil, http.StatusOK, nil)
		se.json("coordinator", "GET", base+"/minutes", nil, http.StatusOK, nil)
	}
	return school, youthwork
}

// TestBrowserYouthReport is issue 17 item 2: the report a young person
// (or parent) receives, for a young person seen in three meetings, made
// inside a released request, read in Chromium as they would: in Dutch at
// B1 with each required part, no reporter's name or e-mail address by
// default (a release names the contact person, recorded), dates as
// "4 december 2026", axe clean, printed as one document with page numbers
// and no blank first page, and downloadable as JSON.
func TestBrowserYouthReport(t *testing.T) {
	if testing.Short() {
		t.Skip("a real browser; skipped with -short")
	}
	pe := newPrivacyEnv(t)
	school, _ := youthSeenInThreeMeetings(t, pe)
	pe.signalsEnv.addPerson("privacy2", "Demo College", "Samenwerking Test", signal.OrgSchool, signal.RolePrivacyOfficer)

	req := pe.register("Sanne de Vries", "2011-04-30")
	// Before the release: no copy.
	if res := pe.api("GET", "/api/v1/privacy/access-requests/"+req.ID+"/youth-report", nil); res.status != http.StatusConflict || strings.Contains(string(res.body), factsText) {
		t.Fatalf("the copy before the release: %d", res.status)
	}
	pe.mustAPI("POST", "/api/v1/privacy/access-requests/"+req.ID+"/release", nil, nil)
	if res := pe.do("POST", "/api/v1/privacy/access-requests/"+req.ID+"/approve", pe.tokens["privacy2"], nil); res.status != http.StatusOK {
		t.Fatalf("approve: %d %s", res.status, res.body)
	}

	p := browserLogin(t, pe.url, pe.users[signal.RolePrivacyOfficer].Email, browsertest.Laptop)
	p.Goto(pe.url+"/privacy/verzoeken/"+req.ID, browsertest.Name("Kopie voor de jongere maken (printbaar)"))
	p.ClickAndWait(browsertest.Name("Kopie voor de jongere maken (printbaar)"), browsertest.CSS(".youth-report"))
	report := p.Text(browsertest.CSS(".youth-report"))
	today := dutchDay(time.Now())
	for _, part := range []string{
		"Wat Signaal over jou bewaart", "Sanne de Vries, geboren op 30 april 2011", "Gemaakt op\n" + today,
		"Er is 2 keer iets over jou opgeschreven", "Hulpverleners hebben 3 keer in een overleg over jou gepraat",
		// what was recorded, by which organisation, the exact text
		today + ", door Demo College", today + ", door Jongerenwerk Test", factsText, "Het ging over: Welzijn",
		// shared with whom, at which level, when
		"Met wie is het gedeeld", today + ": Het signaleringsoverleg, met naam",
		// views grouped: who, what (the exact text), how often, first and last
		"Wie heeft het gezien", "Demo College (Zorgcoördinator)", "Hoe vaak", "Eerste keer", "Laatste keer",
		// leads, actions, decisions, minutes recipients
		"Je vaste hulpverlener komt van Jongerenwerk Test", "Jongerenwerk Test: “Wekelijks gesprek op het jongerenwerk”",
		"Het overleg besloot iets te doen: “Begeleiding door het jongerenwerk loopt door”", "Wie heeft het verslag van het overleg gelezen",
		// purposes and legal grounds, retention and the date of erasure
		"om hulp voor jou goed op elkaar af te stemmen", "Waarom het wel of niet gedeeld is", "Wie toestemming moest geven, heeft dat gedaan", "privacywet (AVG)",
		"We bewaren een signaal twee jaar", "Wanneer wordt het gewist? Op " + dutchDay(time.Now().AddDate(2, 0, 0)),
		// rights and the complaint
		"Verbeteren.", "Wissen.", "Minder gebruiken.", "Bezwaar maken.", "Autoriteit Persoonsgegevens",
	} {
		if !strings.Contains(report, part) {
			t.Errorf("the report lacks %q", part)
		}
	}
	// The grounds speak to the young person, not the professional's
	// instructions the policy gives ("deel ...", "meld ...", "vraag eerst").
	for _, jargon := range []string{"deel de noodzakelijke gegevens", "(meldcode)", "overleg(gen)", "De jongere is 12 tot en met 15"} {
		if strings.Contains(report, jargon) {
			t.Errorf("the report speaks to professionals, not the young person: %q", jargon)
		}
	}
	// Third parties are left out by default: no person of an organisation,
	// no e-mail address, no account.
	for _, who := range []string{"@", "User ", "Aanspreekpunt", "youthwork", pe.ids["school"], "coordinator"} {
		if strings.Contains(report, who) {
			t.Errorf("the report names a third party by default: %q", who)
		}
	}
	// Every grouped view counts a few times, not one row per view.
	if rows := strings.Count(report, "(Zorgcoördinator)"); rows == 0 || rows > 4 {
		t.Errorf("%d rows of the coordinator's views: not grouped", rows)
	}
	p.AssertAccessible()
	p.Screenshot("youth-report")
	printReport(t, p, "youth-report")

	// The JSON download holds the same parts and no third party.
	res := pe.api("GET", "/api/v1/privacy/access-requests/"+req.ID+"/youth-report", nil)
	var yr signal.YouthReport
	if res.status != 200 || json.Unmarshal(res.body, &yr) != nil || !strings.Contains(res.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("JSON download: %d %s", res.status, res.header.Get("Content-Disposition"))
	}
	if len(yr.Signals) != 2 || yr.Meetings != 3 || len(yr.Cases) != 1 || len(yr.Cases[0].Leads) != 1 || len(yr.Cases[0].Actions) != 1 ||
		len(yr.Cases[0].Decisions) != 1 || len(yr.Minutes) == 0 || len(yr.Purposes) == 0 || yr.Signals[0].EraseOn == nil || strings.Contains(string(res.body), "@") {
		t.Fatalf("JSON report: %s", res.body)
	}

	// A release names the school's contact person, and is recorded.
	p.ClickAndWait(browsertest.CSS(fmt.Sprintf(`form[action$="/contact"]:has(input[value=%q]) button`, school.ID)), browsertest.CSS(".youth-report"))
	if report := p.Text(browsertest.CSS(".youth-report")); !strings.Contains(report, "Contactpersoon van deze organisatie: C (contact@school.nl)") ||
		strings.Contains(report, "Aanspreekpunt Jongerenwerk Test") {
		t.Fatalf("after releasing the school's contact: %s", report)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND object = ?`, signal.ActionAccessThirdPartyRelease,
		"access-request/"+req.ID+"/signal/"+school.ID); n != 1 {
		t.Fatalf("%d release entries, want 1", n)
	}
	// Every making of the copy is a content read with reason copy.
	if n := pe.count(`SELECT count(*) FROM access_request_reads WHERE request_id = ? AND reason = 'copy'`, req.ID); n < 3 {
		t.Fatalf("%d copy reads recorded, want one per making (3)", n)
	}

	// English is available.
	p.ClickAndWait(browsertest.CSS(`a[hreflang="en"]`), browsertest.CSS(".youth-report"))
	if en := p.Text(browsertest.CSS(".youth-report")); !strings.Contains(en, "What Signaal keeps about you") || !regexp.MustCompile(`\d+ December \d{4}|\d+ [A-Z][a-z]+ \d{4}`).MatchString(en) {
		t.Fatalf("the English report: %.300s", en)
	}
	p.AssertAccessible()
}

// printReport prints the page as Chromium prints it to paper (A4, the
// page's own @page rules) and checks it is one clean document: the first
// page starts with the title (not blank) and every page is numbered. With
// $SIGNAAL_SCREENSHOTS set, the PDF and a PNG of each page are kept there.
func printReport(t *testing.T, p *browsertest.Page, name string) {
	t.Helper()
	printDocument(t, p, name, "Wat Signaal over jou bewaart")
}

// printDocument prints the page (see printReport) and checks its first
// page starts with title and every page is numbered.
func printDocument(t *testing.T, p *browsertest.Page, name, title string) {
	t.Helper()
	pdf, err := chromedp.Run(p.Context(), func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: ptrTo(true)})
		return res.Data, err
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("SIGNAAL_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	file := filepath.Join(dir, t.Name()+"-"+name+".pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is needed to read the printed report")
		}
		t.Skip("pdftotext (poppler-utils) is not installed: the printed report is not checked")
	}
	out, err := exec.Command("pdftotext", "-layout", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
	if first := strings.TrimSpace(pages[0]); !strings.HasPrefix(first, title) {
		t.Errorf("the printed document's first page does not start with %q: %.200q", title, first)
	}
	for i, pg := range pages {
		if !regexp.MustCompile(fmt.Sprintf(`(?m)\b%d\s*/\s*%d\s*$`, i+1, len(pages))).MatchString(pg) {
			t.Errorf("printed page %d of %d has no page number", i+1, len(pages))
		}
		if strings.Contains(pg, "Overzicht") && strings.Contains(pg, "Logboek") {
			t.Errorf("printed page %d shows the console's menu", i+1)
		}
	}
	t.Logf("printed report: %d pages, %s", len(pages), file)
	if os.Getenv("SIGNAAL_SCREENSHOTS") != "" {
		if _, err := exec.LookPath("pdftoppm"); err == nil {
			exec.Command("pdftoppm", "-png", "-r", "60", file, strings.TrimSuffix(file, ".pdf")).Run()
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
