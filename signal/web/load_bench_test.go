package web

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/app"
	"github.com/signaal-nl/signaal/signal/auth"
)

// serveGCPercent and serveProcsPerCPU are the runtime settings signald
// serve runs with (gcPercent and procsPerCPU in cmd/signald/runtime.go,
// whose comments give what this benchmark measured with them): the
// benchmark runs the server as serve does.
const serveGCPercent, serveProcsPerCPU = 400, 2

// BenchmarkSignalSubmissions is the load benchmark of issue 4 (item 9): a
// real HTTP client (vegeta, open-loop) on loopback drives the real server,
// over a real SQLite file with synchronous=FULL, the real policy and the real
// key store, and reports:
//
//   - submissions/s: durable signal submissions per second at saturation
//     (every 201 means the signal and its audit entries are on disk);
//   - bare-inserts/s: durable single-row SQLite inserts (WAL,
//     synchronous=FULL, one commit per row) measured in the same run, on the
//     same disk, as the baseline;
//   - ratio: submissions/s ÷ bare-inserts/s (target ≥ 1: group commit lets
//     a whole request, audit included, cost less than one bare commit). The
//     disk's speed drifts by a factor of two within minutes on these shared
//     machines, so saturation and baseline alternate in rounds of a second
//     each, and ratio is the median of the rounds' ratios (min-ratio and
//     max-ratio show the spread);
//   - p50-ms@R, p99-ms@R: latency at fixed rates R = 100 and 500 per second
//     (target p99 < 50 ms at 500/s);
//   - and for reading them: cores-busy (CPU this process got during
//     saturation; the machine is shared), cpu-µs/submission (server and
//     load generator together), units/commit (group commit at work),
//     policy-µs/decision (one Rego evaluation, which the memo saves),
//     heap-MB (the heap's size at its largest, server and load generator
//     together, with the GC target signald serve sets; the server also
//     runs with serve's processors per CPU),
//     min-success-% (timeouts on an overloaded machine).
//
// The load generator runs on the same machine (2 cores here), so its own
// CPU counts against the server. Each client logs in once: password hashing
// is not what is measured. Every submission carries its own Idempotency-Key
// (a UUIDv7), as the phone client and the web pages send them, and the young people come from a pool of 2,000,
// so some submissions create a young person's key and most reuse one.
//
// Saturation lasts SIGNAAL_LOAD_SECONDS in all (rounds of a second; default
// 2, so .ci/run's single iteration stays short), as does each fixed-rate
// phase; for figures worth reporting use e.g.
//
//	SIGNAAL_LOAD_SECONDS=10 go test -run '^$' -bench SignalSubmissions -benchtime 1x ./signal/web/
func BenchmarkSignalSubmissions(b *testing.B) {
	phase := 2 * time.Second
	if v := os.Getenv("SIGNAAL_LOAD_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("SIGNAAL_LOAD_SECONDS=%q: want a whole number of seconds", v)
		}
		phase = time.Duration(n) * time.Second
	}
	if os.Getenv("GOGC") == "" { // as signald serve runs the server
		defer debug.SetGCPercent(debug.SetGCPercent(serveGCPercent))
	}
	if os.Getenv("GOMAXPROCS") == "" { // likewise
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(serveProcsPerCPU * runtime.GOMAXPROCS(0)))
	}
	for b.Loop() {
		b.ReportMetric(policyMicros(b), "policy-µs/decision")
		lb := startLoadServer(b)
		bare := newBareInserts(b)
		// Warm up: connections, the policy's first evaluations, the first keys.
		lb.attack(b, vegeta.Rate{Freq: 200, Per: time.Second}, time.Second, 32)

		before := lb.app.DB.Writer().Stats()
		var (
			sat                    vegeta.Metrics
			ratios                 []float64
			cpu, satTime, bareTime time.Duration
			idle                   time.Duration // of the whole machine
			bareRows               int
		)
		stopProfile := profileSaturation(b)
		for round := time.Duration(0); round < phase; round += time.Second {
			n, d := bare.run(b, time.Second/2)
			bareRows, bareTime = bareRows+n, bareTime+d
			cpu0, wall0, idle0 := cpuTime(), time.Now(), idleTime(b)
			var m vegeta.Metrics
			lb.attackInto(b, vegeta.Rate{Freq: 0}, time.Second, saturationClients, &m, &sat)
			m.Close()
			cpu, satTime = cpu+cpuTime()-cpu0, satTime+time.Since(wall0)
			idle += idleTime(b) - idle0
			ratios = append(ratios, m.Throughput/(float64(n)/d.Seconds()))
		}
		stopProfile()
		sat.Close()
		b.ReportMetric(cpu.Seconds()/satTime.Seconds(), "cores-busy")
		// Cores no one used during saturation (idle or waiting for I/O):
		// well above 0, something serial (the writer) held the rest back.
		b.ReportMetric(idle.Seconds()/satTime.Seconds(), "cores-idle")
		b.ReportMetric(float64(cpu.Microseconds())/float64(max(1, sat.Requests)), "cpu-µs/submission")
		after := lb.app.DB.Writer().Stats()
		batches := float64(max(1, after.Batches-before.Batches))
		b.ReportMetric(float64(after.Units-before.Units)/batches, "units/commit")
		// The writer's share of the saturation: near 1, the one writer is
		// what limits throughput; well below, the CPU is.
		b.ReportMetric((after.Busy-before.Busy).Seconds()/satTime.Seconds(), "writer-busy")
		b.ReportMetric(ms(after.Committing-before.Committing)/batches, "commit-ms")
		b.ReportMetric(ms(after.Busy-before.Busy-(after.Committing-before.Committing))/batches, "units-ms/commit")
		var mem runtime.MemStats
		runtime.ReadMemStats(&mem)
		b.ReportMetric(float64(mem.HeapSys)/(1<<20), "heap-MB") // the most the heap has held from the OS
		at100 := lb.attack(b, vegeta.Rate{Freq: 100, Per: time.Second}, phase, 0)
		at500 := lb.attack(b, vegeta.Rate{Freq: 500, Per: time.Second}, phase, 0)

		slices.Sort(ratios)
		b.ReportMetric(float64(sat.Success*float64(sat.Requests))/satTime.Seconds(), "submissions/s")
		b.ReportMetric(float64(bareRows)/bareTime.Seconds(), "bare-inserts/s")
		b.ReportMetric(ratios[len(ratios)/2], "ratio")
		b.ReportMetric(ratios[0], "min-ratio")
		b.ReportMetric(ratios[len(ratios)-1], "max-ratio")
		b.ReportMetric(ms(at100.Latencies.P50), "p50-ms@100")
		b.ReportMetric(ms(at100.Latencies.P99), "p99-ms@100")
		b.ReportMetric(ms(at500.Latencies.P50), "p50-ms@500")
		b.ReportMetric(ms(at500.Latencies.P99), "p99-ms@500")
		b.ReportMetric(ms(sat.Latencies.P99), "p99-ms@saturation")
		for name, m := range map[string]*vegeta.Metrics{"saturation": &sat, "100/s": at100, "500/s": at500} {
			// An answer other than 201 is a fault of the service; a request
			// that timed out on an overloaded machine is only counted.
			for code, n := range m.StatusCodes {
				if code != "201" && code != "0" {
					b.Errorf("%s: %d answers with status %s (errors %v)", name, n, code, m.Errors)
				}
			}
		}
		b.ReportMetric(100*min(sat.Success, at100.Success, at500.Success), "min-success-%")
		var stored int
		if err := lb.app.DB.Read().QueryRow(`SELECT count(*) FROM signals`).Scan(&stored); err != nil {
			b.Fatal(err)
		}
		// Every 201 must be on disk. (More rows than 201s is possible: a
		// request that timed out at the client may still have been stored.)
		if want := int(lb.created.Load()); stored < want {
			b.Errorf("%d signals stored, %d answered 201", stored, want)
		}
	}
}

// saturationClients is how many clients submit at once during saturation,
// each sending its next signal as soon as the last is answered. Such a load
// cannot exceed clients ÷ latency (Little's law), and an answer waits for a
// batch and its fsync (10-15 ms here), so with 64 clients the load
// generator, not the server, set the ceiling near 5,000/s: 128 measured 5%
// more (5,260-5,404/s against 4,975-5,142/s, alternating, 01:40). Many
// phones submitting at once is what a busy service sees anyway.
const saturationClients = 128

// profileSaturation writes a CPU profile of the saturation rounds to the
// file named by SIGNAAL_LOAD_PROFILE, if set: what to optimise next. The
// baseline's rounds are in it too; leave them out with
// go tool pprof -ignore bareInserts.
func profileSaturation(b *testing.B) (stop func()) {
	path := os.Getenv("SIGNAAL_LOAD_PROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// idleTime is the time the machine's CPUs have been idle or waiting for
// I/O, from /proc/stat.
func idleTime(b *testing.B) time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		b.Skipf("no /proc/stat: %v", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait …, in clock ticks
	if len(f) < 6 || f[0] != "cpu" {
		b.Fatalf("/proc/stat begins %q", line)
	}
	var ticks int64
	for _, v := range f[4:6] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			b.Fatal(err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ is 100 on Linux
}

// cpuTime is the CPU time this process (server and load generator) used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAnswers are the answer patterns the load cycles through, with the
// ages (16 birth years) giving the policy some 60 distinct inputs.
var loadAnswers = []string{
	answersFor[signal.OutcomeShareFull], answersFor[signal.OutcomeShareMinimal],
	answersFor[signal.OutcomeDoNotShare], answersFor[signal.OutcomeAskConsent],
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// policyMicros is what one evaluation of the real policy costs here, without
// the memo, measured in the same run: the submissions' largest CPU cost when
// the memo misses.
func policyMicros(b *testing.B) float64 {
	b.Helper()
	engine, err := loadPolicy()
	if err != nil {
		b.Fatal(err)
	}
	var in signal.DecisionInput
	if err := json.Unmarshal([]byte(`{"purpose": "coordinate_support", "recipient": {"role": "signal_meeting", "directly_involved": true, "in_agreement": true},
		"youth": {"age": 15}, "consent": {"youth": "given", "parents": "given", "recorded": true},
		"risk": {"acute_danger": false, "harm": "none", "asking_endangers": false}, "abuse": {"suspected": false},
		"legal_duty": false, "fields": ["identity", "facts", "opinions"], "facts_opinions_separated": true}`), &in); err != nil {
		b.Fatal(err)
	}
	const n = 200
	start := time.Now()
	for range n {
		if _, err := engine.Decide(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	return float64(time.Since(start).Microseconds()) / n
}

// bareInserts is the baseline: durable single-row inserts, one INSERT per
// transaction, WAL, synchronous=FULL, on a file in the same temporary
// directory the server uses.
type bareInserts struct {
	db   *sql.DB
	body []byte
}

func newBareInserts(b *testing.B) *bareInserts {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bare.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_synchronous=FULL&_journal_mode=WAL&_busy_timeout=10000")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE rows (id INTEGER PRIMARY KEY, body BLOB NOT NULL) STRICT`); err != nil {
		b.Fatal(err)
	}
	return &bareInserts{db: db, body: bytes.Repeat([]byte{'x'}, 600)} // about a sealed signal's size
}

// run inserts for about d and returns the rows inserted and the time taken.
func (bi *bareInserts) run(b *testing.B, d time.Duration) (int, time.Duration) {
	b.Helper()
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		if _, err := bi.db.Exec(`INSERT INTO rows (body) VALUES (?)`, bi.body); err != nil {
			b.Fatal(err)
		}
		n++
	}
	return n, time.Since(start)
}

type loadServer struct {
	url     string
	token   string
	app     *app.App
	seq     atomic.Int64
	created atomic.Int64
	// onResult, if set, sees every result (the retention benchmark notes
	// when the slow ones were sent).
	onResult func(*vegeta.Result)
}

// startLoadServer runs the production wiring (as serve does) on loopback,
// with one reporter logged in.
func startLoadServer(b *testing.B) *loadServer {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	a := openApp(b, dir, app.Options{})
	d := testDeps{Deps: Deps{
		// Request logging stays on, as in production; its output is dropped.
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	srv, err := New(d.withApp(a))
	if err != nil {
		b.Fatal(err)
	}
	accounts := a.Accounts
	hs := httptest.NewServer(srv)
	b.Cleanup(hs.Close)

	org := signal.Organisation{Name: "Load College", Kind: signal.OrgSchool,
		Contact: signal.Person{Name: "C", Email: "contact@load.nl"}, Deputy: signal.Person{Name: "D", Email: "deputy@load.nl"}}
	if err := accounts.CreateOrganisation(ctx, cliActor, &org, "Samenwerking Load"); err != nil {
		b.Fatal(err)
	}
	hash, err := auth.HashPassword(testPassword, testParams)
	if err != nil {
		b.Fatal(err)
	}
	u := signal.User{Email: "reporter@load.nl", Name: "Reporter", OrgID: org.ID, Role: signal.RoleReporter}
	if err := accounts.SeedUser(ctx, cliActor, &u, hash); err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"email": u.Email, "password": testPassword})
	res, err := http.Post(hs.URL+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var lr loginResponse
	if res.StatusCode != 200 || json.NewDecoder(res.Body).Decode(&lr) != nil {
		b.Fatalf("login: %d", res.StatusCode)
	}
	return &loadServer{url: hs.URL, token: lr.Token, app: a}
}

// attack submits signals at rate (Freq 0: as fast as workers allow) for d,
// and returns vegeta's metrics.
func (l *loadServer) attack(b *testing.B, rate vegeta.Rate, d time.Duration, workers uint64) *vegeta.Metrics {
	b.Helper()
	var m vegeta.Metrics
	l.attackInto(b, rate, d, workers, &m)
	m.Close()
	return &m
}

// attackInto is attack adding the results to each of into (not closed).
func (l *loadServer) attackInto(b *testing.B, rate vegeta.Rate, d time.Duration, workers uint64, into ...*vegeta.Metrics) {
	b.Helper()
	observed := signal.Today(time.Now()).String()
	header := http.Header{
		"Authorization": {"Bearer " + l.token},
		"Content-Type":  {"application/json"},
	}
	targeter := func(t *vegeta.Target) error {
		n := l.seq.Add(1)
		t.Method, t.URL = "POST", l.url+"/api/v1/signals"
		t.Header = header.Clone()
		t.Header.Set("Idempotency-Key", signal.NewIdempotencyKey(time.Now())) // as the web pages and app.js make them
		youth := n % 2000
		t.Body = fmt.Appendf(nil, `{"youth": {"name": "Jongere %d", "birth_date": "%d-04-30"}, "category": "wellbeing",
			"facts": "Observatie nummer %d: komt vaak te laat en oogt moe.", "opinions": "Ik maak me zorgen.",
			"observed_on": %q, "answers": %s}`, youth, 2005+youth%16, n, observed, loadAnswers[n%int64(len(loadAnswers))])
		return nil
	}
	opts := []func(*vegeta.Attacker){vegeta.KeepAlive(true), vegeta.Timeout(30 * time.Second)}
	if workers > 0 {
		opts = append(opts, vegeta.Workers(workers), vegeta.MaxWorkers(workers), vegeta.Connections(int(workers)))
	}
	atk := vegeta.NewAttacker(opts...)
	for res := range atk.Attack(targeter, rate, d, "submit") {
		if res.Code == http.StatusCreated {
			l.created.Add(1)
		}
		if l.onResult != nil {
			l.onResult(res)
		}
		for _, m := range into {
			m.Add(res)
		}
	}
}
