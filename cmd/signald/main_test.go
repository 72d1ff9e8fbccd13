package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// started is a running `signald serve` in this process.
type started struct {
	url  string
	out  *bytes.Buffer // stdout up to and including the listening line
	stop func() (int, string)
}

// startServe runs the real serve command on a free loopback port and waits
// until it listens.
func startServe(t *testing.T, args ...string) started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), stdio{in: strings.NewReader(""), out: pw, err: &stderr})
		pw.Close()
	}()
	out := &bytes.Buffer{}
	lines := bufio.NewScanner(pr)
	urlc := make(chan string, 1)
	go func() {
		for lines.Scan() {
			line := lines.Text()
			if u, ok := strings.CutPrefix(line, "Signaal listens on "); ok {
				urlc <- strings.Fields(u)[0]
			} else {
				out.WriteString(line + "\n")
			}
		}
		close(urlc)
	}()
	var url string
	select {
	case u, ok := <-urlc:
		if !ok {
			cancel()
			t.Fatalf("serve exited with %d before listening: %s", <-done, stderr.String())
		}
		url = u
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve did not start within 30s")
	}
	var stopped bool
	var code int
	stop := func() (int, string) {
		if !stopped {
			cancel()
			code = <-done
			stopped = true
		}
		return code, stderr.String()
	}
	t.Cleanup(func() { stop() })
	return started{url: url, out: out, stop: stop}
}

func postJSON(t *testing.T, url string, v any) (*http.Response, []byte) {
	t.Helper()
	b, _ := json.Marshal(v)
	res, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

func TestServeDemoLogsInEveryDemoAccount(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "signaal.db")
	for start := 1; start <= 2; start++ { // the second start must not duplicate the demo
		s := startServe(t, "--demo", "--db", db)
		for _, a := range sqlite.DemoAccounts {
			if !strings.Contains(s.out.String(), a.Email) {
				t.Errorf("start %d: the demo account %s is not printed", start, a.Email)
			}
			res, body := postJSON(t, s.url+"/api/v1/login", map[string]string{"email": a.Email, "password": "demo"})
			if res.StatusCode != 200 {
				t.Fatalf("start %d: login as %s: %d %s", start, a.Email, res.StatusCode, body)
			}
			var lr struct{ Token string }
			json.Unmarshal(body, &lr)
			req, _ := http.NewRequest("GET", s.url+"/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+lr.Token)
			me, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var m struct {
				Role         string
				Organisation struct{ Name string }
				Cooperation  struct{ Name string }
			}
			json.NewDecoder(me.Body).Decode(&m)
			me.Body.Close()
			if m.Role != string(a.Role) || m.Organisation.Name != a.Org || m.Cooperation.Name != sqlite.DemoCooperation {
				t.Fatalf("me of %s = %+v; want role %s in %s", a.Email, m, a.Role, a.Org)
			}
		}
		for _, path := range []string{"/healthz", "/readyz", "/metrics", "/api/v1/openapi.yaml"} {
			res, err := http.Get(s.url + path)
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("GET %s: %v %v", path, res.StatusCode, err)
			}
			res.Body.Close()
		}
		if code, stderr := s.stop(); code != 0 {
			t.Fatalf("serve exited %d after SIGINT-like cancel: %s", code, stderr)
		}
	}
	d, err := sqlite.Open(context.Background(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var users, orgs int
	d.Read().QueryRow(`SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM organisations)`).Scan(&users, &orgs)
	if users != len(sqlite.DemoAccounts) || orgs != 3 {
		t.Fatalf("after two demo starts: %d users, %d organisations; want %d and 3", users, orgs, len(sqlite.DemoAccounts))
	}
	var loads int
	d.Read().QueryRow(`SELECT count(*) FROM audit_entries WHERE action = ? AND object LIKE 'policy/sha256:%'`, signal.ActionPolicyLoad).Scan(&loads)
	if loads != 2 {
		t.Fatalf("%s audited %d times in two starts; want 2", signal.ActionPolicyLoad, loads)
	}
	for _, f := range []string{db, filepath.Join(filepath.Dir(db), "keys", "jwt-ed25519.key")} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: %v, mode %v; want owner-only", f, err, fi.Mode().Perm())
		}
	}
}

func TestServeRefusesBadConfiguration(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"demo on all interfaces", []string{"--demo", "--addr", "0.0.0.0:8080"}, nil, "loopback only"},
		{"demo on a public name", []string{"--demo", "--addr", "example.org:8080"}, nil, "loopback only"},
		{"demo from the environment on all interfaces", []string{"--addr", ":8080"}, map[string]string{"SIGNAAL_DEMO": "true"}, "loopback only"},
		{"address without port", []string{"--addr", "127.0.0.1"}, nil, "want host:port"},
		{"port out of range", []string{"--addr", "127.0.0.1:70000"}, nil, "from 0 to 65535"},
		{"bad boolean in the environment", nil, map[string]string{"SIGNAAL_DEMO": "yes please"}, "SIGNAAL_DEMO"},
		{"database is a directory", []string{"--db", dir}, nil, "is a directory"},
		{"policy directory missing", []string{"--policy", filepath.Join(dir, "nope")}, nil, "not a directory"},
		{"bad address from the environment", nil, map[string]string{"SIGNAAL_ADDR": "nonsense"}, "want host:port"},
		{"unknown flag", []string{"--port", "8080"}, nil, "flag provided but not defined"},
		{"log format", []string{"--log", "xml"}, nil, "want text or json"},
		{"free space beyond any disk", []string{"--min-free-mib", "18446744073709551615"}, nil, "--min-free-mib 18446744073709551615: more than any file system holds"},
		{"SMTP server without port", []string{"--smtp-addr", "smtp.example.nl", "--smtp-from", "a@b.nl"}, nil, "--smtp-addr \"smtp.example.nl\": want host:port"},
		{"SMTP without a From address", []string{"--smtp-addr", "smtp.example.nl:587"}, nil, "--smtp-from \"\": not an e-mail address"},
		{"SMTP TLS mode", []string{"--smtp-addr", "smtp.example.nl:587", "--smtp-from", "a@b.nl", "--smtp-tls", "ssl"}, nil, "--smtp-tls \"ssl\": want none, starttls or tls"},
		{"SMTP password without user", []string{"--smtp-addr", "smtp.example.nl:587", "--smtp-from", "a@b.nl", "--smtp-password-file", "/etc/x"}, nil, "--smtp-password-file without --smtp-user"},
		{"SMTP login without server", []string{"--smtp-user", "signaal"}, nil, "need --smtp-addr"},
		{"public URL without scheme", []string{"--public-url", "signaal.example.nl"}, nil, "--public-url \"signaal.example.nl\": want an address such as https://signaal.example.nl"},
		{"trusted proxy not a CIDR", []string{"--trusted-proxy", "10.0.0.1"}, nil, "not a CIDR"},
		{"trusted proxies from the environment", nil, map[string]string{"SIGNAAL_TRUSTED_PROXIES": "10.0.0.0/8,nonsense"}, "SIGNAAL_TRUSTED_PROXIES"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			var out, errb bytes.Buffer
			args := append([]string{"serve", "--db", filepath.Join(dir, "x.db")}, c.args...)
			code := run(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errb})
			if code != 2 || !strings.Contains(errb.String(), c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and a message containing %q", code, errb.String(), c.want)
			}
		})
	}
}

func TestServeDemoRemoteWhenAllowed(t *testing.T) {
	cfg, err := parseServe([]string{"--demo", "--addr", "0.0.0.0:0", "--allow-remote-demo"}, io.Discard)
	if err != nil || !cfg.demo {
		t.Fatalf("--allow-remote-demo: %v", err)
	}
}

func runCmd(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, stdio{in: strings.NewReader(stdin), out: &out, err: &errb})
	return code, out.String(), errb.String()
}

func TestOrgAndUserCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "signaal.db")
	if code, _, errs := runCmd(t, "", "org", "add", "--db", db, "--name", "X"); code != 2 || !strings.Contains(errs, "no database there") {
		t.Fatalf("org add on a missing database: %d %q; want 2 and a hint", code, errs)
	}
	d, err := sqlite.Open(context.Background(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()

	org := []string{"org", "add", "--db", db, "--name", "Het Lyceum", "--kind", "school", "--cooperation", "Samenwerking Noord",
		"--contact-name", "Ank", "--contact-email", "ank@lyceum.nl", "--deputy-name", "Bert", "--deputy-email", "bert@lyceum.nl"}
	cases := []struct {
		name      string
		stdin     string
		args      []string
		code      int
		wantOut   string
		wantError string
	}{
		{"org without contact person", "", []string{"org", "add", "--db", db, "--name", "Y", "--kind", "school", "--cooperation", "S",
			"--deputy-name", "B", "--deputy-email", "b@y.nl"}, 2, "", "--contact-name: required; --contact-email: required"},
		{"org of an unknown kind", "", []string{"org", "add", "--db", db, "--name", "Y", "--kind", "bakery", "--cooperation", "S",
			"--contact-name", "A", "--contact-email", "a@y.nl", "--deputy-name", "B", "--deputy-email", "b@y.nl"}, 2, "", "--kind: must be one of"},
		{"org with the contact person as deputy", "", []string{"org", "add", "--db", db, "--name", "Y", "--kind", "school", "--cooperation", "S",
			"--contact-name", "A", "--contact-email", "a@y.nl", "--deputy-name", "A", "--deputy-email", "a@y.nl"}, 2, "", "--deputy-email: must be another person"},
		{"org", "", org, 0, "Added Het Lyceum (school) to Samenwerking Noord", ""},
		{"org twice", "", org, 1, "", "exists already"},
		{"user with a weak password", "kort\n", []string{"user", "add", "--db", db, "--email", "ank@lyceum.nl", "--name", "Ank", "--org", "Het Lyceum", "--role", "reporter"}, 2, "", "at least 12 characters"},
		{"user with an empty password", "", []string{"user", "add", "--db", db, "--email", "ank@lyceum.nl", "--name", "Ank", "--org", "Het Lyceum", "--role", "reporter"}, 2, "", "password (stdin): required"},
		{"user with an unknown role", "rode fiets op de dijk\n", []string{"user", "add", "--db", db, "--email", "ank@lyceum.nl", "--name", "Ank", "--org", "Het Lyceum", "--role", "boss"}, 2, "", "--role: must be one of"},
		{"user in an unknown organisation", "rode fiets op de dijk\n", []string{"user", "add", "--db", db, "--email", "ank@lyceum.nl", "--name", "Ank", "--org", "Nergens", "--role", "reporter"}, 2, "", "--org: no organisation"},
		{"user", "rode fiets op de dijk\n", []string{"user", "add", "--db", db, "--email", "Ank@Lyceum.nl", "--name", "Ank", "--org", "Het Lyceum", "--role", "reporter"}, 0, "Added ank@lyceum.nl (reporter, Het Lyceum)", ""},
		{"user twice", "rode fiets op de dijk\n", []string{"user", "add", "--db", db, "--email", "ank@lyceum.nl", "--name", "Ank", "--org", "Het Lyceum", "--role", "reporter"}, 1, "", "has an account already"},
		{"disable the contact person", "", []string{"user", "disable", "--db", db, "--email", "ank@lyceum.nl"}, 1, "", "name another contact person first"},
		{"name another contact person", "", []string{"org", "contacts", "--db", db, "--org", "Het Lyceum", "--contact-name", "Cor", "--contact-email", "cor@lyceum.nl",
			"--deputy-name", "Bert", "--deputy-email", "bert@lyceum.nl"}, 0, "Het Lyceum: contact cor@lyceum.nl", ""},
		{"disable the former contact person", "", []string{"user", "disable", "--db", db, "--email", "ank@lyceum.nl"}, 0, "disabled ank@lyceum.nl", ""},
		{"unknown subcommand", "", []string{"user", "delete"}, 2, "", "unknown subcommand"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := runCmd(t, c.stdin, c.args...)
			if code != c.code || !strings.Contains(out, c.wantOut) || !strings.Contains(errs, c.wantError) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, out, errs, c.code, c.wantOut, c.wantError)
			}
		})
	}

	// The account works, and everything was audited by the CLI.
	s := startServe(t, "--db", db)
	if res, body := postJSON(t, s.url+"/api/v1/login", map[string]string{"email": "ank@lyceum.nl", "password": "rode fiets op de dijk"}); res.StatusCode != 401 {
		t.Fatalf("login of the disabled account: %d %s; want 401", res.StatusCode, body)
	}
	s.stop()
	d, err = sqlite.Open(context.Background(), db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rows, _ := d.Read().Query(`SELECT action FROM audit_entries WHERE actor_user = 'cli' ORDER BY seq`)
	var acts []string
	for rows.Next() {
		var a string
		rows.Scan(&a)
		acts = append(acts, a)
	}
	rows.Close()
	if got := strings.Join(acts, " "); got != "cooperation.create org.create user.create org.contacts user.disable" {
		t.Fatalf("audited CLI actions %q", got)
	}
}

func TestServeRefusesBrokenPolicy(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "policy")
	os.Mkdir(pol, 0o755)
	os.WriteFile(filepath.Join(pol, "broken.rego"), []byte("package signaal.decision\n\nthis is not rego\n"), 0o644)
	code, _, errs := runCmd(t, "", "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "s.db"), "--policy", pol)
	if code != 1 || !strings.Contains(errs, "load the policy in "+pol) || !strings.Contains(errs, "broken.rego") {
		t.Fatalf("exit %d, stderr %q; want 1 and the failing file named", code, errs)
	}
}

// TestTuneRuntimeTwiceChangesNothing: serve started twice in one process
// (as the tests do) must not double the processors again each time; it did,
// until the test process ran out of threads.
func TestTuneRuntimeTwiceChangesNothing(t *testing.T) {
	t.Setenv("GOMAXPROCS", "")
	prev := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(prev)
	tuneRuntime()
	first := runtime.GOMAXPROCS(0)
	tuneRuntime()
	tuneRuntime()
	if got := runtime.GOMAXPROCS(0); got != first || first != procsPerCPU*startProcs {
		t.Fatalf("GOMAXPROCS %d after one tuning, %d after three; want %d each time", first, got, procsPerCPU*startProcs)
	}
}
