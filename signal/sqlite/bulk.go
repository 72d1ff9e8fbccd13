package sqlite

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/signaal-nl/signaal/signal"
)

// SyntheticSignals describes a database's worth of made-up signals for the
// benchmarks: metadata only, with placeholder bytes where the ciphertexts
// go, written straight into the table (no policy, no sealing, no audit), so
// a million take seconds rather than hours through the API.
type SyntheticSignals struct {
	OrgID, ReporterID, CooperationID string
	// Signals is how many signals to write, about YoungPeople young people
	// (each gets Signals / YoungPeople, the last the rest).
	Signals, YoungPeople int
	// ObservedOn returns the observation date of the i-th signal of young
	// person y (0-based).
	ObservedOn func(y, i int) signal.Date
	// Age is every signal's age at observation (default 14).
	Age int
}

// syntheticBatch is how many rows go into one unit of the writer.
const syntheticBatch = 10_000

// WriteSyntheticSignals writes s and returns the young people's pseudonyms
// (random, as keyed pseudonyms are). It holds the writer for a batch of
// rows at a time: for benchmarks and load tests, never for a database in
// use.
func (db *DB) WriteSyntheticSignals(ctx context.Context, s SyntheticSignals) ([]string, error) {
	if s.YoungPeople <= 0 || s.Signals < s.YoungPeople {
		return nil, fmt.Errorf("synthetic signals: want at least one signal per young person, got %d for %d", s.Signals, s.YoungPeople)
	}
	if s.Age == 0 {
		s.Age = 14
	}
	youths := make([]string, s.YoungPeople)
	for i := range youths {
		b := make([]byte, 32)
		rand.Read(b)
		youths[i] = hex.EncodeToString(b)
	}
	per := s.Signals / s.YoungPeople
	now := formatTime(db.now())
	name, birth, facts := make([]byte, 60), make([]byte, 50), make([]byte, 240) // about sealed sizes
	runID := make([]byte, 4)
	rand.Read(runID)
	prefix := "syn" + hex.EncodeToString(runID)
	const (
		head = `INSERT INTO signals (id, youth, org_id, reporter_id, cooperation_id, category, observed_on, age,
		contains, has_opinions, status, answers, decision, meeting_level, name_ct, birth_date_ct, facts_ct, created_at, updated_at, version) VALUES `
		row = `(?, ?, ?, ?, ?, 'wellbeing', ?, ?, '["identity","facts"]', 0, 'decided',
		'{"purpose":"coordinate_support","consent":{"youth":"given","parents":"given","recorded":true}}',
		'{"outcome":"share_full","level":"full","rule":"R7","fields":["identity","facts"],"obligations":["record_justification"],"missing":[],"reasons":[{"code":"consent_valid"}],"policy_version":"sha256:synthetic"}',
		'full', ?, ?, ?, ?, ?, 1)`
		rowsPerStatement = 100
	)
	statement := func(rows int) string { return head + strings.Repeat(row+",", rows-1) + row }
	full := statement(rowsPerStatement)
	n := 0
	for n < s.Signals {
		end := min(n+syntheticBatch, s.Signals)
		err := db.Do(ctx, func(ctx context.Context, tx *Tx) error {
			for k := n; k < end; k += rowsPerStatement {
				rows := min(rowsPerStatement, end-k)
				args := make([]any, 0, rows*12)
				for j := k; j < k+rows; j++ {
					// Signals of one young person are spread over the
					// table, as they are reported over months.
					y, i := j%s.YoungPeople, j/s.YoungPeople
					if i >= per {
						y, i = s.YoungPeople-1, per+j-per*s.YoungPeople
					}
					args = append(args, fmt.Sprintf("%s%09d", prefix, j), youths[y], s.OrgID, s.ReporterID, s.CooperationID,
						s.ObservedOn(y, i).String(), s.Age, name, birth, facts, now, now)
				}
				q := full
				if rows != rowsPerStatement {
					q = statement(rows)
				}
				if _, err := tx.ExecContext(ctx, q, args...); err != nil {
					return fmt.Errorf("synthetic signals %d-%d: %w", k, k+rows, err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		n = end
	}
	return youths, nil
}
