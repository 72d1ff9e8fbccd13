package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// The fault table of issue 13: what an operator meets (key material
// missing, empty, corrupt or of another database; a second process; a full
// disk; an erasure racing a report; a backup under load, restored), each
// with what happens to the signals that were acknowledged: nothing
// acknowledged is lost or made unreadable, and nothing erased comes back.

// demoClient talks to a running serve --demo as its accounts.
type demoClient struct {
	t      *testing.T
	url    string
	tokens map[string]string
}

func newDemoClient(t *testing.T, url string) *demoClient {
	c := &demoClient{t: t, url: url, tokens: map[string]string{}}
	for _, who := range []string{"jongerenwerker", "mentor", "zorgcoordinator", "privacy"} {
		res, body := postJSON(t, url+"/api/v1/login", map[string]string{"email": who + "@demo.signaal.nl", "password": "demo"})
		var lr struct{ Token string }
		if res.StatusCode != 200 || json.Unmarshal(body, &lr) != nil {
			t.Fatalf("login %s: %d %s", who, res.StatusCode, body)
		}
		c.tokens[who] = lr.Token
	}
	return c
}

func (c *demoClient) call(method, path, who string, body any) (int, []byte) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.url+path, r)
	req.Header.Set("Authorization", "Bearer "+c.tokens[who])
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// submit reports a signal about name; it returns the id when acknowledged.
func (c *demoClient) submit(name, facts string) (string, int, []byte) {
	status, body := c.call("POST", "/api/v1/signals", "jongerenwerker", map[string]any{
		"youth": map[string]string{"name": name, "birth_date": "2010-06-01"}, "category": "substance_use",
		"facts": facts, "observed_on": signal.Today(time.Now()).String(),
		"answers": map[string]any{"purpose": "coordinate_support", "consent": map[string]any{"youth": "given", "parents": "given", "recorded": true},
			"risk": map[string]any{"acute_danger": false, "harm": "none", "asking_endangers": false}, "abuse": map[string]any{"suspected": false}, "legal_duty": false},
	})
	var s signal.Submitted
	if status != 201 || json.Unmarshal(body, &s) != nil {
		return "", status, body
	}
	return s.ID, status, body
}

// eraseByRequest erases the young person named (born 2010-06-01, as
// submit reports them) the one way there is: the privacy officer registers
// a request, reads its plan and erases exactly that. A plan that changed
// before the erasure (a report came in between: 409) is read again, a few
// times. It returns the last answer.
func (c *demoClient) eraseByRequest(name string) (int, []byte) {
	status, body := c.call("POST", "/api/v1/privacy/access-requests", "privacy", map[string]any{
		"youth": map[string]string{"name": name, "birth_date": "2010-06-01"}, "requester": "young_person",
		"received_on": signal.Today(time.Now()).String()})
	var r signal.AccessRequest
	if status != 201 || json.Unmarshal(body, &r) != nil {
		return status, body
	}
	base := "/api/v1/privacy/access-requests/" + r.ID
	for range 5 {
		status, body = c.call("GET", base+"/erasure-plan", "privacy", nil)
		var plan signal.ErasurePlan
		if status != 200 || json.Unmarshal(body, &plan) != nil {
			return status, body
		}
		status, body = c.call("POST", base+"/erasure", "privacy", map[string]string{"reason": "objection", "fingerprint": plan.Fingerprint})
		if status != http.StatusConflict {
			return status, body
		}
	}
	return status, body
}

// read returns the reporter's view of a signal.
func (c *demoClient) read(id string) (int, signal.SignalView) {
	status, body := c.call("GET", "/api/v1/signals/"+id, "jongerenwerker", nil)
	var v signal.SignalView
	json.Unmarshal(body, &v)
	return status, v
}

func readyz(t *testing.T, url string) (int, map[string]string) {
	res, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct{ Checks map[string]string }
	json.NewDecoder(res.Body).Decode(&body)
	return res.StatusCode, body.Checks
}

// seedSignals starts serve --demo on db, has n signals acknowledged, and
// stops it; it returns their ids and facts.
func seedSignals(t *testing.T, db string, n int) map[string]string {
	s := startServe(t, "--demo", "--db", db, "--retention-every", "0")
	c := newDemoClient(t, s.url)
	acked := map[string]string{}
	for i := range n {
		facts := fmt.Sprintf("Feit nummer %d.", i)
		id, status, body := c.submit(fmt.Sprintf("Jongere %d", i), facts)
		if id == "" {
			t.Fatalf("submit: %d %s", status, body)
		}
		acked[id] = facts
	}
	if code, stderr := s.stop(); code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr)
	}
	return acked
}

// assertReadable starts serve on db and checks every acknowledged signal
// reads in full.
func assertReadable(t *testing.T, db string, acked map[string]string) {
	t.Helper()
	// The demo's database, served as the demo: its accounts log in without
	// a second factor in demo mode only.
	s := startServe(t, "--demo", "--db", db, "--retention-every", "0")
	c := newDemoClient(t, s.url)
	for id, facts := range acked {
		status, v := c.read(id)
		if status != 200 || v.Erased || v.Facts != facts {
			t.Fatalf("acknowledged signal %s: %d %+v; want it readable with its facts", id, status, v)
		}
	}
	if status, checks := readyz(t, s.url); status != 200 {
		t.Fatalf("/readyz %d %v", status, checks)
	}
	s.stop()
}

func TestKeyMaterialFaultTable(t *testing.T) {
	t.Setenv("SIGNAAL_KEYS", "")
	for _, tc := range []struct {
		name    string
		damage  func(t *testing.T, keys string) (repair func())
		refusal string // what serve says when it refuses to start
	}{
		{"master.key missing while data exists", func(t *testing.T, keys string) func() {
			return moveAside(t, filepath.Join(keys, "master.key"))
		}, "master.key is missing while the database holds data"},
		{"keys volume not mounted", func(t *testing.T, keys string) func() {
			return moveAside(t, keys)
		}, "is missing while the database holds data"},
		{"master.key empty", func(t *testing.T, keys string) func() {
			repair := moveAside(t, filepath.Join(keys, "master.key"))
			os.WriteFile(filepath.Join(keys, "master.key"), nil, 0o600)
			return func() { os.Remove(filepath.Join(keys, "master.key")); repair() }
		}, "holds 0 bytes"},
		{"master.key of another database", func(t *testing.T, keys string) func() {
			repair := moveAside(t, filepath.Join(keys, "master.key"))
			os.WriteFile(filepath.Join(keys, "master.key"), bytes.Repeat([]byte{1}, 32), 0o600)
			return func() { os.Remove(filepath.Join(keys, "master.key")); repair() }
		}, "does not belong to this database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "data", "signaal.db")
			keys := filepath.Join(filepath.Dir(db), "keys")
			acked := seedSignals(t, db, 3)
			repair := tc.damage(t, keys)
			code, _, stderr := runCmd(t, "", "serve", "--addr", "127.0.0.1:0", "--db", db, "--retention-every", "0")
			if code != 1 || !strings.Contains(stderr, tc.refusal) {
				t.Fatalf("serve with %s: exit %d, stderr %q; want a refusal saying %q", tc.name, code, stderr, tc.refusal)
			}
			if tc.name != "master.key empty" && tc.name != "master.key of another database" {
				if _, err := os.Stat(filepath.Join(keys, "master.key")); err == nil {
					t.Fatal("serve made a new master key over existing data")
				}
			}
			// Nothing was lost: with the keys back, every acknowledged signal reads.
			repair()
			assertReadable(t, db, acked)
		})
	}

	t.Run("a data key row deleted behind the service's back", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "data", "signaal.db")
		acked := seedSignals(t, db, 2)
		var victim string
		for id := range acked {
			victim = id
			break
		}
		shell(t, db, `DELETE FROM youth_keys WHERE youth = (SELECT youth FROM signals WHERE id = ?)`, victim)
		s := startServe(t, "--demo", "--db", db, "--retention-every", "0") // demo mode: see assertReadable
		status, checks := readyz(t, s.url)
		if status != 503 || checks["keys"] != "failing" {
			t.Fatalf("/readyz with a key missing: %d %v; want 503 naming keys", status, checks)
		}
		c := newDemoClient(t, s.url)
		for id, facts := range acked {
			status, v := c.read(id)
			if v.Erased {
				t.Fatalf("signal %s reads as erased with its key missing: corruption is not erasure", id)
			}
			if id != victim && (status != 200 || v.Facts != facts) {
				t.Fatalf("an unharmed signal %s: %d %+v", id, status, v)
			}
		}
		// The retention job does not take the damage for an erasure either.
		if n := countRows(t, db, `SELECT count(*) FROM signal_erasures`); n != 0 {
			t.Fatalf("%d erasures recorded for a missing key", n)
		}
	})
}

func moveAside(t *testing.T, path string) func() {
	t.Helper()
	if err := os.Rename(path, path+".aside"); err != nil {
		t.Fatal(err)
	}
	return func() {
		os.RemoveAll(path)
		if err := os.Rename(path+".aside", path); err != nil {
			t.Fatal(err)
		}
	}
}

func shell(t *testing.T, db, query string, args ...any) {
	t.Helper()
	h, err := sqlite.OpenWrite(db)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.Exec(query, args...); err != nil {
		t.Fatal(err)
	}
}

func countRows(t *testing.T, db, query string, args ...any) int {
	t.Helper()
	h, err := sqlite.OpenRead(db)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var n int
	if err := h.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestErasureRacingAReportOfTheSameYoungPerson: many rounds of reports of
// one young person while a privacy officer erases that young person. Every
// acknowledged signal is readable, or erased with a recorded erasure; no
// request gets a 500, and the reporter's list always loads.
func TestErasureRacingAReportOfTheSameYoungPerson(t *testing.T) {
	t.Setenv("SIGNAAL_KEYS", "")
	db := filepath.Join(t.TempDir(), "data", "signaal.db")
	s := startServe(t, "--demo", "--db", db, "--retention-every", "0")
	c := newDemoClient(t, s.url)
	rounds := 30
	if testing.Short() {
		rounds = 5
	}
	type ack struct{ id, facts, name string }
	var acked []ack
	var ref, refName string
	for round := range rounds {
		name := fmt.Sprintf("Race Jongere %d", round%3)
		var (
			mu       sync.Mutex
			wg       sync.WaitGroup
			problems []string
		)
		for i := range 4 {
			wg.Go(func() {
				facts := fmt.Sprintf("Ronde %d, melding %d.", round, i)
				id, status, body := c.submit(name, facts)
				mu.Lock()
				defer mu.Unlock()
				if id == "" {
					problems = append(problems, fmt.Sprintf("submit: %d %s", status, body))
					return
				}
				acked = append(acked, ack{id, facts, name})
			})
		}
		if ref != "" {
			wg.Go(func() {
				status, body := c.eraseByRequest(refName)
				if status != 200 {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("erase: %d %s", status, body))
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(problems) > 0 {
			t.Fatalf("round %d: %v", round, problems)
		}
		if ref == "" || round%3 == 0 {
			last := acked[len(acked)-1]
			_, v := c.read(last.id)
			if v.Youth != nil {
				ref, refName = v.Youth.Ref, last.name
			}
		}
		if status, body := c.call("GET", "/api/v1/signals", "jongerenwerker", nil); status != 200 {
			t.Fatalf("round %d: the reporter's list: %d %s", round, status, body)
		}
	}
	erased := 0
	for _, a := range acked {
		status, v := c.read(a.id)
		switch {
		case status != 200:
			t.Fatalf("acknowledged signal %s: %d", a.id, status)
		case v.Erased:
			if countRows(t, db, `SELECT count(*) FROM signal_erasures WHERE signal_id = ?`, a.id) != 1 {
				t.Fatalf("signal %s reads as erased without a recorded erasure", a.id)
			}
			erased++
		case v.Facts != a.facts:
			t.Fatalf("signal %s: facts %q, want %q", a.id, v.Facts, a.facts)
		}
	}
	if status, checks := readyz(t, s.url); status != 200 {
		t.Fatalf("/readyz after the race: %d %v", status, checks)
	}
	t.Logf("%d signals acknowledged in %d rounds, %d erased with a record, the rest readable", len(acked), rounds, erased)
	if erased == 0 {
		t.Fatal("no erasure took effect: the race was not exercised")
	}
}

// TestOneProcessOwnsTheDatabase runs the real binary: a second serve and a
// writing command beside it are refused with what to do; reading commands
// work.
func TestOneProcessOwnsTheDatabase(t *testing.T) {
	t.Setenv("SIGNAAL_KEYS", "")
	bin := buildSignald(t)
	db := filepath.Join(t.TempDir(), "data", "signaal.db")
	first := exec.Command(bin, "serve", "--demo", "--addr", "127.0.0.1:0", "--db", db, "--retention-every", "0")
	var out1 lockedBuffer
	first.Stdout, first.Stderr = &out1, &out1
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Process.Signal(syscall.SIGTERM); first.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out1.String(), "Signaal listens on") {
		if time.Now().After(deadline) {
			t.Fatalf("the first serve did not start: %s", out1.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, 1, "in use by another signald process: signald serve (pid "},
		{[]string{"retention", "run", "--db", db}, 1, "stop it first, or make this change through the running service"},
		{[]string{"audit", "checkpoint", "--db", db}, 1, "stop it first"},
		{[]string{"audit", "verify", "--db", db}, 0, "audit log intact"},
		{[]string{"backup", "--db", db, "--to", filepath.Join(t.TempDir(), "b")}, 0, "backup written to"},
		{[]string{"restore", "--db", db, "--from", filepath.Join(t.TempDir(), "nothing")}, 1, "MANIFEST"},
	} {
		cmd := exec.Command(bin, tc.args...)
		b, _ := cmd.CombinedOutput()
		if cmd.ProcessState.ExitCode() != tc.code || !strings.Contains(string(b), tc.want) {
			t.Errorf("signald %s beside serve: exit %d, output %q; want %d and %q", strings.Join(tc.args, " "), cmd.ProcessState.ExitCode(), b, tc.code, tc.want)
		}
	}
	// Once serve stops, the lock is gone with it (even after a kill).
	first.Process.Kill()
	first.Wait()
	cmd := exec.Command(bin, "audit", "checkpoint", "--db", db)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("checkpoint after serve was killed: %v %s", err, b)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildSignald builds this command once per test run.
func buildSignald(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "signald-bin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "signald")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v: %s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// TestReadyzSaysWhenTheDiskIsFull: /readyz names storage when the file
// system has less free space than the database needs. A real full disk
// needs a small file system of its own (a tmpfs mount), which only root can
// make; the threshold case runs everywhere.
func TestReadyzSaysWhenTheDiskIsFull(t *testing.T) {
	t.Setenv("SIGNAAL_KEYS", "")
	t.Run("below the free-space threshold", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "data", "signaal.db")
		s := startServe(t, "--demo", "--db", db, "--retention-every", "0", "--min-free-mib", "1000000000")
		status, checks := readyz(t, s.url)
		if status != 503 || checks["storage"] != "failing" || checks["database"] != "ok" {
			t.Fatalf("/readyz: %d %v; want 503 naming storage", status, checks)
		}
	})
	// --min-free-mib 0 switches the threshold off (it fell back to the
	// default of 96 MiB): on a 16 MiB file system /readyz says ready with 0
	// and storage failing without the flag.
	t.Run("--min-free-mib 0 switches the threshold off", func(t *testing.T) {
		dir := t.TempDir()
		if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=16m"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("cannot mount a small tmpfs (%v): CI must run this as root", err)
			}
			t.Skipf("cannot mount a small tmpfs here (%v): needs root", err)
		}
		t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
		for _, tc := range []struct {
			flags   []string
			status  int
			storage string
		}{
			{[]string{"--min-free-mib", "0"}, 200, "ok"},
			{nil, 503, "failing"}, // the default, 96 MiB
		} {
			db := filepath.Join(dir, fmt.Sprint(tc.status), "signaal.db")
			s := startServe(t, append([]string{"--demo", "--db", db, "--retention-every", "0"}, tc.flags...)...)
			status, checks := readyz(t, s.url)
			if status != tc.status || checks["storage"] != tc.storage {
				t.Errorf("/readyz with %v on 16 MiB: %d %v; want %d, storage %s", tc.flags, status, checks, tc.status, tc.storage)
			}
			s.stop()
		}
	})
	t.Run("a small file system filled up", func(t *testing.T) {
		dir := t.TempDir()
		if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=8m"); err != nil {
			t.Skipf("cannot mount a small tmpfs here (%v): needs root; the threshold case above covers /readyz", err)
		}
		// Registered first, so it runs after serve has stopped.
		t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
		db := filepath.Join(dir, "data", "signaal.db")
		s := startServe(t, "--demo", "--db", db, "--retention-every", "0", "--min-free-mib", "2")
		c := newDemoClient(t, s.url)
		id, _, _ := c.submit("Vol Schijf", "Voor het vullen.")
		filler, _ := os.Create(filepath.Join(dir, "filler"))
		io.Copy(filler, io.LimitReader(zeros{}, 16<<20)) // until the disk is full
		filler.Close()
		status, checks := readyz(t, s.url)
		if status != 503 || checks["storage"] != "failing" {
			t.Fatalf("/readyz on a full disk: %d %v", status, checks)
		}
		during, st, body := c.submit("Vol Schijf", "Op de volle schijf.")
		if st == 500 || (during == "" && st != 503) {
			t.Logf("a submission on the full disk: %d %s", st, body)
		}
		os.Remove(filepath.Join(dir, "filler"))
		if status, v := c.read(id); id == "" || status != 200 || v.Facts != "Voor het vullen." {
			t.Fatalf("the signal acknowledged before the disk filled: %d %+v", status, v)
		}
		if during != "" { // acknowledged on the full disk (it fit in the WAL): it must be there
			if status, v := c.read(during); status != 200 || v.Facts != "Op de volle schijf." {
				t.Fatalf("the signal acknowledged on the full disk: %d %+v", status, v)
			}
		}
		if status, checks := readyz(t, s.url); status != 200 {
			t.Fatalf("/readyz once space is free again: %d %v", status, checks)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestBackupUnderLoadRestoreVerify: a backup taken while reports come in
// holds every signal acknowledged before it began, readable after a
// restore, with the audit chain verified against the newest checkpoint;
// restore is refused while serve runs.
func TestBackupUnderLoadRestoreVerify(t *testing.T) {
	t.Setenv("SIGNAAL_KEYS", "")
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "signaal.db")
	s := startServe(t, "--demo", "--db", db, "--retention-every", "0")
	c := newDemoClient(t, s.url)
	acked := map[string]string{}
	for i := range 20 {
		facts := fmt.Sprintf("Voor de back-up %d.", i)
		id, status, body := c.submit(fmt.Sprintf("Back-up Jongere %d", i%5), facts)
		if id == "" {
			t.Fatalf("submit: %d %s", status, body)
		}
		acked[id] = facts
	}
	// A signed checkpoint in the database (the console's button).
	if status, body := c.call("POST", "/api/v1/privacy/checkpoints", "privacy", nil); status/100 != 2 {
		t.Logf("checkpoint from the console: %d %s (verifying without)", status, body)
	}
	ctx, stop := context.WithCancel(context.Background())
	var load sync.WaitGroup
	var failed int
	var mu sync.Mutex
	for w := range 4 {
		load.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				if id, status, _ := c.submit(fmt.Sprintf("Last Jongere %d", w), fmt.Sprintf("Tijdens de back-up %d/%d.", w, i)); id == "" {
					mu.Lock()
					failed++
					mu.Unlock()
					t.Errorf("a submission during the backup failed: %d", status)
					return
				}
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	backup := filepath.Join(dir, "backup-1")
	code, out, stderr := runCmd(t, "", "backup", "--db", db, "--to", backup)
	stop()
	load.Wait()
	if code != 0 {
		t.Fatalf("backup under load: exit %d: %s %s", code, out, stderr)
	}
	t.Logf("signald backup: %s", strings.TrimSpace(out))
	if code, _, stderr := runCmd(t, "", "restore", "--db", db, "--from", backup, "--force"); code != 1 || !strings.Contains(stderr, "stop it first") {
		t.Fatalf("restore beside serve: exit %d, %s; want refused", code, stderr)
	}
	s.stop()

	target := filepath.Join(dir, "restored", "signaal.db")
	code, out, stderr = runCmd(t, "", "restore", "--db", target, "--from", backup)
	if code != 0 || !strings.Contains(out, "restored ") {
		t.Fatalf("restore: exit %d: %s %s", code, out, stderr)
	}
	t.Logf("signald restore: %s", strings.TrimSpace(out))
	if code, out, stderr := runCmd(t, "", "audit", "verify", "--db", target); code != 0 {
		t.Fatalf("audit verify of the restored database: %d %s %s", code, out, stderr)
	}
	assertReadable(t, target, acked)
	// A damaged backup is refused before anything is touched.
	f, _ := os.OpenFile(filepath.Join(backup, "signaal.db"), os.O_WRONLY, 0)
	f.WriteAt([]byte("x"), 5000)
	f.Close()
	if code, _, stderr := runCmd(t, "", "restore", "--db", target, "--from", backup, "--force"); code != 1 || !strings.Contains(stderr, "damaged") {
		t.Fatalf("restore of a damaged backup: exit %d, %s", code, stderr)
	}
	assertReadable(t, target, acked)
}
