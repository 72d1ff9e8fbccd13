package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

var _ signal.DutyStore = (*SignalStore)(nil)

// AppendDuty implements signal.DutyStore: the record and its audit entry in
// one unit of work, the note only under the young person's live key.
func (s *SignalStore) AppendDuty(ctx context.Context, actor signal.Actor, id string, rec signal.DutyRecord, noteCT []byte, events []signal.AuditEvent) error {
	entries, err := prepareEntries(actor, events)
	if err != nil {
		return err
	}
	parties := make([]string, len(rec.Parties))
	for i, p := range rec.Parties {
		parties[i] = string(p)
	}
	date := func(d signal.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	return s.w.Do(ctx, func(ctx context.Context, tx *Tx) error {
		ctx = quick(ctx)
		var youth string
		var live bool
		if err := tx.QueryRowContext(ctx, `SELECT youth, length(name_ct) > 0 FROM signals WHERE id = ?`, id).Scan(&youth, &live); err != nil {
			return fmt.Errorf("find signal: %w", err)
		}
		if !live {
			return signal.ErrKeyRetired
		}
		if err := checkLiveKeys(ctx, tx, youth, noteCT); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO signal_duties
			(signal_id, duty, state, on_date, until_date, how, parties, note_ct, recorded_by, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, string(rec.Duty), string(rec.State), date(rec.On), date(rec.Until), string(rec.How),
			strings.Join(parties, ","), sealedOrNULL(noteCT), rec.By, rec.At.UTC().Format(timeLayout)); err != nil {
			return fmt.Errorf("insert duty: %w", err)
		}
		return appendPrepared(ctx, tx, entries)
	})
}

// DutyRecords implements signal.DutyStore.
func (s *SignalStore) DutyRecords(ctx context.Context, ids []string) (map[string][]signal.SealedDuty, error) {
	out := map[string][]signal.SealedDuty{}
	for start := 0; start < len(ids); start += 400 {
		chunk := ids[start:min(start+400, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.r.QueryContext(ctx, `SELECT signal_id, duty, state, on_date, until_date, how, parties, note_ct, recorded_by, recorded_at
			FROM signal_duties WHERE signal_id IN (?`+strings.Repeat(",?", len(chunk)-1)+`) ORDER BY seq`, args...)
		if err != nil {
			return nil, fmt.Errorf("read duties: %w", err)
		}
		for rows.Next() {
			var id, duty, state, on, until, how, parties, at string
			var sd signal.SealedDuty
			if err := rows.Scan(&id, &duty, &state, &on, &until, &how, &parties, &sd.NoteCT, &sd.Record.By, &at); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read duties: %w", err)
			}
			r := &sd.Record
			r.Duty, r.State, r.How = signal.Duty(duty), signal.DutyState(state), signal.DutyHow(how)
			if on != "" {
				if r.On, err = signal.ParseDate(on); err != nil {
					rows.Close()
					return nil, fmt.Errorf("duty of %s: on_date: %w", id, err)
				}
			}
			if until != "" {
				if r.Until, err = signal.ParseDate(until); err != nil {
					rows.Close()
					return nil, fmt.Errorf("duty of %s: until_date: %w", id, err)
				}
			}
			if parties != "" {
				for _, p := range strings.Split(parties, ",") {
					r.Parties = append(r.Parties, signal.Party(p))
				}
			}
			if r.At, err = time.Parse(timeLayout, at); err != nil {
				rows.Close()
				return nil, fmt.Errorf("duty of %s: recorded_at: %w", id, err)
			}
			out[id] = append(out[id], sd)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read duties: %w", err)
		}
	}
	return out, nil
}
