package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// plainVault is a signal.Vault whose "ciphertext" is the plaintext: the
// retention job unseals birth dates through it, so a test can write rows
// straight into the signals table.
type plainVault struct{}

func (plainVault) Pseudonym(name, birth string) string { return name + "|" + birth }
func (plainVault) Fingerprint(b []byte) string         { return string(b) }
func (plainVault) Seal(_ context.Context, _ string, _, pt []byte) ([]byte, error) {
	return pt, nil
}
func (plainVault) Unseal(_ context.Context, _ string, _, ct []byte) ([]byte, error) {
	return ct, nil
}

// rowWriter inserts signal rows directly, as the benchmarks generate their
// databases: no policy, no sealing, one statement per row.
type rowWriter struct {
	db              *sqlite.DB
	org, user, coop string
	createdAt       string
}

func newRowWriter(t testing.TB, db *sqlite.DB) *rowWriter {
	t.Helper()
	u := reporterOf(t, db)
	co, err := db.CooperationOf(context.Background(), u.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	return &rowWriter{db: db, org: u.OrgID, user: u.ID, coop: co.ID, createdAt: time.Now().UTC().Format(time.RFC3339Nano)}
}

const insertSignalRow = `INSERT INTO signals (id, youth, org_id, reporter_id, cooperation_id, category, observed_on, age,
	contains, has_opinions, status, answers, decision, meeting_level, name_ct, birth_date_ct, facts_ct, created_at, updated_at, version)
	VALUES (?, ?, ?, ?, ?, 'wellbeing', ?, ?, '["name","birth_date","facts"]', 0, 'decided',
	'{"purpose":"signal_meeting"}', '{"outcome":"share_full","level":"full","rule":"R7","fields":["name"],"obligations":[],"missing":[],"reasons":[{"code":"consent_valid"}],"policy_version":"sha256:test"}',
	'full', X'6e616d65', ?, X'6661637473', ?, ?, 1)`

// TestRetentionAgeLimitEveryAge: for every age 0-23 at observation, for
// birth dates at the edges of months, years and leap days, observed on
// several days of that year of age, retention (a period long enough that
// only the age limit counts) keeps the signal on the day before the 23rd
// birthday and erases it on the day (a dry run on the real store and its
// real candidate query, which for a 23-year-old used to compute NULL).
func TestRetentionAgeLimitEveryAge(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "s.db"))
	w := newRowWriter(t, db)
	type row struct {
		id           string
		birth, obs   signal.Date
		age          int
		turns23      signal.Date
		wantAgeLimit bool
	}
	var rows []row
	births := []string{"2003-01-01", "2003-12-31", "2004-02-29", "2004-03-01", "2005-02-28", "2006-06-15", "2007-10-31"}
	for _, b := range births {
		birth, err := signal.ParseDate(b)
		if err != nil {
			t.Fatal(err)
		}
		for age := 0; age <= signal.MaxYouthAge; age++ {
			for _, days := range []int{0, 1, 59, 180, 364} {
				obs := signal.DateOf(birth.Time().AddDate(age, 0, days))
				if signal.AgeOn(birth, obs) != age {
					continue // past the next birthday
				}
				r := row{id: fmt.Sprintf("s_%s_%d_%d", b, age, days), birth: birth, obs: obs, age: age,
					turns23: signal.DateOf(birth.Time().AddDate(signal.MaxYouthAge, 0, 0))}
				rows = append(rows, r)
			}
		}
	}
	err := db.Do(ctx, func(ctx context.Context, tx *sqlite.Tx) error {
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx, insertSignalRow, r.id, "youth-"+r.id, w.org, w.user, w.coop,
				r.obs.String(), r.age, []byte(r.birth.String()), w.createdAt, w.createdAt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d signals, ages 0-%d", len(rows), signal.MaxYouthAge)
	var clock time.Time
	ret := signal.NewRetention(db.Privacy(), plainVault{}, signal.RetentionOptions{Period: signal.Period{Years: 40}, Now: func() time.Time { return clock }})
	dryRun := func(on signal.Date) map[string]signal.ErasureReason {
		clock = on.Time().Add(12 * time.Hour)
		runs, err := ret.Run(ctx, signal.RetentionActor, signal.RetentionRequest{Cooperation: w.coop, DryRun: true})
		if err != nil || len(runs) != 1 {
			t.Fatalf("dry run on %s: %v, %v", on, runs, err)
		}
		out := map[string]signal.ErasureReason{}
		for _, e := range runs[0].Expired {
			out[e.SignalID] = e.Reason
		}
		return out
	}
	checked := map[signal.Date]map[string]signal.ErasureReason{}
	expiredOn := func(d signal.Date) map[string]signal.ErasureReason {
		if m, ok := checked[d]; ok {
			return m
		}
		checked[d] = dryRun(d)
		return checked[d]
	}
	for _, r := range rows {
		t.Run(r.id, func(t *testing.T) {
			dayBefore := signal.DateOf(r.turns23.Time().AddDate(0, 0, -1))
			if r.obs.Before(r.turns23) {
				if _, gone := expiredOn(dayBefore)[r.id]; gone {
					t.Fatalf("born %s, observed %s aged %d: erased on %s, the day before the 23rd birthday", r.birth, r.obs, r.age, dayBefore)
				}
			}
			on := r.turns23
			if on.Before(r.obs) {
				on = r.obs // 23 already when observed: gone the same day
			}
			if reason := expiredOn(on)[r.id]; reason != signal.ErasureAgeLimit {
				t.Fatalf("born %s, observed %s aged %d: on %s (23rd birthday %s) reason %q; want age_limit", r.birth, r.obs, r.age, on, r.turns23, reason)
			}
		})
	}
}
