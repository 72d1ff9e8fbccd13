package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/signaal-nl/signaal/signal/mail/mailtest"
)

// readyzMail is /readyz's status, its mail check and mail detail.
func readyzMail(t *testing.T, url string) (int, string, string, map[string]any) {
	t.Helper()
	res, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		Status string
		Checks map[string]string
		Detail map[string]map[string]any
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, body.Status, body.Checks["mail"], body.Detail["mail"]
}

// serve --smtp-* delivers to the configured server; without it /readyz
// detail says mail stays queued. Either way the service is ready.
func TestServeMailFlags(t *testing.T) {
	t.Setenv("SIGNAAL_KEYS", "")
	srv := mailtest.Start(t)
	s := startServe(t, "--demo", "--db", filepath.Join(t.TempDir(), "signaal.db"), "--retention-every", "0",
		"--smtp-addr", srv.Addr, "--smtp-from", mailtest.From, "--smtp-tls", "none", "--public-url", "https://signaal.example.nl")
	code, status, check, d := readyzMail(t, s.url)
	if code != 200 || status != "ready" || check != "ok" || d["smtp"] != "configured" || d["pending"] != float64(0) {
		t.Fatalf("/readyz with SMTP: %d %s mail=%s %v", code, status, check, d)
	}
	s.stop()

	s = startServe(t, "--demo", "--db", filepath.Join(t.TempDir(), "signaal.db"), "--retention-every", "0")
	defer s.stop()
	code, status, _, d = readyzMail(t, s.url)
	if code != 200 || status != "ready" || d["smtp"] != "not configured: messages stay queued" {
		t.Fatalf("/readyz without SMTP: %d %s %v", code, status, d)
	}
}
