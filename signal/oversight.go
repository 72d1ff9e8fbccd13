package signal

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Oversight: signs that something is wrong (heavy readers, refused access,
// failed logins) over a window of time.

// Oversight is the dashboard of signs that something is wrong, over a
// window of time.
type Oversight struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// HeavyReaders are accounts that viewed unusually many signals: more
	// than Threshold signal views in the window.
	HeavyReaders []ReaderCount `json:"heavy_readers"`
	Threshold    int           `json:"threshold"`
	// Refused are refused reads and actions (access.denied): outside one's
	// own cooperation or signals, or beyond one's role.
	Refused []RefusedAccess `json:"refused"`
	// FailedLogins counts login.fail per client address, of the
	// cooperation's accounts (an unknown address belongs to no
	// cooperation: the operator sees those).
	FailedLogins      []FailedLogins `json:"failed_logins"`
	FailedLoginsTotal int            `json:"failed_logins_total"`
	// ContentReads are the privacy officers' reads of content inside
	// registered requests (access.content_read): every one counts.
	ContentReads []ReaderCount `json:"content_reads"`
	// Names are the cooperation's staff and organisations, for the page.
	Names Names `json:"-"`
}

// ReaderCount is how many signal views one account had.
type ReaderCount struct {
	UserID   string `json:"user_id"`
	Name     string `json:"name,omitempty"` // the account's name, for the cooperation's own
	Role     string `json:"role"`
	Org      string `json:"org"`
	Views    int    `json:"views"`
	Distinct int    `json:"distinct_young_people"`
}

// RefusedAccess is one refused access.
type RefusedAccess struct {
	Seq    int64     `json:"seq"`
	Time   time.Time `json:"time"`
	UserID string    `json:"user_id"`
	Name   string    `json:"name,omitempty"` // the account's name, for the cooperation's own
	Role   string    `json:"role"`
	Org    string    `json:"org"`
	Object string    `json:"object"`
}

// FailedLogins is the number of failed logins from one address.
type FailedLogins struct {
	IP    string    `json:"ip"`
	Count int       `json:"count"`
	Last  time.Time `json:"last"`
}

// OversightWindow is the window and threshold of the oversight dashboard.
type OversightWindow struct {
	Days      int // default 7, 1 to 366
	Threshold int // signal views; default 50
}

// Oversight counts, over the last w.Days, the accounts of actor's
// cooperation with more than w.Threshold signal views, the refused
// accesses (by its actors, and by anyone trying to read its signals), and
// failed logins per address (they have no organisation: all are counted),
// and audits the viewing.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (days or threshold out of range).
func (p *Privacy) Oversight(ctx context.Context, actor Actor, w OversightWindow) (Oversight, error) {
	if w.Days == 0 {
		w.Days = 7
	}
	if w.Threshold == 0 {
		w.Threshold = 50
	}
	var fe FieldErrors
	if w.Days < 1 || w.Days > 366 {
		fe.Add("days", "must be from 1 to 366")
	}
	if w.Threshold < 1 {
		fe.Add("threshold", "must be a positive number of signal views")
	}
	if err := fe.Err(); err != nil {
		return Oversight{}, err
	}
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return Oversight{}, err
	}
	until := p.now()
	o, err := p.oversight(ctx, sc, until.AddDate(0, 0, -w.Days), until, w.Threshold)
	if err != nil {
		return o, err
	}
	return o, p.record(ctx, actor, ActionOversightView, "oversight", "")
}

func (p *Privacy) oversight(ctx context.Context, sc officerScope, since, until time.Time, threshold int) (Oversight, error) {
	o := Oversight{Since: since.UTC(), Until: until.UTC(), Threshold: threshold,
		HeavyReaders: []ReaderCount{}, Refused: []RefusedAccess{}, FailedLogins: []FailedLogins{}, ContentReads: []ReaderCount{}}
	if len(sc.Organisations) == 0 {
		return o, nil
	}
	names, err := p.names(ctx, sc)
	if err != nil {
		return o, err
	}
	o.Names = names
	readers, err := p.log.ViewsPerReader(ctx, disclosures, sc.Organisations, since, until, threshold)
	if err != nil {
		return o, fmt.Errorf("count signal views: %w", err)
	}
	o.HeavyReaders = append(o.HeavyReaders, readers...)
	if o.ContentReads, err = p.contentReadsOf(ctx, sc, since, until); err != nil {
		return o, err
	}
	for _, rs := range [][]ReaderCount{o.HeavyReaders, o.ContentReads} {
		for i := range rs {
			rs[i].Name = names.Users[rs[i].UserID].Name
		}
	}
	page, err := p.log.SearchAudit(ctx, AuditQuery{Action: string(ActionAccessDenied), Since: since, Until: until, Limit: MaxAuditPage})
	if err != nil {
		return o, err
	}
	for _, r := range page.Records {
		if !slices.Contains(sc.Organisations, r.Actor.OrgID) && !p.ofCooperation(ctx, r.Object, sc.Cooperation) {
			continue
		}
		o.Refused = append(o.Refused, RefusedAccess{Seq: r.Seq, Time: r.Time, UserID: r.Actor.UserID, Name: names.Users[r.Actor.UserID].Name,
			Role: string(r.Actor.Role), Org: r.Actor.OrgID, Object: r.Object})
	}
	failed, err := p.log.CountPerAddress(ctx, ActionLoginFail, sc.Organisations, since, until)
	if err != nil {
		return o, fmt.Errorf("count failed logins: %w", err)
	}
	for _, f := range failed {
		o.FailedLogins = append(o.FailedLogins, f)
		o.FailedLoginsTotal += f.Count
	}
	return o, nil
}

// ofCooperation reports whether object is a signal of cooperation coop.
func (p *Privacy) ofCooperation(ctx context.Context, object, coop string) bool {
	id, isSignal := strings.CutPrefix(object, "signal/")
	if !isSignal {
		return false
	}
	sig, err := p.store.Signal(ctx, id)
	return err == nil && sig.CooperationID == coop
}
