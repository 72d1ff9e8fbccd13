package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/web/browsertest"
)

// breachView is a breach as the API answers it.
type breachView struct {
	signal.Breach
	AuthorityDue bool `json:"authority_due"`
	SubjectsDue  bool `json:"subjects_due"`
	Overdue      bool `json:"overdue"`
}

// TestBreachLogKeepsTheSeventyTwoHours: what a privacy officer relies on
// in the breach log (AVG art. 33): every incident recorded stays, with
// its deadline fixed 72 hours after the discovery (not after the
// recording), shown overdue until the authority was told, a late
// notification only with its reason, each notification once, across a
// restart; an incident holds no free text (a description is refused, so
// no name can enter the log), and another cooperation's officer neither
// sees nor touches it.
func TestBreachLogKeepsTheSeventyTwoHours(t *testing.T) {
	pe := newPrivacyEnv(t)
	pe.addPerson("elsewhere-privacy", "Gemeente Elders", "Samenwerking Elders", signal.OrgMunicipality, signal.RolePrivacyOfficer)
	now := time.Now().UTC()
	record := func(body map[string]any) (int, breachView, []byte) {
		res := pe.api("POST", "/api/v1/privacy/breaches", body)
		var b breachView
		_ = json.Unmarshal(res.body, &b)
		return res.status, b, res.body
	}
	valid := func(discovered time.Time, risk string) map[string]any {
		return map[string]any{"discovered_at": discovered.Format(time.RFC3339), "kind": "confidentiality", "cause": "lost_device",
			"risk": risk, "categories": []string{"identity", "health"}, "young_people": 3}
	}

	// Bad input names the field, and nothing is stored.
	bad := valid(now, "risk")
	delete(bad, "kind")
	bad["categories"] = []string{"identity", "naam"}
	bad["young_people"] = -1
	if st, _, body := record(bad); st != http.StatusBadRequest ||
		!strings.Contains(string(body), `"kind"`) || !strings.Contains(string(body), `"categories"`) || !strings.Contains(string(body), `"young_people"`) {
		t.Fatalf("a breach without kind, with an unknown category and a negative count: %d %s", st, body)
	}
	future := valid(now.Add(3*time.Hour), "risk")
	if st, _, body := record(future); st != http.StatusBadRequest || !strings.Contains(string(body), "discovered_at") {
		t.Fatalf("a breach discovered in the future: %d %s", st, body)
	}
	// No free text: a description, where a name would go, is refused.
	withText := valid(now, "risk")
	withText["description"] = "Laptop met dossier van Sanne de Vries kwijt"
	if st, _, body := record(withText); st != http.StatusBadRequest {
		t.Fatalf("a breach with a description: %d %s", st, body)
	}
	if n := pe.count(`SELECT count(*) FROM breaches`); n != 0 {
		t.Fatalf("%d breaches stored after refused input", n)
	}

	// Discovered 80 hours ago, recorded now: overdue at once.
	discovered := now.Add(-80 * time.Hour).Truncate(time.Second)
	st, late, body := record(valid(discovered, "risk"))
	if st != http.StatusCreated || !late.Deadline.Equal(discovered.Add(72*time.Hour)) || !late.Overdue || !late.AuthorityDue || late.SubjectsDue {
		t.Fatalf("a breach discovered 80 hours ago: %d %s", st, body)
	}
	// Unlikely to result in a risk: recorded, nobody to tell, never overdue.
	_, quiet, _ := record(valid(now.Add(-100*time.Hour), "unlikely"))
	if quiet.AuthorityDue || quiet.Overdue || quiet.SubjectsDue {
		t.Fatalf("a breach without risk: %+v", quiet)
	}
	// A high risk: the young people and parents are told too.
	_, high, _ := record(valid(now.Add(-2*time.Hour), "high"))
	if !high.AuthorityDue || high.Overdue || !high.SubjectsDue {
		t.Fatalf("a high-risk breach two hours old: %+v", high)
	}

	notify := func(id string, body map[string]any) (int, breachView, []byte) {
		res := pe.api("POST", "/api/v1/privacy/breaches/"+id+"/notifications", body)
		var b breachView
		_ = json.Unmarshal(res.body, &b)
		return res.status, b, res.body
	}
	at := now.Add(-time.Minute).Format(time.RFC3339)
	if st, _, body := notify(late.ID, map[string]any{"to": "authority", "at": at}); st != http.StatusBadRequest || !strings.Contains(string(body), "late_reason") {
		t.Fatalf("telling the authority after 72 hours without a reason: %d %s", st, body)
	}
	if st, _, body := notify(late.ID, map[string]any{"to": "authority", "at": at, "late_reason": "investigation", "reference": "Jan de Vries heeft het"}); st != http.StatusBadRequest || !strings.Contains(string(body), "reference") {
		t.Fatalf("a reference with free text: %d %s", st, body)
	}
	if st, b, body := notify(late.ID, map[string]any{"to": "authority", "at": at, "late_reason": "investigation", "reference": "2026-123/AP"}); st != http.StatusOK || b.Overdue || b.AuthorityDue {
		t.Fatalf("telling the authority late, with the reason: %d %s", st, body)
	}
	if st, _, body := notify(late.ID, map[string]any{"to": "authority", "at": at, "late_reason": "other"}); st != http.StatusConflict {
		t.Fatalf("telling the authority twice: %d %s", st, body)
	}
	if st, _, body := notify(high.ID, map[string]any{"to": "subjects", "at": at, "late_reason": "other"}); st != http.StatusBadRequest {
		t.Fatalf("a late reason for a notification within the hours: %d %s", st, body)
	}
	if st, b, body := notify(high.ID, map[string]any{"to": "subjects", "at": at}); st != http.StatusOK || b.SubjectsDue || !b.AuthorityDue {
		t.Fatalf("telling the people concerned: %d %s", st, body)
	}

	// Another cooperation's officer neither sees nor touches it; a
	// coordinator does not read the log.
	res := pe.do("GET", "/api/v1/privacy/breaches", pe.tokens["elsewhere-privacy"], nil)
	if res.status != http.StatusOK || strings.Contains(string(res.body), late.ID) {
		t.Fatalf("another cooperation's officer reads the log: %d %s", res.status, res.body)
	}
	body2, _ := json.Marshal(map[string]any{"to": "authority", "at": at})
	if res := pe.do("POST", "/api/v1/privacy/breaches/"+high.ID+"/notifications", pe.tokens["elsewhere-privacy"], strings.NewReader(string(body2))); res.status != http.StatusNotFound {
		t.Fatalf("another cooperation's officer records a notification: %d %s", res.status, res.body)
	}
	if res := pe.do("GET", "/api/v1/privacy/breaches", pe.tokens["coordinator"], nil); res.status != http.StatusForbidden {
		t.Fatalf("a coordinator reads the breach log: %d", res.status)
	}

	// Across a restart: every incident and notification is there, the
	// deadlines unchanged.
	pe.restart()
	var list struct{ Breaches []breachView }
	pe.mustAPI("GET", "/api/v1/privacy/breaches", nil, &list)
	if len(list.Breaches) != 3 {
		t.Fatalf("%d breaches after a restart, want 3", len(list.Breaches))
	}
	byID := map[string]breachView{}
	for _, b := range list.Breaches {
		byID[b.ID] = b
	}
	if b := byID[late.ID]; !b.Deadline.Equal(late.Deadline) || b.Overdue || b.Authority() == nil || b.Authority().Reference != "2026-123/AP" ||
		b.Authority().Late != signal.DelayInvestigation {
		t.Fatalf("the late breach after a restart: %+v", b)
	}
	if b := byID[high.ID]; b.SubjectsDue || !b.AuthorityDue {
		t.Fatalf("the high-risk breach after a restart: %+v", b)
	}
	if list.Breaches[0].ID != high.ID {
		t.Fatalf("the latest discovered is not first: %s", list.Breaches[0].ID)
	}
	for action, want := range map[signal.AuditAction]int{signal.ActionBreachRecord: 3, signal.ActionBreachNotify: 2} {
		if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ?`, action); n != want {
			t.Errorf("%d %s entries, want %d", n, action, want)
		}
	}
}

func (b breachView) Authority() *signal.BreachNotice { return b.Notice(signal.NotifyAuthority) }

// TestRegisterComesFromTheAgreement: the register of processing states
// what the agreement the administrator recorded says (parties as joint
// controllers, purposes with their data categories, special categories
// marked, retention), says what it cannot state without one, warns when
// the server erases on another schedule than agreed, and is audited.
func TestRegisterComesFromTheAgreement(t *testing.T) {
	pe := newPrivacyEnv(t)
	var r signal.ProcessingRegister
	pe.mustAPI("GET", "/api/v1/privacy/register", nil, &r)
	if !slices.Contains(r.Gaps, signal.GapNoAgreement) || len(r.Purposes) != 0 || len(r.Controllers) != 0 {
		t.Fatalf("the register without an agreement: %+v", r)
	}
	admin := pe.users[signal.RoleAdmin]
	ag := signal.Agreement{Version: "2026-1", SignedOn: signal.Date{Year: 2026, Month: 3, Day: 1}, RetentionMonths: 18,
		Purposes: []signal.AgreedPurpose{
			{Purpose: signal.PurposeCoordinateSupport, Fields: []signal.Field{signal.FieldIdentity, signal.FieldFacts}},
			{Purpose: signal.PurposeSafetyRisk, Fields: []signal.Field{signal.FieldIdentity, signal.FieldFacts, signal.FieldHealth}},
		},
		Parties: []signal.AgreementParty{{OrgID: pe.org.ID}}}
	if err := pe.app.Admin.SetAgreement(context.Background(), signal.Actor{UserID: admin.ID, Role: signal.RoleAdmin, OrgID: admin.OrgID}, &ag); err != nil {
		t.Fatal(err)
	}
	pe.mustAPI("GET", "/api/v1/privacy/register", nil, &r)
	if r.AgreementVersion != "2026-1" || r.RetentionMonths != 18 || len(r.Controllers) != 1 || r.Controllers[0].Name != pe.org.Name {
		t.Fatalf("the register from the agreement: %+v", r)
	}
	if len(r.Purposes) != 2 || r.Purposes[0].Special || !r.Purposes[1].Special || !slices.Contains(r.Purposes[1].Fields, signal.FieldHealth) {
		t.Fatalf("purposes and categories: %+v", r.Purposes)
	}
	// The server keeps two years; the agreement says 18 months.
	if slices.Contains(r.Gaps, signal.GapNoAgreement) || !slices.Contains(r.Gaps, signal.GapRetentionDiffers) || r.RetentionApplied != "2y" {
		t.Fatalf("gaps %v, applied %q: want the retention warning", r.Gaps, r.RetentionApplied)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionRegisterView); n != 2 {
		t.Fatalf("%d register.view entries, want 2", n)
	}
	if res := pe.do("GET", "/api/v1/privacy/register", pe.tokens["school"], nil); res.status != http.StatusForbidden {
		t.Fatalf("a reporter reads the register: %d", res.status)
	}
}

// TestBrowserBreachLogAndRegister: the privacy officer records a breach in
// the console as they would on the day: a form left incomplete tells what
// is missing and keeps what was chosen; the recorded breach shows its
// deadline in Dutch time; the register reads as a document. Both pages
// pass axe.
func TestBrowserBreachLogAndRegister(t *testing.T) {
	if testing.Short() {
		t.Skip("a real browser; skipped with -short")
	}
	pe := newPrivacyEnv(t)
	p := browsertest.NewPage(t, browsertest.Laptop)
	p.ExpectConsoleError("Cache.add() failed")
	p.ExpectConsoleError("400")
	p.Goto(pe.url+"/login", browsertest.CSS("#f-email"))
	p.Fill(browsertest.CSS("#f-email"), pe.users[signal.RolePrivacyOfficer].Email)
	p.Fill(browsertest.CSS("#f-password"), testPassword)
	p.Click(browsertest.CSS("form button[type=submit].primary"))
	p.WaitFor(browsertest.Name("Datalekken"))
	p.ClickAndWait(browsertest.Name("Datalekken"), browsertest.CSS("#record-title"))
	p.AssertAccessible()

	// Incomplete: the kind and the risk are chosen, the categories not.
	p.Click(browsertest.CSS("#kind-confidentiality"))
	p.Click(browsertest.CSS("#cause-wrong_recipient"))
	p.Click(browsertest.CSS("#risk-risk"))
	p.Fill(browsertest.CSS("#f-young_people"), "1")
	p.ClickAndWait(browsertest.Name("Datalek vastleggen"), browsertest.CSS(".error-summary"))
	if summary := p.Text(browsertest.CSS(".error-summary")); !strings.Contains(summary, "Welke gegevens") {
		t.Fatalf("the error summary reads %q, want the categories named", summary)
	}
	if !p.Has(browsertest.CSS("#risk-risk:checked")) || !p.Has(browsertest.CSS("#cause-wrong_recipient:checked")) {
		t.Fatal("the choices made were lost with the error")
	}
	p.AssertAccessible()
	p.Screenshot("breach-errors")

	p.Click(browsertest.CSS("#cat-identity"))
	p.Click(browsertest.CSS("#cat-contact"))
	p.ClickAndWait(browsertest.Name("Datalek vastleggen"), browsertest.CSS("section.breach"))
	breach := p.Text(browsertest.CSS("section.breach"))
	for _, want := range []string{"Naar de verkeerde persoon gestuurd", "Naam en geboortedatum", "Melden vóór", "Autoriteit Persoonsgegevens"} {
		if !strings.Contains(breach, want) {
			t.Errorf("the recorded breach reads %q, lacks %q", breach, want)
		}
	}
	p.AssertAccessible()
	p.Screenshot("breach-recorded")

	// Record the notification to the authority.
	p.Fill(browsertest.CSS("section.breach input[name=reference]"), "2026-0042")
	p.ClickAndWait(browsertest.Name("Melding vastleggen"), browsertest.CSS("section.breach"))
	if breach := p.Text(browsertest.CSS("section.breach")); !strings.Contains(breach, "Gemeld op") || !strings.Contains(breach, "2026-0042") {
		t.Fatalf("after the notification the breach reads %q", breach)
	}
	p.Screenshot("breach-notified")

	p.ClickAndWait(browsertest.Name("Register van verwerkingen"), browsertest.CSS("article.register"))
	register := p.Text(browsertest.CSS("article.register"))
	for _, want := range []string{"Er is nog geen convenant vastgelegd", "Jongeren over wie een signaal is", "Toestemming van de jongere", "Uiterlijk op de 23e verjaardag"} {
		if !strings.Contains(register, want) {
			t.Errorf("the register reads %q, lacks %q", register, want)
		}
	}
	p.AssertAccessible()
	p.Screenshot("register")
}
