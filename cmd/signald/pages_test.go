package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeRecordsASignalThroughThePages walks the real serve's pages as a
// browser without JavaScript does: log in as the demo youth worker, answer
// the policy's first question, see the next one.
func TestServeRecordsASignalThroughThePages(t *testing.T) {
	s := startServe(t, "--demo", "--db", filepath.Join(t.TempDir(), "signaal.db"))
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	status, body := post("/login", url.Values{"email": {"jongerenwerker@demo.signaal.nl"}, "password": {"demo"}, "next": {"/"}})
	if status != 200 || !strings.Contains(body, "Mijn signalen") {
		t.Fatalf("login: %d\n%s", status, body)
	}
	status, body = post("/signalen/nieuw", url.Values{
		"youth.name": {"Kim"}, "youth.birth_date": {"2012-01-05"}, "category": {"wellbeing"},
		"facts": {"Huilde in de pauze."}, "observed_on": {"2025-11-21"}, "answers.risk.acute_danger": {"false"},
	})
	if status != 200 || !strings.Contains(body, `name="asked" value="legal_duty"`) {
		t.Fatalf("the second question: %d\n%s", status, body)
	}
}
