package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/rego"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/web/browsertest"
)

// TestPolicyChangeEffectOnRecordedPaths: a new policy version whose R7
// (valid consent) no longer fires. The comparison names the rule that
// changed, shows the diff with context lines, and decides the recorded
// question paths of the officer's cooperation again with both versions:
// the five signals with recorded consent (one more was erased, and another
// cooperation's do not count) now end otherwise, the three waiting for
// consent do not. Counts only. The officer approves the new version, once,
// audited, and the approval shows on the policies page with their name;
// another cooperation's officer sees no approval of theirs.
// policyChangeSite is a cooperation with recorded signals (six with
// recorded consent, one of them erased; three waiting for consent; two of
// another cooperation) and two policy versions: the one in force, and one
// whose R7 never fires while R8 asks again for consent given, recorded or
// not. It returns the environment and the two versions.
func policyChangeSite(t *testing.T) (*privacyEnv, string, string) {
	t.Helper()
	pe := newPrivacyEnv(t)
	ctx := context.Background()
	today := signal.Today(time.Now()).String()
	for i := range 6 {
		pe.mustSubmit("school", youthBody(fmt.Sprintf("Sanne Vijf %d", i), "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	}
	for i := range 3 {
		pe.mustSubmit("youthwork", youthBody(fmt.Sprintf("Daan Drie %d", i), "2010-02-11", today, signal.OutcomeAskConsent), signal.OutcomeAskConsent)
	}
	for i := range 2 {
		pe.mustSubmit("elsewhere", youthBody(fmt.Sprintf("Eva Elders %d", i), "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	}
	pe.eraseByRequest("Sanne Vijf 5", "2011-04-30", signal.ErasureDataSubjectRequest)

	files, err := signal.ReadPolicyFiles(rego.FS)
	if err != nil {
		t.Fatal(err)
	}
	engine, _ := loadPolicy()
	system := signal.Actor{UserID: "signald", Role: signal.RoleSystem}
	if err := pe.privacy.RecordPolicyLoad(ctx, system, engine.Version(), files); err != nil {
		t.Fatal(err)
	}
	changed := append([]signal.PolicyFile(nil), files...)
	edited := false
	for i, f := range changed {
		if strings.HasSuffix(f.Path, "rules.rego") {
			// R7 never fires; consent given, recorded or not, is asked
			// again (R8): a stricter policy.
			r7 := "\tconsent_all_given\n\tinput.consent.recorded == true\n}"
			r8 := "\tconsent_all_given\n\tinput.consent.recorded == false\n}"
			if !strings.Contains(f.Content, r7) || !strings.Contains(f.Content, r8) {
				t.Fatal("rules.rego no longer has R7 and R8 as this test knows them")
			}
			c := strings.Replace(f.Content, r7, "\tconsent_all_given\n\tinput.consent.recorded == true\n\tfalse\n}", 1)
			changed[i].Content = strings.Replace(c, r8, "\tconsent_all_given\n\tinput.consent.recorded in {false, true}\n}", 1)
			edited = true
		}
	}
	if !edited {
		t.Fatal("no rules.rego")
	}
	const v2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	if err := pe.privacy.RecordPolicyLoad(ctx, system, v2, changed); err != nil {
		t.Fatal(err)
	}
	return pe, engine.Version(), v2
}

func TestPolicyChangeEffectOnRecordedPaths(t *testing.T) {
	pe, v1, v2 := policyChangeSite(t)
	// The JSON as the API writes it (figures are numbers, or "<5" / "x").
	type effectJSON struct {
		Rules     []signal.RuleChange
		Paths     any
		Changed   any
		Undecided int
		Changes   []struct {
			From, To signal.Outcome
			Count    any
		}
	}
	var eff effectJSON
	pe.mustAPI("GET", "/api/v1/privacy/policy-effect?from="+v1+"&to="+v2, nil, &eff)
	if fmt.Sprint(eff.Rules) != "[{signaal.consent_not_recorded changed} {signaal.consent_valid changed}]" {
		t.Errorf("rules changed: %+v; want signaal.consent_not_recorded and signaal.consent_valid", eff.Rules)
	}
	if eff.Paths != float64(8) || eff.Changed != float64(5) || eff.Undecided != 0 {
		t.Fatalf("effect: %v paths, %v changed, %d undecided; want 8 (not the erased one, not another cooperation's), 5", eff.Paths, eff.Changed, eff.Undecided)
	}
	if len(eff.Changes) != 1 || eff.Changes[0].From != signal.OutcomeShareFull || eff.Changes[0].To != signal.OutcomeAskConsent || eff.Changes[0].Count != float64(5) {
		t.Fatalf("changes: %+v; want the 5 share_full paths ending in ask_consent", eff.Changes)
	}
	// The other way round: the same five, back.
	var back effectJSON
	pe.mustAPI("GET", "/api/v1/privacy/policy-effect?from="+v2+"&to="+v1, nil, &back)
	if back.Changed != float64(5) || len(back.Changes) != 1 || back.Changes[0].To != signal.OutcomeShareFull {
		t.Fatalf("the reverse effect: %+v", back)
	}

	b := newBrowserClient(t, pe.url)
	b.login(pe.users[signal.RolePrivacyOfficer].Email)
	page := b.get("/privacy/beleid/verschil?from=" + v1 + "&to=" + v2)
	if page.status != http.StatusOK {
		t.Fatalf("diff page: %d", page.status)
	}
	for _, want := range []string{"<code>signaal.consent_valid</code>", "Met een andere uitkomst: 5", "<ins>+ \tfalse</ins>",
		"\n  \tconsent_all_given\n  \tinput.consent.recorded == true\n<ins>+ \tfalse</ins>", "@@ -", "Keur deze versie goed"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the diff page lacks %q", want)
		}
	}
	for _, never := range []string{"Sanne", "Komt al weken"} {
		if strings.Contains(page.body, never) {
			t.Errorf("the diff page shows %q", never)
		}
	}

	// Approval: once, audited, shown by name; another cooperation's is its own.
	if r := b.post("/privacy/beleid/goedkeuren", url.Values{"version": {v2}, "from": {v1}}); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.status)
	}
	if res := pe.api("POST", "/api/v1/privacy/policies/"+v2+"/approval", nil); res.status != http.StatusConflict {
		t.Fatalf("a second approval: %d %s", res.status, res.body)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = ? AND object LIKE ?`, signal.ActionPolicyApprove, pe.ids["privacy"], "policy/"+v2+"/%"); n != 1 {
		t.Fatalf("%d policy.approve entries by the officer", n)
	}
	var gov signal.Policies
	pe.mustAPI("GET", "/api/v1/privacy/policies", nil, &gov)
	if a, ok := gov.Approvals[v2]; !ok || a.ApprovedBy != pe.ids["privacy"] || a.ByName == "" {
		t.Fatalf("approvals: %+v", gov.Approvals)
	}
	if _, ok := gov.Approvals[v1]; ok {
		t.Fatal("the old version shows as approved")
	}
	if page := b.get("/privacy/beleid"); !strings.Contains(page.body, "Goedgekeurd door "+gov.Approvals[v2].ByName) {
		t.Error("the policies page does not show who approved")
	}
	pe.addPerson("privacy-elders", "Gemeente Elders", "Samenwerking Elders", signal.OrgMunicipality, signal.RolePrivacyOfficer)
	var theirs signal.Policies
	pe.json("privacy-elders", "GET", "/api/v1/privacy/policies", nil, http.StatusOK, &theirs)
	if len(theirs.Approvals) != 0 {
		t.Fatalf("another cooperation's officer sees approvals: %+v", theirs.Approvals)
	}
	pe.json("privacy-elders", "POST", "/api/v1/privacy/policies/"+v2+"/approval", nil, http.StatusCreated, nil)
}

// TestBrowserPolicyComparison: the comparison page in Chromium, Dutch and
// English: the effect, the rules, the diff with context, the approval;
// axe finds nothing.
func TestBrowserPolicyComparison(t *testing.T) {
	if testing.Short() {
		t.Skip("a real browser; skipped with -short")
	}
	pe, v1, v2 := policyChangeSite(t)
	p := browserLogin(t, pe.url, pe.users[signal.RolePrivacyOfficer].Email, browsertest.Laptop)
	p.ClickAndWait(browsertest.Name("Beleidsversies"), browsertest.CSS("#f-from"))
	p.AssertAccessible()
	p.Goto(pe.url+"/privacy/beleid/verschil?"+url.Values{"from": {v1}, "to": {v2}}.Encode(), browsertest.CSS("#effect-summary"))
	if got := p.Text(browsertest.CSS("#effect-summary")); !strings.Contains(got, "Met een andere uitkomst: 5") {
		t.Errorf("the effect reads %q", got)
	}
	p.AssertAccessible()
	p.Screenshot("policy-diff-nl")
	p.ClickAndWait(browsertest.Name("Keur deze versie goed"), browsertest.CSS("#approval"))
	if got := p.Text(browsertest.CSS("main")); !strings.Contains(got, "Goedgekeurd door") {
		t.Errorf("after approving the page reads %.300q", got)
	}
	p.ClickAndWait(browsertest.Name("English"), browsertest.CSS("#effect-summary"))
	if got := p.Text(browsertest.CSS("main")); !strings.Contains(got, "With another outcome: 5") || !strings.Contains(got, "Approved by") {
		t.Errorf("the English page reads %.400q", got)
	}
	p.AssertAccessible()
	p.Screenshot("policy-diff-en")
}
