package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// TestRestrictionAcrossMeetingsAndARestart is issue 17 item 3's promise of
// restriction (AVG art. 18) to a young person seen in three meetings:
// once the officer restricts their data inside a request (the ground
// named when missing), no new view of the meeting shows whom or what it is
// about: the next meeting's agenda, its screen and contents, the earlier
// minutes (API and pages) and a coordinator reading the signal show
// "restricted" and nothing more, and the meeting cannot record anything
// about it; the officer still reads inside the request and the reporter
// their own signal; it holds across a restart; lifting is audited and the
// meeting sees them again. Another young person is untouched throughout.
func TestRestrictionAcrossMeetingsAndARestart(t *testing.T) {
	pe := newPrivacyEnv(t)
	se := pe.signalsEnv
	school, _ := youthSeenInThreeMeetings(t, pe)
	subject := pe.lookup("Sanne de Vries", "2011-04-30")
	var meetings []string
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
	req := pe.register("Sanne de Vries", "2011-04-30")
	base := "/api/v1/privacy/access-requests/" + req.ID + "/restriction"

	for _, body := range []map[string]string{{}, {"ground": "because"}} {
		if res := pe.api("POST", base, body); res.status != http.StatusBadRequest || res.errorBody(t).Fields[0].Field != "ground" {
			t.Fatalf("restrict %v: %d %s", body, res.status, res.body)
		}
	}
	if n := pe.count(`SELECT count(*) FROM youth_restrictions`); n != 0 {
		t.Fatalf("%d restrictions stored by refused forms", n)
	}
	pe.mustAPI("POST", base, map[string]string{"ground": "accuracy_contested"}, nil)
	if res := pe.api("POST", base, map[string]string{"ground": "accuracy_contested"}); res.status != http.StatusConflict {
		t.Fatalf("restricting twice: %d", res.status)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND subject = ? AND object = ?`, signal.ActionYouthRestrict, subject,
		"access-request/"+req.ID+"/accuracy_contested"); n != 1 {
		t.Fatalf("%d youth.restrict entries", n)
	}

	var next signal.Meeting
	se.json("coordinator", "POST", "/api/v1/meetings", map[string]any{
		"title": "Signaleringsoverleg 4", "starts_at": time.Now().Add(120 * time.Hour).Format(time.RFC3339),
	}, http.StatusCreated, &next)
	// (Daan's signal says factsText too: it stays.)
	never := append([]string{"Sanne", "2011-04-30"}, sanneMeetingTexts...)
	restricted := func(stage string) {
		t.Helper()
		var ag signal.Agenda
		res := se.json("coordinator", "GET", "/api/v1/meetings/"+next.ID+"/agenda", nil, http.StatusOK, &ag)
		ref, daan := "", false
		for _, it := range append(append(ag.Items, ag.Carried...), ag.FollowUp...) {
			if it.Restricted {
				ref = it.Ref
				for _, s := range it.Signals {
					if !s.Restricted || s.Youth != nil || s.Category != "" || s.Reporter != nil || s.Facts != "" {
						t.Errorf("%s: a restricted signal on the agenda shows %+v", stage, s)
					}
				}
			}
			daan = daan || it.Youth != nil && it.Youth.Name == "Daan Bakker"
		}
		if ref == "" || !daan {
			t.Fatalf("%s: the agenda has no restricted item (%q) or lost Daan (%v)", stage, ref, daan)
		}
		check := func(where, body string) {
			t.Helper()
			for _, w := range never {
				if strings.Contains(body, w) {
					t.Errorf("%s: %s shows %q", stage, where, w)
				}
			}
		}
		check("the agenda", string(res.body))
		b := newBrowserClient(t, pe.url)
		b.login(se.users[signal.RoleCoordinator].Email)
		for _, path := range []string{"/overleg/" + next.ID, "/overleg/" + next.ID + "/scherm", "/overleg/" + next.ID + "/inhoud", "/overleg/" + next.ID + "/jongere/" + ref} {
			page := b.get(path)
			if page.status != 200 || !strings.Contains(page.body, "Beperkt (AVG art. 18") {
				t.Errorf("%s: %s (%d) does not show the item as restricted", stage, path, page.status)
			}
			check(path, page.body)
		}
		for _, m := range meetings {
			res := se.json("coordinator", "GET", "/api/v1/meetings/"+m+"/minutes", nil, http.StatusOK, nil)
			check("the minutes of "+m, string(res.body))
			page := b.get("/overleg/" + m + "/verslag")
			check("the minutes page of "+m, page.body)
			if !strings.Contains(page.body, "Beperkt (AVG art. 18") {
				t.Errorf("%s: the minutes page of %s does not show the item as restricted", stage, m)
			}
		}
		_, v := se.get("coordinator", school.ID)
		if !v.Restricted || v.Youth != nil || v.Facts != "" {
			t.Errorf("%s: a coordinator reads the restricted signal as %+v", stage, v)
		}
		// Nothing new is recorded about it.
		if res := se.json("coordinator", "POST", "/api/v1/meetings/"+next.ID+"/items/"+ref+"/decisions",
			map[string]string{"kind": "act", "text": "Nog een besluit"}, http.StatusConflict, nil); res.status != http.StatusConflict {
			t.Errorf("%s: a decision about a restricted item: %d", stage, res.status)
		}
		// The officer reads inside the request; the reporter their own.
		var rep signal.AccessReport
		pe.mustAPI("GET", "/api/v1/privacy/access-requests/"+req.ID+"/report?reason=assess", nil, &rep)
		if len(rep.Signals) != 2 || rep.Signals[0].Content == nil || !strings.Contains(rep.Signals[0].Content.Facts, factsText) {
			t.Errorf("%s: the officer's read inside the request: %+v", stage, rep.Signals)
		}
		if _, own := se.get("school", school.ID); !strings.Contains(own.Facts, factsText) {
			t.Errorf("%s: the reporter lost their own signal", stage)
		}
	}
	restricted("restricted")
	se.restart()
	restricted("restricted, after a restart")

	var got struct {
		Restricted  bool
		Restriction *signal.Restriction
	}
	pe.mustAPI("GET", base, nil, &got)
	if !got.Restricted || got.Restriction.Ground != signal.RestrictionAccuracy || got.Restriction.Request != req.ID {
		t.Fatalf("the restriction: %+v", got)
	}
	res := pe.api("DELETE", base, nil)
	if res.status != 200 || json.Unmarshal(res.body, &got) != nil || got.Restricted {
		t.Fatalf("lift: %d %s", res.status, res.body)
	}
	if res := pe.api("DELETE", base, nil); res.status != http.StatusConflict {
		t.Fatalf("lifting twice: %d", res.status)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND subject = ?`, signal.ActionYouthRestrictionLift, subject); n != 1 {
		t.Fatalf("%d youth.restriction_lift entries", n)
	}
	var ag signal.Agenda
	se.json("coordinator", "GET", "/api/v1/meetings/"+next.ID+"/agenda", nil, http.StatusOK, &ag)
	seen := false
	for _, it := range append(append(ag.Items, ag.Carried...), ag.FollowUp...) {
		seen = seen || it.Youth != nil && it.Youth.Name == "Sanne de Vries"
		if it.Restricted {
			t.Errorf("lifted, yet item %s is restricted", it.Ref)
		}
	}
	if !seen {
		t.Fatal("lifted, yet the meeting does not see Sanne again")
	}
	verifyLog(t, pe.app.DB.Read())
}
