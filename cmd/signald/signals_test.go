package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// TestServeDemoSignalSurvivesARestartUntilErased: the demo's youth worker
// submits a signal, serve restarts on the same files, and the coordinator
// reads it in full: master.key in keys/ and the data keys in the database
// outlive the process, as the sealed content needs. Then `signald youth
// erase` deletes the young person's key: the signal stays as a record
// without content, and the audit chain still verifies.
func TestServeDemoSignalSurvivesARestartUntilErased(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "signaal.db")
	login := func(url, email string) string {
		res, body := postJSON(t, url+"/api/v1/login", map[string]string{"email": email, "password": "demo"})
		var lr struct{ Token string }
		if res.StatusCode != 200 || json.Unmarshal(body, &lr) != nil {
			t.Fatalf("login %s: %d %s", email, res.StatusCode, body)
		}
		return lr.Token
	}
	call := func(method, url, token string, body []byte) (int, []byte) {
		req, _ := http.NewRequest(method, url, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}

	s := startServe(t, "--demo", "--db", db)
	body, _ := json.Marshal(map[string]any{
		"youth": map[string]string{"name": "Noah Peters", "birth_date": "2010-06-01"}, "category": "substance_use",
		"facts": "Ruikt naar wiet in de jongerenruimte.", "observed_on": signal.Today(time.Now()).String(),
		"answers": map[string]any{"purpose": "coordinate_support", "consent": map[string]any{"youth": "given", "parents": "given", "recorded": true},
			"risk": map[string]any{"acute_danger": false, "harm": "none", "asking_endangers": false}, "abuse": map[string]any{"suspected": false}, "legal_duty": false},
	})
	status, res := call("POST", s.url+"/api/v1/signals", login(s.url, "jongerenwerker@demo.signaal.nl"), body)
	var created signal.Submitted
	if status != 201 || json.Unmarshal(res, &created) != nil || created.Decision.Outcome != signal.OutcomeShareFull {
		t.Fatalf("submit: %d %s", status, res)
	}
	if code, stderr := s.stop(); code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr)
	}
	for _, f := range []string{"master.key"} {
		if fi, err := os.Stat(filepath.Join(filepath.Dir(db), "keys", f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("keys/%s: %v; want a file of mode 0600", f, err)
		}
	}
	// The data keys are rows of the database itself (one backup holds both).
	if _, err := os.Stat(filepath.Join(filepath.Dir(db), "keys", "youth-keys.db")); !os.IsNotExist(err) {
		t.Fatalf("keys/youth-keys.db: %v; want none, the keys live in the database", err)
	}

	s = startServe(t, "--demo", "--db", db)
	status, res = call("GET", s.url+"/api/v1/signals/"+created.ID, login(s.url, "zorgcoordinator@demo.signaal.nl"), nil)
	var v signal.SignalView
	if status != 200 || json.Unmarshal(res, &v) != nil || v.Youth == nil || v.Youth.Name != "Noah Peters" || v.Erased {
		t.Fatalf("coordinator after restart: %d %s", status, res)
	}
	// The privacy officer registers Noah's request for erasure.
	reqBody, _ := json.Marshal(map[string]any{"youth": map[string]string{"name": "Noah Peters", "birth_date": "2010-06-01"},
		"requester": "young_person", "received_on": signal.Today(time.Now()).String()})
	status, res = call("POST", s.url+"/api/v1/privacy/access-requests", login(s.url, "privacy@demo.signaal.nl"), reqBody)
	var req signal.AccessRequest
	if status != 201 || json.Unmarshal(res, &req) != nil || req.Subject != v.Youth.Ref {
		t.Fatalf("register the request: %d %s", status, res)
	}
	if code, stderr := s.stop(); code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr)
	}

	// No erasure outside a registered request: the ref alone is refused
	// with what to do instead, and nothing is erased.
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"--ref", v.Youth.Ref}, 2, "--request"},
		{nil, 2, "registered request"},
		{[]string{"--request", "not-a-request"}, 2, "--request"},
		{[]string{"--request", "req_aaaaaaaaaaaaaaaa"}, 1, "no registered request"},
		{[]string{"--request", req.ID, "--confirm", "s9.v0.c0.l0.a0.d0.m0.n0.t0"}, 1, "changed"},
	} {
		code, _, stderr := runCmd(t, "", append([]string{"youth", "erase", "--db", db}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.says) {
			t.Fatalf("youth erase %v: exit %d (%s), want %d saying %q", tc.args, code, stderr, tc.code, tc.says)
		}
	}
	if n := countRows(t, db, `SELECT count(*) FROM signal_erasures`); n != 0 {
		t.Fatalf("a refused youth erase erased %d signals", n)
	}
	// Inside the request: first what would go, then exactly that.
	code, out, stderr := runCmd(t, "", "youth", "erase", "--db", db, "--request", req.ID)
	fp := regexp.MustCompile(`--confirm (\S+)`).FindStringSubmatch(out)
	if code != 0 || fp == nil || !strings.Contains(out, "1 signals with content") {
		t.Fatalf("youth erase --request: exit %d (%s) %q; want the plan and its fingerprint", code, stderr, out)
	}
	if code, out, stderr := runCmd(t, "", "youth", "erase", "--db", db, "--request", req.ID, "--reason", "objection", "--confirm", fp[1]); code != 0 {
		t.Fatalf("youth erase --confirm: exit %d (%s) %q", code, stderr, out)
	}
	// The same erasure as the privacy officer's console, audited with the
	// same actions, by the operator.
	h, err := sqlite.OpenRead(db)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	for _, action := range []signal.AuditAction{signal.ActionSignalErase, signal.ActionYouthKeyErase} {
		var n int
		h.QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ? AND actor_user = 'cli' AND subject = ?`, string(action), v.Youth.Ref).Scan(&n)
		if n != 1 {
			t.Fatalf("%d %s entries by the operator; want 1", n, action)
		}
	}
	// The demo's database, served as the demo again: its accounts log in
	// without a second factor in demo mode only.
	s = startServe(t, "--demo", "--db", db)
	token := login(s.url, "zorgcoordinator@demo.signaal.nl")
	status, res = call("GET", s.url+"/api/v1/signals/"+created.ID, token, nil)
	v = signal.SignalView{}
	if status != 200 || json.Unmarshal(res, &v) != nil || !v.Erased || v.Facts != "" || v.Youth.Name != "" {
		t.Fatalf("coordinator after erasure: %d %s; want the record without content", status, res)
	}
	if code, _, stderr := runCmd(t, "", "audit", "verify", "--db", db); code != 0 {
		t.Fatalf("audit verify after erasure: exit %d: %s", code, stderr)
	}
}
