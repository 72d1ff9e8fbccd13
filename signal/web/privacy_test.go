package web

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/rego"
	"github.com/signaal-nl/signaal/signal"
)

// privacyEnv is the signals environment with the privacy officer's console
// wired in: the real key store for pseudonyms, retention on a clock the
// test sets, and a checkpoint key.
type privacyEnv struct {
	*signalsEnv
	mu    sync.Mutex
	clock time.Time
}

func (pe *privacyEnv) now() time.Time {
	pe.mu.Lock()
	defer pe.mu.Unlock()
	return pe.clock
}

func (pe *privacyEnv) setClock(t time.Time) {
	pe.mu.Lock()
	defer pe.mu.Unlock()
	pe.clock = t
}

// newPrivacyEnv takes more wiring as newSignalsEnv does (run after the
// console's).
func newPrivacyEnv(t *testing.T, more ...func(*testDeps, *signalsEnv)) *privacyEnv {
	t.Helper()
	pe := &privacyEnv{clock: time.Now()}
	pe.signalsEnv = newSignalsEnv(t, func(d *testDeps, se *signalsEnv) {
		d.Options.RetentionNow = pe.now
		for _, f := range more {
			f(d, se)
		}
	})
	return pe
}

func (pe *privacyEnv) api(method, path string, body any) response {
	pe.t.Helper()
	var r *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	if r == nil {
		return pe.do(method, path, pe.tokens["privacy"], nil)
	}
	return pe.do(method, path, pe.tokens["privacy"], r)
}

func (pe *privacyEnv) mustAPI(method, path string, body, out any) {
	pe.t.Helper()
	res := pe.api(method, path, body)
	if res.status/100 != 2 {
		pe.t.Fatalf("%s %s: %d %s", method, path, res.status, res.body)
	}
	if out != nil {
		if err := json.Unmarshal(res.body, out); err != nil {
			pe.t.Fatalf("%s %s: %v in %s", method, path, err, res.body)
		}
	}
}

func (pe *privacyEnv) lookup(name, birth string) string {
	pe.t.Helper()
	var out struct{ Subject string }
	pe.mustAPI("POST", "/api/v1/privacy/youth-lookup", map[string]string{"name": name, "birth_date": birth}, &out)
	return out.Subject
}

// register registers an access request of the young person themselves,
// received today, and returns it.
func (pe *privacyEnv) register(name, birth string) signal.AccessRequest {
	pe.t.Helper()
	var r signal.AccessRequest
	pe.mustAPI("POST", "/api/v1/privacy/access-requests", map[string]any{"youth": map[string]string{"name": name, "birth_date": birth},
		"requester": "young_person", "received_on": signal.Today(time.Now()).String()}, &r)
	return r
}

// eraseByRequest erases what the privacy officer's cooperation holds about
// the young person named, the one way there is (issue 17): a registered
// request, its plan, and the erasure of exactly that plan. It returns the
// receipt.
func (se *signalsEnv) eraseByRequest(name, birth string, reason signal.ErasureReason) signal.ErasureReceipt {
	se.t.Helper()
	var r signal.AccessRequest
	se.json("privacy", "POST", "/api/v1/privacy/access-requests", map[string]any{"youth": map[string]string{"name": name, "birth_date": birth},
		"requester": "young_person", "received_on": signal.Today(time.Now()).String()}, http.StatusCreated, &r)
	base := "/api/v1/privacy/access-requests/" + r.ID
	var plan signal.ErasurePlan
	se.json("privacy", "GET", base+"/erasure-plan", nil, http.StatusOK, &plan)
	var rc signal.ErasureReceipt
	se.json("privacy", "POST", base+"/erasure", map[string]string{"reason": string(reason), "fingerprint": plan.Fingerprint}, http.StatusOK, &rc)
	return rc
}

func youthBody(name, birth, observed string, outcome signal.Outcome) string {
	return fmt.Sprintf(`{"youth": {"name": %q, "birth_date": %q}, "category": "wellbeing",
		"facts": "Komt al weken te laat, oogt moe.", "observed_on": %q, "answers": %s}`, name, birth, observed, answersFor[outcome])
}

func verifyLog(t *testing.T, db *sql.DB) audit.VerifyResult {
	t.Helper()
	res, err := audit.Verify(context.Background(), db, audit.VerifyOptions{})
	if err != nil {
		t.Fatalf("the audit chain does not verify: %v", err)
	}
	return res
}

func TestPrivacyConsoleIsForThePrivacyOfficerOnly(t *testing.T) {
	pe := newPrivacyEnv(t)
	for _, who := range []string{"school", "coordinator", "admin"} {
		res := pe.do("GET", "/api/v1/privacy/audit", pe.tokens[who], nil)
		if res.status != http.StatusForbidden {
			t.Errorf("%s: GET /privacy/audit = %d, want 403", who, res.status)
		}
	}
	if res := pe.do("GET", "/api/v1/privacy/audit", "", nil); res.status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d, want 401", res.status)
	}
}

// TestAccessReportTwoPartners: a young person reported by a school and by
// youth work; the report lists both signals, who decided and who viewed
// them, without content unless asked, and found by name and birth date.
func TestAccessReportTwoPartners(t *testing.T) {
	pe := newPrivacyEnv(t)
	today := signal.Today(time.Now()).String()
	a := pe.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	b := pe.mustSubmit("youthwork", youthBody("sanne  de vries", "2011-04-30", today, signal.OutcomeAskConsent), signal.OutcomeAskConsent)
	pe.mustSubmit("school", youthBody("Iemand Anders", "2012-01-01", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	// The same young person in another cooperation: not this privacy
	// officer's to report on, nor to erase.
	elsewhere := pe.mustSubmit("elsewhere", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	if st, _ := pe.get("coordinator", a.ID); st != http.StatusOK {
		t.Fatalf("coordinator read: %d", st)
	}

	subject := pe.lookup("Sanne de Vries", "2011-04-30")
	var rep signal.AccessReport
	pe.mustAPI("GET", "/api/v1/privacy/access-reports/"+subject, nil, &rep)
	if len(rep.Signals) != 2 || rep.Signals[0].ID != a.ID || rep.Signals[1].ID != b.ID {
		t.Fatalf("report signals = %+v, want %s and %s (not %s of another cooperation)", rep.Signals, a.ID, b.ID, elsewhere.ID)
	}
	// Another cooperation's request is not this officer's to answer.
	pe.addPerson("privacy-elders", "Gemeente Elders", "Samenwerking Elders", signal.OrgMunicipality, signal.RolePrivacyOfficer)
	var theirs signal.AccessRequest
	pe.json("privacy-elders", "POST", "/api/v1/privacy/access-requests", map[string]any{"youth": map[string]string{"name": "Sanne de Vries", "birth_date": "2011-04-30"},
		"requester": "young_person", "received_on": today}, http.StatusCreated, &theirs)
	if res := pe.api("GET", "/api/v1/privacy/access-requests/"+theirs.ID+"/erasure-plan", nil); res.status != http.StatusNotFound {
		t.Fatalf("the plan of another cooperation's request: %d %s", res.status, res.body)
	}
	if res := pe.api("POST", "/api/v1/privacy/access-requests/"+theirs.ID+"/erasure", map[string]string{"reason": "objection", "fingerprint": "s1.v0.c0.l0.a0.d0.m0.n0.t0"}); res.status != http.StatusNotFound {
		t.Fatalf("erasing inside another cooperation's request: %d %s", res.status, res.body)
	}
	var page struct{ Entries []entryJSON }
	pe.mustAPI("GET", "/api/v1/privacy/audit?user="+pe.ids["elsewhere"], nil, &page)
	if len(page.Entries) != 0 {
		t.Fatalf("the review shows another cooperation's actor: %+v", page.Entries)
	}
	orgs := map[string]bool{}
	for _, s := range rep.Signals {
		orgs[s.Reporter.Name] = true
		if s.Content != nil {
			t.Fatalf("a report without content holds content: %+v", s.Content)
		}
		if len(s.Decisions) != 1 || s.Decisions[0].Policy == "" || s.Decisions[0].Recipient != "signal_meeting" {
			t.Fatalf("signal %s decisions = %+v", s.ID, s.Decisions)
		}
	}
	if !orgs["Demo College"] || !orgs["Jongerenwerk Test"] {
		t.Fatalf("reporting partners = %v", orgs)
	}
	views := rep.Signals[0].Views
	if len(views) != 1 || views[0].Role != "coordinator" || views[0].Level != "full" || views[0].Org == nil {
		t.Fatalf("views of %s = %+v, want the coordinator's read at level full", a.ID, views)
	}

	// Content only inside a registered request (issue 17 item 1).
	if res := pe.api("GET", "/api/v1/privacy/access-reports/"+subject+"?content=true", nil); res.status != http.StatusForbidden {
		t.Fatalf("content by pseudonym outside a request: %d %s, want 403", res.status, res.body)
	}
	req := pe.register("Sanne de Vries", "2011-04-30")
	var full signal.AccessReport
	pe.mustAPI("GET", "/api/v1/privacy/access-requests/"+req.ID+"/report?reason=assess", nil, &full)
	if c := full.Signals[0].Content; c == nil || c.Name != "Sanne de Vries" || !strings.Contains(c.Facts, "te laat") {
		t.Fatalf("report with content: %+v", full.Signals[0].Content)
	}
	// Creating each report is audited under the young person's pseudonym;
	// the name is nowhere in the audit log or the database.
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND subject = ?`, signal.ActionAccessReport, subject); n != 2 {
		t.Fatalf("%d access.report entries, want 2", n)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND subject = ?`, signal.ActionYouthLookup, subject); n != 1 {
		t.Fatalf("%d youth.lookup entries, want 1", n)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND subject = ?`, signal.ActionAccessContentRead, subject); n != 1 {
		t.Fatalf("%d access.content_read entries, want 1", n)
	}
	raw, err := os.ReadFile(pe.app.DB.Path())
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(pe.app.DB.Path() + "-wal")
	if bytes.Contains(raw, []byte("Sanne")) || bytes.Contains(wal, []byte("Sanne")) {
		t.Fatal("the name is stored in the database file")
	}
	if strings.Contains(pe.logs.String(), "Sanne") {
		t.Fatal("the name is in the logs")
	}

	for _, tt := range []struct {
		name, path string
		body       any
		field      string
	}{
		{"lookup without birth date", "/api/v1/privacy/youth-lookup", map[string]string{"name": "Sanne"}, "birth_date"},
		{"lookup with a bad birth date", "/api/v1/privacy/youth-lookup", map[string]string{"name": "Sanne", "birth_date": "30-04-2011"}, "birth_date"},
		{"report for a name instead of a pseudonym", "/api/v1/privacy/access-reports/Sanne", nil, "subject"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			method := "POST"
			if tt.body == nil {
				method = "GET"
			}
			res := pe.api(method, tt.path, tt.body)
			if res.status != http.StatusBadRequest || len(res.errorBody(t).Fields) == 0 || res.errorBody(t).Fields[0].Field != tt.field {
				t.Fatalf("%d %s, want 400 naming %s", res.status, res.body, tt.field)
			}
		})
	}
}

// TestRetentionExpiresByPeriodAndAt23 moves the clock: a fifteen-year-old's
// signal expires two years after the observation, a 22-year-old's on their
// 23rd birthday; erasure overwrites the content, keeps the metadata, audits
// signal.erase and leaves the chain verifiable.
func TestRetentionExpiresByPeriodAndAt23(t *testing.T) {
	pe := newPrivacyEnv(t)
	now := time.Now()
	today := signal.Today(now)
	birthday23 := today.Time().AddDate(0, 0, 10) // in ten days
	older := signal.DateOf(birthday23.AddDate(-23, 0, 0)).String()
	young := pe.mustSubmit("school", youthBody("Jonge Jan", "2011-04-30", today.String(), signal.OutcomeShareFull), signal.OutcomeShareFull)
	old := pe.mustSubmit("school", youthBody("Oude Olga", older, today.String(), signal.OutcomeShareFull), signal.OutcomeShareFull)
	oldSubject := pe.lookup("Oude Olga", older)

	run := func(at time.Time, dry bool) signal.RetentionRun {
		t.Helper()
		pe.setClock(at)
		var out signal.RetentionRun
		if dry {
			var resp struct {
				Period string
				Due    signal.RetentionRun
			}
			pe.mustAPI("GET", "/api/v1/privacy/retention", nil, &resp)
			if resp.Period != "2y" {
				t.Fatalf("period %q", resp.Period)
			}
			return resp.Due
		}
		// The clock moves days and years here, past what a run does on
		// its own: the officer confirms (TestRetentionFaults has the
		// stops).
		pe.mustAPI("POST", "/api/v1/privacy/retention/run", map[string]bool{"confirm": true}, &out)
		return out
	}
	erasedIDs := func(r signal.RetentionRun) string {
		var ids []string
		for _, e := range r.Expired {
			ids = append(ids, e.SignalID+":"+string(e.Reason))
		}
		return strings.Join(ids, ",")
	}

	pe.setClock(birthday23.AddDate(0, 0, -1))
	if res := pe.api("POST", "/api/v1/privacy/retention/run", nil); res.status != http.StatusConflict || !strings.Contains(string(res.body), "--confirm") {
		t.Fatalf("a run nine days after anyone acted, unconfirmed: %d %s; want 409 asking to confirm", res.status, res.body)
	}
	if r := run(birthday23.AddDate(0, 0, -1), false); len(r.Expired) != 0 {
		t.Fatalf("the day before the 23rd birthday erased %v", erasedIDs(r))
	}
	if r := run(birthday23.Add(12*time.Hour), true); erasedIDs(r) != old.ID+":age_limit" || pe.count(`SELECT count(*) FROM signal_erasures`) != 0 {
		t.Fatalf("dry run on the 23rd birthday = %q (and must erase nothing)", erasedIDs(r))
	}
	if r := run(birthday23.Add(12*time.Hour), false); erasedIDs(r) != old.ID+":age_limit" || r.KeysErased != 1 {
		t.Fatalf("on the 23rd birthday erased %q, %d keys", erasedIDs(r), r.KeysErased)
	}
	if st, v := pe.get("school", old.ID); st != http.StatusOK || !v.Erased || v.Facts != "" || v.Category != signal.CategoryWellbeing {
		t.Fatalf("erased signal as its reporter sees it: %d %+v", st, v)
	}
	if st, v := pe.get("school", young.ID); st != http.StatusOK || v.Erased || v.Facts == "" {
		t.Fatalf("the other signal was touched: %d %+v", st, v)
	}
	periodEnd := today.Time().AddDate(2, 0, 0)
	if r := run(periodEnd.AddDate(0, 0, -1), false); len(r.Expired) != 0 {
		t.Fatalf("a day before the period ends erased %v", erasedIDs(r))
	}
	if r := run(periodEnd.Add(12*time.Hour), false); erasedIDs(r) != young.ID+":retention_period" {
		t.Fatalf("at the end of the period erased %q", erasedIDs(r))
	}
	if r := run(periodEnd.AddDate(0, 1, 0), false); len(r.Expired) != 0 {
		t.Fatalf("a second run erased again: %v", erasedIDs(r))
	}

	// The content is gone from the file, the record of it stays.
	if n := pe.count(`SELECT count(*) FROM signals WHERE length(facts_ct) > 0`); n != 0 {
		t.Fatalf("%d signals still hold content", n)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionSignalErase); n != 2 {
		t.Fatalf("%d signal.erase entries, want 2", n)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND subject = ?`, signal.ActionYouthKeyErase, oldSubject); n != 1 {
		t.Fatalf("%d youth.key_erase entries for the 23-year-old, want 1", n)
	}
	var rep signal.AccessReport
	req := pe.register("Oude Olga", older)
	pe.mustAPI("GET", "/api/v1/privacy/access-requests/"+req.ID+"/report?reason=assess", nil, &rep)
	if len(rep.Signals) != 1 || rep.Signals[0].Erased == nil || rep.Signals[0].Erased.Reason != signal.ErasureAgeLimit || rep.Signals[0].Content != nil {
		t.Fatalf("access report after erasure: %+v", rep.Signals)
	}
	verifyLog(t, pe.app.DB.Read())
}

// TestEraseOnRequest: the privacy officer erases only inside a registered
// request (the old POST /api/v1/privacy/erasures is gone): bad input names
// its field and erases nothing; the erasure takes the young person's
// content in the officer's cooperation out of the database files, leaves
// another cooperation's signal about the same person alone, and the audit
// chain still verifies.
func TestEraseOnRequest(t *testing.T) {
	pe := newPrivacyEnv(t)
	today := signal.Today(time.Now()).String()
	a := pe.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	b := pe.mustSubmit("youthwork", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	elsewhere := pe.mustSubmit("elsewhere", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	subject := pe.lookup("Sanne de Vries", "2011-04-30")
	ciphertext := func(id string) []byte {
		var ct []byte
		if err := pe.app.DB.Read().QueryRow(`SELECT facts_ct FROM signals WHERE id = ?`, id).Scan(&ct); err != nil {
			t.Fatal(err)
		}
		return ct
	}
	before := ciphertext(a.ID)

	// The door without a request is gone.
	for _, body := range []map[string]string{{"subject": subject, "reason": "objection"}, {"signal_id": a.ID, "reason": "data_subject_request"}} {
		if res := pe.api("POST", "/api/v1/privacy/erasures", body); res.status != http.StatusNotFound && res.status != http.StatusMethodNotAllowed {
			t.Fatalf("POST /api/v1/privacy/erasures %v: %d %s, want no such route", body, res.status, res.body)
		}
	}
	req := pe.register("Sanne de Vries", "2011-04-30")
	base := "/api/v1/privacy/access-requests/" + req.ID
	var plan signal.ErasurePlan
	pe.mustAPI("GET", base+"/erasure-plan", nil, &plan)
	if plan.Goes.Signals != 2 {
		t.Fatalf("the plan counts %d signals, want 2 (not the other cooperation's)", plan.Goes.Signals)
	}
	for _, tt := range []struct {
		name  string
		body  map[string]string
		field string
	}{
		{"no reason", map[string]string{"fingerprint": plan.Fingerprint}, "reason"},
		{"a reason that is not a code of art. 17", map[string]string{"reason": "because", "fingerprint": plan.Fingerprint}, "reason"},
		{"a reason of the retention job", map[string]string{"reason": "age_limit", "fingerprint": plan.Fingerprint}, "reason"},
		{"no fingerprint", map[string]string{"reason": "objection"}, "fingerprint"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := pe.api("POST", base+"/erasure", tt.body)
			if res.status != http.StatusBadRequest || res.errorBody(t).Fields[0].Field != tt.field {
				t.Fatalf("%d %s, want 400 naming %s", res.status, res.body, tt.field)
			}
		})
	}
	if pe.count(`SELECT count(*) FROM signal_erasures`) != 0 {
		t.Fatal("a refused request erased something")
	}

	var rc signal.ErasureReceipt
	pe.mustAPI("POST", base+"/erasure", map[string]string{"reason": "data_subject_request", "fingerprint": plan.Fingerprint}, &rc)
	if rc.Answer.Counts.Signals != 2 || rc.Left.Signals != 0 {
		t.Fatalf("receipt %+v", rc)
	}
	for who, id := range map[string]string{"school": a.ID, "youthwork": b.ID} {
		if st, v := pe.get(who, id); st != http.StatusOK || !v.Erased {
			t.Fatalf("%s after erasure: %d %+v", who, st, v)
		}
	}
	if st, v := pe.get("elsewhere", elsewhere.ID); !(st == http.StatusOK && !v.Erased) {
		t.Fatalf("another cooperation's signal was erased too: %d %+v", st, v)
	}
	// secure_delete and the WAL truncation: the old ciphertext is nowhere
	// in the database files.
	for _, f := range []string{pe.app.DB.Path(), pe.app.DB.Path() + "-wal"} {
		raw, _ := os.ReadFile(f)
		if bytes.Contains(raw, before) {
			t.Fatalf("the erased ciphertext is still in %s", filepath.Base(f))
		}
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_role = ?`, signal.ActionSignalErase, signal.RolePrivacyOfficer); n != 2 {
		t.Fatalf("%d signal.erase entries by the privacy officer", n)
	}
	var v verifyJSON
	pe.mustAPI("GET", "/api/v1/privacy/verify", nil, &v)
	if !v.OK || v.FirstBad != 0 {
		t.Fatalf("verify after erasure: %+v", v)
	}
}

// TestVerifyFindsTheFirstTamperedEntry edits an entry with a SQLite shell
// (triggers dropped, as an attacker would) and expects the console to name it.
func TestVerifyFindsTheFirstTamperedEntry(t *testing.T) {
	pe := newPrivacyEnv(t)
	today := signal.Today(time.Now()).String()
	for i := 0; i < 3; i++ {
		pe.mustSubmit("school", youthBody(fmt.Sprintf("Kind %c", 'A'+i), "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	}
	var ok verifyJSON
	pe.mustAPI("GET", "/api/v1/privacy/verify", nil, &ok)
	if !ok.OK || ok.Size == 0 || ok.Rate <= 0 {
		t.Fatalf("intact log: %+v", ok)
	}
	var cp checkpointJSON
	pe.mustAPI("POST", "/api/v1/privacy/checkpoints", nil, &cp)
	var fromCP verifyJSON
	pe.mustAPI("GET", "/api/v1/privacy/verify?from=checkpoint", nil, &fromCP)
	if !fromCP.OK || fromCP.From != "checkpoint" || fromCP.Hashed >= fromCP.Size {
		t.Fatalf("verify from the checkpoint: %+v (size %d)", fromCP, fromCP.Size)
	}
	note := pe.api("GET", fmt.Sprintf("/api/v1/privacy/checkpoints/%d", 1), nil)
	if note.status != http.StatusOK || !strings.Contains(string(note.body), "signaal-audit/test") || !strings.Contains(note.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("checkpoint download: %d %s", note.status, note.body)
	}

	var target int64
	if err := pe.app.DB.Read().QueryRow(`SELECT min(seq) FROM audit_entries WHERE action = ?`, signal.ActionShareDecide).Scan(&target); err != nil {
		t.Fatal(err)
	}
	shell, err := sql.Open("sqlite3", "file:"+pe.app.DB.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer shell.Close()
	if _, err := shell.Exec(`DROP TRIGGER audit_entries_append_only_update;
		UPDATE audit_entries SET decision = replace(decision, '"share_full"', '"do_not_share"') WHERE seq = ?`, target); err != nil {
		t.Fatal(err)
	}
	var bad verifyJSON
	pe.mustAPI("GET", "/api/v1/privacy/verify", nil, &bad)
	if bad.OK || bad.FirstBad != target || !strings.Contains(bad.Problem, fmt.Sprint(target)) {
		t.Fatalf("tampered log: %+v, want first bad entry %d", bad, target)
	}
}

func TestAuditSearchAndEscalationQueue(t *testing.T) {
	pe := newPrivacyEnv(t)
	today := signal.Today(time.Now()).String()
	radical := fmt.Sprintf(`{"youth": {"name": "Rami", "birth_date": "2009-02-02"}, "category": "radicalisation",
		"facts": "Deelt filmpjes.", "observed_on": %q, "answers": {"purpose": "radicalisation_concern",
		"consent": {"youth": "not_asked", "parents": "not_applicable", "recorded": false},
		"risk": {"acute_danger": false, "harm": "possible", "asking_endangers": false},
		"abuse": {"suspected": false}, "legal_duty": false}}`, today)
	res, s := pe.submit("school", radical)
	if res.status != http.StatusCreated || s.Decision.Outcome != signal.OutcomeEscalate {
		t.Fatalf("radicalisation signal: %d %+v", res.status, s.Decision)
	}
	pe.mustSubmit("school", youthBody("Sanne", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	subject := pe.lookup("Rami", "2009-02-02")

	type page struct {
		Entries []entryJSON
		Next    int64
	}
	for _, tt := range []struct {
		name, query string
		check       func(page) bool
	}{
		{"by young person", "subject=" + subject, func(p page) bool {
			for _, e := range p.Entries {
				if e.Subject != subject {
					return false
				}
			}
			return len(p.Entries) >= 3 // create, decide, lookup
		}},
		{"by outcome with reasons and policy version", "outcome=escalate", func(p page) bool {
			return len(p.Entries) == 1 && p.Entries[0].Decision.Rule != "" && len(p.Entries[0].Decision.Reasons) > 0 &&
				strings.HasPrefix(p.Entries[0].Decision.PolicyVersion, "sha256:")
		}},
		{"by actor and action", "user=" + pe.ids["school"] + "&action=signal.create", func(p page) bool { return len(p.Entries) == 2 }},
		{"a page of one has a next cursor", "limit=1", func(p page) bool { return len(p.Entries) == 1 && p.Next > 0 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var p page
			pe.mustAPI("GET", "/api/v1/privacy/audit?"+tt.query, nil, &p)
			if !tt.check(p) {
				t.Fatalf("%s: %+v", tt.query, p)
			}
		})
	}
	if res := pe.api("GET", "/api/v1/privacy/audit?since=gisteren", nil); res.status != 400 || res.errorBody(t).Fields[0].Field != "since" {
		t.Fatalf("bad since: %d %s", res.status, res.body)
	}

	var q struct{ Escalations []signal.Escalation }
	pe.mustAPI("GET", "/api/v1/privacy/escalations?status=open", nil, &q)
	if len(q.Escalations) != 1 || q.Escalations[0].Why != "escalate" || q.Escalations[0].Subject != subject {
		t.Fatalf("open escalations: %+v", q.Escalations)
	}
	seq := q.Escalations[0].Seq
	var e signal.Escalation
	pe.mustAPI("PATCH", fmt.Sprintf("/api/v1/privacy/escalations/%d", seq), map[string]string{"status": "in_progress"}, &e)
	if e.Status != signal.EscalationInProgress || e.UpdatedBy != pe.ids["privacy"] {
		t.Fatalf("updated escalation: %+v", e)
	}
	pe.mustAPI("GET", "/api/v1/privacy/escalations?status=open", nil, &q)
	if len(q.Escalations) != 0 {
		t.Fatalf("still open: %+v", q.Escalations)
	}
	if res := pe.api("PATCH", fmt.Sprintf("/api/v1/privacy/escalations/%d", seq), map[string]string{"status": "closed"}); res.status != 400 {
		t.Fatalf("unknown status: %d", res.status)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND subject = ?`, signal.ActionEscalationUpdate, subject); n != 1 {
		t.Fatalf("%d escalation.update entries", n)
	}
}

func TestPolicyGovernanceAndOversight(t *testing.T) {
	pe := newPrivacyEnv(t)
	ctx := context.Background()
	files, err := signal.ReadPolicyFiles(rego.FS)
	if err != nil {
		t.Fatal(err)
	}
	engine, _ := loadPolicy()
	system := signal.Actor{UserID: "signald", Role: "system"}
	if err := pe.privacy.RecordPolicyLoad(ctx, system, engine.Version(), files); err != nil {
		t.Fatal(err)
	}
	changed := append([]signal.PolicyFile(nil), files...)
	changed[0].Content += "\n# a comment added by the privacy officer\n"
	const v2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	if err := pe.privacy.RecordPolicyLoad(ctx, system, v2, changed); err != nil {
		t.Fatal(err)
	}
	var gov signal.Policies
	pe.mustAPI("GET", "/api/v1/privacy/policies", nil, &gov)
	if len(gov.Versions) != 2 || gov.InForce == nil || gov.InForce.Version != v2 || len(gov.Loads) != 2 {
		t.Fatalf("governance: %+v", gov)
	}
	var diff struct{ Files []FileDiff }
	pe.mustAPI("GET", "/api/v1/privacy/policy-diff?from="+engine.Version()+"&to="+v2, nil, &diff)
	changedFiles := 0
	for _, f := range diff.Files {
		if f.Status == "changed" {
			changedFiles++
			if f.Added != 2 || f.Path != files[0].Path {
				t.Fatalf("diff of %s: +%d -%d", f.Path, f.Added, f.Removed)
			}
		}
	}
	if changedFiles != 1 {
		t.Fatalf("%d changed files", changedFiles)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionPolicyLoad); n != 2 {
		t.Fatalf("%d policy.load entries", n)
	}

	// Oversight: a refused read outside one's own cooperation and failed logins.
	today := signal.Today(time.Now()).String()
	s := pe.mustSubmit("school", youthBody("Sanne", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	if st, _ := pe.get("elsewhere-coordinator", s.ID); st != http.StatusNotFound {
		t.Fatalf("read from another cooperation: %d", st)
	}
	// A failed login on an account of the cooperation (one with an
	// address nobody has belongs to no cooperation: issue 17 item 4).
	pe.login(pe.users[signal.RoleReporter].Email, "wrong password")
	pe.coordinatorReads(t, s.ID, 3)
	var o signal.Oversight
	pe.mustAPI("GET", "/api/v1/privacy/oversight?threshold=2", nil, &o)
	if len(o.Refused) != 1 || o.Refused[0].UserID != pe.ids["elsewhere-coordinator"] || o.Refused[0].Object != "signal/"+s.ID {
		t.Fatalf("refused: %+v", o.Refused)
	}
	if o.FailedLoginsTotal != 1 {
		t.Fatalf("failed logins: %+v", o.FailedLogins)
	}
	if len(o.HeavyReaders) != 1 || o.HeavyReaders[0].UserID != pe.ids["coordinator"] || o.HeavyReaders[0].Views != 3 {
		t.Fatalf("heavy readers: %+v", o.HeavyReaders)
	}
}

func (pe *privacyEnv) coordinatorReads(t *testing.T, id string, n int) {
	t.Helper()
	for range n {
		if st, _ := pe.get("coordinator", id); st != http.StatusOK {
			t.Fatalf("coordinator read: %d", st)
		}
	}
}
