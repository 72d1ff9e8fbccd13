package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeKeepsMetricsOffTheUsersAddress (issue 18, finding 5): the
// activity counters of /metrics tell who is active when, so a real set-up
// (no --demo) does not answer them on the users' address. With
// --metrics-addr they are on a listener of their own, which serves
// nothing else; with --metrics-token-file the users' address answers them
// only to the bearer of that token.
func TestServeKeepsMetricsOffTheUsersAddress(t *testing.T) {
	get := func(t *testing.T, url, token string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	paths := func(t *testing.T) (db, keys string) {
		dir := t.TempDir()
		keys = filepath.Join(dir, "keys")
		if err := os.Mkdir(keys, 0o700); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(dir, "data", "signaal.db"), keys
	}

	t.Run("own address", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		metricsAddr := ln.Addr().String()
		ln.Close()
		db, keys := paths(t)
		s := startServe(t, "--db", db, "--keys", keys, "--metrics-addr", metricsAddr)
		get(t, s.url+"/healthz", "") // one request to count
		if code, body := get(t, s.url+"/metrics", ""); code != http.StatusNotFound || strings.Contains(body, "signaal_") {
			t.Errorf("/metrics on the users' address: %d %.200s; want 404 and no counters", code, body)
		}
		code, body := get(t, "http://"+metricsAddr+"/metrics", "")
		if code != http.StatusOK || !strings.Contains(body, "signaal_http_requests_total") {
			t.Fatalf("/metrics on --metrics-addr: %d %.200s; want the counters", code, body)
		}
		for _, p := range []string{"/", "/healthz", "/api/v1/openapi.yaml", "/login"} {
			if code, _ := get(t, "http://"+metricsAddr+p, ""); code != http.StatusNotFound {
				t.Errorf("the metrics listener answers %s with %d; want 404 (it serves only /metrics)", p, code)
			}
		}
		if code, stderr := s.stop(); code != 0 {
			t.Fatalf("serve exited %d: %s", code, stderr)
		}
	})

	t.Run("token", func(t *testing.T) {
		db, keys := paths(t)
		const token = "9f2c4e7a1b3d5f60718293a4b5c6d7e8"
		tokenFile := filepath.Join(keys, "metrics.token")
		if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		s := startServe(t, "--db", db, "--keys", keys, "--metrics-token-file", tokenFile)
		for _, tok := range []string{"", "wrong-token-wrong-token-wrong"} {
			if code, body := get(t, s.url+"/metrics", tok); code == http.StatusOK || strings.Contains(body, "signaal_") {
				t.Errorf("/metrics with token %q: %d %.200s; want a refusal", tok, code, body)
			}
		}
		if code, body := get(t, s.url+"/metrics", token); code != http.StatusOK || !strings.Contains(body, "signaal_http_requests_total") {
			t.Errorf("/metrics with the token: %d %.200s; want the counters", code, body)
		}
	})
}

// TestServeWarnsWhenTheKeysAreBesideTheDatabase (issue 18, finding 5):
// without --keys the keys go to keys/ next to the database, where one
// stolen volume or copied directory holds both. The demo's one command
// keeps that default quietly; a real set-up starts, and its log says what
// to change.
func TestServeWarnsWhenTheKeysAreBesideTheDatabase(t *testing.T) {
	const warning = "the keys directory is next to the database"
	for _, c := range []struct {
		name string
		args func(db, keys string) []string
		warn bool
	}{
		{"real set-up without --keys", func(db, keys string) []string { return []string{"--db", db} }, true},
		{"real set-up with --keys elsewhere", func(db, keys string) []string { return []string{"--db", db, "--keys", keys} }, false},
		{"demo", func(db, keys string) []string { return []string{"--demo", "--db", db} }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			keys := filepath.Join(dir, "keys-volume")
			if err := os.Mkdir(keys, 0o700); err != nil {
				t.Fatal(err)
			}
			s := startServe(t, c.args(filepath.Join(dir, "data", "signaal.db"), keys)...)
			code, stderr := s.stop()
			if code != 0 {
				t.Fatalf("serve exited %d: %s", code, stderr)
			}
			if got := strings.Contains(stderr, warning); got != c.warn {
				t.Errorf("the log warns about the keys beside the database: %v, want %v:\n%s", got, c.warn, stderr)
			}
		})
	}
}
