package signal

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// The console's scope (issue 17 item 4): a privacy officer sees their own
// cooperation, the entries of the system and of the operator's commands
// included, and sees staff by name and role rather than by account id.
//
// An entry by an account belongs to that account's organisation. An entry
// by no organisation (the hourly jobs, signald's commands, a failed login
// with an unknown address) belongs to the cooperation its object names: a
// signal, a meeting, an organisation, an account, a cooperation or its
// agreement, or
// the young person of a key erased. The few that concern every
// cooperation alike (a policy version loaded, addresses forgotten in the
// whole log) are shown to every officer. What names no cooperation (a
// failed login with an address nobody has) is shown to none: the operator
// reads it in `signald audit export`.

// StaffDirectory lists the accounts and organisations of a cooperation, so
// the console can show names and roles instead of ids.
type StaffDirectory interface {
	// Organisations returns the partners of cooperation coopID by name.
	Organisations(ctx context.Context, coopID string) ([]Organisation, error)
	// Users returns the accounts of the partners of coopID.
	Users(ctx context.Context, coopID string) ([]User, error)
}

// StaffMember is an account as the console names it.
type StaffMember struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	Org  string `json:"org"` // the organisation's name
}

// Names are the people and organisations of the officer's cooperation by
// id, for pages that show who did what. Ids not in it (another
// cooperation's, the system's) are shown as they are.
type Names struct {
	Users map[string]StaffMember `json:"-"`
	Orgs  map[string]string      `json:"-"`
}

// User is the name of account id, or id itself when it is none of the
// cooperation's.
func (n Names) User(id string) string {
	if m, ok := n.Users[id]; ok && m.Name != "" {
		return m.Name
	}
	return id
}

// Org is the name of organisation id, or id itself.
func (n Names) Org(id string) string {
	if name, ok := n.Orgs[id]; ok {
		return name
	}
	return id
}

// names reads the cooperation's staff and organisations.
func (p *Privacy) names(ctx context.Context, sc officerScope) (Names, error) {
	n := Names{Users: map[string]StaffMember{}, Orgs: map[string]string{}}
	if p.staff == nil {
		return n, nil
	}
	orgs, err := p.staff.Organisations(ctx, sc.Cooperation)
	if err != nil {
		return n, fmt.Errorf("list the cooperation's organisations: %w", err)
	}
	for _, o := range orgs {
		n.Orgs[o.ID] = o.Name
	}
	users, err := p.staff.Users(ctx, sc.Cooperation)
	if err != nil {
		return n, fmt.Errorf("list the cooperation's accounts: %w", err)
	}
	for _, u := range users {
		n.Users[u.ID] = StaffMember{Name: u.Name, Role: u.Role, Org: n.Orgs[u.OrgID]}
	}
	return n, nil
}

// attribution decides which entries of the log an officer sees, with what
// it looked up cached for one request.
type attribution struct {
	p     *Privacy
	sc    officerScope
	names Names
	seen  map[string]bool
}

func (p *Privacy) attribution(ctx context.Context, sc officerScope) (*attribution, error) {
	n, err := p.names(ctx, sc)
	if err != nil {
		return nil, err
	}
	return &attribution{p: p, sc: sc, names: n, seen: map[string]bool{}}, nil
}

// everyone are the objects of system entries that concern every
// cooperation alike.
var everyone = []string{"policy/", "audit/"}

// concerns reports whether entry r is the officer's cooperation's.
func (a *attribution) concerns(ctx context.Context, r AuditRecord) (bool, error) {
	if r.Actor.OrgID != "" {
		return slices.Contains(a.sc.Organisations, r.Actor.OrgID), nil
	}
	key := string(r.Action) + " " + r.Object + " " + r.Subject
	if ok, done := a.seen[key]; done {
		return ok, nil
	}
	ok, err := a.objectOf(ctx, r)
	if err != nil {
		return false, err
	}
	a.seen[key] = ok
	return ok, nil
}

func (a *attribution) objectOf(ctx context.Context, r AuditRecord) (bool, error) {
	kind, id, _ := strings.Cut(r.Object, "/")
	id, _, _ = strings.Cut(id, "/")
	switch kind {
	case "signal":
		sig, err := a.p.store.Signal(ctx, id)
		if ErrorCode(err) == CodeNotFound {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return sig.CooperationID == a.sc.Cooperation, nil
	case "meeting":
		coop, err := a.p.store.MeetingCooperation(ctx, id)
		if ErrorCode(err) == CodeNotFound {
			return false, nil
		}
		return coop == a.sc.Cooperation, err
	case "cooperation", "agreement", "evaluation":
		return id == a.sc.Cooperation, nil
	case "org":
		return slices.Contains(a.sc.Organisations, id), nil
	case "user":
		_, ok := a.names.Users[id]
		return ok, nil
	case "access-request":
		// The operator's steps inside a registered request (signald youth
		// erase --request): the request's cooperation's.
		if a.p.reqs == nil {
			return false, nil
		}
		req, err := a.p.reqs.Request(ctx, id)
		if ErrorCode(err) == CodeNotFound {
			return false, nil
		}
		return err == nil && req.Cooperation == a.sc.Cooperation, err
	case "youth-key":
		if r.Subject == "" {
			return false, nil
		}
		sigs, err := a.p.store.SignalsOfYouth(ctx, r.Subject, a.sc.Cooperation, true)
		if err != nil {
			return false, err
		}
		return len(sigs) > 0, nil
	}
	for _, prefix := range everyone {
		if strings.HasPrefix(r.Object, prefix) {
			return true, nil
		}
	}
	return false, nil
}

// auditScan is how many store pages one console page may read past
// entries of other cooperations before it answers with fewer entries (and
// the cursor onward).
const auditScan = 20

// scopedSearch returns a page of q holding only entries of the officer's
// cooperation.
func (a *attribution) search(ctx context.Context, q AuditQuery) (AuditPage, error) {
	q.Orgs = a.sc.Organisations
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > MaxAuditPage {
		limit = MaxAuditPage
	}
	out := AuditPage{Records: []AuditRecord{}}
	for range auditScan {
		q.Limit = limit - len(out.Records)
		page, err := a.p.log.SearchAudit(ctx, q)
		if err != nil {
			return AuditPage{}, err
		}
		for _, r := range page.Records {
			ok, err := a.concerns(ctx, r)
			if err != nil {
				return AuditPage{}, err
			}
			if ok {
				out.Records = append(out.Records, r)
			}
		}
		out.Next = page.Next
		if page.Next == 0 || len(out.Records) >= limit {
			break
		}
		q.Before = page.Next
	}
	return out, nil
}

// Colleague is an account of the cooperation as a choice on a form.
type Colleague struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Officers returns the privacy officers of actor's cooperation by name,
// the owners an escalation can have.
//
// Callers: a privacy officer.
// Errors: CodeForbidden.
func (p *Privacy) Officers(ctx context.Context, actor Actor) ([]Colleague, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return nil, err
	}
	n, err := p.names(ctx, sc)
	if err != nil {
		return nil, err
	}
	out := []Colleague{}
	for id, m := range n.Users {
		if m.Role == RolePrivacyOfficer {
			out = append(out, Colleague{ID: id, Name: m.Name})
		}
	}
	slices.SortFunc(out, func(a, b Colleague) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
