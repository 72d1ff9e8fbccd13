package signal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// What a policy change does (issue 17 item 5): which rules changed, by
// name, and how the question paths the cooperation recorded would end
// under each version: every recorded signal's sealed answers decided again
// by the old and by the new version, counted per change of outcome (counts
// only, no content, small counts withheld as in the evaluation). And who
// approved a version for the cooperation.

// RecordedSignals walks a cooperation's recorded signals.
type RecordedSignals interface {
	// EachRecordedSignal calls fn with each signal of cooperation coop
	// that still holds its content (and so its answers), oldest first.
	EachRecordedSignal(ctx context.Context, coop string, fn func(*Signal) error) error
}

// RuleChange is one rule that differs between two versions, by name.
type RuleChange struct {
	Name   string `json:"name"`
	Change string `json:"change"` // "added", "removed", "changed"
}

// OutcomeChange is how many recorded paths that ended in From end in To
// under the other version.
type OutcomeChange struct {
	From  Outcome `json:"from"`
	To    Outcome `json:"to"`
	Count Figure  `json:"count"`
}

// PolicyEffect is the effect of going from one policy version to another
// on the cooperation's recorded question paths.
type PolicyEffect struct {
	From  string       `json:"from"`
	To    string       `json:"to"`
	Rules []RuleChange `json:"rules"`
	// Paths is how many recorded paths were decided again; Changed how
	// many end in another outcome, broken down in Changes (the same
	// suppression as the evaluation: "<5", "x").
	Paths   Figure          `json:"paths"`
	Changed Figure          `json:"changed"`
	Changes []OutcomeChange `json:"changes"`
	// Undecided is how many paths a version could not decide (an input its
	// contract refuses): not counted above.
	Undecided int `json:"undecided"`
}

// PolicyApproval is a privacy officer's approval of a policy version for
// their cooperation.
type PolicyApproval struct {
	Version    string    `json:"version"`
	ApprovedBy string    `json:"approved_by"`
	ByName     string    `json:"approved_by_name,omitempty"`
	ApprovedAt time.Time `json:"approved_at"`
}

// PolicyApprovals keeps the approvals.
type PolicyApprovals interface {
	// ApprovePolicy stores actor's approval of version for cooperation
	// coop with events, in one unit; CodeConflict when it was approved
	// there already.
	ApprovePolicy(ctx context.Context, actor Actor, coop string, a PolicyApproval, events []AuditEvent) error
	// PolicyApprovals returns cooperation coop's approvals by version.
	PolicyApprovals(ctx context.Context, coop string) (map[string]PolicyApproval, error)
}

// RuleChanges compares two versions' rules by name (PolicyVersions.Rules).
func RuleChanges(from, to map[string]string) []RuleChange {
	var out []RuleChange
	for name, text := range to {
		old, ok := from[name]
		switch {
		case !ok:
			out = append(out, RuleChange{Name: name, Change: "added"})
		case old != text:
			out = append(out, RuleChange{Name: name, Change: "changed"})
		}
	}
	for name := range from {
		if _, ok := to[name]; !ok {
			out = append(out, RuleChange{Name: name, Change: "removed"})
		}
	}
	slices.SortFunc(out, func(a, b RuleChange) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// PolicyEffect returns which rules changed from version from to version to,
// and how the question paths recorded in actor's cooperation would end
// under each (every signal with content: its sealed answers, decided by
// both versions; counts per change of outcome, small counts withheld), and
// audits the comparison (policy.view "policy-effect/<from>").
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeNotFound (a version never loaded here),
// CodeUnavailable (no comparison on this server).
func (p *Privacy) PolicyEffect(ctx context.Context, actor Actor, from, to string) (PolicyEffect, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return PolicyEffect{}, err
	}
	if p.versions == nil || p.recorded == nil || p.content == nil {
		return PolicyEffect{}, Errorf(CodeUnavailable, "comparing policy versions is not available on this server")
	}
	a, err := p.policies.PolicyVersion(ctx, from)
	if err != nil {
		return PolicyEffect{}, err
	}
	b, err := p.policies.PolicyVersion(ctx, to)
	if err != nil {
		return PolicyEffect{}, err
	}
	out := PolicyEffect{From: from, To: to, Rules: []RuleChange{}, Changes: []OutcomeChange{}}
	ra, err := p.versions.Rules(a.Files)
	if err != nil {
		return out, fmt.Errorf("rules of %s: %w", from, err)
	}
	rb, err := p.versions.Rules(b.Files)
	if err != nil {
		return out, fmt.Errorf("rules of %s: %w", to, err)
	}
	out.Rules = RuleChanges(ra, rb)
	old, err := p.versions.Load(ctx, a.Files)
	if err != nil {
		return out, fmt.Errorf("load %s: %w", from, err)
	}
	cur, err := p.versions.Load(ctx, b.Files)
	if err != nil {
		return out, fmt.Errorf("load %s: %w", to, err)
	}
	type change struct{ from, to Outcome }
	counts := map[change]int{}
	paths := 0
	err = p.recorded.EachRecordedSignal(ctx, sc.Cooperation, func(sig *Signal) error {
		answers, err := p.content.AnswersOf(ctx, sig)
		if errors.Is(err, ErrContentErased) {
			return nil // erased meanwhile
		}
		if err != nil {
			return err
		}
		in := sig.DecisionInput(answers)
		da, errA := old.Decide(ctx, in)
		db, errB := cur.Decide(ctx, in)
		if errA != nil || errB != nil {
			out.Undecided++
			return nil
		}
		paths++
		if da.Outcome != db.Outcome {
			counts[change{da.Outcome, db.Outcome}]++
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("decide the recorded paths again: %w", err)
	}
	keys := make([]change, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y change) int {
		if c := strings.Compare(string(x.from), string(y.from)); c != 0 {
			return c
		}
		return strings.Compare(string(x.to), string(y.to))
	})
	cells := make([]int, len(keys))
	changed := 0
	for i, k := range keys {
		cells[i] = counts[k]
		changed += counts[k]
	}
	figs, tot := suppressTable(cells, changed)
	for i, k := range keys {
		out.Changes = append(out.Changes, OutcomeChange{From: k.from, To: k.to, Count: figs[i]})
	}
	out.Changed, out.Paths = tot, single(paths)
	return out, p.record(ctx, actor, ActionPolicyView, "policy-effect/"+from, "")
}

// ApprovePolicy records that actor, a privacy officer, approves policy
// version for their cooperation (audited policy.approve), once.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeNotFound (a version never loaded here),
// CodeConflict (approved already), CodeUnavailable.
func (p *Privacy) ApprovePolicy(ctx context.Context, actor Actor, version string) (PolicyApproval, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return PolicyApproval{}, err
	}
	if p.approvals == nil {
		return PolicyApproval{}, Errorf(CodeUnavailable, "approving policy versions is not available on this server")
	}
	if _, err := p.policies.PolicyVersion(ctx, version); err != nil {
		return PolicyApproval{}, err
	}
	a := PolicyApproval{Version: version, ApprovedBy: actor.UserID, ApprovedAt: p.now().UTC()}
	ev := AuditEvent{Action: ActionPolicyApprove, Object: "policy/" + version + "/cooperation/" + sc.Cooperation}
	if err := p.approvals.ApprovePolicy(ctx, actor, sc.Cooperation, a, []AuditEvent{ev}); err != nil {
		return PolicyApproval{}, err
	}
	return a, nil
}

// approvalsOf returns the approvals of sc's cooperation with the approvers'
// names; none when approvals are not kept here.
func (p *Privacy) approvalsOf(ctx context.Context, sc officerScope) (map[string]PolicyApproval, error) {
	if p.approvals == nil {
		return map[string]PolicyApproval{}, nil
	}
	m, err := p.approvals.PolicyApprovals(ctx, sc.Cooperation)
	if err != nil {
		return nil, err
	}
	n, err := p.names(ctx, sc)
	if err != nil {
		return nil, err
	}
	for v, a := range m {
		a.ByName = n.Users[a.ApprovedBy].Name
		m[v] = a
	}
	return m, nil
}
