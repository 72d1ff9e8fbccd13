package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
)

// Privacy is the storage of the privacy officer's console: retention and
// erasure, policy governance, the escalation queue, access reports and
// oversight. Writes go through the audit writer with their audit entries;
// reads use the read pool and the audit log's indexed Search.
type Privacy struct {
	db *DB
	r  *sql.DB
}

var _ signal.RetentionStore = (*Privacy)(nil)

// Privacy returns the console's store over db.
func (db *DB) Privacy() *Privacy { return &Privacy{db: db, r: db.read} }

func actorOf(a signal.Actor) audit.Actor {
	return audit.Actor{UserID: a.UserID, Role: string(a.Role), Org: a.OrgID}
}

func originOf(a signal.Actor) audit.Origin {
	return audit.Origin{RequestID: a.RequestID, IP: a.IP}
}

// Record appends audit entries of the console's views by actor, in one unit.
func (p *Privacy) Record(ctx context.Context, actor signal.Actor, events ...signal.AuditEvent) error {
	entries, err := auditEntries(actor, events)
	if err != nil {
		return err
	}
	return p.db.Do(ctx, func(ctx context.Context, tx *Tx) error { return appendAll(ctx, tx, entries) })
}

// RetentionCandidates implements signal.RetentionStore. A signal may be
// expired by age when its young person could be 23 today: born at the
// earliest one day less than age+1 years before the observation, so 23 at
// the earliest on observed_on + (22 - age) years + 1 day.
func (p *Privacy) RetentionCandidates(ctx context.Context, observedBy, today signal.Date) ([]signal.RetentionCandidate, error) {
	rows, err := p.r.QueryContext(ctx, `SELECT id, youth, observed_on, age, birth_date_ct FROM signals
		WHERE length(name_ct) > 0
		  AND (observed_on <= ? OR date(observed_on, '+' || (22 - age) || ' years', '+1 day') <= ?)
		ORDER BY seq`, observedBy.String(), today.String())
	if err != nil {
		return nil, fmt.Errorf("find retention candidates: %w", err)
	}
	defer rows.Close()
	var out []signal.RetentionCandidate
	for rows.Next() {
		var c signal.RetentionCandidate
		var observed string
		if err := rows.Scan(&c.SignalID, &c.Youth, &observed, &c.Age, &c.SealedBirthDate); err != nil {
			return nil, fmt.Errorf("find retention candidates: %w", err)
		}
		if c.ObservedOn, err = signal.ParseDate(observed); err != nil {
			return nil, fmt.Errorf("signal %s: observed_on: %w", c.SignalID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// EraseSignals implements signal.RetentionStore. The ciphertexts are
// overwritten in place; the database runs with secure_delete, so the old
// bytes are zeroed in the file, and the WAL is checkpointed and truncated
// afterwards so no old page image keeps them either.
func (p *Privacy) EraseSignals(ctx context.Context, actor signal.Actor, es []signal.Erasure) ([]string, error) {
	now := p.db.now().UTC()
	policy := "avg-art17"
	if actor.Role == "system" {
		policy = "retention"
	}
	var emptied []string
	err := p.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		emptied = emptied[:0]
		youths := map[string]bool{}
		for _, e := range es {
			res, err := tx.ExecContext(ctx, `UPDATE signals SET name_ct = X'', birth_date_ct = X'', facts_ct = X'', opinions_ct = NULL
				WHERE id = ? AND length(name_ct) > 0`, e.SignalID)
			if err != nil {
				return fmt.Errorf("erase signal %s: %w", e.SignalID, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // erased already
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO signal_erasures (signal_id, erased_at, reason, erased_by) VALUES (?, ?, ?, ?)`,
				e.SignalID, formatTime(now), string(e.Reason), actor.UserID); err != nil {
				return fmt.Errorf("record erasure of %s: %w", e.SignalID, err)
			}
			if _, err := tx.Append(ctx, audit.Entry{
				Actor: actorOf(actor), Action: string(signal.ActionSignalErase), Object: "signal/" + e.SignalID, Subject: e.Youth,
				Decision: &audit.Decision{Outcome: "erase", Level: "none", Rule: string(e.Reason),
					Reasons: []string{string(e.Reason)}, PolicyVersion: policy},
				Origin: originOf(actor),
			}); err != nil {
				return fmt.Errorf("audit erasure of %s: %w", e.SignalID, err)
			}
			youths[e.Youth] = true
		}
		for y := range youths {
			var left int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM signals WHERE youth = ? AND length(name_ct) > 0`, y).Scan(&left); err != nil {
				return fmt.Errorf("count signals left: %w", err)
			}
			if left == 0 {
				emptied = append(emptied, y)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(emptied)
	p.checkpointWAL(ctx)
	return emptied, nil
}

// checkpointWAL copies the WAL into the database and truncates it, so the
// page images from before an erasure do not stay in the -wal file. Readers
// in the middle of a query can keep it from completing; the next erasure
// (or SQLite's own checkpoints) finishes the job, so a failure is logged.
func (p *Privacy) checkpointWAL(ctx context.Context) {
	// Not while the background checkpointer runs: SQLite would answer busy
	// at once rather than wait for it.
	p.db.checkpointing.Lock()
	defer p.db.checkpointing.Unlock()
	var busy, logged, done int
	if err := p.r.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logged, &done); err != nil || busy != 0 {
		p.db.logger.Warn("WAL not truncated after erasure", "err", err, "busy", busy)
	}
}

// RecordKeyErased implements signal.RetentionStore.
func (p *Privacy) RecordKeyErased(ctx context.Context, actor signal.Actor, youth string) error {
	return p.Record(ctx, actor, signal.AuditEvent{Action: signal.ActionYouthKeyErase, Object: "youth-key", Subject: youth})
}

// Cooperation is the store's view of one cooperation's signals, for
// erasure on request by that cooperation's privacy officer.
func (p *Privacy) Cooperation(coop string) CooperationSignals {
	return CooperationSignals{p: p, coop: coop}
}

// CooperationSignals finds the signals of one cooperation.
type CooperationSignals struct {
	p    *Privacy
	coop string
}

var _ signal.SignalsOfYouth = CooperationSignals{}

// SignalIDsOfYouth returns the ids of the cooperation's signals about youth
// whose content is not yet erased.
func (c CooperationSignals) SignalIDsOfYouth(ctx context.Context, youth string) ([]string, error) {
	ids, err := queryIDs(ctx, c.p.r, `SELECT id FROM signals WHERE youth = ? AND cooperation_id = ? AND length(name_ct) > 0 ORDER BY seq`, youth, c.coop)
	if err != nil {
		return nil, fmt.Errorf("find signals of young person: %w", err)
	}
	return ids, nil
}

// Signal returns one of the cooperation's signals; CodeNotFound for
// another cooperation's.
func (c CooperationSignals) Signal(ctx context.Context, id string) (*signal.Signal, error) {
	sig, err := c.p.db.Signals().Signal(ctx, id)
	if err != nil {
		return nil, err
	}
	if sig.CooperationID != c.coop {
		return nil, signal.Errorf(signal.CodeNotFound, "no signal %s", id)
	}
	return sig, nil
}

// CooperationOrgs returns the ids of the organisations of cooperation coop.
func (p *Privacy) CooperationOrgs(ctx context.Context, coop string) ([]string, error) {
	ids, err := queryIDs(ctx, p.r, `SELECT id FROM organisations WHERE cooperation_id = ? ORDER BY id`, coop)
	if err != nil {
		return nil, fmt.Errorf("list organisations of cooperation: %w", err)
	}
	return ids, nil
}

// ---- Policy governance ----

// RecordPolicyLoad records that the policy version with files was loaded
// now, and audits policy.load, in one unit: the console can then say which
// version was in force when, and show its files.
func (p *Privacy) RecordPolicyLoad(ctx context.Context, actor signal.Actor, version string, files []signal.PolicyFile) error {
	b, err := json.Marshal(files)
	if err != nil {
		return fmt.Errorf("encode policy files: %w", err)
	}
	now := formatTime(p.db.now())
	return p.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO policy_versions (version, first_loaded, last_loaded, files) VALUES (?, ?, ?, ?)
			ON CONFLICT (version) DO UPDATE SET last_loaded = excluded.last_loaded`, version, now, now, string(b)); err != nil {
			return fmt.Errorf("record policy version: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO policy_loads (version, loaded_at) VALUES (?, ?)`, version, now); err != nil {
			return fmt.Errorf("record policy load: %w", err)
		}
		_, err := tx.Append(ctx, audit.Entry{Actor: actorOf(actor), Action: string(signal.ActionPolicyLoad), Object: "policy/" + version, Origin: originOf(actor)})
		return err
	})
}

// PolicyVersions lists the versions ever loaded, newest first, without files.
func (p *Privacy) PolicyVersions(ctx context.Context) ([]signal.PolicyVersion, error) {
	rows, err := p.r.QueryContext(ctx, `SELECT version, first_loaded, last_loaded FROM policy_versions ORDER BY first_loaded DESC`)
	if err != nil {
		return nil, fmt.Errorf("list policy versions: %w", err)
	}
	defer rows.Close()
	out := []signal.PolicyVersion{}
	for rows.Next() {
		var v signal.PolicyVersion
		var first, last string
		if err := rows.Scan(&v.Version, &first, &last); err != nil {
			return nil, fmt.Errorf("list policy versions: %w", err)
		}
		v.FirstLoaded, v.LastLoaded = parseTime(first), parseTime(last)
		out = append(out, v)
	}
	return out, rows.Err()
}

// PolicyVersion returns one version with its files; CodeNotFound if it was
// never loaded here.
func (p *Privacy) PolicyVersion(ctx context.Context, version string) (signal.PolicyVersion, error) {
	var v signal.PolicyVersion
	var first, last, files string
	err := p.r.QueryRowContext(ctx, `SELECT version, first_loaded, last_loaded, files FROM policy_versions WHERE version = ?`, version).
		Scan(&v.Version, &first, &last, &files)
	if errors.Is(err, sql.ErrNoRows) {
		return v, signal.Errorf(signal.CodeNotFound, "policy version %s was never loaded here", version)
	}
	if err != nil {
		return v, fmt.Errorf("read policy version: %w", err)
	}
	v.FirstLoaded, v.LastLoaded = parseTime(first), parseTime(last)
	if err := json.Unmarshal([]byte(files), &v.Files); err != nil {
		return v, fmt.Errorf("decode policy files: %w", err)
	}
	return v, nil
}

// PolicyLoads lists every load, newest first (at most limit).
func (p *Privacy) PolicyLoads(ctx context.Context, limit int) ([]signal.PolicyLoad, error) {
	rows, err := p.r.QueryContext(ctx, `SELECT version, loaded_at FROM policy_loads ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("list policy loads: %w", err)
	}
	defer rows.Close()
	out := []signal.PolicyLoad{}
	for rows.Next() {
		var l signal.PolicyLoad
		var at string
		if err := rows.Scan(&l.Version, &at); err != nil {
			return nil, err
		}
		l.LoadedAt = parseTime(at)
		out = append(out, l)
	}
	return out, rows.Err()
}

// PolicyInForce returns the version in force at t: the last one loaded at
// or before t; CodeNotFound before the first load.
func (p *Privacy) PolicyInForce(ctx context.Context, t time.Time) (signal.PolicyLoad, error) {
	var l signal.PolicyLoad
	var at string
	err := p.r.QueryRowContext(ctx, `SELECT version, loaded_at FROM policy_loads WHERE loaded_at <= ? ORDER BY loaded_at DESC, id DESC LIMIT 1`,
		formatTime(t)).Scan(&l.Version, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return l, signal.Errorf(signal.CodeNotFound, "no policy was loaded before %s", t.UTC().Format(time.RFC3339))
	}
	if err != nil {
		return l, fmt.Errorf("find policy in force: %w", err)
	}
	l.LoadedAt = parseTime(at)
	return l, nil
}

// ---- Escalations ----

// scanEscalations adds to the queue every escalating decision appended to
// the audit log since the last scan.
func (p *Privacy) scanEscalations(ctx context.Context) error {
	var last int64
	if err := p.r.QueryRowContext(ctx, `SELECT last_seq FROM escalation_scan WHERE id = 1`).Scan(&last); err != nil {
		return fmt.Errorf("read escalation scan: %w", err)
	}
	size, err := audit.Size(ctx, p.r)
	if err != nil {
		return err
	}
	if size <= last {
		return nil
	}
	var found []signal.Escalation
	for r, err := range audit.Entries(ctx, p.r, audit.Filter{FromSeq: last + 1, ToSeq: size, Action: string(signal.ActionShareDecide)}) {
		if err != nil {
			return err
		}
		d := r.Decision
		if d == nil {
			continue
		}
		why := ""
		switch {
		case d.Outcome == string(signal.OutcomeEscalate):
			why = "escalate"
		case slices.Contains(d.Obligations, string(signal.ObligationNotifyPrivacyOfficer)):
			why = "notify_privacy_officer"
		default:
			continue
		}
		found = append(found, signal.Escalation{Seq: r.Seq, Object: r.Object, Subject: r.Subject, Why: why,
			Outcome: d.Outcome, Rule: d.Rule, Reasons: d.Reasons, Policy: d.PolicyVersion, Org: r.Actor.Org, DecidedAt: r.Time})
	}
	return p.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		for _, e := range found {
			reasons, _ := json.Marshal(e.Reasons)
			if _, err := tx.ExecContext(ctx, `INSERT INTO escalations (seq, object, subject, why, outcome, rule, reasons, policy, org, decided_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING`,
				e.Seq, e.Object, e.Subject, e.Why, e.Outcome, e.Rule, string(reasons), e.Policy, e.Org, formatTime(e.DecidedAt)); err != nil {
				return fmt.Errorf("queue escalation: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE escalation_scan SET last_seq = max(last_seq, ?) WHERE id = 1`, size)
		return err
	})
}

// Escalations returns the queue (brought up to date with the audit log)
// with the given status, or every status when status is "", oldest first.
//
// Only escalations of decisions made in cooperation coop are listed.
func (p *Privacy) Escalations(ctx context.Context, coop string, status signal.EscalationStatus) ([]signal.Escalation, error) {
	if err := p.scanEscalations(ctx); err != nil {
		return nil, fmt.Errorf("update escalation queue: %w", err)
	}
	q := `SELECT seq, object, subject, why, outcome, rule, reasons, policy, org, decided_at, status, updated_at, updated_by FROM escalations
		WHERE org IN (SELECT id FROM organisations WHERE cooperation_id = ?)`
	args := []any{coop}
	if status != "" {
		q += ` AND status = ?`
		args = append(args, string(status))
	}
	rows, err := p.r.QueryContext(ctx, q+` ORDER BY seq LIMIT 1000`, args...)
	if err != nil {
		return nil, fmt.Errorf("list escalations: %w", err)
	}
	defer rows.Close()
	out := []signal.Escalation{}
	for rows.Next() {
		var (
			e                    signal.Escalation
			reasons, decided, st string
			updatedAt, updatedBy sql.NullString
		)
		if err := rows.Scan(&e.Seq, &e.Object, &e.Subject, &e.Why, &e.Outcome, &e.Rule, &reasons, &e.Policy, &e.Org,
			&decided, &st, &updatedAt, &updatedBy); err != nil {
			return nil, fmt.Errorf("list escalations: %w", err)
		}
		json.Unmarshal([]byte(reasons), &e.Reasons)
		e.DecidedAt, e.Status = parseTime(decided), signal.EscalationStatus(st)
		if updatedAt.Valid {
			t := parseTime(updatedAt.String)
			e.UpdatedAt = &t
		}
		e.UpdatedBy = updatedBy.String
		out = append(out, e)
	}
	return out, rows.Err()
}

// UpdateEscalation sets the status of escalation seq and audits the change.
// Errors: CodeInvalid for an unknown status, CodeNotFound for an unknown
// escalation.
func (p *Privacy) UpdateEscalation(ctx context.Context, actor signal.Actor, coop string, seq int64, status signal.EscalationStatus) (signal.Escalation, error) {
	if !status.Valid() {
		return signal.Escalation{}, signal.Invalid(signal.FieldError{Field: "status", Problem: "must be open, in_progress or done"})
	}
	if err := p.scanEscalations(ctx); err != nil {
		return signal.Escalation{}, fmt.Errorf("update escalation queue: %w", err)
	}
	now := p.db.now().UTC()
	err := p.db.Do(ctx, func(ctx context.Context, tx *Tx) error {
		var subject string
		err := tx.QueryRowContext(ctx, `SELECT subject FROM escalations
			WHERE seq = ? AND org IN (SELECT id FROM organisations WHERE cooperation_id = ?)`, seq, coop).Scan(&subject)
		if errors.Is(err, sql.ErrNoRows) {
			return signal.Errorf(signal.CodeNotFound, "no escalation %d", seq)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE escalations SET status = ?, updated_at = ?, updated_by = ? WHERE seq = ?`,
			string(status), formatTime(now), actor.UserID, seq); err != nil {
			return fmt.Errorf("update escalation: %w", err)
		}
		_, err = tx.Append(ctx, audit.Entry{Actor: actorOf(actor), Action: string(signal.ActionEscalationUpdate),
			Object: "escalation/" + strconv.FormatInt(seq, 10) + "/" + string(status), Subject: subject, Origin: originOf(actor)})
		return err
	})
	if err != nil {
		return signal.Escalation{}, err
	}
	all, err := p.Escalations(ctx, coop, "")
	if err != nil {
		return signal.Escalation{}, err
	}
	for _, e := range all {
		if e.Seq == seq {
			return e, nil
		}
	}
	return signal.Escalation{}, signal.Errorf(signal.CodeNotFound, "no escalation %d", seq)
}

// ---- Access requests ----

// AccessReport gathers every signal about subject, its erasure, and every
// audited decision and view of it (AVG art. 15). Content is not filled in
// here; the caller adds it when the report is one with content.
//
// Only the signals of cooperation coop are in it: a privacy officer answers
// for their own cooperation.
func (p *Privacy) AccessReport(ctx context.Context, subject, coop string) (signal.AccessReport, []*signal.Signal, error) {
	rep := signal.AccessReport{Subject: subject, GeneratedAt: p.db.now().UTC(), Signals: []signal.AccessSignal{}}
	rows, err := p.r.QueryContext(ctx, `SELECT `+signalColumns+` FROM signals WHERE youth = ? AND cooperation_id = ? ORDER BY seq`, subject, coop)
	if err != nil {
		return rep, nil, fmt.Errorf("find signals of young person: %w", err)
	}
	var sigs []*signal.Signal
	for rows.Next() {
		s, err := scanSignal(rows)
		if err != nil {
			rows.Close()
			return rep, nil, fmt.Errorf("find signals of young person: %w", err)
		}
		sigs = append(sigs, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, nil, err
	}
	orgs := map[string]*signal.OrgRef{}
	orgRef := func(id string) *signal.OrgRef {
		if id == "" {
			return nil
		}
		if o, ok := orgs[id]; ok {
			return o
		}
		o := &signal.OrgRef{ID: id}
		if org, err := p.db.Organisation(ctx, id); err == nil {
			o.Name = org.Name
		}
		orgs[id] = o
		return o
	}
	index := map[string]int{}
	for _, s := range sigs {
		as := signal.AccessSignal{ID: s.ID, Category: s.Category, ObservedOn: s.ObservedOn, CreatedAt: s.CreatedAt,
			Status: s.Status, Decision: s.Decision, Decisions: []signal.AccessEvent{}, Views: []signal.AccessEvent{}}
		if org, err := p.db.Organisation(ctx, s.OrgID); err == nil {
			as.Reporter = &signal.OrgContact{OrgID: org.ID, Name: org.Name,
				Contact: signal.ContactPerson(org.Contact), Deputy: signal.ContactPerson(org.Deputy)}
		}
		var at, reason, by string
		err := p.r.QueryRowContext(ctx, `SELECT erased_at, reason, erased_by FROM signal_erasures WHERE signal_id = ?`, s.ID).Scan(&at, &reason, &by)
		switch {
		case err == nil:
			as.Erased = &signal.ErasureRecord{At: parseTime(at), Reason: signal.ErasureReason(reason), By: by}
		case !errors.Is(err, sql.ErrNoRows):
			return rep, nil, fmt.Errorf("read erasure: %w", err)
		}
		index["signal/"+s.ID] = len(rep.Signals)
		rep.Signals = append(rep.Signals, as)
	}
	// The audit entries about this young person, oldest first: the subject
	// index serves it, whatever the size of the log.
	for r, err := range audit.Entries(ctx, p.r, audit.Filter{Subject: subject}) {
		if err != nil {
			return rep, nil, err
		}
		action := signal.AuditAction(r.Action)
		ev := signal.AccessEvent{Seq: r.Seq, Time: r.Time, Action: action, UserID: r.Actor.UserID, Role: r.Actor.Role, Org: orgRef(r.Actor.Org)}
		if d := r.Decision; d != nil {
			ev.Recipient, ev.Outcome, ev.Level, ev.Rule = d.Recipient, d.Outcome, d.Level, d.Rule
			ev.Fields, ev.Reasons, ev.Policy = d.Fields, d.Reasons, d.PolicyVersion
		}
		if meeting, ok := strings.CutPrefix(r.Object, "meeting/"); ok && r.Decision != nil &&
			(action == signal.ActionAgendaView || action == signal.ActionAgendaProject) {
			// One entry per young person and decision for a view of the
			// agenda: a view of each signal it lists, with the fields
			// shown of that signal.
			for _, code := range r.Decision.Fields {
				shown, ok := signal.ParseShownSignal(code)
				if i, mine := index["signal/"+shown.ID]; ok && mine {
					view := ev
					view.Meeting, view.Fields = meeting, codes(shown.Fields)
					rep.Signals[i].Views = append(rep.Signals[i].Views, view)
				}
			}
			continue
		}
		i, ok := index[r.Object]
		if !ok {
			continue
		}
		switch {
		case action == signal.ActionShareDecide:
			rep.Signals[i].Decisions = append(rep.Signals[i].Decisions, ev)
		case action == signal.ActionSignalRead, action == signal.ActionSignalsList,
			// Any other disclosure (the meeting's views, say) is audited
			// with the level shown: a view too.
			r.Decision != nil && r.Decision.Level != "" && r.Decision.Level != "none" && action != signal.ActionSignalErase:
			rep.Signals[i].Views = append(rep.Signals[i].Views, ev)
		}
	}
	return rep, sigs, nil
}

// ---- Oversight ----

// Oversight counts, over [since, until), the accounts with more than
// threshold signal views, the refused accesses, and failed logins per
// address.
//
// Readers are those of the organisations orgs (cooperation coop); refusals
// those of its actors and those of anyone trying to read its signals;
// failed logins have no organisation and are all counted.
func (p *Privacy) Oversight(ctx context.Context, coop string, orgs []string, since, until time.Time, threshold int) (signal.Oversight, error) {
	o := signal.Oversight{Since: since.UTC(), Until: until.UTC(), Threshold: threshold,
		HeavyReaders: []signal.ReaderCount{}, Refused: []signal.RefusedAccess{}, FailedLogins: []signal.FailedLogins{}}
	from, to := auditTime(since), auditTime(until)
	if len(orgs) == 0 {
		return o, nil
	}
	args := []any{from, to}
	for _, id := range orgs {
		args = append(args, id)
	}
	args = append(args, threshold)
	rows, err := p.r.QueryContext(ctx, `SELECT actor_user, actor_role, actor_org, count(*), count(DISTINCT subject)
		FROM audit_entries
		WHERE action IN ('signal.read', 'signals.list') AND subject <> '' AND time >= ? AND time < ?
		  AND actor_org IN (?`+strings.Repeat(", ?", len(orgs)-1)+`)
		GROUP BY actor_user HAVING count(*) > ? ORDER BY count(*) DESC LIMIT 100`, args...)
	if err != nil {
		return o, fmt.Errorf("count signal views: %w", err)
	}
	for rows.Next() {
		var r signal.ReaderCount
		if err := rows.Scan(&r.UserID, &r.Role, &r.Org, &r.Views, &r.Distinct); err != nil {
			rows.Close()
			return o, err
		}
		o.HeavyReaders = append(o.HeavyReaders, r)
	}
	rows.Close()
	page, err := audit.Search(ctx, p.r, audit.Query{Action: "access.denied", Since: since, Until: until, Limit: 500})
	if err != nil {
		return o, err
	}
	ours := map[string]bool{}
	for _, id := range orgs {
		ours[id] = true
	}
	for _, r := range page.Records {
		if !ours[r.Actor.Org] {
			id, isSignal := strings.CutPrefix(r.Object, "signal/")
			var sigCoop string
			if !isSignal || p.r.QueryRowContext(ctx, `SELECT cooperation_id FROM signals WHERE id = ?`, id).Scan(&sigCoop) != nil || sigCoop != coop {
				continue
			}
		}
		o.Refused = append(o.Refused, signal.RefusedAccess{Seq: r.Seq, Time: r.Time, UserID: r.Actor.UserID,
			Role: r.Actor.Role, Org: r.Actor.Org, Object: r.Object})
	}
	rows, err = p.r.QueryContext(ctx, `SELECT origin_ip, count(*), max(time) FROM audit_entries
		WHERE action = 'login.fail' AND time >= ? AND time < ?
		GROUP BY origin_ip ORDER BY count(*) DESC LIMIT 100`, from, to)
	if err != nil {
		return o, fmt.Errorf("count failed logins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f signal.FailedLogins
		var last string
		if err := rows.Scan(&f.IP, &f.Count, &last); err != nil {
			return o, err
		}
		f.Last = parseTime(last)
		o.FailedLogins = append(o.FailedLogins, f)
		o.FailedLoginsTotal += f.Count
	}
	return o, rows.Err()
}

// auditTime formats t the way the audit log stores times (fixed nine-digit
// fraction), so text comparison is time order.
func auditTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }
