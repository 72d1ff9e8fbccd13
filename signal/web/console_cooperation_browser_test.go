package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/mail/mailtest"
	bt "github.com/signaal-nl/signaal/signal/web/browsertest"
)

// enrolInBrowser is a first login's second step in Chromium: the page
// shows the QR code and its secret; the secret goes into an
// authenticator (here totp), its code is entered, the recovery codes are
// shown once, and on. It returns the secret and the 30-second step of the
// code used.
// rememberBesideItsLabel: "Onthoud dit apparaat" is a checkbox with its
// label after it on the same line, and a tap on the label ticks it (a
// large target on a phone); it is left as it was.
func rememberBesideItsLabel(t *testing.T, p *bt.Page) {
	t.Helper()
	layout := bt.Eval[string](p, `(() => {
		const i = document.querySelector('#f-remember'), l = document.querySelector('label[for=f-remember]');
		const a = i.getBoundingClientRect(), b = l.getBoundingClientRect();
		return (b.left >= a.right ? 'after' : 'not after') + ' ' + (b.top < a.bottom && a.top < b.bottom ? 'same line' : 'other line');
	})()`)
	if layout != "after same line" {
		t.Errorf("the remember-this-device label is %s of its checkbox; want after it, on the same line", layout)
	}
	before := bt.Eval[bool](p, `document.querySelector('#f-remember').checked`)
	p.Click(bt.CSS("label[for=f-remember]"))
	if bt.Eval[bool](p, `document.querySelector('#f-remember').checked`) == before {
		t.Error("a click on the label does not tick the checkbox")
	}
	p.Click(bt.CSS("label[for=f-remember]"))
}

func enrolInBrowser(t *testing.T, p *bt.Page, shot string) (string, int64) {
	t.Helper()
	if path := bt.Eval[string](p, `location.pathname`); path != "/login/instellen" {
		t.Fatalf("a first login went to %s; want the second factor's set-up", path)
	}
	if !p.Has(bt.CSS("svg.qr")) {
		t.Error("the set-up page shows no QR code")
	}
	p.AssertAccessible()
	p.Screenshot(shot + "-second-factor")
	rememberBesideItsLabel(t, p)
	secret := strings.ReplaceAll(p.Text(bt.CSS("#totp-secret")), " ", "")
	now := time.Now()
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	p.Fill(bt.CSS("#f-code"), code)
	submit(p, bt.CSS("main button[type=submit]"), "#recovery-codes")
	if n := bt.Eval[int](p, `document.querySelectorAll('#recovery-codes li').length`); n != signal.RecoveryCodeCount {
		t.Errorf("%d recovery codes shown; want %d", n, signal.RecoveryCodeCount)
	}
	p.AssertAccessible()
	p.Screenshot(shot + "-recovery-codes")
	submit(p, bt.CSS("main a.primary"), "main h1")
	return secret, now.Unix() / 30
}

// codeAfter returns secret's code of a 30-second step after step (a code
// is accepted once: the next login needs the next step's).
func codeAfter(t *testing.T, secret string, step int64) string {
	t.Helper()
	for time.Now().Unix()/30 <= step {
		time.Sleep(time.Until(time.Unix((time.Now().Unix()/30+1)*30, 0)) + 50*time.Millisecond)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// waitPath waits until the page's path is not one of the sign-in's own.
func waitPath(t *testing.T, p *bt.Page, away ...string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		path := bt.Eval[string](p, `location.host + location.pathname`)
		if !slices.ContainsFunc(away, func(a string) bool { return strings.Contains(path, a) }) {
			return path
		}
		if time.Now().After(deadline) {
			t.Fatalf("the browser stayed at %s", path)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestBrowserNewCooperationThroughTheConsole is issue 19's "done when": a
// new cooperation is set up entirely through the console in Chromium, on
// a real set-up (no demo mode: every account needs its second factor).
// Only its first administrator is made on the server, as the README's
// start-up says. Through the console: two partners, the agreement, one
// partner's sign-in through its own OpenID provider (a real one, in this
// process), and accounts invited through a real SMTP server; the invited
// reporter's first login sets up the second factor, and the purposes and
// recipients offered to them come from the agreement the console edited;
// the other partner's coordinator signs in through the provider. Then the
// reporter forgets the password: the link by e-mail, a new password, and
// the code is still asked. Every page on the way is scanned for WCAG 2.1
// AA; screenshots go to $SIGNAAL_SCREENSHOTS.
func TestBrowserNewCooperationThroughTheConsole(t *testing.T) {
	ctx := context.Background()
	smtp := mailtest.Start(t)
	dir := t.TempDir()
	a := openRealApp(t, dir, app.Options{SMTP: smtp.Config(), PublicURL: "https://signaal.test", MailRetry: 20 * time.Millisecond})
	srv, err := New(FromApp(a, Deps{}))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	base := hs.URL

	// On the server: the first partner and its administrator (signald org
	// add, signald user add).
	gemeente := signal.Organisation{Name: "Gemeente Zuidhaven", Kind: signal.OrgMunicipality,
		Contact: signal.Person{Name: "Mira Bakker", Email: "m.bakker@zuidhaven.nl"}, Deputy: signal.Person{Name: "Said Amrani", Email: "s.amrani@zuidhaven.nl"}}
	if err := a.Accounts.CreateOrganisation(ctx, cliActor, &gemeente, "Samenwerking Zuidhaven"); err != nil {
		t.Fatal(err)
	}
	admin := signal.User{Email: "beheer@zuidhaven.nl", Name: "Functioneel beheer", OrgID: gemeente.ID, Role: signal.RoleAdmin}
	if err := a.Accounts.CreateUser(ctx, cliActor, &admin, mfaPassword); err != nil {
		t.Fatal(err)
	}

	// The administrator's first login sets up the second factor.
	p := bt.NewPage(t, bt.Laptop)
	p.Goto(base+"/login", bt.CSS("#f-email"))
	p.Fill(bt.CSS("#f-email"), admin.Email)
	p.Fill(bt.CSS("#f-password"), mfaPassword)
	submit(p, bt.CSS("main button[type=submit]"), "main h1")
	enrolInBrowser(t, p, "admin")
	p.Goto(base+"/beheer", bt.CSS("#social-map"))
	p.AssertAccessible()

	// Two partners, each with what it does and whom to call.
	addPartner := func(name, kind, part, contact, contactEmail, deputy, deputyEmail string) {
		p.Goto(base+"/beheer/partners/nieuw", bt.CSS("#f-name"))
		p.Fill(bt.CSS("#f-name"), name)
		p.Select(bt.CSS("#f-kind"), kind)
		p.Fill(bt.CSS("#f-part"), part)
		p.Fill(bt.CSS("#f-contact-name"), contact)
		p.Fill(bt.CSS("#f-contact-email"), contactEmail)
		p.Fill(bt.CSS("#f-contact-phone"), "0101234567")
		p.Fill(bt.CSS("#f-deputy-name"), deputy)
		p.Fill(bt.CSS("#f-deputy-email"), deputyEmail)
		submit(p, bt.CSS("main button.primary"), "#social-map")
	}
	addPartner("Basisschool De Linde", "school", "Basisschool: de intern begeleider meldt zorgen", "Ineke Vos", "i.vos@delinde.nl", "Tom Smit", "t.smit@delinde.nl")
	addPartner("Jongerenwerk Zuidhaven", "youth_work", "Jongerenwerk: zit het signaleringsoverleg voor", "Joris Kok", "joris@jwzuidhaven.nl", "Nadia El Idrissi", "nadia@jwzuidhaven.nl")
	org := func(name string) string {
		o, err := a.Accounts.Organisation(ctx, cliActor, name)
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	school, youthWork := org("Basisschool De Linde"), org("Jongerenwerk Zuidhaven")
	m := p.Text(bt.CSS("#social-map"))
	for _, want := range []string{"Gemeente Zuidhaven", "Basisschool De Linde", "Ineke Vos", "Jongerenwerk Zuidhaven", "Nadia El Idrissi"} {
		if !strings.Contains(m, want) {
			t.Errorf("the social map lacks %q: %s", want, m)
		}
	}
	p.Screenshot("map-partners")

	// The agreement: two purposes; the three partners signed.
	p.Goto(base+"/beheer/convenant", bt.CSS("#f-version"))
	p.AssertAccessible()
	p.Fill(bt.CSS("#f-version"), "Zuidhaven-2026")
	setDate(t, p, "#f-signed_on", "2026-10-01")
	p.Fill(bt.CSS("#f-retention_months"), "18")
	for _, id := range []string{"purpose-coordinate_support", "f-coordinate_support-identity", "f-coordinate_support-facts",
		"purpose-safety_risk", "f-safety_risk-facts", "party-" + gemeente.ID, "party-" + school, "party-" + youthWork} {
		p.Click(bt.CSS("label[for='" + id + "']"))
	}
	submit(p, bt.CSS("main button.primary"), "#social-map")
	if got := p.Text(bt.CSS("#agreement-state")); !strings.Contains(got, "Zuidhaven-2026") || !strings.Contains(got, "18 maanden") {
		t.Errorf("the map after the agreement: %q", got)
	}

	// Jongerenwerk signs in through its own provider (here a real OpenID
	// provider in this process, registered with the redirect URL the
	// console shows).
	const clientID, clientSecret = "signaal-zuidhaven", "geheim-van-het-jongerenwerk"
	iss := startIssuer(t, clientID, clientSecret, base+SSOCallbackPath, issuerUsers{
		"sub-joris": {ID: "sub-joris", Username: "joris", Password: "x", Email: "joris@jwzuidhaven.nl", EmailVerified: true},
	})
	iss.signIn("joris")
	p.Goto(base+"/beheer", bt.CSS("#social-map"))
	submit(p, bt.CSS("a[href='/beheer/partners/"+youthWork+"/inloggen']"), "#f-issuer")
	if got := p.Text(bt.CSS("#signin-redirect")); got != base+SSOCallbackPath {
		t.Errorf("the console shows redirect URL %q; want %q", got, base+SSOCallbackPath)
	}
	p.AssertAccessible()
	p.ExpectConsoleError("status of 400")
	p.Fill(bt.CSS("#f-issuer"), "niet een adres")
	submit(p, bt.CSS("main button.primary"), ".error-summary")
	if errs := p.Text(bt.CSS(".error-summary")); !strings.Contains(errs, "Adres van de inlogdienst") || !strings.Contains(errs, "Client-id") || !strings.Contains(errs, "Client-geheim") {
		t.Errorf("the sign-in form's errors: %s; want issuer, client id and secret named", errs)
	}
	p.AssertAccessible()
	p.Screenshot("signin-errors")
	p.Fill(bt.CSS("#f-issuer"), iss.url)
	p.Fill(bt.CSS("#f-client_id"), clientID)
	p.Fill(bt.CSS("#f-secret"), clientSecret)
	p.Screenshot("signin-form")
	submit(p, bt.CSS("main button.primary"), "#social-map")
	// The secret is a file of the server's, readable by it alone, not in
	// the database.
	set, err := a.Accounts.OrgOIDC(ctx, cliActor, youthWork)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(set.SecretFile); err != nil || fi.Mode().Perm() != 0o600 || !strings.HasPrefix(set.SecretFile, filepath.Join(dir, "keys")) {
		t.Errorf("the secret file %s: %v %v; want mode 0600 in the keys directory", set.SecretFile, fi, err)
	}
	var leaks int
	a.DB.Read().QueryRow(`SELECT count(*) FROM org_oidc WHERE secret_file LIKE ? OR client_id LIKE ?`, "%"+clientSecret+"%", "%"+clientSecret+"%").Scan(&leaks)
	if leaks != 0 {
		t.Error("the client secret is in the database")
	}

	// Accounts, invited by e-mail: a reporter at the school, the youth
	// worker who chairs the meeting.
	invite := func(name, email, orgID, role string) {
		p.Goto(base+"/beheer/accounts", bt.CSS("#f-name"))
		p.Fill(bt.CSS("#f-name"), name)
		p.Fill(bt.CSS("#f-email"), email)
		p.Select(bt.CSS("#f-org"), orgID)
		p.Select(bt.CSS("#f-role"), role)
		submit(p, bt.CSS("#invite-title + p + form button.primary"), ".notice")
	}
	invite("Lotte de Wit", "lotte@delinde.nl", school, "reporter")
	invite("Joris Kok", "joris@jwzuidhaven.nl", youthWork, "coordinator")
	p.AssertAccessible()
	p.Screenshot("accounts-invited")
	// Not active yet: the list says they were invited, and until when.
	lotteRow := bt.Eval[string](p, `[...document.querySelectorAll("tr")].find(r => r.textContent.includes("lotte@delinde.nl")).textContent`)
	if !strings.Contains(lotteRow, "Uitgenodigd") || strings.Contains(lotteRow, "Actief") {
		t.Errorf("an invitee who has not accepted is listed as %q; want Uitgenodigd", lotteRow)
	}
	msgs := smtp.Wait(t, 2)
	var lotteLink, jorisLink string
	for _, msg := range msgs {
		l := regexp.MustCompile(`https://signaal\.test(/uitnodiging/[A-Za-z0-9_-]+)`).FindStringSubmatch(msg.Body)
		switch {
		case l == nil || len(msg.To) != 1:
		case msg.To[0] == "lotte@delinde.nl":
			lotteLink = l[1]
		case msg.To[0] == "joris@jwzuidhaven.nl":
			jorisLink = l[1]
		}
	}
	if lotteLink == "" {
		t.Fatalf("no invitation reached lotte@delinde.nl: %v", msgs)
	}

	// Lotte's mail got lost: the administrator sends her a new invitation
	// from the list (an invitee is offered that, not a second-factor
	// reset); the new link works and the first one no longer does.
	p.Goto(base+"/beheer/accounts", bt.CSS("#f-name"))
	lotteRowID := bt.Eval[string](p, `[...document.querySelectorAll("tr")].find(r => r.textContent.includes("lotte@delinde.nl")).id`)
	if bt.Eval[bool](p, `!!document.querySelector("#`+lotteRowID+` form[action$='/tweede-factor']")`) {
		t.Errorf("an invitee who has no second factor yet is offered a second-factor reset")
	}
	submit(p, bt.CSS("#"+lotteRowID+` form[action$='/uitnodiging'] button`), ".notice")
	p.AssertAccessible()
	p.Screenshot("accounts-reinvited")
	if got := p.Text(bt.CSS(".notice")); !strings.Contains(got, "nieuwe uitnodiging") {
		t.Errorf("after sending a new invitation the page says %q", got)
	}
	msgs = smtp.Wait(t, 3)
	l := regexp.MustCompile(`https://signaal\.test(/uitnodiging/[A-Za-z0-9_-]+)`).FindStringSubmatch(msgs[2].Body)
	if l == nil || msgs[2].To[0] != "lotte@delinde.nl" || l[1] == lotteLink {
		t.Fatalf("no new invitation reached lotte@delinde.nl: %v %s", msgs[2].To, msgs[2].Body)
	}
	res, err := http.Get(base + lotteLink)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("the first link after a new one was sent: %s; want 404", res.Status)
	}
	lotteLink = l[1]

	// The reporter: the link, a password, the first login with the second
	// factor, on her phone.
	r := bt.NewPage(t, bt.Phone)
	r.ExpectConsoleError("Cache.add() failed")
	r.Goto(base+lotteLink, bt.CSS("#f-password"))
	r.Fill(bt.CSS("#f-password"), "appels en peren op de markt")
	r.Fill(bt.CSS("#f-password_again"), "appels en peren op de markt")
	submit(r, bt.CSS("main button.primary"), "#f-email")
	r.Fill(bt.CSS("#f-email"), "lotte@delinde.nl")
	r.Fill(bt.CSS("#f-password"), "appels en peren op de markt")
	submit(r, bt.CSS("main button[type=submit]"), "main h1")
	lotteSecret, lotteStep := enrolInBrowser(t, r, "reporter")
	if path := bt.Eval[string](r, `location.pathname`); path != "/signalen" {
		t.Errorf("the reporter's first login went on to %s; want /signalen", path)
	}
	// What the form offers comes from the agreement the console recorded:
	// its two purposes (and "something else", outside it), and the
	// reporter is not asked whether the meeting is a party: it is.
	offer, err := a.Services.Signals.Offer(ctx, signal.Actor{UserID: "x", OrgID: school, Role: signal.RoleReporter})
	if err != nil || !offer.Recorded || offer.Version != "Zuidhaven-2026" || !offer.Recipient[signal.RecipientSignalMeeting] || offer.Recipient[signal.RecipientPolice] {
		t.Errorf("the reporter's offer: %+v, %v; want the console's agreement: the meeting a party, the police not (no police partner signed)", offer, err)
	}
	purposes, asked, summary := reporterPurposes(t, r, base, "Sam de Vries")
	if len(purposes) != 3 || !strings.HasPrefix(purposes[0], "coordinate_support=") || !strings.HasPrefix(purposes[1], "safety_risk=") || !strings.HasPrefix(purposes[2], "other=") {
		t.Errorf("purposes offered: %q; want the agreement's two, then other", purposes)
	}
	if slices.Contains(asked, "recipient.in_agreement") {
		t.Errorf("the reporter was asked whether the recipient is a party: %v", asked)
	}
	if !strings.Contains(summary, "Delen mag") {
		t.Errorf("the summary: %s; want sharing allowed (the school signed)", summary)
	}
	r.Screenshot("reporter-summary")

	// The youth worker accepts his invitation through Jongerenwerk's
	// provider: no password here, no second factor here (the provider
	// asks it).
	inv := bt.NewPage(t, bt.Laptop)
	inv.Goto(base+jorisLink, bt.CSS(".sso-accept a"))
	inv.AssertAccessible()
	inv.Screenshot("invitation-sso")
	if got := inv.Text(bt.CSS(".sso-accept a")); got != "Inloggen met Jongerenwerk Zuidhaven" {
		t.Errorf("the invitation's sign-in button says %q", got)
	}
	inv.Click(bt.CSS(".sso-accept a"))
	if path := waitPath(t, inv, strings.TrimPrefix(iss.url, "http://"), "/uitnodiging", "/login"); path != strings.TrimPrefix(base, "http://")+"/overleg" {
		t.Fatalf("after accepting through the provider the browser is at %s; want the coordinator's /overleg", path)
	}
	inv.WaitFor(bt.CSS("main h1"))
	inv.Screenshot("invitation-accepted")
	p.Goto(base+"/beheer/accounts", bt.CSS("#f-name"))
	if row := bt.Eval[string](p, `[...document.querySelectorAll("tr")].find(r => r.textContent.includes("joris@jwzuidhaven.nl")).textContent`); !strings.Contains(row, "Actief") {
		t.Errorf("after accepting, the youth worker is listed as %q; want Actief", row)
	}

	// Later he signs in through the login page's button.
	j := bt.NewPage(t, bt.Laptop)
	j.Goto(base+"/login", bt.CSS("#sso-organisations"))
	j.AssertAccessible()
	j.Screenshot("login-with-sso")
	if got := j.Text(bt.CSS("#sso-organisations")); !strings.Contains(got, "Jongerenwerk Zuidhaven") || strings.Contains(got, "De Linde") {
		t.Errorf("the login page's sign-in buttons: %q", got)
	}
	if bullet := bt.Eval[string](j, `getComputedStyle(document.querySelector('#sso-organisations li')).listStyleType`); bullet != "none" {
		t.Errorf("the sign-in buttons are a bulleted list (%s); want buttons only", bullet)
	}
	j.Click(bt.CSS("#sso-organisations a"))
	path := waitPath(t, j, strings.TrimPrefix(iss.url, "http://"), "/login")
	if !strings.HasPrefix(path, strings.TrimPrefix(base, "http://")) {
		t.Fatalf("after signing in through the provider the browser is at %s", path)
	}
	j.WaitFor(bt.CSS("main h1"))
	j.AssertAccessible()
	j.Screenshot("coordinator-signed-in")
	joris, _, err := a.DB.UserByEmail(ctx, "joris@jwzuidhaven.nl")
	if err != nil {
		t.Fatal(err)
	}
	var ssoLogins int
	a.DB.Read().QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = ?`, signal.ActionLoginSSO, joris.ID).Scan(&ssoLogins)
	if ssoLogins != 2 {
		t.Errorf("%d login.sso entries for the youth worker; want 2 (accepting, then signing in)", ssoLogins)
	}

	// The reporter forgot her password: the link by e-mail, once; the new
	// password; the code is still asked.
	f := bt.NewPage(t, bt.Phone)
	f.ExpectConsoleError("Cache.add() failed")
	f.Goto(base+"/login", bt.CSS("#login-forgot"))
	submit(f, bt.CSS("#login-forgot"), "#f-email")
	f.AssertAccessible()
	f.Screenshot("forgot")
	f.Fill(bt.CSS("#f-email"), "lotte@delinde.nl")
	submit(f, bt.CSS("main button.primary"), "#reset-sent")
	f.AssertAccessible()
	f.Screenshot("forgot-sent")
	msgs = smtp.Wait(t, 4)
	link := regexp.MustCompile(`https://signaal\.test(/wachtwoord/[A-Za-z0-9_-]+)`).FindStringSubmatch(msgs[3].Body)
	if link == nil || msgs[3].To[0] != "lotte@delinde.nl" {
		t.Fatalf("no reset link to the reporter: %v %s", msgs[3].To, msgs[3].Body)
	}
	f.Goto(base+link[1], bt.CSS("#f-password"))
	f.AssertAccessible()
	f.Screenshot("reset")
	f.Fill(bt.CSS("#f-password"), "een nieuwe zin voor de fiets")
	f.Fill(bt.CSS("#f-password_again"), "een nieuwe zin voor de fiets")
	submit(f, bt.CSS("main button.primary"), "#login-new-password")
	f.AssertAccessible()
	f.Screenshot("login-after-reset")
	// Her phone's session ended with the reset.
	r.Goto(base+"/signalen", bt.CSS("main h1"))
	if path := bt.Eval[string](r, `location.pathname`); path != "/login" {
		t.Errorf("the reporter's earlier session after the reset: at %s; want the login page", path)
	}
	f.Fill(bt.CSS("#f-email"), "lotte@delinde.nl")
	f.Fill(bt.CSS("#f-password"), "een nieuwe zin voor de fiets")
	submit(f, bt.CSS("main button[type=submit]"), "main h1")
	if path := bt.Eval[string](f, `location.pathname`); path != "/login/code" {
		t.Fatalf("the new password went to %s; want the code page", path)
	}
	f.Fill(bt.CSS("#f-code"), codeAfter(t, lotteSecret, lotteStep))
	submit(f, bt.CSS("main button[type=submit]"), "main h1")
	if path := bt.Eval[string](f, `location.pathname`); path != "/signalen" {
		t.Errorf("the new password and code went to %s; want /signalen", path)
	}
	f.ExpectConsoleError("status of 404")
	f.Goto(base+link[1], bt.CSS("main h1"))
	if f.Has(bt.CSS("#f-password")) {
		t.Error("the reset link works a second time")
	}

	// Every console change is on record under the administrator.
	var acts []string
	rows, err := a.DB.Read().Query(`SELECT DISTINCT action FROM audit_entries WHERE actor_user = ?`, admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		acts = append(acts, s)
	}
	rows.Close()
	for _, want := range []signal.AuditAction{signal.ActionSecondFactorEnrol, signal.ActionOrgCreate, signal.ActionAgreementSet, signal.ActionOrgOIDC, signal.ActionUserInvite} {
		if !slices.Contains(acts, string(want)) {
			t.Errorf("the audit lacks %s by the administrator: %v", want, acts)
		}
	}
}
