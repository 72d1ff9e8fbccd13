package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/signaal-nl/signaal/audit"
	"github.com/signaal-nl/signaal/signal"
)

// MeetingStore keeps the signal meeting's data: meetings, cases, actions,
// decisions and risks. Every write goes through the audit writer with its
// audit entries in one unit of work; reads use the read pool.
type MeetingStore struct {
	w *DB
	r *sql.DB
}

var (
	_ signal.MeetingStore      = (*MeetingStore)(nil)
	_ signal.CaseStore         = (*MeetingStore)(nil)
	_ signal.AgendaSignalStore = (*MeetingStore)(nil)
	_ signal.PartnerStore      = (*MeetingStore)(nil)
	_ signal.AuditRecorder     = (*MeetingStore)(nil)
	_ signal.EvaluationStore   = (*MeetingStore)(nil)
	_ signal.MatchStore        = (*MeetingStore)(nil)
)

// Meetings returns the store of the signal meeting in db.
func (db *DB) Meetings() *MeetingStore { return &MeetingStore{w: db, r: db.read} }

// MeetingStores returns every store the meeting use cases need, all of them
// db's meeting store.
func (db *DB) MeetingStores() signal.MeetingStores {
	s := db.Meetings()
	return signal.MeetingStores{Meetings: s, Cases: s, Signals: s, Partners: s, Audit: s, Matches: s, Disclosures: s}
}

// Signal implements signal.AgendaSignalStore.
func (s *MeetingStore) Signal(ctx context.Context, id string) (*signal.Signal, error) {
	return (&SignalStore{w: s.w, r: s.r}).Signal(ctx, id)
}

// Record implements signal.AuditRecorder.
func (s *MeetingStore) Record(ctx context.Context, actor signal.Actor, events []signal.AuditEvent) error {
	return (&SignalStore{w: s.w, r: s.r}).Record(ctx, actor, events)
}

// CreateMeeting implements signal.MeetingStore.
func (s *MeetingStore) CreateMeeting(ctx context.Context, actor signal.Actor, m *signal.Meeting, events []signal.AuditEvent) error {
	return s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if len(m.SealedTitle) == 0 {
			return errors.New("insert meeting: the title is not sealed")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meetings (id, cooperation_id, title, title_ct, title_checked, starts_at, status, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, m.CooperationID, sealedTitlePlaceholder, m.SealedTitle, m.TitleChecked,
			m.StartsAt.Format(timeLayout), string(m.Status), m.CreatedBy, m.CreatedAt.Format(timeLayout)); err != nil {
			return fmt.Errorf("insert meeting: %w", err)
		}
		for _, org := range m.Members {
			if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_members (meeting_id, org_id) VALUES (?, ?)`, m.ID, org); err != nil {
				return fmt.Errorf("insert meeting member: %w", err)
			}
		}
		return nil
	})
}

// sealedTitlePlaceholder is what the title column holds once the title is
// sealed in title_ct (the column may not be empty; migration 0106).
const sealedTitlePlaceholder = "-"

// meetingColumns never include the title column: a title is read sealed
// (title_ct) or not at all; only OldTitles reads titles from before.
const meetingColumns = `id, cooperation_id, title_ct, title_checked, starts_at, status, created_by, created_at, held_at, cancelled_at,
	(SELECT coalesce(json_group_array(org_id), '[]') FROM meeting_members mm WHERE mm.meeting_id = meetings.id)`

func scanMeeting(row scanner) (*signal.Meeting, error) {
	var m signal.Meeting
	var starts, status, created, members string
	var held, cancelled sql.NullString
	if err := row.Scan(&m.ID, &m.CooperationID, &m.SealedTitle, &m.TitleChecked, &starts, &status, &m.CreatedBy, &created, &held, &cancelled, &members); err != nil {
		return nil, err
	}
	m.Status = signal.MeetingStatus(status)
	m.StartsAt, m.CreatedAt = parseTime(starts), parseTime(created)
	if held.Valid {
		t := parseTime(held.String)
		m.HeldAt = &t
	}
	if cancelled.Valid {
		t := parseTime(cancelled.String)
		m.CancelledAt, m.Status = &t, signal.MeetingCancelled
	}
	m.Members = []string{}
	if members != "[]" {
		m.Members = decodeStrings(members)
	}
	return &m, nil
}

// decodeStrings reads a JSON array of plain ids (json_group_array output).
func decodeStrings(s string) []string {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.Trim(strings.TrimSpace(p), `"`); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Meeting implements signal.MeetingStore.
func (s *MeetingStore) Meeting(ctx context.Context, id string) (*signal.Meeting, error) {
	m, err := scanMeeting(s.r.QueryRowContext(ctx, `SELECT `+meetingColumns+` FROM meetings WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, signal.Errorf(signal.CodeNotFound, "no meeting %s", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read meeting: %w", err)
	}
	return m, nil
}

// Meetings implements signal.MeetingStore.
func (s *MeetingStore) Meetings(ctx context.Context, coop string) ([]*signal.Meeting, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+meetingColumns+` FROM meetings WHERE cooperation_id = ? ORDER BY starts_at DESC`, coop)
	if err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	defer rows.Close()
	var out []*signal.Meeting
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, fmt.Errorf("list meetings: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// OldTitles implements signal.MeetingStore: the titles still in the clear
// (written before migration 0106).
func (s *MeetingStore) OldTitles(ctx context.Context) ([]signal.OldTitle, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, cooperation_id, title FROM meetings WHERE title_ct IS NULL AND title <> ?`, sealedTitlePlaceholder)
	if err != nil {
		return nil, fmt.Errorf("read old meeting titles: %w", err)
	}
	defer rows.Close()
	var out []signal.OldTitle
	for rows.Next() {
		var t signal.OldTitle
		if err := rows.Scan(&t.MeetingID, &t.CooperationID, &t.Title); err != nil {
			return nil, fmt.Errorf("read old meeting titles: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SealOldTitles implements signal.MeetingStore. The title in the clear is
// overwritten in the same unit (secure_delete zeroes the old bytes in the
// page) and the WAL's old page images are dropped soon after (as after an
// erasure), so the title is nowhere in the files in the clear.
func (s *MeetingStore) SealOldTitles(ctx context.Context, actor signal.Actor, titles []signal.SealedTitle, events []signal.AuditEvent) error {
	err := s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		for _, t := range titles {
			var ct any // nil: the title is dropped
			if len(t.Sealed) > 0 {
				ct = t.Sealed
			}
			if _, err := tx.ExecContext(ctx, `UPDATE meetings SET title = ?, title_ct = ?, title_checked = ? WHERE id = ? AND title_ct IS NULL`,
				sealedTitlePlaceholder, ct, len(t.Sealed) > 0 && t.Checked, t.MeetingID); err != nil {
				return fmt.Errorf("seal meeting title: %w", err)
			}
		}
		return nil
	})
	if err == nil && len(titles) > 0 {
		s.w.truncateWALSoon()
	}
	return err
}

// LastHeld implements signal.MeetingStore. Times are stored as RFC 3339
// with the trailing zeros of the fraction cut, so as text "10:00:00.5Z"
// sorts before "10:00:00Z": the held times are compared as times, in Go
// (a cooperation holds a few dozen meetings a year).
func (s *MeetingStore) LastHeld(ctx context.Context, coop string, before time.Time, except string) (*signal.Meeting, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+meetingColumns+` FROM meetings
		WHERE cooperation_id = ? AND status = 'held' AND id <> ?`, coop, except)
	if err != nil {
		return nil, fmt.Errorf("read held meetings: %w", err)
	}
	defer rows.Close()
	var last *signal.Meeting
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, fmt.Errorf("read held meetings: %w", err)
		}
		if m.HeldAt == nil || !before.IsZero() && !m.HeldAt.Before(before) {
			continue
		}
		if last == nil || m.HeldAt.After(*last.HeldAt) {
			last = m
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read held meetings: %w", err)
	}
	return last, nil
}

func (s *MeetingStore) signals(ctx context.Context, query string, args ...any) ([]*signal.Signal, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+signalColumns+` FROM signals WHERE `+query, args...)
	if err != nil {
		return nil, fmt.Errorf("read signals: %w", err)
	}
	defer rows.Close()
	var out []*signal.Signal
	for rows.Next() {
		sig, err := scanSignal(rows)
		if err != nil {
			return nil, fmt.Errorf("read signals: %w", err)
		}
		out = append(out, sig)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read signals: %w", err)
	}
	return out, nil
}

// meetingSignalColumns are what the meeting's view of a signal reads
// (signal.Disclosure and the audit of the view): not the reporter's answers,
// nor what only the reporter's own view or a write needs. Fewer columns is
// less to copy out of SQLite for each of an agenda's thousands of rows.
const meetingSignalColumns = `id, youth, org_id, cooperation_id, category, observed_on, age, meeting_level, decision,
	name_ct, birth_date_ct, facts_ct, opinions_ct, versions_ct, created_at`

// meetingSignalScanner scans rows of meetingSignalColumns. Most signals of a
// cooperation share one of a few decisions (the same answers give the same
// decision), so each distinct decision text is decoded once per read.
type meetingSignalScanner struct {
	decisions map[string]signal.Decision
	decision  sql.RawBytes
}

func (sc *meetingSignalScanner) scan(row scanner) (*signal.Signal, error) {
	var (
		s                                  signal.Signal
		category, observed, level, created string
	)
	if err := row.Scan(&s.ID, &s.Youth, &s.OrgID, &s.CooperationID, &category, &observed, &s.Age, &level, &sc.decision,
		&s.Sealed.Name, &s.Sealed.BirthDate, &s.Sealed.Facts, &s.Sealed.Opinions, &s.Sealed.Versions, &created); err != nil {
		return nil, err
	}
	s.Status, s.Category, s.MeetingLevel = signal.StatusDecided, signal.Category(category), signal.Level(level)
	var ok bool
	if s.Decision, ok = sc.decisions[string(sc.decision)]; !ok {
		if err := json.Unmarshal(sc.decision, &s.Decision); err != nil {
			return nil, fmt.Errorf("signal %s: decision: %w", s.ID, err)
		}
		sc.decisions[string(sc.decision)] = s.Decision
	}
	var err error
	if s.ObservedOn, err = signal.ParseDate(observed); err != nil {
		return nil, fmt.Errorf("signal %s: observed_on: %w", s.ID, err)
	}
	if s.CreatedAt, err = time.Parse(timeLayout, created); err != nil {
		return nil, fmt.Errorf("signal %s: created_at: %w", s.ID, err)
	}
	return &s, nil
}

// MeetingSignals implements signal.AgendaSignalStore. The signals it returns
// carry what the meeting's view depends on (meetingSignalColumns): no
// answers, reporter, version or update time. Signals with the same decision
// share its slices (fields, reasons): read them, never change them.
//
// The bounds are exact: the window of an agenda ends where the next begins,
// to the nanosecond. created_at is RFC 3339 text without trailing zeros, so
// a text comparison misorders times within one second ("…00.5Z" < "…00Z");
// the query selects a second more on either side and the times are compared
// here.
func (s *MeetingStore) MeetingSignals(ctx context.Context, coop string, from, until time.Time) ([]*signal.Signal, error) {
	return s.meetingSignals(ctx, meetingSignalColumns, coop, from, until)
}

// MeetingSignalHeads implements signal.AgendaSignalStore: what a contents
// list needs of each signal, without the sealed columns and without the
// decision (a kilobyte of JSON per row, most of what a row holds): of the
// decision only whether its fields show the identity, for signals at level
// full (the only level where that varies, see signal.Disclosure.head). The
// signals it returns carry that alone in Decision.Fields: not for auditing
// nor for showing anything opened.
func (s *MeetingStore) MeetingSignalHeads(ctx context.Context, coop string, from, until time.Time) ([]*signal.Signal, error) {
	q := `SELECT id, youth, org_id, category, meeting_level, created_at, json_extract(decision, '$.fields')
		FROM signals INDEXED BY signals_meeting_heads WHERE cooperation_id = ? AND created_at >= ?`
	args := []any{coop, from.Add(-time.Second).UTC().Format(timeLayout)}
	if !until.IsZero() {
		q += ` AND created_at < ?`
		args = append(args, until.Add(time.Second).UTC().Format(timeLayout))
	}
	q += ` AND status = 'decided' AND meeting_level <> 'none' ORDER BY created_at, seq`
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read agenda signal heads: %w", err)
	}
	defer rows.Close()
	identity := []signal.Field{signal.FieldIdentity}
	// Few distinct values: one string each.
	interned := map[string]string{}
	intern := func(b []byte) string {
		if v, ok := interned[string(b)]; ok {
			return v
		}
		v := string(b)
		interned[v] = v
		return v
	}
	shows := map[string]bool{} // the decisions' fields (few distinct): identity among them?
	var out []*signal.Signal
	var id, youth, org, category, level, created, fields sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &youth, &org, &category, &level, &created, &fields); err != nil {
			return nil, fmt.Errorf("read agenda signal heads: %w", err)
		}
		sig := &signal.Signal{ID: string(id), Youth: intern(youth), OrgID: intern(org), CooperationID: coop,
			Category: signal.Category(intern(category)), MeetingLevel: signal.Level(intern(level)), Status: signal.StatusDecided}
		show, ok := shows[string(fields)]
		if !ok {
			var fs []signal.Field
			if err := json.Unmarshal(fields, &fs); err != nil {
				return nil, fmt.Errorf("signal %s: decision fields: %w", sig.ID, err)
			}
			show = slices.Contains(fs, signal.FieldIdentity)
			shows[string(fields)] = show
		}
		if show && sig.MeetingLevel == signal.LevelFull {
			sig.Decision.Fields = identity
		}
		if sig.CreatedAt, err = time.Parse(timeLayout, string(created)); err != nil {
			return nil, fmt.Errorf("signal %s: created_at: %w", sig.ID, err)
		}
		if sig.CreatedAt.Before(from) || !until.IsZero() && !sig.CreatedAt.Before(until) {
			continue
		}
		out = append(out, sig)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read agenda signal heads: %w", err)
	}
	return out, nil
}

func (s *MeetingStore) meetingSignals(ctx context.Context, columns, coop string, from, until time.Time) ([]*signal.Signal, error) {
	q := `SELECT ` + columns + ` FROM signals
		WHERE cooperation_id = ? AND created_at >= ?`
	args := []any{coop, from.Add(-time.Second).UTC().Format(timeLayout)}
	if !until.IsZero() {
		q += ` AND created_at < ?`
		args = append(args, until.Add(time.Second).UTC().Format(timeLayout))
	}
	q += ` AND status = 'decided' AND meeting_level <> 'none' ORDER BY created_at, seq`
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read agenda signals: %w", err)
	}
	defer rows.Close()
	sc := meetingSignalScanner{decisions: map[string]signal.Decision{}}
	var out []*signal.Signal
	for rows.Next() {
		sig, err := sc.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read agenda signals: %w", err)
		}
		if sig.CreatedAt.Before(from) || !until.IsZero() && !sig.CreatedAt.Before(until) {
			continue
		}
		out = append(out, sig)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read agenda signals: %w", err)
	}
	return out, nil
}

// SignalsAbout implements signal.AgendaSignalStore.
func (s *MeetingStore) SignalsAbout(ctx context.Context, coop string, youths []string) ([]*signal.Signal, error) {
	if len(youths) == 0 {
		return nil, nil
	}
	args := []any{coop}
	for _, y := range youths {
		args = append(args, y)
	}
	return s.signals(ctx, `cooperation_id = ? AND status = 'decided' AND youth IN (?`+strings.Repeat(", ?", len(youths)-1)+`) ORDER BY seq`, args...)
}

// ReporterSignals implements signal.AgendaSignalStore.
func (s *MeetingStore) ReporterSignals(ctx context.Context, reporterID string) ([]*signal.Signal, error) {
	return s.signals(ctx, `reporter_id = ? AND status = 'decided' ORDER BY seq`, reporterID)
}

// Cases implements signal.CaseStore.
func (s *MeetingStore) Cases(ctx context.Context, coop string) (*signal.CaseSet, error) {
	set := &signal.CaseSet{}
	rows, err := s.r.QueryContext(ctx, `SELECT c.id, c.cooperation_id, c.youth, coalesce(c.anonymous_signal, ''), c.status,
		c.opened_at, c.opened_meeting, coalesce(c.lead_user_id, ''), coalesce(c.lead_assigned_at, ''), coalesce(c.lead_meeting, ''),
		coalesce(u.name, ''), coalesce(u.email, ''), coalesce(o.name, ''),
		c.closed_at, coalesce(c.close_reason, ''), coalesce(c.closed_meeting, '')
		FROM cases c LEFT JOIN users u ON u.id = c.lead_user_id LEFT JOIN organisations o ON o.id = u.org_id
		WHERE c.cooperation_id = ? ORDER BY c.opened_at, c.id`, coop)
	if err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c signal.Case
		var status, opened, leadID, leadAt, leadMeeting, leadName, leadEmail, leadOrg, reason string
		var closed sql.NullString
		if err := rows.Scan(&c.ID, &c.CooperationID, &c.Youth, &c.AnonymousSignal, &status, &opened, &c.OpenedMeeting,
			&leadID, &leadAt, &leadMeeting, &leadName, &leadEmail, &leadOrg, &closed, &reason, &c.ClosedMeeting); err != nil {
			return nil, fmt.Errorf("read cases: %w", err)
		}
		c.Status, c.CloseReason, c.OpenedAt = signal.CaseStatus(status), signal.CloseReason(reason), parseTime(opened)
		if leadID != "" {
			c.Lead = &signal.LeadProfessional{UserID: leadID, Name: leadName, Email: leadEmail, OrgName: leadOrg,
				AssignedAt: parseTime(leadAt), MeetingID: leadMeeting}
		}
		if closed.Valid {
			t := parseTime(closed.String)
			c.ClosedAt = &t
		}
		set.Cases = append(set.Cases, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	rows.Close()

	arows, err := s.r.QueryContext(ctx, `SELECT a.id, a.case_id, a.meeting_id, a.owner_id, a.description_ct, a.needs, a.due_on, a.done_on,
		a.created_by, a.created_at, a.version, coalesce(a.revised_by, ''), coalesce(a.revised_at, ''), a.revision_reason
		FROM case_actions a JOIN cases c ON c.id = a.case_id
		WHERE c.cooperation_id = ? ORDER BY a.due_on, a.created_at`, coop)
	if err != nil {
		return nil, fmt.Errorf("read actions: %w", err)
	}
	defer arows.Close()
	for arows.Next() {
		var a signal.Action
		var due, created string
		var done, needs sql.NullString
		var revBy, revAt, revReason string
		if err := arows.Scan(&a.ID, &a.CaseID, &a.MeetingID, &a.OwnerID, &a.Description, &needs, &due, &done, &a.CreatedBy, &created,
			&a.Version, &revBy, &revAt, &revReason); err != nil {
			return nil, fmt.Errorf("read actions: %w", err)
		}
		a.Revision = revision(revBy, revAt, revReason)
		a.Needs = parseNeeds(needs)
		if a.Due, err = signal.ParseDate(due); err != nil {
			return nil, fmt.Errorf("action %s: due_on: %w", a.ID, err)
		}
		if done.Valid {
			d, err := signal.ParseDate(done.String)
			if err != nil {
				return nil, fmt.Errorf("action %s: done_on: %w", a.ID, err)
			}
			a.DoneOn = &d
		}
		a.CreatedAt = parseTime(created)
		set.Actions = append(set.Actions, &a)
	}
	if err := arows.Err(); err != nil {
		return nil, fmt.Errorf("read actions: %w", err)
	}
	arows.Close()

	drows, err := s.r.QueryContext(ctx, `SELECT d.id, d.case_id, d.meeting_id, d.kind, d.text_ct, d.needs, d.created_by, d.created_at,
		d.version, coalesce(d.revised_by, ''), coalesce(d.revised_at, ''), d.revision_reason
		FROM case_decisions d JOIN cases c ON c.id = d.case_id WHERE c.cooperation_id = ? ORDER BY d.created_at, d.id`, coop)
	if err != nil {
		return nil, fmt.Errorf("read decisions: %w", err)
	}
	defer drows.Close()
	for drows.Next() {
		var d signal.CaseDecision
		var kind, created string
		var needs sql.NullString
		var revBy, revAt, revReason string
		if err := drows.Scan(&d.ID, &d.CaseID, &d.MeetingID, &kind, &d.Text, &needs, &d.CreatedBy, &created,
			&d.Version, &revBy, &revAt, &revReason); err != nil {
			return nil, fmt.Errorf("read decisions: %w", err)
		}
		d.Revision = revision(revBy, revAt, revReason)
		d.Needs = parseNeeds(needs)
		d.Kind, d.CreatedAt = signal.DecisionKind(kind), parseTime(created)
		set.Decisions = append(set.Decisions, &d)
	}
	if err := drows.Err(); err != nil {
		return nil, fmt.Errorf("read decisions: %w", err)
	}
	drows.Close()

	lrows, err := s.r.QueryContext(ctx, `SELECT l.case_id, l.user_id, u.name, u.email, o.name, l.meeting_id, l.assigned_at
		FROM case_leads l JOIN cases c ON c.id = l.case_id JOIN users u ON u.id = l.user_id JOIN organisations o ON o.id = u.org_id
		WHERE c.cooperation_id = ? ORDER BY l.assigned_at`, coop)
	if err != nil {
		return nil, fmt.Errorf("read leads: %w", err)
	}
	defer lrows.Close()
	for lrows.Next() {
		var l signal.LeadRecord
		var at string
		if err := lrows.Scan(&l.CaseID, &l.UserID, &l.Name, &l.Email, &l.OrgName, &l.MeetingID, &at); err != nil {
			return nil, fmt.Errorf("read leads: %w", err)
		}
		l.AssignedAt = parseTime(at)
		set.Leads = append(set.Leads, &l)
	}
	if err := lrows.Err(); err != nil {
		return nil, fmt.Errorf("read leads: %w", err)
	}
	return set, nil
}

// Risks implements signal.MeetingStore.
func (s *MeetingStore) Risks(ctx context.Context, meetingID string) ([]signal.RiskNote, error) {
	return s.readRisks(ctx, `SELECT `+riskColumns+` FROM meeting_risks r WHERE meeting_id = ? ORDER BY created_at, id`, meetingID)
}

const riskColumns = `r.id, r.meeting_id, r.text, r.created_by, r.created_at, r.checked, coalesce(r.owner_id, ''), r.status, r.text_version, r.text_revision_reason, r.text_ct`

func (s *MeetingStore) readRisks(ctx context.Context, query string, args ...any) ([]signal.RiskNote, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read risks: %w", err)
	}
	defer rows.Close()
	out := []signal.RiskNote{}
	for rows.Next() {
		var r signal.RiskNote
		var created, status, reason string
		if err := rows.Scan(&r.ID, &r.MeetingID, &r.Text, &r.CreatedBy, &created, &r.Checked, &r.OwnerID, &status, &r.TextVersion, &reason, &r.SealedText); err != nil {
			return nil, fmt.Errorf("read risks: %w", err)
		}
		r.CreatedAt, r.Status, r.Corrected, r.TextReason = parseTime(created), signal.RiskStatus(status), r.TextVersion > 1, signal.CorrectionReason(reason)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read risks: %w", err)
	}
	rows.Close()
	for i := range out {
		if !out[i].Corrected {
			continue
		}
		if out[i].Versions, err = s.riskVersions(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// riskVersions are the earlier texts of risk id, oldest first, with the
// writer's name.
func (s *MeetingStore) riskVersions(ctx context.Context, id string) ([]signal.RiskVersion, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT v.version, v.text, v.checked, coalesce(u.name, ''), v.written_at, v.reason, v.text_ct
		FROM risk_text_versions v LEFT JOIN users u ON u.id = v.written_by WHERE v.risk_id = ? ORDER BY v.version`, id)
	if err != nil {
		return nil, fmt.Errorf("read risk versions: %w", err)
	}
	defer rows.Close()
	var out []signal.RiskVersion
	for rows.Next() {
		var v signal.RiskVersion
		var at, reason string
		if err := rows.Scan(&v.Version, &v.Text, &v.Checked, &v.WrittenBy, &at, &reason, &v.SealedText); err != nil {
			return nil, fmt.Errorf("read risk versions: %w", err)
		}
		v.WrittenAt, v.Reason = parseTime(at), signal.CorrectionReason(reason)
		out = append(out, v)
	}
	return out, rows.Err()
}

// CorrectRiskText implements signal.MeetingStore.
func (s *MeetingStore) CorrectRiskText(ctx context.Context, actor signal.Actor, meetingID string, r *signal.RiskNote, rev signal.Revision, events []signal.AuditEvent) error {
	return s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if err := plannedMeeting(ctx, tx, meetingID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO risk_text_versions (risk_id, version, text, checked, written_by, written_at, reason, text_ct)
			SELECT id, text_version, text, checked, coalesce(text_revised_by, created_by), coalesce(text_revised_at, created_at), text_revision_reason, text_ct
			FROM meeting_risks WHERE id = ? AND text_version = ?`, r.ID, r.TextVersion-1); err != nil {
			return fmt.Errorf("keep the risk's text: %w", err)
		}
		text, ct, err := sealedRiskText(r)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE meeting_risks SET text = ?, text_ct = ?, checked = ?, text_version = ?, text_revised_by = ?, text_revised_at = ?,
			text_revision_reason = ? WHERE id = ? AND text_version = ?`, text, ct, r.Checked, r.TextVersion, rev.By, rev.At.UTC().Format(timeLayout),
			string(rev.Reason), r.ID, r.TextVersion-1)
		if err != nil {
			return fmt.Errorf("correct risk: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return signal.Errorf(signal.CodeConflict, "the risk was changed meanwhile: look at it again")
		}
		return nil
	})
}

// CarriedRisks implements signal.MeetingStore.
func (s *MeetingStore) CarriedRisks(ctx context.Context, coop, meetingID string) ([]signal.RiskNote, error) {
	return s.readRisks(ctx, `SELECT `+riskColumns+` FROM meeting_risks r JOIN meetings m ON m.id = r.meeting_id
		WHERE m.cooperation_id = ? AND m.status = 'held' AND r.meeting_id <> ? AND r.status = 'open'
		ORDER BY r.created_at, r.id`, coop, meetingID)
}

// UpdateRisk implements signal.MeetingStore.
func (s *MeetingStore) UpdateRisk(ctx context.Context, actor signal.Actor, u signal.RiskUpdate, events []signal.AuditEvent) error {
	var owner any
	if u.OwnerID != "" {
		owner = u.OwnerID
	}
	return s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if err := plannedMeeting(ctx, tx, u.MeetingID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE meeting_risks SET owner_id = ?, status = ? WHERE id = ?`, owner, string(u.Status), u.RiskID)
		if err != nil {
			return fmt.Errorf("update risk: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return signal.Errorf(signal.CodeNotFound, "no risk %s", u.RiskID)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO risk_updates (risk_id, meeting_id, owner_id, status, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, u.RiskID, u.MeetingID, owner, string(u.Status), actor.UserID, u.At.UTC().Format(timeLayout)); err != nil {
			return fmt.Errorf("record risk update: %w", err)
		}
		return nil
	})
}

// Risk implements signal.MeetingStore.
func (s *MeetingStore) Risk(ctx context.Context, id string) (*signal.RiskNote, string, error) {
	rs, err := s.readRisks(ctx, `SELECT `+riskColumns+` FROM meeting_risks r WHERE r.id = ?`, id)
	if err != nil {
		return nil, "", err
	}
	if len(rs) == 0 {
		return nil, "", signal.Errorf(signal.CodeNotFound, "no risk %s", id)
	}
	var coop string
	if err := s.r.QueryRowContext(ctx, `SELECT cooperation_id FROM meetings WHERE id = ?`, rs[0].MeetingID).Scan(&coop); err != nil {
		return nil, "", fmt.Errorf("read risk's meeting: %w", err)
	}
	return &rs[0], coop, nil
}

// Attendance implements signal.MeetingStore.
func (s *MeetingStore) Attendance(ctx context.Context, meetingID string) (map[string]signal.AttendanceStatus, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT org_id, status FROM meeting_attendance WHERE meeting_id = ?`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("read attendance: %w", err)
	}
	defer rows.Close()
	out := map[string]signal.AttendanceStatus{}
	for rows.Next() {
		var org, status string
		if err := rows.Scan(&org, &status); err != nil {
			return nil, fmt.Errorf("read attendance: %w", err)
		}
		out[org] = signal.AttendanceStatus(status)
	}
	return out, rows.Err()
}

// SetAttendance implements signal.MeetingStore.
func (s *MeetingStore) SetAttendance(ctx context.Context, actor signal.Actor, meetingID string, att map[string]signal.AttendanceStatus, at time.Time, events []signal.AuditEvent) error {
	return s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if err := plannedMeeting(ctx, tx, meetingID); err != nil {
			return err
		}
		for org, status := range att {
			if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_attendance (meeting_id, org_id, status, recorded_by, recorded_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT (meeting_id, org_id) DO UPDATE SET status = excluded.status,
				recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
				meetingID, org, string(status), actor.UserID, at.UTC().Format(timeLayout)); err != nil {
				return fmt.Errorf("record attendance: %w", err)
			}
		}
		return nil
	})
}

// Professionals implements signal.PartnerStore.
func (s *MeetingStore) Professionals(ctx context.Context, coop string) ([]signal.Professional, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT u.id, u.name, u.email, u.role, o.id, o.name FROM users u
		JOIN organisations o ON o.id = u.org_id
		WHERE o.cooperation_id = ? AND u.disabled = 0 AND u.role IN ('reporter', 'coordinator')
		ORDER BY o.name, u.name`, coop)
	if err != nil {
		return nil, fmt.Errorf("list professionals: %w", err)
	}
	defer rows.Close()
	out := []signal.Professional{}
	for rows.Next() {
		var p signal.Professional
		var role string
		if err := rows.Scan(&p.UserID, &p.Name, &p.Email, &role, &p.OrgID, &p.OrgName); err != nil {
			return nil, fmt.Errorf("list professionals: %w", err)
		}
		p.Role = signal.Role(role)
		out = append(out, p)
	}
	return out, rows.Err()
}

// Organisations implements signal.PartnerStore.
func (s *MeetingStore) Organisations(ctx context.Context, coop string) ([]signal.Organisation, error) {
	ids, err := queryIDs(ctx, s.r, `SELECT id FROM organisations WHERE cooperation_id = ? ORDER BY name`, coop)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	out := make([]signal.Organisation, 0, len(ids))
	for _, id := range ids {
		o, err := s.w.Organisation(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// plannedMeeting checks inside a unit of work that the meeting exists and is
// still planned: a record under a closed meeting would change its minutes.
func plannedMeeting(ctx context.Context, tx *Tx, id string) error {
	var status string
	var cancelled sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT status, cancelled_at FROM meetings WHERE id = ?`, id).Scan(&status, &cancelled)
	if errors.Is(err, sql.ErrNoRows) {
		return signal.Errorf(signal.CodeNotFound, "no meeting %s", id)
	}
	if err != nil {
		return fmt.Errorf("read meeting: %w", err)
	}
	if status != string(signal.MeetingPlanned) {
		return signal.Errorf(signal.CodeConflict, "this meeting was closed; record it in the next meeting")
	}
	if cancelled.Valid {
		return signal.Errorf(signal.CodeConflict, "this meeting was cancelled; record it in the next meeting")
	}
	return nil
}

// RecordCase implements signal.CaseStore.
func (s *MeetingStore) RecordCase(ctx context.Context, actor signal.Actor, rec signal.CaseRecord, events []signal.AuditEvent) error {
	c := rec.Case
	subject := c.ItemRef()
	var anon any
	if c.AnonymousSignal != "" {
		anon = c.AnonymousSignal
	}
	at := rec.At.UTC().Format(timeLayout)
	err := s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if err := plannedMeeting(ctx, tx, rec.MeetingID); err != nil {
			return err
		}
		// The text is stored only under the young person's live key: an
		// erasure committed since it was sealed retired that key.
		var sealed []byte
		switch {
		case rec.Action != nil:
			sealed = rec.Action.Description
		case rec.Decision != nil:
			sealed = rec.Decision.Text
		}
		if err := checkLiveKeys(ctx, tx, c.Youth, sealed); err != nil {
			return err
		}
		// The first record about a young person opens the case; a record
		// about a closed case (new signals since) opens it again.
		if _, err := tx.ExecContext(ctx, `INSERT INTO cases (id, cooperation_id, subject, youth, anonymous_signal, status, opened_at, opened_meeting)
			VALUES (?, ?, ?, ?, ?, 'open', ?, ?) ON CONFLICT (cooperation_id, subject) DO NOTHING`,
			c.ID, c.CooperationID, subject, c.Youth, anon, at, rec.MeetingID); err != nil {
			return fmt.Errorf("open case: %w", err)
		}
		if rec.Close == nil {
			if err := reopenCase(ctx, tx, c.ID, actor.UserID, signal.CaseReopenRecorded, rec.MeetingID, at); err != nil && signal.ErrorCode(err) != signal.CodeConflict {
				return err
			}
		}
		switch {
		case rec.Lead != nil:
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET lead_user_id = ?, lead_assigned_at = ?, lead_meeting = ? WHERE id = ?`,
				rec.Lead.UserID, at, rec.MeetingID, c.ID); err != nil {
				return fmt.Errorf("assign lead: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_leads (case_id, user_id, meeting_id, assigned_at) VALUES (?, ?, ?, ?)`,
				c.ID, rec.Lead.UserID, rec.MeetingID, at); err != nil {
				return fmt.Errorf("record lead: %w", err)
			}
		case rec.Action != nil:
			a := rec.Action
			res, err := tx.ExecContext(ctx, `INSERT INTO case_actions (id, case_id, meeting_id, owner_id, description_ct, needs, due_on, created_by, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, a.ID, c.ID, rec.MeetingID, a.OwnerID, a.Description, needsColumn(a.Needs), a.Due.String(), a.CreatedBy, at)
			if err != nil {
				return fmt.Errorf("insert action: %w", err)
			}
			if err := storedOnce(res); err != nil {
				return err
			}
		case rec.Decision != nil:
			d := rec.Decision
			res, err := tx.ExecContext(ctx, `INSERT INTO case_decisions (id, case_id, meeting_id, kind, text_ct, needs, created_by, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, d.ID, c.ID, rec.MeetingID, string(d.Kind), d.Text, needsColumn(d.Needs), d.CreatedBy, at)
			if err != nil {
				return fmt.Errorf("insert decision: %w", err)
			}
			if err := storedOnce(res); err != nil {
				return err
			}
		case rec.Close != nil:
			res, err := tx.ExecContext(ctx, `UPDATE cases SET status = 'closed', closed_at = ?, close_reason = ?, closed_meeting = ?
				WHERE id = ? AND status = 'open'`, at, string(*rec.Close), rec.MeetingID, c.ID)
			if err != nil {
				return fmt.Errorf("close case: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return signal.Errorf(signal.CodeConflict, "this case is closed already")
			}
		default:
			return errors.New("record case: nothing to record")
		}
		return nil
	})
	if errors.Is(err, signal.ErrKeyRetired) {
		s.w.keysErased(c.Youth)
	}
	return err
}

// storedOnce turns an insert that stored nothing (ON CONFLICT (id) DO
// NOTHING: the id, derived from an idempotency key, is there already) into
// signal.ErrStoredBefore, which rolls the unit of work back with its audit
// events.
func storedOnce(res sql.Result) error {
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("rows stored: %w", err)
	} else if n == 0 {
		return signal.ErrStoredBefore
	}
	return nil
}

// SetActionDone implements signal.CaseStore.
func (s *MeetingStore) SetActionDone(ctx context.Context, actor signal.Actor, actionID string, done *signal.Date, rev signal.Revision, events []signal.AuditEvent) error {
	var on any
	if done != nil {
		on = done.String()
	}
	return s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if err := keepActionVersion(ctx, tx, actionID, 0); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE case_actions SET done_on = ?, version = version + 1, revised_by = ?, revised_at = ?, revision_reason = ?
			WHERE id = ?`, on, rev.By, rev.At.UTC().Format(timeLayout), string(rev.Reason), actionID)
		if err != nil {
			return fmt.Errorf("update action: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return signal.Errorf(signal.CodeNotFound, "no action %s", actionID)
		}
		return nil
	})
}

// revision is the last correction of a record as stored (nil: none).
func revision(by, at, reason string) *signal.Revision {
	if by == "" {
		return nil
	}
	return &signal.Revision{By: by, At: parseTime(at), Reason: signal.CorrectionReason(reason)}
}

// keepActionVersion copies action id's current version into its history
// inside tx; want, when not 0, is the version the caller replaces
// (CodeConflict when another is current: changed meanwhile).
func keepActionVersion(ctx context.Context, tx *Tx, id string, want int) error {
	var version int
	if err := tx.QueryRowContext(ctx, `SELECT version FROM case_actions WHERE id = ?`, id).Scan(&version); errors.Is(err, sql.ErrNoRows) {
		return signal.Errorf(signal.CodeNotFound, "no action %s", id)
	} else if err != nil {
		return fmt.Errorf("read action: %w", err)
	}
	if want != 0 && version != want {
		return signal.Errorf(signal.CodeConflict, "the action was changed meanwhile: look at it again")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_record_versions (record_kind, record_id, case_id, version, text_ct, needs, owner_id, due_on, done_on,
			written_by, written_at, reason)
		SELECT 'action', id, case_id, version, description_ct, needs, owner_id, due_on, done_on,
			coalesce(revised_by, created_by), coalesce(revised_at, created_at), revision_reason FROM case_actions WHERE id = ?`, id); err != nil {
		return fmt.Errorf("keep the action's version: %w", err)
	}
	return nil
}

// CorrectAction implements signal.CaseStore.
func (s *MeetingStore) CorrectAction(ctx context.Context, actor signal.Actor, youth string, a *signal.Action, events []signal.AuditEvent) error {
	err := s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if err := checkLiveKeys(ctx, tx, youth, a.Description); err != nil {
			return err
		}
		if err := keepActionVersion(ctx, tx, a.ID, a.Version-1); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE case_actions SET owner_id = ?, description_ct = ?, needs = ?, due_on = ?, version = ?,
			revised_by = ?, revised_at = ?, revision_reason = ? WHERE id = ?`, a.OwnerID, a.Description, needsColumn(a.Needs), a.Due.String(), a.Version,
			a.Revision.By, a.Revision.At.UTC().Format(timeLayout), string(a.Revision.Reason), a.ID)
		if err != nil {
			return fmt.Errorf("correct action: %w", err)
		}
		return nil
	})
	if errors.Is(err, signal.ErrKeyRetired) {
		s.w.keysErased(youth)
	}
	return err
}

// CorrectDecision implements signal.CaseStore.
func (s *MeetingStore) CorrectDecision(ctx context.Context, actor signal.Actor, youth string, d *signal.CaseDecision, events []signal.AuditEvent) error {
	err := s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if err := checkLiveKeys(ctx, tx, youth, d.Text); err != nil {
			return err
		}
		var version int
		if err := tx.QueryRowContext(ctx, `SELECT version FROM case_decisions WHERE id = ?`, d.ID).Scan(&version); errors.Is(err, sql.ErrNoRows) {
			return signal.Errorf(signal.CodeNotFound, "no decision %s", d.ID)
		} else if err != nil {
			return fmt.Errorf("read decision: %w", err)
		}
		if version != d.Version-1 {
			return signal.Errorf(signal.CodeConflict, "the decision was changed meanwhile: look at it again")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_record_versions (record_kind, record_id, case_id, version, text_ct, needs, kind,
				written_by, written_at, reason)
			SELECT 'decision', id, case_id, version, text_ct, needs, kind,
				coalesce(revised_by, created_by), coalesce(revised_at, created_at), revision_reason FROM case_decisions WHERE id = ?`, d.ID); err != nil {
			return fmt.Errorf("keep the decision's version: %w", err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE case_decisions SET kind = ?, text_ct = ?, needs = ?, version = ?,
			revised_by = ?, revised_at = ?, revision_reason = ? WHERE id = ?`, string(d.Kind), d.Text, needsColumn(d.Needs), d.Version,
			d.Revision.By, d.Revision.At.UTC().Format(timeLayout), string(d.Revision.Reason), d.ID)
		if err != nil {
			return fmt.Errorf("correct decision: %w", err)
		}
		return nil
	})
	if errors.Is(err, signal.ErrKeyRetired) {
		s.w.keysErased(youth)
	}
	return err
}

// Versions implements signal.CaseStore.
func (s *MeetingStore) Versions(ctx context.Context, kind signal.RecordKind, id string) ([]signal.RecordVersion, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT case_id, version, text_ct, needs, coalesce(owner_id, ''), coalesce(due_on, ''), done_on, coalesce(kind, ''),
		written_by, written_at, reason FROM case_record_versions WHERE record_kind = ? AND record_id = ? ORDER BY version`, string(kind), id)
	if err != nil {
		return nil, fmt.Errorf("read versions: %w", err)
	}
	defer rows.Close()
	var out []signal.RecordVersion
	for rows.Next() {
		v := signal.RecordVersion{Kind: kind, RecordID: id}
		var needs, done sql.NullString
		var due, dkind, at, reason string
		if err := rows.Scan(&v.CaseID, &v.Version, &v.Text, &needs, &v.OwnerID, &due, &done, &dkind, &v.Written.By, &at, &reason); err != nil {
			return nil, fmt.Errorf("read versions: %w", err)
		}
		v.Needs, v.DecisionKind, v.Written.At, v.Written.Reason = parseNeeds(needs), signal.DecisionKind(dkind), parseTime(at), signal.CorrectionReason(reason)
		if due != "" {
			if v.Due, err = signal.ParseDate(due); err != nil {
				return nil, fmt.Errorf("version %d of %s: due_on: %w", v.Version, id, err)
			}
		}
		if done.Valid {
			d, err := signal.ParseDate(done.String)
			if err != nil {
				return nil, fmt.Errorf("version %d of %s: done_on: %w", v.Version, id, err)
			}
			v.DoneOn = &d
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// reopenCase opens closed case id again inside tx, keeping its closing in
// case_closings (CodeConflict when it is not closed).
func reopenCase(ctx context.Context, tx *Tx, id, by string, reason signal.CaseReopenReason, meeting, at string) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO case_closings (case_id, closed_at, close_reason, closed_meeting, reopened_at, reopened_by, reopen_reason, reopen_meeting)
		SELECT id, closed_at, close_reason, closed_meeting, ?, ?, ?, ? FROM cases WHERE id = ? AND status = 'closed'`, at, by, string(reason), meeting, id)
	if err != nil {
		return fmt.Errorf("keep the closing: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return signal.Errorf(signal.CodeConflict, "this case is not closed")
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET status = 'open', closed_at = NULL, close_reason = NULL, closed_meeting = NULL
		WHERE id = ? AND status = 'closed'`, id); err != nil {
		return fmt.Errorf("reopen case: %w", err)
	}
	return nil
}

// ReopenCase implements signal.CaseStore.
func (s *MeetingStore) ReopenCase(ctx context.Context, actor signal.Actor, caseID string, reason signal.CaseReopenReason, at time.Time, events []signal.AuditEvent) error {
	return s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		return reopenCase(ctx, tx, caseID, actor.UserID, reason, "", at.UTC().Format(timeLayout))
	})
}

// Closings implements signal.CaseStore.
func (s *MeetingStore) Closings(ctx context.Context, coop string) (map[string][]signal.CaseClosing, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT k.case_id, k.closed_at, k.close_reason, k.closed_meeting, k.reopened_at, k.reopened_by, k.reopen_reason
		FROM case_closings k JOIN cases c ON c.id = k.case_id WHERE c.cooperation_id = ? ORDER BY k.reopened_at, k.rowid`, coop)
	if err != nil {
		return nil, fmt.Errorf("read closings: %w", err)
	}
	defer rows.Close()
	out := map[string][]signal.CaseClosing{}
	for rows.Next() {
		var id, closed, reason, reopened, reopenReason string
		var k signal.CaseClosing
		if err := rows.Scan(&id, &closed, &reason, &k.ClosedMeeting, &reopened, &k.ReopenedBy, &reopenReason); err != nil {
			return nil, fmt.Errorf("read closings: %w", err)
		}
		k.ClosedAt, k.CloseReason, k.ReopenedAt, k.ReopenReason = parseTime(closed), signal.CloseReason(reason), parseTime(reopened), signal.CaseReopenReason(reopenReason)
		out[id] = append(out[id], k)
	}
	return out, rows.Err()
}

// AddRisk implements signal.MeetingStore.
func (s *MeetingStore) AddRisk(ctx context.Context, actor signal.Actor, r *signal.RiskNote, events []signal.AuditEvent) error {
	return s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if err := plannedMeeting(ctx, tx, r.MeetingID); err != nil {
			return err
		}
		text, ct, err := sealedRiskText(r)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO meeting_risks (id, meeting_id, text, text_ct, created_by, created_at, checked) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`, r.ID, r.MeetingID, text, ct, r.CreatedBy, r.CreatedAt.Format(timeLayout), r.Checked)
		if err != nil {
			return fmt.Errorf("insert risk: %w", err)
		}
		return storedOnce(res)
	})
}

// HoldMeeting implements signal.MeetingStore.
func (s *MeetingStore) HoldMeeting(ctx context.Context, actor signal.Actor, meetingID string, at time.Time, events []signal.AuditEvent) error {
	return s.updatePlanned(ctx, actor, meetingID, events, "hold meeting",
		`UPDATE meetings SET status = 'held', held_at = ? WHERE id = ?`, at.UTC().Format(timeLayout), meetingID)
}

// MoveMeeting implements signal.MeetingStore.
func (s *MeetingStore) MoveMeeting(ctx context.Context, actor signal.Actor, meetingID string, startsAt time.Time, events []signal.AuditEvent) error {
	return s.updatePlanned(ctx, actor, meetingID, events, "move meeting",
		`UPDATE meetings SET starts_at = ? WHERE id = ?`, startsAt.UTC().Format(timeLayout), meetingID)
}

// updatePlanned runs query on meeting meetingID, which must still be
// planned, with its audit; what names the change in an error.
func (s *MeetingStore) updatePlanned(ctx context.Context, actor signal.Actor, meetingID string, events []signal.AuditEvent, what, query string, args ...any) error {
	return s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if err := plannedMeeting(ctx, tx, meetingID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
}

// ReopenMeeting implements signal.MeetingStore.
func (s *MeetingStore) ReopenMeeting(ctx context.Context, actor signal.Actor, meetingID string, reason signal.ReopenReason, at time.Time, events []signal.AuditEvent) error {
	return s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		var held sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT held_at FROM meetings WHERE id = ? AND status = 'held'`, meetingID).Scan(&held)
		if errors.Is(err, sql.ErrNoRows) || err == nil && !held.Valid {
			return signal.Errorf(signal.CodeConflict, "only a held meeting can be reopened")
		}
		if err != nil {
			return fmt.Errorf("read meeting: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO meeting_reopenings (meeting_id, reason, held_at, reopened_by, reopened_at) VALUES (?, ?, ?, ?, ?)`,
			meetingID, string(reason), held.String, actor.UserID, at.UTC().Format(timeLayout)); err != nil {
			return fmt.Errorf("record reopening: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET status = 'planned', held_at = NULL WHERE id = ?`, meetingID); err != nil {
			return fmt.Errorf("reopen meeting: %w", err)
		}
		return nil
	})
}

// Reopenings implements signal.MeetingStore.
func (s *MeetingStore) Reopenings(ctx context.Context, meetingID string) ([]signal.Reopening, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT reason, held_at, reopened_by, reopened_at FROM meeting_reopenings
		WHERE meeting_id = ? ORDER BY reopened_at`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("read reopenings: %w", err)
	}
	defer rows.Close()
	out := []signal.Reopening{}
	for rows.Next() {
		var r signal.Reopening
		var reason, held, at string
		if err := rows.Scan(&reason, &held, &r.By, &at); err != nil {
			return nil, fmt.Errorf("read reopenings: %w", err)
		}
		r.Reason, r.HeldAt, r.At = signal.ReopenReason(reason), parseTime(held), parseTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// CancelMeeting implements signal.MeetingStore.
func (s *MeetingStore) CancelMeeting(ctx context.Context, actor signal.Actor, meetingID string, at time.Time, events []signal.AuditEvent) error {
	return s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if err := plannedMeeting(ctx, tx, meetingID); err != nil {
			return err
		}
		var recorded bool
		if err := tx.QueryRowContext(ctx, `SELECT
			EXISTS (SELECT 1 FROM cases WHERE opened_meeting = ?1 OR lead_meeting = ?1 OR closed_meeting = ?1)
			OR EXISTS (SELECT 1 FROM case_leads WHERE meeting_id = ?1)
			OR EXISTS (SELECT 1 FROM case_actions WHERE meeting_id = ?1)
			OR EXISTS (SELECT 1 FROM case_decisions WHERE meeting_id = ?1)
			OR EXISTS (SELECT 1 FROM meeting_risks WHERE meeting_id = ?1)`, meetingID).Scan(&recorded); err != nil {
			return fmt.Errorf("check meeting records: %w", err)
		}
		if recorded {
			return signal.Errorf(signal.CodeConflict, "something was recorded in this meeting; close it instead, so its minutes keep what was recorded")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET cancelled_at = ? WHERE id = ?`,
			at.UTC().Format(timeLayout), meetingID); err != nil {
			return fmt.Errorf("cancel meeting: %w", err)
		}
		return nil
	})
}

// MatchDecisions implements signal.MatchStore.
func (s *MeetingStore) MatchDecisions(ctx context.Context, coop string) ([]signal.MatchDecision, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT youth_a, youth_b, same, meeting_id, decided_by, decided_at
		FROM match_decisions WHERE cooperation_id = ? ORDER BY decided_at`, coop)
	if err != nil {
		return nil, fmt.Errorf("read match decisions: %w", err)
	}
	defer rows.Close()
	var out []signal.MatchDecision
	for rows.Next() {
		d := signal.MatchDecision{CooperationID: coop}
		var at string
		if err := rows.Scan(&d.YouthA, &d.YouthB, &d.Same, &d.MeetingID, &d.DecidedBy, &at); err != nil {
			return nil, fmt.Errorf("read match decisions: %w", err)
		}
		d.DecidedAt = parseTime(at)
		out = append(out, d)
	}
	return out, rows.Err()
}

// DecideMatch implements signal.MatchStore.
func (s *MeetingStore) DecideMatch(ctx context.Context, actor signal.Actor, d signal.MatchDecision, events []signal.AuditEvent) error {
	return s.w.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		if err := plannedMeeting(ctx, tx, d.MeetingID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO match_decisions (cooperation_id, youth_a, youth_b, same, meeting_id, decided_by, decided_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, d.CooperationID, d.YouthA, d.YouthB, d.Same, d.MeetingID,
			d.DecidedBy, d.DecidedAt.UTC().Format(timeLayout))
		if err != nil {
			return fmt.Errorf("insert match decision: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return signal.Errorf(signal.CodeConflict, "these two were decided about before")
		}
		return nil
	})
}

// EvaluationData implements signal.EvaluationStore: decided signals created
// in [from, until), lead professionals assigned then (with the days since
// the first signal of their case), actions due then, meetings held then.
func (s *MeetingStore) EvaluationData(ctx context.Context, coop string, from, until time.Time) (signal.EvaluationData, error) {
	var d signal.EvaluationData
	f, u := from.UTC().Format(timeLayout), until.UTC().Format(timeLayout)
	rows, err := s.r.QueryContext(ctx, `SELECT org_id, category, youth, meeting_level, coalesce(json_extract(decision, '$.fields'), '[]') FROM signals
		WHERE cooperation_id = ? AND status = 'decided' AND created_at >= ? AND created_at < ?`, coop, f, u)
	if err != nil {
		return d, fmt.Errorf("count signals: %w", err)
	}
	for rows.Next() {
		var e signal.EvalSignal
		var cat, level, fields string
		if err := rows.Scan(&e.OrgID, &cat, &e.Youth, &level, &fields); err != nil {
			rows.Close()
			return d, fmt.Errorf("count signals: %w", err)
		}
		if err := json.Unmarshal([]byte(fields), &e.Fields); err != nil {
			rows.Close()
			return d, fmt.Errorf("count signals: decision fields: %w", err)
		}
		e.Category, e.MeetingLevel = signal.Category(cat), signal.Level(level)
		d.Signals = append(d.Signals, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("count signals: %w", err)
	}
	// The young people the coordinator confirmed to be one are one item
	// on the agenda, and so one young person in the evaluation.
	rows, err = s.r.QueryContext(ctx, `SELECT youth_a, youth_b FROM match_decisions WHERE cooperation_id = ? AND same = 1`, coop)
	if err != nil {
		return d, fmt.Errorf("count confirmed matches: %w", err)
	}
	for rows.Next() {
		var pair [2]string
		if err := rows.Scan(&pair[0], &pair[1]); err != nil {
			rows.Close()
			return d, fmt.Errorf("count confirmed matches: %w", err)
		}
		d.SamePeople = append(d.SamePeople, pair)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("count confirmed matches: %w", err)
	}

	// A case's first lead counts, in the quarter it was assigned: a later
	// change of lead is not a new "time to a lead professional".
	rows, err = s.r.QueryContext(ctx, `SELECT first.assigned_at,
		CASE WHEN c.anonymous_signal IS NOT NULL
			THEN (SELECT created_at FROM signals WHERE id = c.anonymous_signal)
			ELSE (SELECT min(created_at) FROM signals sg WHERE sg.cooperation_id = c.cooperation_id AND sg.youth = c.youth) END
		FROM cases c JOIN (SELECT case_id, min(assigned_at) AS assigned_at FROM case_leads GROUP BY case_id) first ON first.case_id = c.id
		WHERE c.cooperation_id = ? AND first.assigned_at >= ? AND first.assigned_at < ?`, coop, f, u)
	if err != nil {
		return d, fmt.Errorf("count leads: %w", err)
	}
	for rows.Next() {
		var assigned string
		var first sql.NullString
		if err := rows.Scan(&assigned, &first); err != nil {
			rows.Close()
			return d, fmt.Errorf("count leads: %w", err)
		}
		if !first.Valid {
			continue
		}
		days := int(parseTime(assigned).Sub(parseTime(first.String)).Hours() / 24)
		d.LeadDays = append(d.LeadDays, max(days, 0))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("count leads: %w", err)
	}

	fromDay, untilDay := signal.Today(from).String(), signal.Today(until).String()
	rows, err = s.r.QueryContext(ctx, `SELECT a.due_on, a.done_on FROM case_actions a JOIN cases c ON c.id = a.case_id
		WHERE c.cooperation_id = ? AND a.due_on >= ? AND a.due_on < ?`, coop, fromDay, untilDay)
	if err != nil {
		return d, fmt.Errorf("count actions: %w", err)
	}
	for rows.Next() {
		var due string
		var done sql.NullString
		if err := rows.Scan(&due, &done); err != nil {
			rows.Close()
			return d, fmt.Errorf("count actions: %w", err)
		}
		var a signal.EvalAction
		a.Due, _ = signal.ParseDate(due)
		if done.Valid {
			dd, _ := signal.ParseDate(done.String)
			a.DoneOn = &dd
		}
		d.Actions = append(d.Actions, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("count actions: %w", err)
	}
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM meetings WHERE cooperation_id = ? AND status = 'held'
		AND held_at >= ? AND held_at < ?`, coop, f, u).Scan(&d.MeetingsHeld); err != nil {
		return d, fmt.Errorf("count meetings: %w", err)
	}
	return d, nil
}

// needsColumn is how a meeting text's needs are stored: field codes joined
// by commas; NULL for nil (written before the check).
func needsColumn(needs []signal.Field) any {
	if needs == nil {
		return nil
	}
	codes := make([]string, len(needs))
	for i, f := range needs {
		codes[i] = string(f)
	}
	return strings.Join(codes, ",")
}

// parseNeeds reads needsColumn back: NULL is nil, an empty string an empty
// list.
func parseNeeds(v sql.NullString) []signal.Field {
	if !v.Valid {
		return nil
	}
	needs := []signal.Field{}
	for _, code := range strings.Split(v.String, ",") {
		if code != "" {
			needs = append(needs, signal.Field(code))
		}
	}
	return needs
}

// LastDisclosure implements signal.DisclosureLog: the newest of the last
// audit.MaxPage entries with the action, object and subject by the user
// whose decision matches (the entries of one young person are few; older
// ones than that are not looked for, and the disclosure is then recorded
// in full again).
func (s *MeetingStore) LastDisclosure(ctx context.Context, q signal.DisclosureQuery) (signal.EarlierDisclosure, bool, error) {
	page, err := audit.Search(ctx, s.r, audit.Query{UserID: q.UserID, Action: string(q.Action), Object: q.Object,
		Subject: q.Subject, Limit: audit.MaxPage})
	if err != nil {
		return signal.EarlierDisclosure{}, false, fmt.Errorf("find earlier disclosure: %w", err)
	}
	for _, r := range page.Records {
		d := r.Decision
		if r.Action != q.Action || d == nil || d.Outcome != q.Outcome || d.Level != q.Level || d.Rule != q.Rule ||
			d.PolicyVersion != q.PolicyVersion {
			continue
		}
		return signal.EarlierDisclosure{Seq: r.Seq, Fields: d.Fields, Texts: d.Texts}, true, nil
	}
	return signal.EarlierDisclosure{}, false, nil
}

// sealedRiskText is what a risk's row holds: the placeholder and its sealed
// text. A risk is never stored in the clear (migration 0121).
func sealedRiskText(r *signal.RiskNote) (string, []byte, error) {
	if len(r.SealedText) == 0 {
		return "", nil, errors.New("store risk: its text is not sealed")
	}
	return sealedTitlePlaceholder, r.SealedText, nil
}

// PlainRisks implements signal.MeetingStore: risk texts written before
// they were sealed (migration 0121), current ones and earlier versions.
func (s *MeetingStore) PlainRisks(ctx context.Context, limit int) ([]signal.PlainRisk, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT r.id, m.cooperation_id, r.text_version, 1, r.text
		FROM meeting_risks r JOIN meetings m ON m.id = r.meeting_id WHERE r.text_ct IS NULL
		UNION ALL
		SELECT v.risk_id, m.cooperation_id, v.version, 0, v.text
		FROM risk_text_versions v JOIN meeting_risks r ON r.id = v.risk_id JOIN meetings m ON m.id = r.meeting_id WHERE v.text_ct IS NULL
		LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read risks in the clear: %w", err)
	}
	defer rows.Close()
	var out []signal.PlainRisk
	for rows.Next() {
		var p signal.PlainRisk
		if err := rows.Scan(&p.RiskID, &p.CooperationID, &p.Version, &p.Current, &p.Text); err != nil {
			return nil, fmt.Errorf("read risks in the clear: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SealRisk implements signal.MeetingStore: it replaces p's text in the
// clear by sealed, unless it changed meanwhile.
func (s *MeetingStore) SealRisk(ctx context.Context, p signal.PlainRisk, sealed []byte) (bool, error) {
	if len(sealed) == 0 {
		return false, errors.New("seal risk: no ciphertext")
	}
	q := `UPDATE risk_text_versions SET text = ?, text_ct = ? WHERE risk_id = ? AND version = ? AND text_ct IS NULL AND text = ?`
	if p.Current {
		q = `UPDATE meeting_risks SET text = ?, text_ct = ? WHERE id = ? AND text_version = ? AND text_ct IS NULL AND text = ?`
	}
	return s.w.sealInPlace(ctx, q, sealedTitlePlaceholder, sealed, p.RiskID, p.Version, p.Text)
}
