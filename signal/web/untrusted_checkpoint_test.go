package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/web/browsertest"
	"golang.org/x/mod/sumdb/note"
)

// signUntrustedCheckpoint stores a checkpoint of the log signed by a
// temporary key this server does not trust (as `signald audit checkpoint
// --key /tmp/x.key` once did), and returns the key's name.
func signUntrustedCheckpoint(t *testing.T, pe *privacyEnv) string {
	t.Helper()
	skey, _, err := note.GenerateKey(rand.Reader, "signaal-audit/temporary")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pe.app.DB.Integrity(signer, nil).IssueCheckpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	return signer.Name()
}

// TestPrivacyOfficerSeesUntrustedCheckpoints: a checkpoint signed once by a
// key the server does not trust is shown to the privacy officer on the
// integrity page, in plain words (not used, not tampering, what to do),
// beside an intact log, in Dutch and in English, and in the API's answer;
// it keeps being shown after more entries and a check from the last
// checkpoint, and it never turns the log into "altered".
func TestPrivacyOfficerSeesUntrustedCheckpoints(t *testing.T) {
	pe := newPrivacyEnv(t)
	today := signal.Today(time.Now()).String()
	pe.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)

	b := newBrowserClient(t, pe.url)
	b.login(pe.users[signal.RolePrivacyOfficer].Email)
	// Before: an intact log, nothing about unknown keys.
	if page := b.post("/privacy/integriteit", url.Values{"from": {"start"}}); page.status != 200 ||
		!strings.Contains(page.body, "Het logboek is ongeschonden") || strings.Contains(page.body, "onbekende sleutel") {
		t.Fatalf("verify before: %d", page.status)
	}
	// The server's own checkpoint, then one by a temporary key.
	if res := b.post("/privacy/checkpoints", url.Values{}); res.status != 303 {
		t.Fatalf("issue checkpoint: %d", res.status)
	}
	name := signUntrustedCheckpoint(t, pe)
	pe.mustSubmit("youthwork", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeAskConsent), signal.OutcomeAskConsent)

	for _, from := range []string{"start", "checkpoint"} {
		page := b.post("/privacy/integriteit", url.Values{"from": {from}})
		if page.status != 200 || !strings.Contains(page.body, "Het logboek is ongeschonden") || strings.Contains(page.body, "Het logboek is gewijzigd") {
			t.Fatalf("verify from %s with an untrusted checkpoint: %d, want intact", from, page.status)
		}
		for _, want := range []string{"Controlepunten met een onbekende sleutel: 1", "Controlepunt 2 (", "ondertekend door: " + name,
			"Dit betekent niet dat het logboek is veranderd", "Vraag de beheerder", "meld het als beveiligingsincident"} {
			if !strings.Contains(page.body, want) {
				t.Fatalf("verify from %s: the page lacks %q", from, want)
			}
		}
	}
	b.get("/taal?lang=en&next=%2Fprivacy")
	if page := b.post("/privacy/integriteit", url.Values{"from": {"start"}}); !strings.Contains(page.body, "Checkpoints with an unknown key: 1") ||
		!strings.Contains(page.body, "This does not mean the log was changed") {
		t.Fatal("the English page lacks the untrusted checkpoint")
	}

	res := pe.api("GET", "/api/v1/privacy/verify?from=start", nil)
	var v struct {
		OK        bool `json:"ok"`
		Untrusted []struct {
			ID   int64  `json:"id"`
			Size int64  `json:"size"`
			Keys string `json:"keys"`
		} `json:"untrusted_checkpoints"`
	}
	if err := json.Unmarshal([]byte(res.body), &v); err != nil || res.status != 200 {
		t.Fatalf("API verify: %d %v", res.status, err)
	}
	if !v.OK || len(v.Untrusted) != 1 || v.Untrusted[0].ID != 2 || v.Untrusted[0].Keys != name || v.Untrusted[0].Size == 0 {
		t.Fatalf("API verify: %+v, want intact with checkpoint 2 untrusted", v)
	}
}

// TestBrowserUntrustedCheckpoint: the privacy officer, in Chromium on a
// laptop and on a phone, checks the log from the dashboard's button and
// reads that one checkpoint has an unknown key, what that means and what to
// do, on a page without WCAG 2.1 AA violations (axe-core).
func TestBrowserUntrustedCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("a real browser; skipped with -short")
	}
	pe := newPrivacyEnv(t)
	today := signal.Today(time.Now()).String()
	pe.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	signUntrustedCheckpoint(t, pe)

	for _, device := range []browsertest.Device{browsertest.Laptop, browsertest.Phone} {
		p := browsertest.NewPage(t, device)
		p.ExpectConsoleError("Cache.add() failed")
		p.ExpectConsoleError("403")
		p.Goto(pe.url+"/login", browsertest.CSS("#f-email"))
		p.Fill(browsertest.CSS("#f-email"), pe.users[signal.RolePrivacyOfficer].Email)
		p.Fill(browsertest.CSS("#f-password"), testPassword)
		p.Click(browsertest.CSS("form button[type=submit].primary"))
		p.WaitFor(browsertest.Name("Controleer het logboek"))
		p.Click(browsertest.Name("Controleer het logboek"))
		p.WaitFor(browsertest.CSS("#untrusted-title"))
		if ok := p.Text(browsertest.CSS(".notice")); !strings.Contains(ok, "Het logboek is ongeschonden") {
			t.Fatalf("%s: the outcome reads %q, want intact", device.Name, ok)
		}
		section := p.Text(browsertest.CSS("section.untrusted"))
		for _, want := range []string{"Controlepunten met een onbekende sleutel: 1", "Controlepunt 1 (", "Dit betekent niet dat het logboek is veranderd", "Vraag de beheerder"} {
			if !strings.Contains(section, want) {
				t.Fatalf("%s: the section reads %q, lacks %q", device.Name, section, want)
			}
		}
		p.AssertAccessible()
		p.Screenshot("untrusted")
	}
}
