package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// factsText is what youthBody's signals say: a page or answer that holds
// it disclosed content ("te laat" alone is in the evaluation's words).
const factsText = "Komt al weken te laat"

// TestContentOnlyInsideARegisteredRequest is issue 17's promise to young
// people: the privacy officer reads what signals say only inside a
// registered request, for that young person, with the reason recorded,
// every read audited and counted in the oversight; the copy with content is
// released by a second person. Every GET route of the server (API and
// pages, with and without ?content=true, its parameters filled with real
// ids) is tried as the privacy officer: none but the request's report
// answers with content.
func TestContentOnlyInsideARegisteredRequest(t *testing.T) {
	pe := newPrivacyEnv(t)
	se := pe.signalsEnv
	today := signal.Today(time.Now()).String()
	sanne := pe.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	pe.mustSubmit("youthwork", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeAskConsent), signal.OutcomeAskConsent)
	daan := pe.mustSubmit("school", youthBody("Daan Bakker", "2010-02-11", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	var mt signal.Meeting
	se.json("coordinator", "POST", "/api/v1/meetings", map[string]any{
		"title": "Signaleringsoverleg december", "starts_at": time.Now().Add(48 * time.Hour).Format(time.RFC3339),
	}, http.StatusCreated, &mt)
	se.addPerson("privacy2", "Demo College", "Samenwerking Test", signal.OrgSchool, signal.RolePrivacyOfficer)
	se.addPerson("privacy-elders", "Gemeente Elders", "Samenwerking Elders", signal.OrgMunicipality, signal.RolePrivacyOfficer)
	sanneSubject := pe.lookup("Sanne de Vries", "2011-04-30")
	daanSubject := pe.lookup("Daan Bakker", "2010-02-11")

	// Before any request: every path is tried.
	noContentAnywhere := func(stage string, ids map[string][]string) {
		t.Helper()
		b := newBrowserClient(t, pe.url)
		b.login(pe.users[signal.RolePrivacyOfficer].Email)
		tried := 0
		for _, r := range pe.srv.echo.Routes() {
			if r.Method != http.MethodGet || strings.HasSuffix(r.Path, "*") || strings.Contains(r.Path, "logout") {
				continue
			}
			for _, path := range routePaths(r.Path, ids) {
				for _, q := range []string{"", "?content=true"} {
					var status int
					var body string
					if strings.HasPrefix(path, "/api/") {
						res := pe.do("GET", path+q, pe.tokens["privacy"], nil)
						status, body = res.status, string(res.body)
					} else {
						res := b.get(path + q)
						status, body = res.status, res.body
					}
					tried++
					if strings.Contains(body, factsText) && !(r.Path == "/api/v1/privacy/access-requests/:id/report" && status == 200) {
						t.Errorf("%s: GET %s%s answered %d with content", stage, path, q, status)
					}
				}
			}
		}
		if tried < 100 {
			t.Fatalf("%s: only %d paths tried", stage, tried)
		}
	}
	base := map[string][]string{":id": {sanne.ID, daan.ID, mt.ID}, ":subject": {sanneSubject, daanSubject}, ":ref": {sanne.ID},
		":signal": {sanne.ID}}
	noContentAnywhere("no request", base)
	noErasureWithoutARequest(t, pe, base, map[string]string{"subject": sanneSubject, "youth": sanneSubject, "signal_id": sanne.ID,
		"ref": sanneSubject, "reason": "objection", "ground": "no_ground", "fingerprint": "s2.v2.c0.l0.a0.d0.m0.n0.t0"})

	// Asking content by pseudonym is refused, and the refusal is audited
	// and shows in the oversight.
	if res := pe.api("GET", "/api/v1/privacy/access-reports/"+sanneSubject+"?content=true", nil); res.status != http.StatusForbidden {
		t.Fatalf("content by pseudonym: %d %s", res.status, res.body)
	}
	var o signal.Oversight
	pe.mustAPI("GET", "/api/v1/privacy/oversight", nil, &o)
	refused := 0
	for _, r := range o.Refused {
		if r.Object == "access-report/content" && r.UserID == pe.ids["privacy"] {
			refused++
		}
	}
	if refused == 0 {
		t.Fatalf("the oversight does not show the refused content asks: %+v", o.Refused)
	}

	// Registering: every field named when wrong, nothing stored.
	for _, tt := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no name", map[string]any{"youth": map[string]string{"birth_date": "2011-04-30"}, "requester": "parent", "received_on": today}, "youth.name"},
		{"no requester", map[string]any{"youth": map[string]string{"name": "Sanne de Vries", "birth_date": "2011-04-30"}, "received_on": today}, "requester"},
		{"a requester that is not one", map[string]any{"youth": map[string]string{"name": "Sanne de Vries", "birth_date": "2011-04-30"}, "requester": "neighbour", "received_on": today}, "requester"},
		{"received tomorrow", map[string]any{"youth": map[string]string{"name": "Sanne de Vries", "birth_date": "2011-04-30"}, "requester": "parent",
			"received_on": signal.Today(time.Now().Add(36 * time.Hour)).String()}, "received_on"},
	} {
		res := pe.api("POST", "/api/v1/privacy/access-requests", tt.body)
		if res.status != http.StatusBadRequest || res.errorBody(t).Fields[0].Field != tt.field {
			t.Errorf("%s: %d %s, want 400 naming %s", tt.name, res.status, res.body, tt.field)
		}
	}
	if n := pe.count(`SELECT count(*) FROM access_requests`); n != 0 {
		t.Fatalf("%d requests stored by refused forms", n)
	}

	req := pe.register("Sanne de Vries", "2011-04-30")
	if req.Subject != sanneSubject || req.Status != signal.RequestOpen || req.Deadline.String() != signal.Today(time.Now()).Time().AddDate(0, 1, 0).Format("2006-01-02") &&
		signal.Today(time.Now()).Day <= 28 {
		t.Fatalf("registered request: %+v", req)
	}
	ids := map[string][]string{":id": {sanne.ID, daan.ID, mt.ID, req.ID}, ":subject": {sanneSubject, daanSubject}, ":ref": {sanne.ID}, ":signal": {sanne.ID}}
	noContentAnywhere("with a request", ids)

	// Inside the request: a reason is required; to make the copy it must
	// be released first.
	if res := pe.api("GET", "/api/v1/privacy/access-requests/"+req.ID+"/report", nil); res.status != http.StatusBadRequest || res.errorBody(t).Fields[0].Field != "reason" {
		t.Fatalf("read without reason: %d %s", res.status, res.body)
	}
	if res := pe.api("GET", "/api/v1/privacy/access-requests/"+req.ID+"/report?reason=copy", nil); res.status != http.StatusConflict || strings.Contains(string(res.body), factsText) {
		t.Fatalf("copy before release: %d %s", res.status, res.body)
	}
	// Another cooperation's officer does not find the request.
	if res := pe.do("GET", "/api/v1/privacy/access-requests/"+req.ID+"/report?reason=assess", pe.tokens["privacy-elders"], nil); res.status != http.StatusNotFound {
		t.Fatalf("another cooperation's officer: %d %s", res.status, res.body)
	}
	var rep signal.AccessReport
	pe.mustAPI("GET", "/api/v1/privacy/access-requests/"+req.ID+"/report?reason=assess", nil, &rep)
	if len(rep.Signals) != 2 || rep.Signals[0].Content == nil || !strings.Contains(rep.Signals[0].Content.Facts, factsText) || rep.Request != req.ID {
		t.Fatalf("report inside the request: %+v", rep)
	}
	for _, s := range rep.Signals {
		if s.ID == daan.ID {
			t.Fatal("Sanne's request shows Daan's signal")
		}
	}
	var got signal.AccessRequest
	pe.mustAPI("GET", "/api/v1/privacy/access-requests/"+req.ID, nil, &got)
	if len(got.Reads) != 1 || got.Reads[0].Reason != signal.ReadAssess || got.Reads[0].By != pe.ids["privacy"] {
		t.Fatalf("the read is not recorded with its reason: %+v", got.Reads)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND subject = ? AND object = ?`,
		signal.ActionAccessContentRead, sanneSubject, "access-request/"+req.ID+"/assess"); n != 1 {
		t.Fatalf("%d access.content_read entries, want 1", n)
	}
	pe.mustAPI("GET", "/api/v1/privacy/oversight", nil, &o)
	if len(o.ContentReads) != 1 || o.ContentReads[0].UserID != pe.ids["privacy"] || o.ContentReads[0].Views != 1 || o.ContentReads[0].Distinct != 1 {
		t.Fatalf("the oversight's content reads: %+v", o.ContentReads)
	}

	// Four eyes (the default): the one who asks does not approve.
	var asked signal.AccessRequest
	pe.mustAPI("POST", "/api/v1/privacy/access-requests/"+req.ID+"/release", nil, &asked)
	if asked.Status != signal.RequestReleasePending {
		t.Fatalf("release asked: %+v", asked)
	}
	if res := pe.api("POST", "/api/v1/privacy/access-requests/"+req.ID+"/approve", nil); res.status != http.StatusForbidden {
		t.Fatalf("approving one's own release: %d %s", res.status, res.body)
	}
	if res := pe.do("POST", "/api/v1/privacy/access-requests/"+req.ID+"/approve", pe.tokens["school"], nil); res.status != http.StatusForbidden {
		t.Fatalf("a reporter approving: %d %s", res.status, res.body)
	}
	if res := pe.api("GET", "/api/v1/privacy/access-requests/"+req.ID+"/report?reason=copy", nil); res.status != http.StatusConflict {
		t.Fatalf("copy while the release waits: %d", res.status)
	}
	if res := pe.do("POST", "/api/v1/privacy/access-requests/"+req.ID+"/approve", pe.tokens["privacy2"], nil); res.status != http.StatusOK {
		t.Fatalf("a second officer approving: %d %s", res.status, res.body)
	}
	var copyRep signal.AccessReport
	pe.mustAPI("GET", "/api/v1/privacy/access-requests/"+req.ID+"/report?reason=copy", nil, &copyRep)
	if copyRep.Signals[0].Content == nil {
		t.Fatal("the released copy holds no content")
	}
	// Closed: no more content under it.
	pe.mustAPI("POST", "/api/v1/privacy/access-requests/"+req.ID+"/close", nil, nil)
	if res := pe.api("GET", "/api/v1/privacy/access-requests/"+req.ID+"/report?reason=assess", nil); res.status != http.StatusConflict || strings.Contains(string(res.body), factsText) {
		t.Fatalf("read under a closed request: %d", res.status)
	}
	noContentAnywhere("after closing", ids)

	// An administrator may be the second person, and may turn four eyes
	// off for the cooperation; then the officer releases alone.
	req2 := pe.register("Daan Bakker", "2010-02-11")
	pe.mustAPI("POST", "/api/v1/privacy/access-requests/"+req2.ID+"/release", nil, nil)
	if res := pe.do("POST", "/api/v1/privacy/access-requests/"+req2.ID+"/approve", pe.tokens["admin"], nil); res.status != http.StatusOK {
		t.Fatalf("an administrator approving: %d %s", res.status, res.body)
	}
	if res := pe.do("PUT", "/api/v1/privacy/four-eyes", pe.tokens["privacy"], strings.NewReader(`{"four_eyes": false}`)); res.status != http.StatusForbidden {
		t.Fatalf("the officer turning four eyes off: %d", res.status)
	}
	if res := pe.do("PUT", "/api/v1/privacy/four-eyes", pe.tokens["admin"], strings.NewReader(`{"four_eyes": false}`)); res.status != http.StatusOK {
		t.Fatalf("the administrator turning four eyes off: %d %s", res.status, res.body)
	}
	req3 := pe.register("Sanne de Vries", "2011-04-30")
	var direct signal.AccessRequest
	pe.mustAPI("POST", "/api/v1/privacy/access-requests/"+req3.ID+"/release", nil, &direct)
	if direct.Status != signal.RequestReleased || direct.ReleasedBy != pe.ids["privacy"] {
		t.Fatalf("release without four eyes: %+v", direct)
	}
	// Other cooperations keep four eyes.
	var fe struct {
		FourEyes bool `json:"four_eyes"`
	}
	if res := pe.do("GET", "/api/v1/privacy/four-eyes", pe.tokens["privacy-elders"], nil); res.status != 200 || !strings.Contains(string(res.body), `"four_eyes":true`) {
		t.Fatalf("another cooperation's four eyes: %d %s", res.status, res.body)
	}
	_ = fe
	verifyLog(t, pe.app.DB.Read())
}

// TestRequestDeadlineAndExtension: the deadline is one month after the day
// the request came in (the last day of a shorter month when the day does
// not exist), an extension adds two months and must be made within the
// first month.
func TestRequestDeadlineAndExtension(t *testing.T) {
	pe := newPrivacyEnv(t)
	pe.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", signal.Today(time.Now()).String(), signal.OutcomeShareFull), signal.OutcomeShareFull)
	register := func(received string) signal.AccessRequest {
		var r signal.AccessRequest
		pe.mustAPI("POST", "/api/v1/privacy/access-requests", map[string]any{"youth": map[string]string{"name": "Sanne de Vries", "birth_date": "2011-04-30"},
			"requester": "parent", "received_on": received}, &r)
		return r
	}
	jan := register("2026-01-31")
	if jan.Deadline.String() != "2026-02-28" {
		t.Fatalf("deadline of a request of 31 January 2026: %s, want 2026-02-28", jan.Deadline)
	}
	// Its first month is over: too late to extend.
	if res := pe.api("POST", "/api/v1/privacy/access-requests/"+jan.ID+"/extension", map[string]string{"reason": "complex"}); res.status != http.StatusConflict {
		t.Fatalf("extending after the first month: %d %s", res.status, res.body)
	}
	recent := register(signal.Today(time.Now()).String())
	if res := pe.api("POST", "/api/v1/privacy/access-requests/"+recent.ID+"/extension", map[string]string{}); res.status != http.StatusBadRequest || res.errorBody(t).Fields[0].Field != "reason" {
		t.Fatalf("extending without a reason: %d %s", res.status, res.body)
	}
	var ext signal.AccessRequest
	pe.mustAPI("POST", "/api/v1/privacy/access-requests/"+recent.ID+"/extension", map[string]string{"reason": "many_requests"}, &ext)
	received := recent.ReceivedOn.Time()
	want := signal.DateOf(received.AddDate(0, 3, 0))
	if received.Day() > 28 {
		want = ext.DueOn() // month ends are covered by the January case
	}
	if ext.ExtendedTo == nil || ext.DueOn() != want || ext.Extension != "many_requests" {
		t.Fatalf("extended: %+v, want due %s", ext, want)
	}
	if res := pe.api("POST", "/api/v1/privacy/access-requests/"+recent.ID+"/extension", map[string]string{"reason": "complex"}); res.status != http.StatusConflict {
		t.Fatalf("extending twice: %d", res.status)
	}
	var list struct{ Requests []signal.AccessRequest }
	pe.mustAPI("GET", "/api/v1/privacy/access-requests", nil, &list)
	if len(list.Requests) != 2 || list.Requests[0].ID != recent.ID || !list.Requests[1].Overdue(signal.Today(time.Now())) {
		t.Fatalf("the list, newest first, the January one overdue: %+v", list.Requests)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionAccessRequestExtend); n != 1 {
		t.Fatalf("%d extension entries, want 1", n)
	}
	_ = url.Values{}
}

// noErasureWithoutARequest tries every route that changes anything (API
// and pages, every method but GET), as the privacy officer, with every
// parameter filled with a young person's or a signal's id and a body asking
// an erasure of them: none erases anything, since no request is registered.
// (signald youth erase refuses without --request: cmd/signald's
// TestServeDemoSignalSurvivesARestartUntilErased.)
func noErasureWithoutARequest(t *testing.T, pe *privacyEnv, ids map[string][]string, fields map[string]string) {
	t.Helper()
	b := newBrowserClient(t, pe.url)
	b.login(pe.users[signal.RolePrivacyOfficer].Email)
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, v)
	}
	tried := 0
	for _, r := range pe.srv.echo.Routes() {
		if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == "echo_route_not_found" || strings.HasSuffix(r.Path, "*") ||
			strings.Contains(r.Path, "logout") || strings.Contains(r.Path, "uitloggen") || strings.Contains(r.Path, "login") {
			continue
		}
		for _, path := range routePaths(r.Path, ids) {
			tried++
			if strings.HasPrefix(path, "/api/") {
				body, _ := json.Marshal(fields)
				pe.do(r.Method, path, pe.tokens["privacy"], bytes.NewReader(body))
			} else if r.Method == http.MethodPost {
				b.post(path, form)
			}
		}
	}
	if tried < 50 {
		t.Fatalf("only %d routes tried", tried)
	}
	if n := pe.count(`SELECT count(*) FROM signal_erasures`); n != 0 {
		t.Fatalf("%d signals erased without a registered request", n)
	}
	if n := pe.count(`SELECT count(*) FROM audit_entries WHERE action IN (?, ?, ?)`, signal.ActionSignalErase, signal.ActionYouthKeyErase, signal.ActionAccessErasure); n != 0 {
		t.Fatalf("%d erasures audited without a registered request", n)
	}
}

// routeParam is a parameter of an echo route path (":id").
var routeParam = regexp.MustCompile(`:[a-z_]+`)

// routePaths fills route path's parameters with each value ids has for
// them ("1" for a parameter it has none for): every combination.
func routePaths(path string, ids map[string][]string) []string {
	paths := []string{path}
	for _, p := range routeParam.FindAllString(path, -1) {
		var next []string
		for _, path := range paths {
			for _, v := range ids[p] {
				next = append(next, strings.Replace(path, p, v, 1))
			}
			if len(ids[p]) == 0 {
				next = append(next, strings.Replace(path, p, "1", 1))
			}
		}
		paths = next
	}
	return paths
}
