package web

import (
	"github.com/pquerna/otp/totp"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/mail/mailtest"
	bt "github.com/signaal-nl/signaal/signal/web/browsertest"
)

// adminLogin logs the administrator in; their start page is the console.
func adminLogin(t *testing.T, p *bt.Page, base, email string) {
	t.Helper()
	p.Goto(base+"/login", bt.CSS("#f-email"))
	p.Fill(bt.CSS("#f-email"), email)
	p.Fill(bt.CSS("#f-password"), testPassword)
	submit(p, bt.CSS("main button[type=submit]"), "#social-map")
}

func setDate(t *testing.T, p *bt.Page, sel, value string) {
	t.Helper()
	if _, err := chromedp.Run(p.Context(), chromedp.SetValue(chromedp.CSS(sel), value)); err != nil {
		t.Fatal(err)
	}
}

// reporterPurposes walks the reporter through a new signal up to the
// purpose question and returns the purposes it offers, then answers
// everything (consent given) and returns the summary's text.
func reporterPurposes(t *testing.T, p *bt.Page, base, name string) (purposes []string, asked []string, summary string) {
	t.Helper()
	p.Goto(base+"/signalen/nieuw", bt.CSS("#f-youth-name"))
	fillSignal(p, name)
	submit(p, bt.CSS("main button.primary"), "main h1")
	for i := 0; i < 20; i++ {
		q := bt.Eval[string](p, `(document.querySelector('input[name=asked]') || {value: ''}).value`)
		if q == "" {
			break
		}
		asked = append(asked, q)
		if q == "purpose" {
			purposes = strings.Split(bt.Eval[string](p, `[...document.querySelectorAll('input[name="answers.purpose"]')].map(i => i.value + '=' + i.labels[0].textContent).join('|')`), "|")
			p.Screenshot("purpose-question")
			p.AssertAccessible()
		}
		v, ok := consentGiven[q]
		if !ok {
			t.Fatalf("no answer for question %s", q)
		}
		p.Click(bt.CSS(`input[name="answers.` + q + `"][value="` + v + `"] + label`))
		submit(p, bt.CSS("main button.primary"), "main h1")
	}
	p.WaitFor(bt.CSS(".panel"))
	return purposes, asked, p.Text(bt.CSS(".panel"))
}

// TestBrowserAdminSetsUpACooperation is issue 19's done-when, in part: an
// administrator sets up a new cooperation entirely through the console in
// Chromium (a partner with what it does and whom to call, the agreement,
// a hand-over before an account is disabled), and a reporter's purposes
// and whether the signal may go at all come from the agreement the console
// edited. Every console page is scanned for WCAG 2.1 AA.
func TestBrowserAdminSetsUpACooperation(t *testing.T) {
	smtp := mailtest.Start(t) // a real SMTP server in the test process
	se := newSignalsEnv(t, func(d *testDeps, _ *signalsEnv) {
		d.Options.SMTP, d.Options.PublicURL, d.Options.MailRetry = smtp.Config(), "https://signaal.test", 20*time.Millisecond
	})
	se.srv.now = func() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }
	p := bt.NewPage(t, bt.Laptop)
	p.ExpectConsoleError("Cache.add() failed") // the service worker's app shell is the reporter's
	p.ExpectConsoleError("403")
	adminLogin(t, p, se.url, se.users[signal.RoleAdmin].Email)
	if got := p.Text(bt.CSS("#agreement-state")); !strings.Contains(got, "nog geen convenant") {
		t.Errorf("a new cooperation's map: %q; want that no agreement is recorded", got)
	}
	p.Screenshot("map-new")
	p.AssertAccessible()

	// A partner: first without anything, every field named.
	p.Goto(se.url+"/beheer/partners/nieuw", bt.CSS("#f-name"))
	p.AssertAccessible()
	p.ExpectConsoleError("status of 400")
	submit(p, bt.CSS("main button.primary"), ".error-summary")
	errs := p.Text(bt.CSS(".error-summary"))
	for _, want := range []string{"Naam van de organisatie", "Soort organisatie", "Wat doet deze partner", "Naam contactpersoon", "E-mailadres plaatsvervanger"} {
		if !strings.Contains(errs, want) {
			t.Errorf("error summary lacks %q: %s", want, errs)
		}
	}
	p.Screenshot("partner-errors")
	p.AssertAccessible()
	p.Fill(bt.CSS("#f-name"), "Wijkagent Noord")
	p.Select(bt.CSS("#f-kind"), "police")
	p.Fill(bt.CSS("#f-part"), "De wijkagent: bij zorg over veiligheid op straat")
	p.Fill(bt.CSS("#f-contact-name"), "Eef Agent")
	p.Fill(bt.CSS("#f-contact-email"), "eef@politie.example")
	p.Fill(bt.CSS("#f-contact-phone"), "0612345678")
	p.Fill(bt.CSS("#f-deputy-name"), "Fred Agent")
	p.Fill(bt.CSS("#f-deputy-email"), "fred@politie.example")
	submit(p, bt.CSS("main button.primary"), "#social-map")
	m := p.Text(bt.CSS("#social-map"))
	if !strings.Contains(m, "Wijkagent Noord") || !strings.Contains(m, "bij zorg over veiligheid op straat") || !strings.Contains(m, "Eef Agent") || !strings.Contains(m, "Fred Agent") {
		t.Fatalf("social map after adding a partner: %s", m)
	}
	p.Screenshot("map-partner")

	// The agreement: Jongerenwerk Test and the police sign, Demo College
	// (the reporter's school) not yet; one purpose only.
	orgID := func(name string) string {
		o, err := se.accounts.Organisation(t.Context(), cliActor, name)
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	p.Goto(se.url+"/beheer/convenant", bt.CSS("#f-version"))
	p.AssertAccessible()
	p.Fill(bt.CSS("#f-version"), "2026-1")
	setDate(t, p, "#f-signed_on", "2026-09-01")
	p.Fill(bt.CSS("#f-retention_months"), "24")
	for _, id := range []string{"purpose-coordinate_support", "f-coordinate_support-identity", "f-coordinate_support-facts",
		"party-" + orgID("Jongerenwerk Test"), "party-" + orgID("Wijkagent Noord")} {
		p.Click(bt.CSS("label[for='" + id + "']"))
	}
	p.Screenshot("agreement-form")
	submit(p, bt.CSS("main button.primary"), "#social-map")
	if got := p.Text(bt.CSS("#agreement-state")); !strings.Contains(got, "2026-1") || !strings.Contains(got, "24 maanden") {
		t.Errorf("map after the agreement: %q", got)
	}

	// When the signal meeting meets, and its standing members.
	p.Goto(se.url+"/beheer/overleg", bt.CSS("#f-weekday"))
	p.AssertAccessible()
	p.Select(bt.CSS("#f-weekday"), "2")
	setDate(t, p, "#f-start_time", "15:30")
	p.Fill(bt.CSS("#f-every_weeks"), "3")
	p.Click(bt.CSS("label[for='member-" + orgID("Jongerenwerk Test") + "']"))
	submit(p, bt.CSS("main button.primary"), "#social-map")
	if got := p.Text(bt.CSS("#meeting-standing")); !strings.Contains(got, "dinsdag om 15:30, om de 3 weken") {
		t.Errorf("the map's meeting: %q", got)
	}

	// The reporter of Demo College, not a party: the signal may not go to
	// the meeting, and only the agreement's purpose is offered.
	r := bt.NewPage(t, bt.Phone)
	loginAs(r, se.url, se.users[signal.RoleReporter].Email, "nl")
	purposes, asked, summary := reporterPurposes(t, r, se.url, "Sam de Vries")
	if len(purposes) != 2 || !strings.HasPrefix(purposes[0], "coordinate_support=") || !strings.HasPrefix(purposes[1], "other=") || !strings.Contains(purposes[1], "buiten het convenant") {
		t.Errorf("purposes offered: %q; want the agreement's one, then other (outside it)", purposes)
	}
	if slices.Contains(asked, "recipient.in_agreement") {
		t.Errorf("the reporter was asked whether the recipient is a party: %v", asked)
	}
	if !strings.Contains(summary, "het convenant (de afspraken over delen) niet getekend") {
		t.Errorf("a reporter whose school did not sign: %s; want not shared (no party)", summary)
	}
	r.Screenshot("summary-not-a-party")

	// The administrator adds the school and a second purpose; the same
	// signal may now go, and the reporter sees both purposes.
	p.Goto(se.url+"/beheer/convenant", bt.CSS("#f-version"))
	for _, id := range []string{"party-" + se.org.ID, "purpose-safety_risk", "f-safety_risk-facts"} {
		p.Click(bt.CSS("label[for='" + id + "']"))
	}
	submit(p, bt.CSS("main button.primary"), "#social-map")
	purposes, asked, summary = reporterPurposes(t, r, se.url, "Sam de Vries")
	if len(purposes) != 3 || !strings.HasPrefix(purposes[1], "safety_risk=") || slices.Contains(asked, "recipient.in_agreement") {
		t.Errorf("after the school signed: purposes %q, asked %v", purposes, asked)
	}
	if strings.Contains(summary, "geen partij") || !strings.Contains(summary, "Delen mag") {
		t.Errorf("after the school signed: %s; want shared", summary)
	}
	r.Screenshot("summary-party")

	// A hand-over: the coordinator becomes the school's contact person and
	// then cannot be disabled until someone else is named.
	coord := se.users[signal.RoleCoordinator]
	p.Goto(se.url+"/beheer/partners/"+se.org.ID, bt.CSS("#f-contact-email"))
	p.AssertAccessible()
	p.Fill(bt.CSS("#f-part"), "Basisschool: zorgcoördinator zit het overleg voor")
	p.Fill(bt.CSS("#f-contact-name"), coord.Name)
	p.Fill(bt.CSS("#f-contact-email"), coord.Email)
	submit(p, bt.CSS("main button.primary"), "#social-map")
	p.Goto(se.url+"/beheer/accounts", bt.CSS("#account-"+coord.ID))
	p.AssertAccessible()
	p.ExpectConsoleError("status of 409")
	submit(p, bt.CSS("#account-"+coord.ID+" button"), ".error-summary")
	if got := p.Text(bt.CSS(".error-summary")); !strings.Contains(got, "Wijs eerst iemand anders aan") || !strings.Contains(got, "Demo College") {
		t.Errorf("disabling the contact person: %q; want the hand-over asked first", got)
	}
	p.Screenshot("accounts-handover")
	p.AssertAccessible()
	p.Goto(se.url+"/beheer/partners/"+se.org.ID, bt.CSS("#f-contact-email"))
	p.Fill(bt.CSS("#f-contact-name"), "Carla Nieuw")
	p.Fill(bt.CSS("#f-contact-email"), "carla@school.nl")
	submit(p, bt.CSS("main button.primary"), "#social-map")
	p.Goto(se.url+"/beheer/accounts", bt.CSS("#account-"+coord.ID))
	submit(p, bt.CSS("#account-"+coord.ID+" button"), ".notice")
	if got := p.Text(bt.CSS("#account-" + coord.ID)); !strings.Contains(got, "Uitgezet") {
		t.Errorf("after the hand-over the account is %q; want disabled", got)
	}
	p.Screenshot("accounts-disabled")

	// A new colleague invited by e-mail: the link works once.
	p.Fill(bt.CSS("#f-name"), "Ilse Nieuw")
	p.Fill(bt.CSS("#f-email"), "ilse@jongerenwerktest.nl")
	p.Select(bt.CSS("#f-org"), orgID("Jongerenwerk Test"))
	p.Select(bt.CSS("#f-role"), "reporter")
	submit(p, bt.CSS("#invite-title + p + form button.primary"), ".notice")
	p.Screenshot("accounts-invited")
	p.AssertAccessible()
	msgs := smtp.Wait(t, 1)
	if len(msgs[0].To) != 1 || msgs[0].To[0] != "ilse@jongerenwerktest.nl" || !strings.Contains(msgs[0].Subject, "account") {
		t.Fatalf("invitation e-mail: to %v, subject %q", msgs[0].To, msgs[0].Subject)
	}
	link := regexp.MustCompile(`https://signaal\.test(/uitnodiging/[A-Za-z0-9_-]+)`).FindStringSubmatch(msgs[0].Body)
	if link == nil {
		t.Fatalf("no invitation link in: %s", msgs[0].Body)
	}
	if strings.Contains(msgs[0].Body, "Jongerenwerk Test") || strings.Contains(msgs[0].Body, "Ilse") {
		t.Errorf("the invitation e-mail names more than the link: %s", msgs[0].Body)
	}
	n := bt.NewPage(t, bt.Phone)
	n.Goto(se.url+link[1], bt.CSS("#f-password"))
	n.AssertAccessible()
	n.Screenshot("invitation")
	n.Fill(bt.CSS("#f-password"), "fietsen langs de gracht")
	n.Fill(bt.CSS("#f-password_again"), "fietsen langs de gracht")
	submit(n, bt.CSS("main button.primary"), "#f-email")
	n.Fill(bt.CSS("#f-email"), "ilse@jongerenwerktest.nl")
	n.Fill(bt.CSS("#f-password"), "fietsen langs de gracht")
	submit(n, bt.CSS("main button[type=submit]"), "main h1")
	// The first login sets up the second factor (issue 19, item 3): the
	// QR code's secret typed into an app, its code entered, the recovery
	// codes shown once, then on.
	if path := bt.Eval[string](n, `location.pathname`); path != "/login/instellen" {
		t.Fatalf("the invited reporter's first login went to %s; want the second factor's set-up", path)
	}
	n.AssertAccessible()
	n.Screenshot("second-factor-setup")
	secret := strings.ReplaceAll(n.Text(bt.CSS("#totp-secret")), " ", "")
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	n.Fill(bt.CSS("#f-code"), code)
	submit(n, bt.CSS("main button[type=submit]"), "#recovery-codes")
	n.AssertAccessible()
	n.Screenshot("recovery-codes")
	submit(n, bt.CSS("main a.primary"), "main h1")
	if path := bt.Eval[string](n, `location.pathname`); path != "/signalen" {
		t.Errorf("the invited reporter's first login went to %s", path)
	}
	n.ExpectConsoleError("status of 404")
	n.Goto(se.url+link[1], bt.CSS("main h1"))
	if n.Has(bt.CSS("#f-password")) {
		t.Error("the invitation link works a second time")
	}

	// Every change is on record under the administrator.
	acts := strings.Join(se.auditActions(), "\n")
	for _, want := range []signal.AuditAction{signal.ActionOrgCreate, signal.ActionAgreementSet, signal.ActionMeetingStanding, signal.ActionOrgContacts, signal.ActionUserDisable, signal.ActionUserInvite} {
		if !strings.Contains(acts, string(want)+" "+se.users[signal.RoleAdmin].ID+" ") {
			t.Errorf("audit log lacks %s by the administrator:\n%s", want, acts)
		}
	}

	// Anyone logged in reads the social map: whom to call.
	r.Goto(se.url+"/samenwerking", bt.CSS("#social-map"))
	if got := r.Text(bt.CSS("#social-map")); !strings.Contains(got, "Eef Agent") || strings.Contains(got, "Accounts:") || strings.Contains(got, "wijzigen") {
		t.Errorf("the reporter's social map: %s", got)
	}
	r.Screenshot("social-map-reporter")
	r.AssertAccessible()
}
