package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// sanneMeetingTexts are what youthSeenInThreeMeetings has the meetings write
// about Sanne: an erasure must take them out of every minutes.
var sanneMeetingTexts = []string{"Wekelijks gesprek op het jongerenwerk", "Begeleiding door het jongerenwerk loopt door"}

// TestErasureOnRequestAcrossTime is issue 17 item 3's promise to a young
// person who asks to be erased, and to the officer who answers: inside a
// registered request the officer first sees what will go, counted per
// kind (no content); a form with no ground, or counts that changed since
// (a new report came in meanwhile), erases nothing; the erasure after
// three meetings takes the signals, the meetings' texts in every minutes,
// the match answers and the reminders; the receipt (request, date, counts,
// by whom, audit entry, no name) is there after a restart, with nothing
// left; another young person is untouched; a refusal records its ground
// only.
func TestErasureOnRequestAcrossTime(t *testing.T) {
	pe := newPrivacyEnv(t)
	se := pe.signalsEnv
	ctx := context.Background()
	school, youthwork := youthSeenInThreeMeetings(t, pe)
	if _, err := se.app.Notifications.Run(ctx); err != nil {
		t.Fatal(err)
	}
	sanneSubject := pe.lookup("Sanne de Vries", "2011-04-30")
	meetings := []string{}
	rows, err := se.app.DB.Read().Query(`SELECT id FROM meetings ORDER BY starts_at`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		meetings = append(meetings, id)
	}
	rows.Close()
	for _, m := range meetings {
		var mn signal.Minutes
		se.json("coordinator", "GET", "/api/v1/meetings/"+m+"/minutes", nil, http.StatusOK, &mn)
	}

	req := pe.register("Sanne de Vries", "2011-04-30")
	base := "/api/v1/privacy/access-requests/" + req.ID

	// The receipt before any answer: none.
	if res := pe.api("GET", base+"/erasure-receipt", nil); res.status != http.StatusNotFound {
		t.Fatalf("a receipt before the answer: %d %s", res.status, res.body)
	}
	// The confirmation step: counts per kind, no content.
	var plan signal.ErasurePlan
	res := pe.api("GET", base+"/erasure-plan", nil)
	if res.status != 200 || json.Unmarshal(res.body, &plan) != nil {
		t.Fatalf("plan: %d %s", res.status, res.body)
	}
	g := plan.Goes
	if g.Signals != 2 || g.Cases != 1 || g.Leads != 1 || g.Actions != 1 || g.Decisions != 1 || g.Minutes != 3 || g.Notices != 1 || plan.AuditEntries < 10 {
		t.Fatalf("the plan's counts: %+v (audit %d); want 2 signals, 1 case, 1 lead, 1 action, 1 decision, 3 minutes, 1 notice", g, plan.AuditEntries)
	}
	for _, never := range append([]string{"Sanne", "2011-04-30", factsText}, sanneMeetingTexts...) {
		if strings.Contains(string(res.body), never) {
			t.Fatalf("the plan shows %q", never)
		}
	}
	// Another cooperation's officer does not find it.
	se.addPerson("privacy-elders", "Gemeente Elders", "Samenwerking Elders", signal.OrgMunicipality, signal.RolePrivacyOfficer)
	if res := pe.do("GET", base+"/erasure-plan", pe.tokens["privacy-elders"], nil); res.status != http.StatusNotFound {
		t.Fatalf("another cooperation's officer: %d", res.status)
	}

	contentLeft := func() int {
		return pe.count(`SELECT count(*) FROM signals WHERE youth = ? AND length(name_ct) > 0`, sanneSubject)
	}
	// Bad input: the field named, nothing erased, no answer recorded.
	for _, tt := range []struct {
		body  map[string]string
		field string
	}{
		{map[string]string{"fingerprint": plan.Fingerprint}, "reason"},
		{map[string]string{"reason": "because", "fingerprint": plan.Fingerprint}, "reason"},
		{map[string]string{"reason": "objection"}, "fingerprint"},
	} {
		res := pe.api("POST", base+"/erasure", tt.body)
		if res.status != http.StatusBadRequest || res.errorBody(t).Fields[0].Field != tt.field {
			t.Errorf("%v: %d %s, want 400 naming %s", tt.body, res.status, res.body, tt.field)
		}
	}
	// A new report about her arrives after the plan was shown: the counts
	// the officer confirmed are no longer what would go.
	today := signal.Today(time.Now()).String()
	late := pe.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	if res := pe.api("POST", base+"/erasure", map[string]string{"reason": "objection", "fingerprint": plan.Fingerprint}); res.status != http.StatusConflict {
		t.Fatalf("erasing on an old plan: %d %s", res.status, res.body)
	}
	if n := contentLeft(); n != 3 {
		t.Fatalf("a refused erasure left %d signals with content, want 3", n)
	}
	if n := pe.count(`SELECT count(*) FROM access_request_answers`); n != 0 {
		t.Fatalf("%d answers recorded by refused erasures", n)
	}

	// Daan, not asked about, is reported too.
	daan := pe.mustSubmit("school", youthBody("Daan Bakker", "2010-02-11", today, signal.OutcomeShareFull), signal.OutcomeShareFull)

	pe.mustAPI("GET", base+"/erasure-plan", nil, &plan)
	if plan.Goes.Signals != 3 {
		t.Fatalf("the plan after the new report: %+v", plan.Goes)
	}
	var rc signal.ErasureReceipt
	res = pe.api("POST", base+"/erasure", map[string]string{"reason": "objection", "fingerprint": plan.Fingerprint})
	if res.status != 200 || json.Unmarshal(res.body, &rc) != nil {
		t.Fatalf("erase: %d %s", res.status, res.body)
	}
	checkReceipt := func(stage string, body []byte, rc signal.ErasureReceipt) {
		t.Helper()
		a := rc.Answer
		if a.Request != req.ID || a.Kind != signal.AnswerErased || a.Ground != "objection" || a.DecidedBy != pe.ids["privacy"] ||
			a.DecidedByName == "" || a.CompletedAt == nil || a.Counts != plan.Goes || rc.Left.Total() != 0 || rc.Left.Signals != 0 ||
			rc.ReceivedOn != req.ReceivedOn {
			t.Fatalf("%s: receipt %+v", stage, rc)
		}
		var action, object string
		pe.app.DB.Read().QueryRow(`SELECT action, object FROM audit_entries WHERE seq = ?`, a.AuditSeq).Scan(&action, &object)
		if action != string(signal.ActionAccessErasure) || object != "access-request/"+req.ID+"/objection" {
			t.Fatalf("%s: the receipt's audit entry %d is %s %s", stage, a.AuditSeq, action, object)
		}
		for _, never := range append([]string{"Sanne", "Vries", "2011-04-30", sanneSubject, factsText}, sanneMeetingTexts...) {
			if strings.Contains(string(body), never) {
				t.Fatalf("%s: the receipt holds %q", stage, never)
			}
		}
	}
	checkReceipt("after the erasure", res.body, rc)

	gone := func(stage string) {
		t.Helper()
		if n := contentLeft(); n != 0 {
			t.Fatalf("%s: %d of her signals hold content", stage, n)
		}
		for _, s := range []submitted{school, youthwork, late} {
			if _, v := se.get("school", s.ID); strings.Contains(v.Facts, "te laat") || v.Youth != nil && v.Youth.Name != "" {
				t.Errorf("%s: her signal %s still reads as written", stage, s.ID)
			}
		}
		for _, m := range meetings {
			res := se.json("coordinator", "GET", "/api/v1/meetings/"+m+"/minutes", nil, http.StatusOK, nil)
			page := newBrowserClient(t, pe.url)
			page.login(se.users[signal.RoleCoordinator].Email)
			html := page.get("/overleg/" + m + "/verslag")
			for _, never := range append([]string{"Sanne", factsText}, sanneMeetingTexts...) {
				if strings.Contains(string(res.body), never) || strings.Contains(html.body, never) {
					t.Errorf("%s: the minutes of %s still hold %q", stage, m, never)
				}
			}
		}
		if n := pe.count(`SELECT count(*) FROM match_decisions WHERE youth_a = ? OR youth_b = ?`, sanneSubject, sanneSubject); n != 0 {
			t.Errorf("%s: %d match answers about her", stage, n)
		}
		// Reminders about her (erased) action stop.
		actions, err := se.app.DB.Outbox().OpenActions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(actions) != 0 {
			t.Errorf("%s: %d open actions still remind their owner", stage, len(actions))
		}
		// Daan is untouched.
		if _, v := se.get("school", daan.ID); !strings.Contains(v.Facts, "te laat") {
			t.Errorf("%s: Daan's signal lost its content", stage)
		}
	}
	gone("after the erasure")

	// Answered once: a second erasure or a refusal is refused.
	if res := pe.api("POST", base+"/erasure", map[string]string{"reason": "objection", "fingerprint": plan.Fingerprint}); res.status != http.StatusConflict {
		t.Fatalf("a second erasure: %d", res.status)
	}
	if res := pe.api("POST", base+"/erasure-refusal", map[string]string{"ground": "legal_claims"}); res.status != http.StatusConflict {
		t.Fatalf("a refusal after the erasure: %d", res.status)
	}

	// A restart: the receipt is still there, complete, with nothing left.
	se.restart()
	res = pe.api("GET", base+"/erasure-receipt", nil)
	var again signal.ErasureReceipt
	if res.status != 200 || json.Unmarshal(res.body, &again) != nil || !strings.Contains(res.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("the receipt after a restart: %d %s", res.status, res.body)
	}
	checkReceipt("after a restart", res.body, again)
	gone("after a restart")
	b := newBrowserClient(t, pe.url)
	b.login(pe.users[signal.RolePrivacyOfficer].Email)
	page := b.get("/privacy/verzoeken/" + req.ID + "/ontvangstbewijs")
	if page.status != 200 || !strings.Contains(page.body, "Ontvangstbewijs") || !strings.Contains(page.body, "afgerond op") || strings.Contains(page.body, "Sanne") {
		t.Fatalf("the receipt page after a restart: %d", page.status)
	}
	verifyLog(t, pe.app.DB.Read())

	// A refusal for Daan: the ground named when missing, then recorded as a
	// code; nothing of his is erased.
	daanReq := pe.register("Daan Bakker", "2010-02-11")
	dbase := "/api/v1/privacy/access-requests/" + daanReq.ID
	for _, body := range []map[string]string{{}, {"ground": "we do not feel like it"}} {
		if res := pe.api("POST", dbase+"/erasure-refusal", body); res.status != http.StatusBadRequest || res.errorBody(t).Fields[0].Field != "ground" {
			t.Fatalf("refusal %v: %d %s", body, res.status, res.body)
		}
	}
	var refused signal.ErasureReceipt
	pe.mustAPI("POST", dbase+"/erasure-refusal", map[string]string{"ground": "child_protection"}, &refused)
	if refused.Answer.Kind != signal.AnswerRefused || refused.Answer.Ground != "child_protection" || refused.Left.Signals != 2 {
		t.Fatalf("the refusal's receipt: %+v", refused)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND object = ?`, signal.ActionAccessErasureRefuse,
		"access-request/"+daanReq.ID+"/child_protection"); n != 1 {
		t.Fatalf("%d refusal entries", n)
	}
	if _, v := se.get("school", daan.ID); !strings.Contains(v.Facts, "te laat") {
		t.Fatal("a refusal erased Daan's signal")
	}
	if res := pe.api("GET", dbase+"/erasure-plan", nil); res.status != http.StatusConflict {
		t.Fatalf("the plan after a refusal: %d", res.status)
	}
}
