package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/policy"
	"github.com/signaal-nl/signaal/rego"
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/auth"
	"github.com/signaal-nl/signaal/signal/keystore"
)

// loadPolicy loads the real embedded policy once for the package's tests.
var loadPolicy = sync.OnceValues(func() (*policy.Engine, error) {
	return policy.Load(context.Background(), rego.FS)
})

// signalsEnv is newEnv's real server with the signals service wired in (real
// policy, real key store), and more people: a youth-work reporter in the
// same cooperation, and a reporter and coordinator of another cooperation.
type signalsEnv struct {
	*testEnv
	keysDir string
	keys    *keystore.Store
	tokens  map[string]string
	ids     map[string]string // user ids by the same names
	// ahead moves the clock of the app and the server (newMeetingsEnv):
	// the real time plus this many nanoseconds.
	ahead atomic.Int64
}

// now is the env's clock: the real time, moved on by ahead.
func (se *signalsEnv) now() time.Time { return time.Now().Add(time.Duration(se.ahead.Load())) }

func newSignalsEnv(t *testing.T, more ...func(*testDeps, *signalsEnv)) *signalsEnv {
	t.Helper()
	se := &signalsEnv{keysDir: filepath.Join(t.TempDir(), "keys"), tokens: map[string]string{}, ids: map[string]string{}}
	se.testEnv = newEnv(t, func(d *testDeps) {
		d.Options.Keys = se.keysDir
		for _, f := range more {
			f(d, se)
		}
	})
	se.keys = se.app.Keys
	for name, r := range map[string]signal.Role{
		"school": signal.RoleReporter, "coordinator": signal.RoleCoordinator,
		"privacy": signal.RolePrivacyOfficer, "admin": signal.RoleAdmin,
	} {
		se.tokens[name] = se.token(r)
		se.ids[name] = se.users[r].ID
	}
	se.addPerson("youthwork", "Jongerenwerk Test", "Samenwerking Test", signal.OrgYouthWork, signal.RoleReporter)
	se.addPerson("elsewhere", "School Elders", "Samenwerking Elders", signal.OrgSchool, signal.RoleReporter)
	se.addPerson("elsewhere-coordinator", "Gemeente Elders", "Samenwerking Elders", signal.OrgMunicipality, signal.RoleCoordinator)
	return se
}

// restart opens the same files again (testEnv.restart) with the key store.
func (se *signalsEnv) restart() {
	se.t.Helper()
	se.restartAfter(nil)
}

// restartAfter is testEnv.restartAfter with the key store.
func (se *signalsEnv) restartAfter(change func()) {
	se.t.Helper()
	se.testEnv.restartAfter(change)
	se.keys = se.app.Keys
}

func (se *signalsEnv) addPerson(name, org, coop string, kind signal.OrgKind, role signal.Role) {
	t := se.t
	ctx := context.Background()
	o, err := se.app.DB.Organisation(ctx, org)
	if err != nil {
		o = signal.Organisation{Name: org, Kind: kind,
			Contact: signal.Person{Name: "Aanspreekpunt " + org, Email: "contact@" + strings.ReplaceAll(org, " ", "") + ".nl"},
			Deputy:  signal.Person{Name: "Plaatsvervanger " + org, Email: "deputy@" + strings.ReplaceAll(org, " ", "") + ".nl"}}
		if err := se.accounts.CreateOrganisation(ctx, cliActor, &o, coop); err != nil {
			t.Fatal(err)
		}
	}
	hash, err := auth.HashPassword(testPassword, testParams)
	if err != nil {
		t.Fatal(err)
	}
	u := signal.User{Email: name + "@example.nl", Name: name, OrgID: o.ID, Role: role}
	if err := se.accounts.SeedUser(ctx, cliActor, &u, hash); err != nil {
		t.Fatal(err)
	}
	res := se.login(u.Email, testPassword)
	var lr loginResponse
	if res.status != 200 || json.Unmarshal(res.body, &lr) != nil {
		t.Fatalf("login %s: %d %s", name, res.status, res.body)
	}
	se.tokens[name], se.ids[name] = lr.Token, u.ID
}

// answers for each outcome the tests need, for a 15-year-old (the young
// person and the parents must consent) and the default recipient.
var answersFor = map[signal.Outcome]string{
	signal.OutcomeShareFull: `{"purpose": "coordinate_support",
		"consent": {"youth": "given", "parents": "given", "recorded": true},
		"risk": {"acute_danger": false, "harm": "none", "asking_endangers": false},
		"abuse": {"suspected": false}, "legal_duty": false}`,
	signal.OutcomeShareMinimal: `{"purpose": "coordinate_support",
		"consent": {"youth": "refused", "parents": "refused", "recorded": true},
		"risk": {"acute_danger": false, "harm": "likely", "asking_endangers": false},
		"duty_conflict": {"no_other_way": true, "prevents_harm": true, "expert_consulted": true},
		"abuse": {"suspected": false}, "legal_duty": false}`,
	signal.OutcomeDoNotShare: `{"purpose": "coordinate_support",
		"consent": {"youth": "refused", "parents": "refused", "recorded": true},
		"risk": {"acute_danger": false, "harm": "none", "asking_endangers": false},
		"abuse": {"suspected": false}, "legal_duty": false}`,
	signal.OutcomeAskConsent: `{"purpose": "coordinate_support",
		"consent": {"youth": "not_asked", "parents": "not_asked", "recorded": false},
		"risk": {"acute_danger": false, "harm": "none", "asking_endangers": false},
		"abuse": {"suspected": false}, "legal_duty": false}`,
	signal.OutcomeIncomplete: `{"purpose": "coordinate_support"}`,
}

// signalBody is a submission whose reporter confirmed the same facts (and
// opinions) for the levels below full, as the form asks (issue 14).
func signalBody(name, facts, opinions string, outcome signal.Outcome) string {
	observed := signal.Today(time.Now()).String()
	return fmt.Sprintf(`{"youth": {"name": %q, "birth_date": "2011-04-30"}, "category": "wellbeing",
		"facts": %q, "opinions": %q, "observed_on": %q, "answers": %s,
		"versions": {"minimal": {"facts": %[2]q}, "anonymous": {"facts": %[2]q, "opinions": %[3]q}}}`, name, facts, opinions, observed, answersFor[outcome])
}

type submitted struct {
	ID       string          `json:"id"`
	Decision signal.Decision `json:"decision"`
}

func (se *signalsEnv) submit(who, body string, headers ...string) (response, submitted) {
	se.t.Helper()
	res := se.do("POST", "/api/v1/signals", se.tokens[who], strings.NewReader(body), headers...)
	var s submitted
	if res.status == http.StatusCreated {
		if err := json.Unmarshal(res.body, &s); err != nil {
			se.t.Fatalf("201 body %s: %v", res.body, err)
		}
	}
	return res, s
}

func (se *signalsEnv) mustSubmit(who, body string, want signal.Outcome) submitted {
	se.t.Helper()
	res, s := se.submit(who, body)
	if res.status != http.StatusCreated {
		se.t.Fatalf("submit as %s: %d %s", who, res.status, res.body)
	}
	if s.Decision.Outcome != want {
		se.t.Fatalf("submit as %s: outcome %s (%+v), want %s", who, s.Decision.Outcome, s.Decision, want)
	}
	return s
}

func (se *signalsEnv) list(who string) []signal.SignalView {
	se.t.Helper()
	res := se.do("GET", "/api/v1/signals", se.tokens[who], nil)
	if res.status != http.StatusOK {
		se.t.Fatalf("list as %s: %d %s", who, res.status, res.body)
	}
	var page signal.SignalPage
	if err := json.Unmarshal(res.body, &page); err != nil {
		se.t.Fatal(err)
	}
	return page.Signals
}

func (se *signalsEnv) get(who, id string) (int, signal.SignalView) {
	se.t.Helper()
	res := se.do("GET", "/api/v1/signals/"+id, se.tokens[who], nil)
	var v signal.SignalView
	if res.status == http.StatusOK {
		if err := json.Unmarshal(res.body, &v); err != nil {
			se.t.Fatal(err)
		}
	}
	return res.status, v
}

func (se *signalsEnv) count(query string, args ...any) int {
	se.t.Helper()
	var n int
	if err := se.app.DB.Read().QueryRow(query, args...).Scan(&n); err != nil {
		se.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func ids(views []signal.SignalView) []string {
	var out []string
	for _, v := range views {
		out = append(out, v.ID)
	}
	return out
}

func byID(views []signal.SignalView, id string) *signal.SignalView {
	for i := range views {
		if views[i].ID == id {
			return &views[i]
		}
	}
	return nil
}

// TestSignalFlowPerRole walks through what each role does and sees: the
// reporters submit signals the policy decides differently, the coordinator
// sees each at the level the decision allows the meeting, the privacy
// officer sees metadata and decisions only, and nobody else sees anything.
func TestSignalFlowPerRole(t *testing.T) {
	se := newSignalsEnv(t)
	full := se.mustSubmit("school", signalBody("Sanne de Vries", "Elke maandag afwezig.", "Lijkt moe.", signal.OutcomeShareFull), signal.OutcomeShareFull)
	minimal := se.mustSubmit("school", signalBody("Daan Bakker", "Komt vaak zonder ontbijt naar school.", "Ik vermoed meer.", signal.OutcomeShareMinimal), signal.OutcomeShareMinimal)
	existence := se.mustSubmit("youthwork", signalBody("sanne  DE-VRIES", "Hangt 's avonds laat rond.", "", signal.OutcomeDoNotShare), signal.OutcomeDoNotShare)
	anonymous := se.mustSubmit("youthwork", signalBody("Mo Yilmaz", "Wordt online bedreigd.", "Maakt zich zorgen.", signal.OutcomeAskConsent), signal.OutcomeAskConsent)
	draft := se.mustSubmit("school", signalBody("Lotte Smit", "Vertelt over ruzie thuis.", "", signal.OutcomeIncomplete), signal.OutcomeIncomplete)
	elsewhere := se.mustSubmit("elsewhere", signalBody("Sanne de Vries", "Elders gezien.", "", signal.OutcomeShareFull), signal.OutcomeShareFull)
	if len(draft.Decision.Missing) == 0 {
		t.Fatal("an incomplete decision lists nothing missing: the reporter cannot complete it")
	}

	t.Run("reporter sees their own signals in full, drafts included", func(t *testing.T) {
		got := ids(se.list("school"))
		want := []string{draft.ID, minimal.ID, full.ID} // newest first
		if !slices.Equal(got, want) {
			t.Fatalf("school reporter lists %v, want %v", got, want)
		}
		status, v := se.get("school", minimal.ID)
		if status != 200 || v.Youth == nil || v.Youth.Name != "Daan Bakker" || v.Facts == "" || v.Opinions == "" || v.Decision == nil {
			t.Fatalf("own signal = %d %+v; want name, facts, opinions and the decision", status, v)
		}
	})
	t.Run("lists page newest first with a cursor", func(t *testing.T) {
		var page signal.SignalPage
		res := se.do("GET", "/api/v1/signals?limit=2", se.tokens["school"], nil)
		if res.status != 200 || json.Unmarshal(res.body, &page) != nil || page.Next == "" {
			t.Fatalf("first page: %d %s", res.status, res.body)
		}
		got := ids(page.Signals)
		res = se.do("GET", "/api/v1/signals?limit=2&before="+page.Next, se.tokens["school"], nil)
		page = signal.SignalPage{}
		if res.status != 200 || json.Unmarshal(res.body, &page) != nil || page.Next != "" {
			t.Fatalf("second page: %d %s; want the last page", res.status, res.body)
		}
		got = append(got, ids(page.Signals)...)
		if want := []string{draft.ID, minimal.ID, full.ID}; !slices.Equal(got, want) {
			t.Fatalf("pages hold %v, want %v", got, want)
		}
	})
	t.Run("another organisation's reporter gets 404, not 403", func(t *testing.T) {
		for _, who := range []string{"youthwork", "elsewhere"} {
			if status, _ := se.get(who, full.ID); status != http.StatusNotFound {
				t.Errorf("%s reading the school's signal: %d, want 404", who, status)
			}
		}
		if status, _ := se.get("school", "doesnotexist"); status != http.StatusNotFound {
			t.Errorf("unknown id: %d, want 404", status)
		}
	})
	t.Run("coordinator sees each decided signal at the meeting's level", func(t *testing.T) {
		views := se.list("coordinator")
		if got, want := ids(views), []string{anonymous.ID, existence.ID, minimal.ID, full.ID}; !slices.Equal(got, want) {
			t.Fatalf("coordinator lists %v, want %v (no draft, no other cooperation)", got, want)
		}
		f := byID(views, full.ID)
		if f.Level != signal.LevelFull || f.Youth.Name != "Sanne de Vries" || f.Facts == "" || f.Opinions == "" || f.Reporter == nil {
			t.Errorf("full = %+v", f)
		}
		m := byID(views, minimal.ID)
		if m.Level != signal.LevelMinimal || m.Youth.Name != "Daan Bakker" || m.Facts == "" || m.Opinions != "" {
			t.Errorf("minimal = %+v; want identity and facts, no opinions", m)
		}
		e := byID(views, existence.ID)
		if e.Level != signal.LevelExistence || e.Youth.Name == "" || e.Facts != "" || e.Category != "" ||
			e.Reporter == nil || e.Reporter.Contact.Email == "" {
			t.Errorf("existence = %+v; want who and whom to contact, nothing of what", e)
		}
		a := byID(views, anonymous.ID)
		if a.Level != signal.LevelAnonymous || a.Youth != nil || a.Facts == "" {
			t.Errorf("anonymous = %+v; want content without identity", a)
		}
		if f.Decision != nil || e.Decision != nil || a.Answers != nil {
			t.Error("the meeting sees decisions or answers, whose reasons can reveal what an existence or anonymous signal is about")
		}
		// Recognition: the same young person reported by the school and by
		// youth work, spelled differently, has one ref.
		if f.Youth.Ref == "" || f.Youth.Ref != e.Youth.Ref || f.Youth.Ref == m.Youth.Ref {
			t.Errorf("refs: full %q, existence %q, minimal %q; want the first two equal, the third different", f.Youth.Ref, e.Youth.Ref, m.Youth.Ref)
		}
		if status, _ := se.get("coordinator", draft.ID); status != http.StatusNotFound {
			t.Errorf("coordinator reading a draft: %d, want 404", status)
		}
		status, v := se.get("coordinator", existence.ID)
		if status != 200 || v.Level != signal.LevelExistence || v.Facts != "" {
			t.Errorf("coordinator GET existence = %d %+v", status, v)
		}
	})
	t.Run("a coordinator of another cooperation sees only theirs", func(t *testing.T) {
		if got := ids(se.list("elsewhere-coordinator")); !slices.Equal(got, []string{elsewhere.ID}) {
			t.Errorf("lists %v, want only %s", got, elsewhere.ID)
		}
		if status, _ := se.get("elsewhere-coordinator", full.ID); status != http.StatusNotFound {
			t.Errorf("GET another cooperation's signal: %d, want 404", status)
		}
	})
	t.Run("privacy officer sees metadata and decisions, never content", func(t *testing.T) {
		views := se.list("privacy")
		if len(views) != 5 {
			t.Fatalf("privacy officer lists %d signals, want the cooperation's 5", len(views))
		}
		for _, v := range views {
			if v.Decision == nil || v.Youth == nil || v.Youth.Ref == "" {
				t.Errorf("%s: no decision or ref", v.ID)
			}
			if v.Youth != nil && (v.Youth.Name != "" || v.Youth.BirthDate != "") || v.Facts != "" || v.Opinions != "" || v.Reporter != nil {
				t.Errorf("%s: the privacy officer sees content: %+v", v.ID, v)
			}
		}
	})
	t.Run("admins and coordinators cannot submit; admins read nothing", func(t *testing.T) {
		for _, who := range []string{"admin", "coordinator", "privacy"} {
			if res, _ := se.submit(who, signalBody("X Y", "f", "", signal.OutcomeShareFull)); res.status != http.StatusForbidden {
				t.Errorf("%s submitting: %d, want 403", who, res.status)
			}
		}
		if res := se.do("GET", "/api/v1/signals", se.tokens["admin"], nil); res.status != http.StatusForbidden {
			t.Errorf("admin listing: %d, want 403", res.status)
		}
	})
	t.Run("the reporter completes a draft and the meeting then sees it", func(t *testing.T) {
		body := `{"answers": ` + answersFor[signal.OutcomeShareFull] + `}`
		if res := se.do("PATCH", "/api/v1/signals/"+draft.ID, se.tokens["youthwork"], strings.NewReader(body)); res.status != http.StatusNotFound {
			t.Fatalf("another reporter completing: %d, want 404", res.status)
		}
		res := se.do("PATCH", "/api/v1/signals/"+draft.ID, se.tokens["school"], strings.NewReader(body))
		var done submitted
		if res.status != 200 || json.Unmarshal(res.body, &done) != nil || done.Decision.Outcome != signal.OutcomeShareFull {
			t.Fatalf("complete: %d %s", res.status, res.body)
		}
		if status, v := se.get("coordinator", draft.ID); status != 200 || v.Level != signal.LevelFull {
			t.Fatalf("coordinator after completion: %d %+v", status, v)
		}
	})
	t.Run("every decision and every read is audited", func(t *testing.T) {
		if n := se.count(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionShareDecide); n != 7 {
			t.Errorf("share.decide entries = %d, want 7 (6 submissions, 1 completion)", n)
		}
		if n := se.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND object = ?`, signal.ActionSignalComplete, "signal/"+draft.ID); n != 1 {
			t.Errorf("signal.complete entries = %d, want 1", n)
		}
		if n := se.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = ? AND json_extract(decision, '$.level') = 'existence'`, signal.ActionSignalRead, se.ids["coordinator"]); n != 1 {
			t.Errorf("the coordinator's read at existence level is audited %d times, want 1", n)
		}
		if n := se.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = ? AND object = ?`, signal.ActionSignalsList, se.ids["coordinator"], "signal/"+anonymous.ID); n < 1 {
			t.Error("the coordinator's list is not audited per signal shown")
		}
		if n := se.count(`SELECT count(*) FROM audit_entries WHERE action = ? AND json_extract(decision, '$.outcome') = 'do_not_share'`, signal.ActionShareDecide); n != 1 {
			t.Errorf("decisions not to share audited: %d, want 1", n)
		}
		if _, err := audit.Verify(context.Background(), se.app.DB.Read(), audit.VerifyOptions{}); err != nil {
			t.Errorf("the audit chain does not verify: %v", err)
		}
	})
}

// TestSignalErrors is the error table: every bad request is refused with a
// JSON body naming each field and problem, and leaves nothing behind.
func TestSignalErrors(t *testing.T) {
	se := newSignalsEnv(t)
	good := signalBody("Sanne de Vries", "Afwezig.", "", signal.OutcomeShareFull)
	replace := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("the good body has no %q", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	for _, tc := range []struct {
		name    string
		who     string
		body    string
		headers []string
		status  int
		field   string // a field the error must name, "" for none
		problem string
	}{
		{"malformed JSON", "school", `{"youth": {`, nil, 400, "body", "malformed JSON"},
		{"not an object", "school", `[]`, nil, 400, "body", "must be an object"},
		{"two JSON values", "school", good + good, nil, 400, "body", "exactly one JSON value"},
		{"unknown field", "school", replace(`"category"`, `"colour": "red", "category"`), nil, 400, "colour", "unknown field"},
		{"wrong type", "school", replace(`"facts": "Afwezig."`, `"facts": 12`), nil, 400, "facts", "must be a string"},
		{"wrong type deep in answers", "school", replace(`"recorded": true`, `"recorded": "yes"`), nil, 400, "answers.consent.recorded", "true or false"},
		{"name missing", "school", replace(`"Sanne de Vries"`, `""`), nil, 400, "youth.name", "is required"},
		{"birth date malformed", "school", replace(`"2011-04-30"`, `"30-04-2011"`), nil, 400, "youth.birth_date", "YYYY-MM-DD"},
		{"birth date in the future", "school", replace(`"2011-04-30"`, `"2099-01-01"`), nil, 400, "youth.birth_date", "future"},
		{"older than 23", "school", replace(`"2011-04-30"`, `"1990-01-01"`), nil, 400, "youth.birth_date", "older than 23"},
		{"unknown category", "school", replace(`"wellbeing"`, `"gossip"`), nil, 400, "category", "unknown value"},
		{"facts empty", "school", replace(`"Afwezig."`, `"  "`), nil, 400, "facts", "is required"},
		{"observed in the future", "school", replace(signal.Today(time.Now()).String(), "2099-01-01"), nil, 400, "observed_on", "future"},
		{"observed long ago", "school", replace(signal.Today(time.Now()).String(), "2020-01-01"), nil, 400, "observed_on", "two years"},
		{"unknown consent answer", "school", replace(`"youth": "given"`, `"youth": "maybe"`), nil, 400, "answers.consent.youth", "unknown value"},
		{"unknown answer key", "school", replace(`"legal_duty": false`, `"legal_duty": false, "mood": "ok"`), nil, 400, "answers.mood", "unknown field"},
		{"answers wrong and another field too", "school", replace(`"recorded": true`, `"recorded": "yes"`), nil, 400, "answers.consent.recorded", "true or false"},
		{"unknown contained field", "school", replace(`"category"`, `"contains": ["gossip"], "category"`), nil, 400, "contains[0]", "unknown value"},
		{"idempotency key with a space", "school", good, []string{"Idempotency-Key", "a b"}, 400, "Idempotency-Key", "visible ASCII"},
		{"oversized body", "school", replace(`"Afwezig."`, `"`+strings.Repeat("x", 70<<10)+`"`), nil, 413, "", ""},
		{"no token", "", good, nil, 401, "", ""},
		{"a forged token", "", good, []string{"Authorization", "Bearer eyJhbGciOiJub25lIn0.e30."}, 401, "", ""},
		{"wrong role", "coordinator", good, nil, 403, "", ""},
		{"wrong content type", "school", good, []string{"Content-Type", "text/plain"}, 400, "Content-Type", "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := se.count(`SELECT count(*) FROM signals`)
			decisions := se.count(`SELECT count(*) FROM audit_entries WHERE action IN (?, ?)`, signal.ActionSignalCreate, signal.ActionShareDecide)
			res := se.do("POST", "/api/v1/signals", se.tokens[tc.who], strings.NewReader(tc.body), tc.headers...)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			body := res.errorBody(t)
			if tc.field != "" {
				found := false
				for _, f := range body.Fields {
					found = found || f.Field == tc.field && strings.Contains(f.Problem, tc.problem)
				}
				if !found {
					t.Fatalf("fields %+v; want %s: …%s…", body.Fields, tc.field, tc.problem)
				}
			}
			if n := se.count(`SELECT count(*) FROM signals`); n != before {
				t.Errorf("signals %d → %d: a refused request stored something", before, n)
			}
			if n := se.count(`SELECT count(*) FROM audit_entries WHERE action IN (?, ?)`, signal.ActionSignalCreate, signal.ActionShareDecide); n != decisions {
				t.Errorf("a refused request was audited as a decision")
			}
		})
	}
	t.Run("every invalid field at once", func(t *testing.T) {
		res := se.do("POST", "/api/v1/signals", se.tokens["school"], strings.NewReader(`{"youth": {"name": "", "birth_date": ""}, "category": "", "facts": "", "observed_on": "", "answers": {"purpose": "fun"}}`))
		var got []string
		for _, f := range res.errorBody(t).Fields {
			got = append(got, f.Field)
		}
		if want := []string{"youth.name", "youth.birth_date", "observed_on", "category", "facts", "answers.purpose"}; res.status != 400 || !slices.Equal(got, want) {
			t.Fatalf("%d, fields %v; want 400 naming %v", res.status, got, want)
		}
	})
	t.Run("list parameters", func(t *testing.T) {
		for _, q := range []string{"limit=abc", "limit=0", "limit=101", "before=x"} {
			if res := se.do("GET", "/api/v1/signals?"+q, se.tokens["school"], nil); res.status != 400 || len(res.errorBody(t).Fields) != 1 {
				t.Errorf("GET ?%s: %d %s; want 400 naming the parameter", q, res.status, res.body)
			}
		}
	})
	t.Run("PATCH with an unknown answer field", func(t *testing.T) {
		s := se.mustSubmit("school", good, signal.OutcomeShareFull)
		res := se.do("PATCH", "/api/v1/signals/"+s.ID, se.tokens["school"], strings.NewReader(`{"answers": {"mood": "ok"}}`))
		if res.status != 400 || res.errorBody(t).Fields[0].Field != "answers.mood" {
			t.Fatalf("%d %s; want 400 naming answers.mood", res.status, res.body)
		}
	})
}

// TestIdempotentRetries: a retried submission (bad connection) stores once
// and answers the first answer; the same key for another signal is refused.
func TestIdempotentRetries(t *testing.T) {
	se := newSignalsEnv(t)
	body := signalBody("Retry Kind", "Feit.", "", signal.OutcomeShareFull)
	first, s1 := se.submit("school", body, "Idempotency-Key", "retry-1")
	if first.status != 201 || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d, replayed %q", first.status, first.header.Get("Idempotent-Replayed"))
	}
	again, s2 := se.submit("school", body, "Idempotency-Key", "retry-1")
	if again.status != 201 || again.header.Get("Idempotent-Replayed") != "true" || s2.ID != s1.ID || !bytes.Equal(again.body, first.body) {
		t.Fatalf("retry: %d %s, replayed %q; want the first answer", again.status, again.body, again.header.Get("Idempotent-Replayed"))
	}
	other, _ := se.submit("school", signalBody("Retry Kind", "Ander feit.", "", signal.OutcomeShareFull), "Idempotency-Key", "retry-1")
	if other.status != http.StatusConflict || other.errorBody(t).Fields[0].Field != "Idempotency-Key" {
		t.Fatalf("same key, other body: %d %s; want 409 naming Idempotency-Key", other.status, other.body)
	}
	// The keys the web pages and app.js make (UUIDv7) are stored by time;
	// a retry finds them all the same.
	v7 := signal.NewIdempotencyKey(time.Now())
	body7 := signalBody("Retry Kind", "Derde feit.", "", signal.OutcomeShareFull)
	first7, s7 := se.submit("school", body7, "Idempotency-Key", v7)
	again7, a7 := se.submit("school", body7, "Idempotency-Key", v7)
	if first7.status != 201 || again7.status != 201 || again7.header.Get("Idempotent-Replayed") != "true" || a7.ID != s7.ID {
		t.Fatalf("UUIDv7 key: %d then %d (replayed %q), ids %q %q; want one signal", first7.status, again7.status, again7.header.Get("Idempotent-Replayed"), s7.ID, a7.ID)
	}

	const n = 12
	var wg sync.WaitGroup
	results := make([]submitted, n)
	statuses := make([]int, n)
	for i := range n {
		wg.Go(func() {
			res := se.do("POST", "/api/v1/signals", se.tokens["school"], strings.NewReader(body), "Idempotency-Key", "parallel-1")
			statuses[i] = res.status
			json.Unmarshal(res.body, &results[i])
		})
	}
	wg.Wait()
	for i := range n {
		if statuses[i] != 201 || results[i].ID != results[0].ID {
			t.Fatalf("parallel retry %d: %d id %q, first id %q", i, statuses[i], results[i].ID, results[0].ID)
		}
	}
	if c := se.count(`SELECT count(*) FROM signals`); c != 3 {
		t.Fatalf("signals stored = %d, want 3 (one per key)", c)
	}
	if c := se.count(`SELECT count(*) FROM audit_entries WHERE action = ?`, signal.ActionSignalCreate); c != 3 {
		t.Fatalf("signal.create entries = %d, want 3", c)
	}
	// The key is not stored as given.
	if c := se.count(`SELECT count(*) FROM signals WHERE idem_key_ref IS NOT NULL`); c != 3 {
		t.Fatalf("signals with a stored key = %d, want 3", c)
	}
	if c := se.count(`SELECT count(*) FROM signals WHERE idem_key_ref LIKE '%parallel%'`); c != 0 {
		t.Fatal("the idempotency key is stored in plain text")
	}
}

// TestMarkerNeverInPlainText writes a unique marker in a name, the facts
// and the opinions, reads it back as every role, and then looks for it in
// the audit table, the logs and every database file.
func TestMarkerNeverInPlainText(t *testing.T) {
	se := newSignalsEnv(t)
	marker := fmt.Sprintf("Qx%dZv", time.Now().UnixNano())
	s := se.mustSubmit("school", signalBody("Marker "+marker+" Jansen", "feit "+marker, "mening "+marker, signal.OutcomeShareFull), signal.OutcomeShareFull)
	se.mustSubmit("school", signalBody("Marker "+marker+" Jansen", "feit "+marker, "", signal.OutcomeIncomplete), signal.OutcomeIncomplete)
	se.submit("school", signalBody("Marker "+marker+" Jansen", "feit "+marker, "", signal.OutcomeShareFull), "Idempotency-Key", "marker-"+marker[:6])
	se.submit("school", `{"youth": {"name": "`+marker+`", "birth_date": "1900-01-01"}, "facts": "`+marker+`"}`) // refused
	for _, who := range []string{"school", "coordinator", "privacy"} {
		se.list(who)
		se.get(who, s.ID)
	}
	if _, v := se.get("school", s.ID); !strings.Contains(v.Youth.Name, marker) || !strings.Contains(v.Opinions, marker) {
		t.Fatal("the reporter cannot read the marker back; the test would prove nothing")
	}

	var hits int
	rows, err := se.app.DB.Read().Query(`SELECT seq FROM audit_entries WHERE instr(actor_user || actor_role || actor_org || action || object || subject || coalesce(decision, '') || origin_request || origin_ip, ?) > 0`, marker)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		hits++
	}
	rows.Close()
	if hits > 0 {
		t.Errorf("the marker is in %d audit entries", hits)
	}
	if strings.Contains(se.logs.String(), marker) {
		t.Error("the marker is in the logs")
	}
	if !strings.Contains(se.logs.String(), "/api/v1/signals") {
		t.Error("the logs hold no signal requests; the log check would prove nothing")
	}
	files := []string{se.app.DB.Path(), se.app.DB.Path() + "-wal"}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s holds the marker in plain text", filepath.Base(f))
		}
	}
}

// TestErasingAYoungPersonsKey: the content becomes unreadable, the signal's
// record and decision stay, and the audit chain still verifies.
func TestErasingAYoungPersonsKey(t *testing.T) {
	se := newSignalsEnv(t)
	s := se.mustSubmit("school", signalBody("Wis Mij", "Te wissen feit.", "", signal.OutcomeShareFull), signal.OutcomeShareFull)
	_, before := se.get("school", s.ID)
	if err := se.keys.Erase(context.Background(), before.Youth.Ref); err != nil {
		t.Fatal(err)
	}
	status, after := se.get("coordinator", s.ID)
	if status != 200 || !after.Erased || after.Facts != "" || after.Youth.Name != "" {
		t.Fatalf("after erasure: %d %+v; want erased, no content", status, after)
	}
	if _, err := audit.Verify(context.Background(), se.app.DB.Read(), audit.VerifyOptions{}); err != nil {
		t.Fatalf("the audit chain no longer verifies after erasure: %v", err)
	}
}
