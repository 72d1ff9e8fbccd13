package main

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	// The demo has a match: its notices reach the server, with links to
	// the public URL, and the queue empties.
	msgs := srv.Wait(t, 2)
	if !strings.Contains(msgs[0].Body, "https://signaal.example.nl/") {
		t.Fatalf("message without the public URL:\n%s", msgs[0].Body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, status, check, d := readyzMail(t, s.url)
		if code == 200 && status == "ready" && check == "ok" && d["smtp"] == "configured" && d["pending"] == float64(0) && d["sent"].(float64) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz with SMTP: %d %s mail=%s %v", code, status, check, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.stop()

	s = startServe(t, "--demo", "--db", filepath.Join(t.TempDir(), "signaal.db"), "--retention-every", "0")
	defer s.stop()
	code, status, _, d := readyzMail(t, s.url)
	if code != 200 || status != "ready" || d["smtp"] != "not configured: messages stay queued" {
		t.Fatalf("/readyz without SMTP: %d %s %v", code, status, d)
	}
}
