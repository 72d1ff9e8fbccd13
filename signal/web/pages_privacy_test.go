package web

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/rego"
	"github.com/signaal-nl/signaal/signal"
)

// TestPrivacyPages walks the privacy officer's pages as a browser without
// JavaScript would: log in, land on the dashboard, find a young person by
// name and birth date (the name never reaches a URL), read the access
// report, erase on request, verify the log, and see a tampered entry named.
func TestPrivacyPages(t *testing.T) {
	pe := newPrivacyEnv(t)
	today := signal.Today(time.Now()).String()
	s := pe.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	pe.mustSubmit("youthwork", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeAskConsent), signal.OutcomeAskConsent)

	b := newBrowserClient(t, pe.url)
	b.login(pe.users[signal.RolePrivacyOfficer].Email)
	if res := b.get("/"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/privacy" {
		t.Fatalf("start page of the privacy officer: %d %q", res.status, res.header.Get("Location"))
	}
	home := b.get("/privacy")
	if home.status != 200 || !strings.Contains(home.body, "Overzicht") {
		t.Fatalf("dashboard: %d", home.status)
	}

	// A lookup with a bad birth date re-renders the form with the summary.
	bad := b.post("/privacy/zoek", url.Values{"name": {"Sanne de Vries"}, "birth_date": {"30-04-2011"}})
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, `href="#f-birth_date"`) {
		t.Fatalf("bad lookup: %d", bad.status)
	}
	found := b.post("/privacy/zoek", url.Values{"name": {"Sanne de Vries"}, "birth_date": {"2011-04-30"}})
	loc := found.header.Get("Location")
	if found.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/privacy/audit?subject=") || strings.Contains(loc, "Sanne") {
		t.Fatalf("lookup: %d %q", found.status, loc)
	}
	subject := strings.TrimPrefix(loc, "/privacy/audit?subject=")
	review := b.get(loc)
	if review.status != 200 || !strings.Contains(review.body, string(signal.ActionShareDecide)) || !strings.Contains(review.body, "R7") ||
		!strings.Contains(review.body, "(consent_valid)") || !strings.Contains(review.body, "toestemming") {
		t.Fatalf("review of the young person: %d", review.status)
	}

	report := b.get("/privacy/inzage/" + subject)
	if report.status != 200 || !strings.Contains(report.body, "Demo College") || !strings.Contains(report.body, "Jongerenwerk Test") ||
		strings.Contains(report.body, "te laat") {
		t.Fatalf("access report: %d (both partners, no content)", report.status)
	}
	if refused := b.get("/privacy/inzage/" + subject + "?content=true"); refused.status != http.StatusForbidden || strings.Contains(refused.body, "te laat") {
		t.Fatalf("content by pseudonym outside a request: %d, want 403 without content", refused.status)
	}
	registered := b.post("/privacy/verzoeken", url.Values{"name": {"Sanne de Vries"}, "birth_date": {"2011-04-30"},
		"requester": {"parent"}, "received_on": {today}})
	reqPage := registered.header.Get("Location")
	if registered.status != http.StatusSeeOther || !strings.HasPrefix(reqPage, "/privacy/verzoeken/req_") {
		t.Fatalf("register a request: %d %q", registered.status, reqPage)
	}
	withContent := b.post(reqPage+"/inhoud", url.Values{"reason": {"assess"}})
	if withContent.status != 200 || !strings.Contains(withContent.body, "te laat") {
		t.Fatalf("the report with content inside the request: %d, holds no content", withContent.status)
	}
	// Erasure goes through the request: the old one-click form is gone.
	if old := b.post("/privacy/inzage/"+subject+"/wissen", url.Values{"reason": {"data_subject_request"}}); old.status/100 == 2 || old.status == http.StatusSeeOther {
		t.Fatalf("the one-click erasure still answers %d", old.status)
	}
	confirm := b.get(reqPage + "/wissen")
	fp := regexp.MustCompile(`name="fingerprint" value="([^"]+)"`).FindStringSubmatch(confirm.body)
	if confirm.status != 200 || fp == nil || !strings.Contains(confirm.body, "Wat gewist wordt") || strings.Contains(confirm.body, "te laat") {
		t.Fatalf("the confirmation step: %d", confirm.status)
	}
	noReason := b.post(reqPage+"/wissen", url.Values{"fingerprint": {fp[1]}, "confirm": {"1"}})
	if noReason.status != http.StatusBadRequest || !strings.Contains(noReason.body, `href="#f-reason"`) {
		t.Fatalf("erase without a reason: %d", noReason.status)
	}
	erased := b.post(reqPage+"/wissen", url.Values{"reason": {"data_subject_request"}, "fingerprint": {fp[1]}, "confirm": {"1"}})
	if erased.status != http.StatusSeeOther || erased.header.Get("Location") != reqPage+"/ontvangstbewijs" {
		t.Fatalf("erase: %d %s", erased.status, erased.body)
	}
	if after := b.get(erased.header.Get("Location")); !strings.Contains(after.body, "Ontvangstbewijs") || !strings.Contains(after.body, "afgerond op") {
		t.Fatal("the receipt does not say the content was erased")
	}

	verified := b.post("/privacy/integriteit", url.Values{"from": {"start"}})
	if verified.status != 200 || !strings.Contains(verified.body, "Het logboek is ongeschonden") {
		t.Fatalf("verify: %d", verified.status)
	}
	if res := b.post("/privacy/checkpoints", url.Values{}); res.status != http.StatusSeeOther {
		t.Fatalf("issue checkpoint: %d", res.status)
	}
	if page := b.get("/privacy/integriteit?issued=1"); !strings.Contains(page.body, `href="/privacy/checkpoints/1"`) {
		t.Fatal("the checkpoint is not listed with its download")
	}

	var target int64
	pe.app.DB.Read().QueryRow(`SELECT seq FROM audit_entries WHERE action = ? AND object = ?`, signal.ActionSignalCreate, "signal/"+s.ID).Scan(&target)
	shell, err := sql.Open("sqlite3", "file:"+pe.app.DB.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer shell.Close()
	if _, err := shell.Exec(`DROP TRIGGER audit_entries_append_only_update; UPDATE audit_entries SET actor_user = 'someone-else' WHERE seq = ?`, target); err != nil {
		t.Fatal(err)
	}
	tampered := b.post("/privacy/integriteit", url.Values{"from": {"start"}})
	if !strings.Contains(tampered.body, "Het logboek is gewijzigd") || !strings.Contains(tampered.body, "Eerste onjuiste regel: "+itoa(target)) {
		t.Fatalf("tampered log page does not name entry %d", target)
	}

	// Two policy versions: the governance page lists them and shows the diff.
	files, err := signal.ReadPolicyFiles(rego.FS)
	if err != nil {
		t.Fatal(err)
	}
	system := signal.Actor{UserID: "signald", Role: "system"}
	const v1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	const v2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	pe.privacy.RecordPolicyLoad(context.Background(), system, v1, files)
	changed := append([]signal.PolicyFile(nil), files...)
	changed[0].Content = strings.Replace(changed[0].Content, "package signaal", "package signaal\n\n# aangepast door de FG", 1)
	pe.privacy.RecordPolicyLoad(context.Background(), system, v2, changed)
	gov := b.get("/privacy/beleid")
	if gov.status != 200 || !strings.Contains(gov.body, "sha256:222222222222222") || !strings.Contains(gov.body, `action="/privacy/beleid/verschil"`) {
		t.Fatalf("governance page: %d", gov.status)
	}
	diff := b.get("/privacy/beleid/verschil?from=" + v1 + "&to=" + v2)
	if diff.status != 200 || !strings.Contains(diff.body, "<ins>+ # aangepast door de FG</ins>") || !strings.Contains(diff.body, files[0].Path) {
		t.Fatalf("diff page: %d %s", diff.status, diff.body)
	}

	for _, path := range []string{"/privacy/escalaties", "/privacy/beleid", "/privacy/inzage", "/privacy/audit?since=gisteren"} {
		res := b.get(path)
		if res.status/100 != 2 && !(strings.Contains(path, "gisteren") && res.status == 400) {
			t.Errorf("GET %s: %d", path, res.status)
		}
	}
	other := newBrowserClient(t, pe.url)
	other.login(pe.users[signal.RoleReporter].Email)
	if res := other.get("/privacy"); res.status != http.StatusForbidden {
		t.Fatalf("a reporter on the console: %d", res.status)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestOneDoorOneAnswer: the page and the API refuse the same request with
// the same status, because both ask the same use case.
func TestOneDoorOneAnswer(t *testing.T) {
	pe := newPrivacyEnv(t)
	b := newBrowserClient(t, pe.url)
	b.login(pe.users[signal.RolePrivacyOfficer].Email)
	for _, tc := range []struct {
		name       string
		api        func() response
		page       func() int
		wantStatus int
	}{
		{"an escalation that is no number",
			func() response {
				return pe.api("PATCH", "/api/v1/privacy/escalations/abc", map[string]string{"status": "done"})
			},
			func() int { return b.post("/privacy/escalaties/abc", url.Values{"status": {"done"}}).status },
			http.StatusBadRequest},
		{"an unknown escalation status",
			func() response {
				return pe.api("PATCH", "/api/v1/privacy/escalations/1", map[string]string{"status": "closed"})
			},
			func() int { return b.post("/privacy/escalaties/1", url.Values{"status": {"closed"}}).status },
			http.StatusBadRequest},
		{"an escalation that does not exist",
			func() response {
				return pe.api("PATCH", "/api/v1/privacy/escalations/999999", map[string]string{"status": "done"})
			},
			func() int { return b.post("/privacy/escalaties/999999", url.Values{"status": {"done"}}).status },
			http.StatusNotFound},
		{"erasing under a request that does not exist",
			func() response {
				return pe.api("POST", "/api/v1/privacy/access-requests/req_aaaaaaaaaaaaaaaa/erasure", map[string]string{"reason": "objection", "fingerprint": "x"})
			},
			func() int {
				return b.post("/privacy/verzoeken/req_aaaaaaaaaaaaaaaa/wissen", url.Values{"reason": {"objection"}, "fingerprint": {"x"}, "confirm": {"1"}}).status
			},
			http.StatusNotFound},
		{"verifying from nowhere",
			func() response { return pe.api("GET", "/api/v1/privacy/verify?from=yesterday", nil) },
			func() int { return b.post("/privacy/integriteit", url.Values{"from": {"yesterday"}}).status },
			http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api, page := tc.api().status, tc.page()
			if api != tc.wantStatus || page != tc.wantStatus {
				t.Fatalf("API %d, page %d; want %d from both", api, page, tc.wantStatus)
			}
		})
	}
}
