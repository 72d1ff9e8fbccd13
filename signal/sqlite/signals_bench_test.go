package sqlite_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// BenchmarkCreateSignal measures the write path alone: concurrent
// submissions (a signal row, its idempotency key and two audit entries)
// through the group-commit writer, without HTTP, policy or encryption. The
// rows are shaped as the service writes them: a decision with its reason
// texts in two languages, young people from a pool of 2,000 whose keyed
// pseudonyms land anywhere in the index, time-ordered signal ids and keys.
// Besides throughput it reports what the one writer spends per signal
// (writer-µs/signal, of which commit-µs/signal) and the bytes written to
// the database files per signal (WAL and checkpoints, from /proc/self/io):
// the costs that decide how far group commit goes.
func BenchmarkCreateSignal(b *testing.B) {
	ctx := context.Background()
	db, err := openB(b)
	if err != nil {
		b.Fatal(err)
	}
	store := db.Signals()
	o := &signal.Organisation{Name: "School", Kind: signal.OrgSchool,
		Contact: signal.Person{Name: "C", Email: "c@school.example"}, Deputy: signal.Person{Name: "D", Email: "d@school.example"}}
	if err := accountsOf(b, db).CreateOrganisation(ctx, cli, o, "Samenwerking"); err != nil {
		b.Fatal(err)
	}
	u := &signal.User{Email: "r@school.example", Name: "R", OrgID: o.ID, Role: signal.RoleReporter}
	if err := accountsOf(b, db).SeedUser(ctx, cli, u, "$argon2id$bench"); err != nil {
		b.Fatal(err)
	}
	actor := signal.Actor{UserID: u.ID, OrgID: o.ID, Role: signal.RoleReporter, RequestID: "bench-request", IP: "127.0.0.1"}
	age, yes := 15, true
	purpose := signal.PurposeCoordinateSupport
	input := signal.DecisionInput{Answers: signal.Answers{Purpose: &purpose, LegalDuty: &yes}, Youth: signal.Youth{Age: &age},
		Fields: []signal.Field{signal.FieldIdentity, signal.FieldFacts}}
	decision := signal.Decision{Outcome: signal.OutcomeShareFull, Level: signal.LevelFull, Rule: signal.RuleConsent,
		Fields: input.Fields, Obligations: []signal.Obligation{"inform_youth_parents", "record_justification"},
		Reasons: []signal.Reason{
			{Code: "consent_youth_16_plus", NL: "De jongere is 16 of ouder: alleen de jongere geeft toestemming.", EN: "The young person is 16 or over: the young person alone consents."},
			{Code: "consent_given", NL: "De jongere heeft toestemming gegeven voor het delen met dit doel.", EN: "The young person has consented to sharing for this purpose."},
			{Code: "necessity_met", NL: "Delen is nodig voor het doel en er is geen minder ingrijpende weg.", EN: "Sharing is necessary for the purpose and there is no less intrusive way."},
			{Code: "fields_beyond_level_removed", NL: "Gegevens die op dit niveau niet mogen worden gedeeld, zijn weggelaten.", EN: "Information this level does not allow has been left out."},
		},
		PolicyVersion: "sha256:2e389263d98e76ab771ff91c8dbe7dc3971b72117eaf23cf7b3a1e2a2e87ba98"}
	sealed := make([]byte, 52) // a short name, a date, two observations: AES-GCM adds 28 bytes each
	var n atomic.Int64
	b.SetParallelism(32)
	w0, io0 := db.Writer().Stats(), writtenBytes(b)
	start, cpu0 := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := n.Add(1)
			i := fmt.Sprintf("%012d", k)
			now := time.Now()
			// A keyed pseudonym (hex of an HMAC) is random in the subject
			// index; 2,000 young people, as in the agenda benchmark.
			youth := sha256.Sum256([]byte(strconv.FormatInt(k%2000, 10)))
			sig := &signal.Signal{ID: now.Format("20060102150405.000000000") + i, Youth: hex.EncodeToString(youth[:]), OrgID: o.ID, ReporterID: u.ID,
				CooperationID: o.CooperationID, Category: signal.CategoryWellbeing, ObservedOn: signal.Date{Year: 2026, Month: 11, Day: 20},
				Age: 15, Status: signal.StatusDecided, Answers: input.Answers, Decision: decision, MeetingLevel: signal.LevelFull,
				Sealed:    signal.SealedContent{Name: sealed, BirthDate: sealed, Facts: sealed, Opinions: sealed},
				CreatedAt: time.Now(), UpdatedAt: time.Now(), Version: 1}
			idem := &signal.IdempotentResult{KeyRef: now.Format("20060102150405.000000000") + i, Fingerprint: "fp", Response: signal.Submitted{ID: sig.ID, Decision: decision}}
			events := []signal.AuditEvent{
				{Action: signal.ActionSignalCreate, Object: "signal/" + sig.ID, Subject: sig.Youth},
				{Action: signal.ActionShareDecide, Object: "signal/" + sig.ID, Subject: sig.Youth,
					Decision: &signal.AuditedDecision{Decision: decision, Purpose: "coordinate_support", Recipient: "signal_meeting", InputDigest: "hmac:0123456789abcdef0123456789abcdef"}},
			}
			if _, err := store.CreateSignal(ctx, actor, sig, idem, events); err != nil {
				b.Error(err)
				return
			}
		}
	})
	signals := float64(n.Load())
	b.ReportMetric(signals/time.Since(start).Seconds(), "signals/s")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/signals, "cpu-µs/signal")
	w := db.Writer().Stats()
	b.ReportMetric(float64(w.Units-w0.Units)/float64(max(1, w.Batches-w0.Batches)), "units/commit")
	b.ReportMetric(float64((w.Busy-w0.Busy).Microseconds())/signals, "writer-µs/signal")
	b.ReportMetric(float64((w.Committing-w0.Committing).Microseconds())/signals, "commit-µs/signal")
	b.ReportMetric(float64(writtenBytes(b)-io0)/signals, "written-bytes/signal")
	// What a durable commit has to write grows with the bytes per signal.
	var pages, size int64
	db.Read().QueryRow(`PRAGMA page_count`).Scan(&pages)
	db.Read().QueryRow(`PRAGMA page_size`).Scan(&size)
	b.ReportMetric(float64(pages*size)/signals, "db-bytes/signal")
}

// writtenBytes is what this process has written with write system calls so
// far (wchar of /proc/self/io): here, the WAL and the checkpoints.
func writtenBytes(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		b.Skipf("no /proc/self/io: %v", err)
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no wchar in /proc/self/io")
	return 0
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func openB(b *testing.B) (*sqlite.DB, error) {
	db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "signaal.db"), sqlite.Options{})
	if err == nil {
		b.Cleanup(func() { db.Close() })
	}
	return db, err
}
