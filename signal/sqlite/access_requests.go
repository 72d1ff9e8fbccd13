package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

var _ signal.AccessRequestStore = (*Privacy)(nil)

const requestColumns = `id, cooperation_id, subject, requester, received_on, deadline, extended_to, extension_reason, status,
	registered_by, registered_at, release_asked_by, released_by, released_at`

// CreateRequest implements signal.AccessRequestStore.
func (p *Privacy) CreateRequest(ctx context.Context, actor signal.Actor, r signal.AccessRequest, events []signal.AuditEvent) error {
	return p.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO access_requests (id, cooperation_id, subject, requester, received_on, deadline,
			status, registered_by, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.Cooperation, r.Subject, string(r.Requester), r.ReceivedOn.String(), r.Deadline.String(), string(r.Status),
			r.RegisteredBy, formatTime(r.RegisteredAt))
		if err != nil {
			return fmt.Errorf("store request: %w", err)
		}
		return nil
	})
}

type rowScanner interface{ Scan(...any) error }

func scanRequest(row rowScanner) (signal.AccessRequest, error) {
	var (
		r                                          signal.AccessRequest
		requester, received, deadline, status, reg string
		extTo, extReason, asked, relBy, relAt      sql.NullString
	)
	if err := row.Scan(&r.ID, &r.Cooperation, &r.Subject, &requester, &received, &deadline, &extTo, &extReason, &status,
		&r.RegisteredBy, &reg, &asked, &relBy, &relAt); err != nil {
		return r, err
	}
	r.Requester, r.Status, r.RegisteredAt = signal.Requester(requester), signal.RequestStatus(status), parseTime(reg)
	r.ReceivedOn, _ = signal.ParseDate(received)
	r.Deadline, _ = signal.ParseDate(deadline)
	if extTo.Valid {
		d, _ := signal.ParseDate(extTo.String)
		r.ExtendedTo, r.Extension = &d, extReason.String
	}
	r.ReleaseAskedBy, r.ReleasedBy = asked.String, relBy.String
	if relAt.Valid {
		t := parseTime(relAt.String)
		r.ReleasedAt = &t
	}
	r.Reads, r.Releases = []signal.ContentRead{}, []signal.ThirdPartyRelease{}
	return r, nil
}

// Request implements signal.AccessRequestStore.
func (p *Privacy) Request(ctx context.Context, id string) (signal.AccessRequest, error) {
	r, err := scanRequest(p.r.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM access_requests WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, signal.Errorf(signal.CodeNotFound, "no request %s", id)
	}
	if err != nil {
		return r, fmt.Errorf("read request: %w", err)
	}
	rows, err := p.r.QueryContext(ctx, `SELECT read_at, read_by, reason FROM access_request_reads WHERE request_id = ? ORDER BY id`, id)
	if err != nil {
		return r, fmt.Errorf("read content reads: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at, by, reason string
		if err := rows.Scan(&at, &by, &reason); err != nil {
			return r, fmt.Errorf("read content reads: %w", err)
		}
		r.Reads = append(r.Reads, signal.ContentRead{At: parseTime(at), By: by, Reason: signal.ReadReason(reason)})
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	rels, err := p.r.QueryContext(ctx, `SELECT signal_id, released_at, released_by FROM access_request_releases WHERE request_id = ?
		ORDER BY released_at, signal_id`, id)
	if err != nil {
		return r, fmt.Errorf("read releases: %w", err)
	}
	defer rels.Close()
	for rels.Next() {
		var rel signal.ThirdPartyRelease
		var at string
		if err := rels.Scan(&rel.SignalID, &at, &rel.By); err != nil {
			return r, fmt.Errorf("read releases: %w", err)
		}
		rel.At = parseTime(at)
		r.Releases = append(r.Releases, rel)
	}
	return r, rels.Err()
}

// RecordRelease implements signal.AccessRequestStore.
func (p *Privacy) RecordRelease(ctx context.Context, actor signal.Actor, id string, rel signal.ThirdPartyRelease, events []signal.AuditEvent) error {
	return p.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO access_request_releases (request_id, signal_id, released_at, released_by)
			SELECT id, ?, ?, ? FROM access_requests WHERE id = ? AND status <> 'closed' ON CONFLICT DO NOTHING`,
			rel.SignalID, formatTime(rel.At), rel.By, id)
		if err != nil {
			return fmt.Errorf("record release: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeConflict, "the request was closed, or the release was made, meanwhile")
		}
		return nil
	})
}

// Requests implements signal.AccessRequestStore.
func (p *Privacy) Requests(ctx context.Context, coop string) ([]signal.AccessRequest, error) {
	rows, err := p.r.QueryContext(ctx, `SELECT `+requestColumns+` FROM access_requests WHERE cooperation_id = ?
		ORDER BY received_on DESC, registered_at DESC LIMIT 1000`, coop)
	if err != nil {
		return nil, fmt.Errorf("list requests: %w", err)
	}
	defer rows.Close()
	out := []signal.AccessRequest{}
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("list requests: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func nullDate(d *signal.Date) any {
	if d == nil {
		return nil
	}
	return d.String()
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// UpdateRequest implements signal.AccessRequestStore.
func (p *Privacy) UpdateRequest(ctx context.Context, actor signal.Actor, r signal.AccessRequest, from signal.RequestStatus, events []signal.AuditEvent) error {
	return p.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE access_requests SET extended_to = ?, extension_reason = ?, status = ?,
			release_asked_by = ?, released_by = ?, released_at = ? WHERE id = ? AND status = ?`,
			nullDate(r.ExtendedTo), nullString(r.Extension), string(r.Status), nullString(r.ReleaseAskedBy),
			nullString(r.ReleasedBy), nullTime(r.ReleasedAt), r.ID, string(from))
		if err != nil {
			return fmt.Errorf("update request: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeConflict, "the request changed meanwhile; look at it again")
		}
		return nil
	})
}

// RecordRead implements signal.AccessRequestStore: the read is stored only
// while the request is not closed, in the unit of its audit entries.
func (p *Privacy) RecordRead(ctx context.Context, actor signal.Actor, id string, read signal.ContentRead, events []signal.AuditEvent) error {
	return p.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO access_request_reads (request_id, read_at, read_by, reason)
			SELECT id, ?, ?, ? FROM access_requests WHERE id = ? AND status <> 'closed'`,
			formatTime(read.At), read.By, string(read.Reason), id)
		if err != nil {
			return fmt.Errorf("record content read: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return signal.Errorf(signal.CodeConflict, "the request was closed meanwhile")
		}
		return nil
	})
}

// FourEyes implements signal.AccessRequestStore.
func (p *Privacy) FourEyes(ctx context.Context, coop string) (bool, error) {
	var on bool
	err := p.r.QueryRowContext(ctx, `SELECT access_four_eyes FROM cooperations WHERE id = ?`, coop).Scan(&on)
	if errors.Is(err, sql.ErrNoRows) {
		return true, signal.Errorf(signal.CodeNotFound, "no cooperation %s", coop)
	}
	if err != nil {
		return true, fmt.Errorf("read four eyes: %w", err)
	}
	return on, nil
}

// SetFourEyes implements signal.AccessRequestStore.
func (p *Privacy) SetFourEyes(ctx context.Context, actor signal.Actor, coop string, on bool, events []signal.AuditEvent) error {
	return p.db.doAudited(ctx, actor, events, func(ctx context.Context, tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE cooperations SET access_four_eyes = ? WHERE id = ?`, on, coop)
		if err != nil {
			return fmt.Errorf("set four eyes: %w", err)
		}
		return nil
	})
}
