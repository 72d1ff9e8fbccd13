package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// BenchmarkCreateSignal measures the write path alone: concurrent
// submissions (a signal row, its idempotency key and two audit entries)
// through the group-commit writer, without HTTP, policy or encryption.
func BenchmarkCreateSignal(b *testing.B) {
	ctx := context.Background()
	db, err := openB(b)
	if err != nil {
		b.Fatal(err)
	}
	store := db.Signals()
	o := &signal.Organisation{Name: "School", Kind: signal.OrgSchool,
		Contact: signal.Person{Name: "C", Email: "c@school.example"}, Deputy: signal.Person{Name: "D", Email: "d@school.example"}}
	if err := db.CreateOrganisation(ctx, o, "Samenwerking", cli); err != nil {
		b.Fatal(err)
	}
	u := &signal.User{Email: "r@school.example", Name: "R", OrgID: o.ID, Role: signal.RoleReporter}
	if err := db.CreateUser(ctx, u, "$argon2id$bench", cli); err != nil {
		b.Fatal(err)
	}
	actor := signal.Actor{UserID: u.ID, OrgID: o.ID, Role: signal.RoleReporter, RequestID: "bench-request", IP: "127.0.0.1"}
	age, yes := 15, true
	purpose := signal.PurposeCoordinateSupport
	input := signal.DecisionInput{Answers: signal.Answers{Purpose: &purpose, LegalDuty: &yes}, Youth: signal.Youth{Age: &age},
		Fields: []signal.Field{signal.FieldIdentity, signal.FieldFacts}}
	decision := signal.Decision{Outcome: signal.OutcomeShareFull, Level: signal.LevelFull, Rule: signal.RuleConsent,
		Fields: input.Fields, Reasons: []signal.Reason{{Code: "consent_given"}}, PolicyVersion: "sha256:bench"}
	sealed := make([]byte, 120)
	var n atomic.Int64
	b.SetParallelism(32)
	start, cpu0 := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := fmt.Sprintf("%012d", n.Add(1))
			sig := &signal.Signal{ID: "sig" + i, Youth: "yp0123456789abcdef0123456789abcdef" + i, OrgID: o.ID, ReporterID: u.ID,
				CooperationID: o.CooperationID, Category: signal.CategoryWellbeing, ObservedOn: signal.Date{Year: 2026, Month: 11, Day: 20},
				Age: 15, Status: signal.StatusDecided, Answers: input.Answers, Decision: decision, MeetingLevel: signal.LevelFull,
				Sealed:    signal.SealedContent{Name: sealed, BirthDate: sealed, Facts: sealed, Opinions: sealed},
				CreatedAt: time.Now(), UpdatedAt: time.Now(), Version: 1}
			idem := &signal.IdempotentResult{KeyRef: "key" + i, Fingerprint: "fp", Response: signal.Submitted{ID: sig.ID, Decision: decision}}
			events := []signal.AuditEvent{
				{Action: signal.ActionSignalCreate, Object: "signal/" + sig.ID, Subject: sig.Youth},
				{Action: signal.ActionShareDecide, Object: "signal/" + sig.ID, Subject: sig.Youth,
					Decision: &signal.AuditedDecision{Decision: decision, Purpose: "coordinate_support", Recipient: "signal_meeting", Input: &input}},
			}
			if _, err := store.CreateSignal(ctx, actor, sig, idem, events); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "signals/s")
	// What a durable commit has to write grows with the bytes per signal.
	var pages, size int64
	db.Read().QueryRow(`PRAGMA page_count`).Scan(&pages)
	db.Read().QueryRow(`PRAGMA page_size`).Scan(&size)
	b.ReportMetric(float64(pages*size)/float64(n.Load()), "db-bytes/signal")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(n.Load()), "cpu-µs/signal")
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
