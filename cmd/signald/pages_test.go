package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// loopbackJar keeps cookies as a browser does on loopback, a secure
// context: Secure (__Host-) cookies are kept and sent over plain HTTP
// there. Go's cookiejar sends them over https only.
type loopbackJar struct{ http.CookieJar }

func (j loopbackJar) https(u *url.URL) *url.URL {
	v := *u
	v.Scheme = "https"
	return &v
}
func (j loopbackJar) SetCookies(u *url.URL, c []*http.Cookie) { j.CookieJar.SetCookies(j.https(u), c) }
func (j loopbackJar) Cookies(u *url.URL) []*http.Cookie       { return j.CookieJar.Cookies(j.https(u)) }

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// TestServeRecordsASignalThroughThePages walks the real serve's pages as a
// browser without JavaScript does: log in as the demo youth worker, answer
// the policy's first question, see the next one.
func TestServeRecordsASignalThroughThePages(t *testing.T) {
	s := startServe(t, "--demo", "--db", filepath.Join(t.TempDir(), "signaal.db"))
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: loopbackJar{jar}}
	token := ""
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		form.Set("_csrf", token)
		req, _ := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if m := csrfField.FindSubmatch(body); m != nil {
			token = string(m[1])
		}
		return res.StatusCode, string(body)
	}
	res, err := c.Get(s.url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if m := csrfField.FindSubmatch(page); m != nil {
		token = string(m[1])
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
