package web

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// TestConsoleIsScopedToTheOfficersCooperation: two cooperations, each with
// its privacy officer, its signals, the system's and the operator's
// entries (a retention run, an erasure from the shell, an organisation
// added by signald), failed logins from their own addresses, and one
// failed login with an address nobody has. Every GET route of the console
// (pages and API, every parameter filled with the officer's own ids) shows
// the officer's cooperation only, and does show it: its system entries,
// its failed-login address, its staff by name and role, in Dutch local
// time. The export of a filtered selection (CSV and JSON lines) holds the
// same and nothing else, and is itself in the log.
func TestConsoleIsScopedToTheOfficersCooperation(t *testing.T) {
	pe := newPrivacyEnv(t)
	se := pe.signalsEnv
	ctx := context.Background()
	today := signal.Today(time.Now()).String()
	se.addPerson("privacy-elders", "Gemeente Elders", "Samenwerking Elders", signal.OrgMunicipality, signal.RolePrivacyOfficer)

	_ = pe.mustSubmit("school", youthBody("Sanne de Vries", "2011-04-30", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	ours2 := pe.mustSubmit("youthwork", youthBody("Lotte Ons", "2012-02-02", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	theirs := pe.mustSubmit("elsewhere", youthBody("Kees Elders", "2010-06-01", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	theirs2 := pe.mustSubmit("elsewhere", youthBody("Piet Elders", "2010-07-07", today, signal.OutcomeShareFull), signal.OutcomeShareFull)
	subject := pe.lookup("Sanne de Vries", "2011-04-30")

	orgOf := func(name string) signal.Organisation {
		o, err := pe.app.DB.Organisation(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	ourCoop, theirCoop := orgOf("Jongerenwerk Test").CooperationID, orgOf("School Elders").CooperationID
	if ourCoop == theirCoop {
		t.Fatal("the test needs two cooperations")
	}

	// The system and the operator act in both cooperations: the operator
	// erases inside each cooperation's registered request.
	shell := signal.Actor{UserID: "cli", Role: signal.RoleSystem}
	for _, r := range []struct{ officer, name, birth string }{{"privacy", "Lotte Ons", "2012-02-02"}, {"privacy-elders", "Piet Elders", "2010-07-07"}} {
		var req signal.AccessRequest
		se.json(r.officer, "POST", "/api/v1/privacy/access-requests", map[string]any{"youth": map[string]string{"name": r.name, "birth_date": r.birth},
			"requester": "young_person", "received_on": today}, http.StatusCreated, &req)
		plan, err := pe.app.Privacy.ErasurePlan(ctx, shell, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pe.app.Privacy.EraseOnRequest(ctx, shell, req.ID, signal.ErasureDataSubjectRequest, plan.Fingerprint); err != nil {
			t.Fatal(err)
		}
	}
	pe.setClock(time.Now().Add(time.Minute))
	for _, coop := range []string{ourCoop, theirCoop} {
		if _, err := pe.app.Retention.Run(ctx, signal.RetentionActor, signal.RetentionRequest{Cooperation: coop, Confirm: true}); err != nil {
			t.Fatal(err)
		}
	}
	ourNew := signal.Organisation{Name: "Sportclub Test", Kind: signal.OrgYouthWork,
		Contact: signal.Person{Name: "Aanspreekpunt Sport", Email: "sport@test.nl"}, Deputy: signal.Person{Name: "Plv Sport", Email: "plv@test.nl"}}
	theirNew := signal.Organisation{Name: "Buurthuis Elders", Kind: signal.OrgYouthWork,
		Contact: signal.Person{Name: "Aanspreekpunt Buurthuis", Email: "buurthuis@elders.nl"}, Deputy: signal.Person{Name: "Plv Buurthuis", Email: "plv@elders.nl"}}
	if err := pe.accounts.CreateOrganisation(ctx, cliActor, &ourNew, "Samenwerking Test"); err != nil {
		t.Fatal(err)
	}
	if err := pe.accounts.CreateOrganisation(ctx, cliActor, &theirNew, "Samenwerking Elders"); err != nil {
		t.Fatal(err)
	}
	// Failed logins: on one of ours, on one of theirs, on nobody's.
	for _, f := range []struct{ ip, email string }{
		{"198.51.100.10", "youthwork@example.nl"}, {"203.0.113.77", "elsewhere@example.nl"}, {"192.0.2.99", "nobody@nowhere.nl"},
	} {
		if _, err := pe.accounts.Login(ctx, signal.Actor{IP: f.ip, RequestID: "r-" + f.ip}, f.email, "not the password", ""); err == nil {
			t.Fatalf("login %s succeeded", f.email)
		}
	}

	theirMarks := []string{theirCoop, theirNew.ID, orgOf("School Elders").ID, orgOf("Gemeente Elders").ID,
		pe.ids["elsewhere"], pe.ids["elsewhere-coordinator"], pe.ids["privacy-elders"], theirs.ID, theirs2.ID,
		"School Elders", "Buurthuis Elders", "203.0.113.77", "192.0.2.99", "elsewhere-coordinator"}

	// Every GET route of the console, as our officer, page and API.
	b := newBrowserClient(t, pe.url)
	b.login(pe.users[signal.RolePrivacyOfficer].Email)
	var reqOut signal.AccessRequest = pe.register("Sanne de Vries", "2011-04-30")
	ids := map[string][]string{":subject": {subject}, ":id": {reqOut.ID, "1"}, ":seq": {"1"}, ":version": {"sha256:" + strings.Repeat("0", 64)}}
	param := regexp.MustCompile(`:[a-z_]+`)
	tried := 0
	for _, r := range pe.srv.echo.Routes() {
		if r.Method != http.MethodGet || !(strings.HasPrefix(r.Path, "/privacy") || strings.HasPrefix(r.Path, "/api/v1/privacy")) {
			continue
		}
		paths := []string{r.Path}
		for _, p := range param.FindAllString(r.Path, -1) {
			var next []string
			for _, path := range paths {
				for _, v := range ids[p] {
					next = append(next, strings.Replace(path, p, v, 1))
				}
			}
			paths = next
		}
		for _, path := range paths {
			for _, q := range []string{"", "?days=30", "?format=csv", "?org=" + orgOf("School Elders").ID, "?user=" + pe.ids["elsewhere"]} {
				// A page repeats its own URL (the language switch): the
				// filter's value asked for is no leak; entries would be.
				_, asked, _ := strings.Cut(q, "=")
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
				if status >= 500 {
					t.Errorf("GET %s%s: %d", path, q, status)
				}
				for _, m := range theirMarks {
					if m != asked && strings.Contains(body, m) {
						t.Errorf("GET %s%s (%d) shows the other cooperation's %q", path, q, status, m)
					}
				}
			}
		}
	}
	if tried < 60 {
		t.Fatalf("only %d console paths tried", tried)
	}

	// And the console does show what is ours: the system's entries, our
	// failed-login address, staff by name and role, local time.
	var page struct {
		Entries []entryJSON `json:"entries"`
	}
	pe.mustAPI("GET", "/api/v1/privacy/audit?limit=500", nil, &page)
	has := func(action, object string) bool {
		for _, e := range page.Entries {
			if e.Action == action && strings.HasPrefix(e.Object, object) {
				return true
			}
		}
		return false
	}
	for _, want := range [][2]string{
		{string(signal.ActionRetentionRun), "cooperation/" + ourCoop},
		{string(signal.ActionSignalErase), "signal/" + ours2.ID},
		{string(signal.ActionOrgCreate), "org/" + ourNew.ID},
		{string(signal.ActionLoginFail), "user/" + pe.ids["youthwork"]},
	} {
		if !has(want[0], want[1]) {
			t.Errorf("our officer does not see %s %s", want[0], want[1])
		}
	}
	for _, e := range page.Entries {
		if e.Actor.UserID == pe.ids["school"] && (e.Actor.Name != "Reporter" && e.Actor.Name == "" || e.Actor.OrgName == "") {
			t.Errorf("entry %d: the reporter without name or organisation: %+v", e.Seq, e.Actor)
		}
	}
	var o signal.Oversight
	pe.mustAPI("GET", "/api/v1/privacy/oversight", nil, &o)
	if len(o.FailedLogins) != 1 || o.FailedLogins[0].IP != "198.51.100.10" {
		t.Errorf("failed logins: want only our account's address, got %+v", o.FailedLogins)
	}
	school := pe.users[signal.RoleReporter]
	audit := b.get("/privacy/audit?user=" + school.ID).body
	if !strings.Contains(audit, school.Name) || !strings.Contains(audit, "Melder") {
		t.Errorf("the audit page does not name the reporter %q by name and role: %s", school.Name, pe.logs.String()[max(0, len(pe.logs.String())-1500):])
	}
	if regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d`).MatchString(audit) {
		t.Error("the audit page still shows ISO/UTC times")
	}
	local := time.Now().In(amsterdam).Format(", 15:")
	if !strings.Contains(audit, local) && !strings.Contains(audit, time.Now().Add(-time.Minute).In(amsterdam).Format(", 15:")) {
		t.Errorf("the audit page shows no time in Europe/Amsterdam (%s…)", local)
	}

	// The other officer sees theirs (the attribution is no blanket refusal).
	var elders struct {
		Entries []entryJSON `json:"entries"`
	}
	if res := pe.do("GET", "/api/v1/privacy/audit?limit=500", pe.tokens["privacy-elders"], nil); res.status != 200 || json.Unmarshal(res.body, &elders) != nil {
		t.Fatalf("elders audit: %d %s", res.status, res.body)
	}
	seen := map[string]bool{}
	for _, e := range elders.Entries {
		seen[e.Action+" "+e.Object] = true
		if strings.Contains(e.Object, ourCoop) || e.Object == "signal/"+ours2.ID || e.Origin.IP == "198.51.100.10" {
			t.Errorf("the other officer sees ours: %+v", e)
		}
	}
	for _, want := range []string{"retention.run cooperation/" + theirCoop, "signal.erase signal/" + theirs2.ID, "org.create org/" + theirNew.ID} {
		if !seen[want] {
			t.Errorf("the other officer does not see %s", want)
		}
	}

	// The export of a filtered selection: only ours, every line the filter,
	// and the export itself audited.
	for _, format := range []string{"csv", "jsonl"} {
		res := b.get("/privacy/audit/export?format=" + format + "&action=signal.erase")
		if res.status != 200 {
			t.Fatalf("export %s: %d %s", format, res.status, res.body)
		}
		if cd := res.header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
			t.Errorf("export %s: Content-Disposition %q", format, cd)
		}
		var rows []map[string]string
		if format == "csv" {
			recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
			if err != nil || len(recs) < 2 || recs[0][0] != "seq" {
				t.Fatalf("csv export: %v %q", err, res.body)
			}
			for _, rec := range recs[1:] {
				row := map[string]string{}
				for i, col := range recs[0] {
					row[col] = rec[i]
				}
				rows = append(rows, row)
			}
		} else {
			sc := bufio.NewScanner(strings.NewReader(res.body))
			for sc.Scan() {
				var r signal.AuditExportRow
				if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
					t.Fatalf("jsonl line %q: %v", sc.Text(), err)
				}
				rows = append(rows, map[string]string{"action": r.Action, "object": r.Object, "time": r.Time})
			}
		}
		if len(rows) != 1 || rows[0]["action"] != "signal.erase" || rows[0]["object"] != "signal/"+ours2.ID {
			t.Errorf("export %s of signal.erase: want our one erasure, got %v", format, rows)
		}
		if len(rows) > 0 && !strings.HasSuffix(rows[0]["time"], "+01:00") && !strings.HasSuffix(rows[0]["time"], "+02:00") {
			t.Errorf("export %s: time %q not in Dutch local time", format, rows[0]["time"])
		}
		for _, m := range theirMarks {
			if strings.Contains(res.body, m) {
				t.Errorf("export %s holds the other cooperation's %q", format, m)
			}
		}
	}
	pe.mustAPI("GET", "/api/v1/privacy/audit?action=audit.export&limit=50", nil, &page)
	exports := 0
	for _, e := range page.Entries {
		if e.Actor.UserID == pe.ids["privacy"] && strings.HasPrefix(e.Object, "audit/export/") {
			exports++
		}
	}
	// Two by the page above, two by the route walk's ?format=csv (page and API).
	if exports < 4 {
		t.Errorf("the exports are not in the log: %d audit.export entries", exports)
	}
	if res := pe.api("GET", "/api/v1/privacy/audit/export?format=xml", nil); res.status != http.StatusBadRequest || !strings.Contains(string(res.body), "format") {
		t.Errorf("export in an unknown format: %d %s", res.status, res.body)
	}
}
