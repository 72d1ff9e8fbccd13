package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// loginFrom logs in through the API from the client address ip (the test
// server trusts loopback as a proxy, so X-Forwarded-For names the client),
// with the device cookie device ("" sends none). It returns the response
// and the device cookie it set.
func (e *testEnv) loginFrom(ip, device, email, password string) (response, string) {
	e.t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, _ := http.NewRequest(http.MethodPost, e.url+"/api/v1/login", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", ip)
	if device != "" {
		req.AddCookie(&http.Cookie{Name: DeviceCookie, Value: device})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var dev string
	if ck := cookieNamed(res.Header, DeviceCookie); ck != nil {
		dev = ck.Value
	}
	return response{status: res.StatusCode, header: res.Header, body: body}, dev
}

func throttledEnv(t *testing.T, clock *fakeClock) *testEnv {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	return newEnv(t, func(d *testDeps) {
		d.Now = clock.now
		d.TrustedProxies = []*net.IPNet{loopback}
		d.AccountThrottle = LoginThrottle{Free: 3, First: time.Minute, Max: time.Hour}
		d.SourceThrottle = LoginThrottle{Free: 6, First: time.Minute, Max: time.Hour}
		d.LoginHold = -1 // answer every wait at once, so the fake clock decides
	})
}

const (
	attackerIP = "192.0.2.66"
	ownerIP    = "198.51.100.7"
)

// TestGuessingElsewhereCannotLockOutTheOwner: failures count per account
// and source together, so wrong passwords from an attacker's address make
// that address wait, never the owner on another address or on a device that
// logged in before; the waits grow with each failure instead of a hard
// refusal; throttled attempts are audited.
func TestGuessingElsewhereCannotLockOutTheOwner(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	e := throttledEnv(t, clock)
	owner := e.users[signal.RoleReporter]

	// The owner's phone logged in yesterday: a known device.
	res, device := e.loginFrom(ownerIP, "", owner.Email, testPassword)
	if res.status != 200 || device == "" {
		t.Fatalf("first login: %d %s, device cookie %q", res.status, res.body, device)
	}
	for i := range 3 {
		if res, _ := e.loginFrom(attackerIP, "", owner.Email, "wrong password"); res.status != 401 {
			t.Fatalf("attacker's failure %d: %d; want 401", i+1, res.status)
		}
	}
	// The attacker's address waits now, even with the right password: it
	// is not checked.
	before := len(e.auditActions())
	res, _ = e.loginFrom(attackerIP, "", owner.Email, testPassword)
	if res.status != 429 || res.header.Get("Retry-After") != "60" || res.errorBody(t).Code != "too_many" {
		t.Fatalf("attacker after 3 failures: %d %s Retry-After %q; want 429 after 60s", res.status, res.body, res.header.Get("Retry-After"))
	}
	if got := e.auditActions()[before:]; len(got) != 1 || got[0] != string(signal.ActionLoginThrottled)+" "+owner.ID+" user/"+owner.ID {
		t.Fatalf("audit of the throttled attempt: %v", got)
	}
	// The owner, on another address, and on the known device from the
	// attacker's own address (the same office network), logs in.
	if res, _ := e.loginFrom(ownerIP, "", owner.Email, testPassword); res.status != 200 {
		t.Fatalf("owner from another address: %d %s; want 200", res.status, res.body)
	}
	if res, _ := e.loginFrom(attackerIP, device, owner.Email, testPassword); res.status != 200 {
		t.Fatalf("owner's known device on the attacker's address: %d %s; want 200", res.status, res.body)
	}
	// A device cookie of one account is no pass for another.
	other := e.users[signal.RoleCoordinator]
	for range 3 {
		e.loginFrom(attackerIP, "", other.Email, "wrong password")
	}
	if res, _ := e.loginFrom(attackerIP, device, other.Email, testPassword); res.status != 429 {
		t.Fatalf("another account with the owner's device cookie: %d; want 429", res.status)
	}
	// Progressive: after the wait one more try, then twice the wait.
	clock.add(time.Minute)
	if res, _ := e.loginFrom(attackerIP, "", owner.Email, "wrong again"); res.status != 401 {
		t.Fatalf("after the wait: %d; want 401", res.status)
	}
	if res, _ := e.loginFrom(attackerIP, "", owner.Email, "wrong again"); res.status != 429 || res.header.Get("Retry-After") != "120" {
		t.Fatalf("next try: %d Retry-After %q; want 429 after 120s", res.status, res.header.Get("Retry-After"))
	}
	clock.add(2 * time.Minute)
	if res, _ := e.loginFrom(attackerIP, "", owner.Email, testPassword); res.status != 200 {
		t.Fatalf("right password after the wait: %d; want 200", res.status)
	}
}

// TestOneSourceGuessingAcrossAccounts: an address that fails on many
// accounts waits too, on every account but a known device's.
func TestOneSourceGuessingAcrossAccounts(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	e := throttledEnv(t, clock)
	_, device := e.loginFrom(attackerIP, "", e.users[signal.RoleAdmin].Email, testPassword)
	for _, email := range []string{"a@school.nl", "b@school.nl", "c@school.nl", "d@school.nl", "e@school.nl", "f@school.nl"} {
		if res, _ := e.loginFrom(attackerIP, "", email, "wrong password"); res.status != 401 {
			t.Fatalf("%s: %d; want 401", email, res.status)
		}
	}
	if res, _ := e.loginFrom(attackerIP, "", e.users[signal.RoleCoordinator].Email, testPassword); res.status != 429 {
		t.Fatalf("after 6 failures from one address: %d; want 429", res.status)
	}
	if res, _ := e.loginFrom(attackerIP, device, e.users[signal.RoleAdmin].Email, testPassword); res.status != 200 {
		t.Fatalf("a known device on that address: %d; want 200", res.status)
	}
	if res, _ := e.loginFrom(ownerIP, "", e.users[signal.RoleCoordinator].Email, testPassword); res.status != 200 {
		t.Fatalf("another address: %d; want 200", res.status)
	}
}

// TestSimultaneousCorrectLoginsAreNotCharged: the throttle charges
// failures only, so 200 correct logins at once, one account from one
// address with the default limits, all succeed.
func TestSimultaneousCorrectLoginsAreNotCharged(t *testing.T) {
	e := newEnv(t, nil)
	email := e.users[signal.RoleReporter].Email
	body, _ := json.Marshal(map[string]string{"email": email, "password": testPassword})
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	start := make(chan struct{})
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := http.Post(e.url+"/api/v1/login", "application/json", bytes.NewReader(body))
			status := 0
			if err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				status = res.StatusCode
			}
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if statuses[200] != 200 {
		t.Fatalf("200 simultaneous correct logins: statuses %v; want all 200", statuses)
	}
	// And a throttled, then correct, login still audits login.ok once each.
	n := 0
	for _, a := range e.auditActions() {
		if strings.HasPrefix(a, string(signal.ActionLoginOK)+" ") {
			n++
		}
	}
	if n < 200 {
		t.Fatalf("%d login.ok entries; want at least 200", n)
	}
}
