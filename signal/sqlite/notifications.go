package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

var _ signal.NotificationStore = Outbox{}

// OpenActions implements signal.NotificationStore.
func (o Outbox) OpenActions(ctx context.Context) ([]signal.ActionNotice, error) {
	// An action corrected to another owner than its first version's is
	// "reassigned" to the current one.
	rows, err := o.db.read.QueryContext(ctx, `SELECT a.id, a.meeting_id, u.email, u.role, a.due_on,
		CASE WHEN a.owner_id <> coalesce((SELECT v.owner_id FROM case_record_versions v WHERE v.record_kind = 'action' AND v.record_id = a.id
			AND v.version = 1), a.owner_id) THEN a.owner_id ELSE '' END
		FROM case_actions a JOIN users u ON u.id = a.owner_id WHERE a.done_on IS NULL AND length(a.description_ct) > 0 AND u.disabled = 0
		ORDER BY a.due_on, a.id`)
	if err != nil {
		return nil, fmt.Errorf("read open actions: %w", err)
	}
	defer rows.Close()
	var out []signal.ActionNotice
	for rows.Next() {
		var a signal.ActionNotice
		var due, role string
		if err := rows.Scan(&a.ID, &a.MeetingID, &a.OwnerEmail, &role, &due, &a.Reassigned); err != nil {
			return nil, fmt.Errorf("read open actions: %w", err)
		}
		a.OwnerRole = signal.Role(role)
		if a.Due, err = signal.ParseDate(due); err != nil {
			return nil, fmt.Errorf("action %s due_on: %w", a.ID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// HeldMeetings implements signal.NotificationStore.
func (o Outbox) HeldMeetings(ctx context.Context, since time.Time) ([]signal.MinutesNotice, error) {
	// Who may read the minutes (Meetings.mayReadMinutes): the
	// cooperation's coordinators and the member organisations' contact
	// persons and deputies with an account.
	rows, err := o.db.read.QueryContext(ctx, `SELECT m.id, u.email FROM meetings m JOIN organisations g ON g.cooperation_id = m.cooperation_id
		JOIN users u ON u.org_id = g.id AND u.role = 'coordinator' AND u.disabled = 0
		WHERE m.status = 'held' AND m.held_at >= ?
		UNION SELECT m.id, u.email FROM meetings m JOIN meeting_members mm ON mm.meeting_id = m.id JOIN organisations g ON g.id = mm.org_id
		JOIN users u ON u.org_id = g.id AND u.role = 'reporter' AND u.disabled = 0 AND (u.email = lower(g.contact_email) OR u.email = lower(g.deputy_email))
		WHERE m.status = 'held' AND m.held_at >= ?
		ORDER BY 1, 2`, formatTime(since), formatTime(since))
	if err != nil {
		return nil, fmt.Errorf("read held meetings: %w", err)
	}
	defer rows.Close()
	var out []signal.MinutesNotice
	for rows.Next() {
		var id, email string
		if err := rows.Scan(&id, &email); err != nil {
			return nil, fmt.Errorf("read held meetings: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].MeetingID != id {
			out = append(out, signal.MinutesNotice{MeetingID: id})
		}
		out[len(out)-1].Recipients = append(out[len(out)-1].Recipients, email)
	}
	return out, rows.Err()
}

// OpenEscalations implements signal.NotificationStore.
func (o Outbox) OpenEscalations(ctx context.Context) ([]signal.EscalationNotice, error) {
	rows, err := o.db.read.QueryContext(ctx, `SELECT e.seq, u.email FROM escalations e JOIN organisations g ON g.id = e.org
		JOIN organisations po ON po.cooperation_id = g.cooperation_id
		JOIN users u ON u.org_id = po.id AND u.role = 'privacy_officer' AND u.disabled = 0
		WHERE e.status = 'open' ORDER BY e.seq, u.email`)
	if err != nil {
		return nil, fmt.Errorf("read open escalations: %w", err)
	}
	defer rows.Close()
	var out []signal.EscalationNotice
	for rows.Next() {
		var seq int64
		var email string
		if err := rows.Scan(&seq, &email); err != nil {
			return nil, fmt.Errorf("read open escalations: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Seq != seq {
			out = append(out, signal.EscalationNotice{Seq: seq})
		}
		out[len(out)-1].Recipients = append(out[len(out)-1].Recipients, email)
	}
	return out, rows.Err()
}

// MatchPairs implements signal.NotificationStore. The pair's digest hides
// the pseudonym: the outbox outlives an erasure of the young person.
func (o Outbox) MatchPairs(ctx context.Context) ([]signal.MatchNotice, error) {
	rows, err := o.db.read.QueryContext(ctx, `WITH live AS (
			SELECT DISTINCT s.youth, s.cooperation_id, s.org_id FROM signals s
			WHERE s.status = 'decided' AND s.meeting_level IN ('full', 'minimal', 'existence')
			AND NOT EXISTS (SELECT 1 FROM signal_erasures e WHERE e.signal_id = s.id))
		SELECT a.youth, ga.name, ga.contact_name, ga.contact_phone, ga.contact_email, gb.name, gb.contact_name, gb.contact_phone, gb.contact_email
		FROM live a JOIN live b ON b.youth = a.youth AND b.cooperation_id = a.cooperation_id AND a.org_id < b.org_id
		JOIN organisations ga ON ga.id = a.org_id JOIN organisations gb ON gb.id = b.org_id`)
	if err != nil {
		return nil, fmt.Errorf("read matches: %w", err)
	}
	defer rows.Close()
	var out []signal.MatchNotice
	for rows.Next() {
		var youth string
		var m signal.MatchNotice
		if err := rows.Scan(&youth, &m.A.Organisation, &m.A.Person, &m.A.Phone, &m.AEmail, &m.B.Organisation, &m.B.Person, &m.B.Phone, &m.BEmail); err != nil {
			return nil, fmt.Errorf("read matches: %w", err)
		}
		m.A.Email, m.B.Email = m.AEmail, m.BEmail
		sum := sha256.Sum256([]byte(youth + "\x00" + m.A.Organisation + "\x00" + m.B.Organisation))
		m.Pair = hex.EncodeToString(sum[:12])
		out = append(out, m)
	}
	return out, rows.Err()
}

// Inbox implements signal.NotificationStore.
func (o Outbox) Inbox(ctx context.Context, address string, limit int) ([]signal.Notification, error) {
	rows, err := o.db.read.QueryContext(ctx, `SELECT kind, link, created_ms, sent_ms IS NOT NULL FROM outbox
		WHERE recipient = ? AND kind NOT IN ('invitation', 'password_reset') ORDER BY created_ms DESC, id DESC LIMIT ?`, address, limit)
	if err != nil {
		return nil, fmt.Errorf("read notices: %w", err)
	}
	defer rows.Close()
	var out []signal.Notification
	for rows.Next() {
		var n signal.Notification
		var kind string
		var at int64
		if err := rows.Scan(&kind, &n.Link, &at, &n.Sent); err != nil {
			return nil, fmt.Errorf("read notices: %w", err)
		}
		n.Kind, n.At = signal.MailKind(kind), time.UnixMilli(at).UTC()
		out = append(out, n)
	}
	return out, rows.Err()
}

// UserEmail implements signal.NotificationStore.
func (o Outbox) UserEmail(ctx context.Context, id string) (string, error) {
	var email string
	err := o.db.read.QueryRowContext(ctx, `SELECT email FROM users WHERE id = ?`, id).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", signal.Errorf(signal.CodeUnauthorized, "no such user")
	}
	if err != nil {
		return "", fmt.Errorf("find user: %w", err)
	}
	return email, nil
}
