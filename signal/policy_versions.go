package signal

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// Policy governance: every policy version ever loaded, with its files, and
// when each was in force, so the console can show which rules decided what.

// PolicyFile is one file of a policy version, as loaded.
type PolicyFile struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

// PolicyVersion is a policy that was loaded at some time: its digest, when
// it was first and last loaded, and its files (so versions can be compared).
type PolicyVersion struct {
	Version     string       `json:"version"`
	FirstLoaded time.Time    `json:"first_loaded"`
	LastLoaded  time.Time    `json:"last_loaded"`
	Files       []PolicyFile `json:"files,omitempty"`
}

// PolicyLoad is one start of the service with a policy: from LoadedAt the
// version was in force until the next load.
type PolicyLoad struct {
	Version  string    `json:"version"`
	LoadedAt time.Time `json:"loaded_at"`
}

// ReadPolicyFiles returns the .rego files under fsys sorted by path, the
// same set the policy engine digests (its _test.rego files left out).
func ReadPolicyFiles(fsys fs.FS) ([]PolicyFile, error) {
	var files []PolicyFile
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// The policy's own tests are not part of the policy (nor of its digest).
		if d.IsDir() || path.Ext(p) != ".rego" || strings.HasSuffix(p, "_test.rego") {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files = append(files, PolicyFile{Path: p, Content: string(b)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read policy files: %w", err)
	}
	slices.SortFunc(files, func(a, b PolicyFile) int { return strings.Compare(a.Path, b.Path) })
	return files, nil
}

// PolicyStore keeps every policy version loaded, with its files, and when.
type PolicyStore interface {
	// RecordPolicyLoad stores the version with its files (once per version)
	// and the load, with events, in one unit.
	RecordPolicyLoad(ctx context.Context, actor Actor, version string, files []PolicyFile, events []AuditEvent) error
	// PolicyVersions lists the versions ever loaded, newest first, without
	// files.
	PolicyVersions(ctx context.Context) ([]PolicyVersion, error)
	// PolicyVersion returns one version with its files; CodeNotFound if it
	// was never loaded.
	PolicyVersion(ctx context.Context, version string) (PolicyVersion, error)
	// PolicyLoads lists the loads, newest first, at most limit.
	PolicyLoads(ctx context.Context, limit int) ([]PolicyLoad, error)
	// PolicyInForce returns the last load at or before t; CodeNotFound
	// before the first.
	PolicyInForce(ctx context.Context, t time.Time) (PolicyLoad, error)
}

// RecordPolicyLoad records that the policy version with files was loaded
// now, and audits policy.load, in one unit: the console can then say which
// version was in force when, and show its files.
//
// Callers: signald itself at start (RoleSystem).
// Errors: CodeForbidden for anyone else, CodeInvalid for a version that is
// not a digest.
func (p *Privacy) RecordPolicyLoad(ctx context.Context, actor Actor, version string, files []PolicyFile) error {
	if actor.Role != RoleSystem {
		return Errorf(CodeForbidden, "only signald records a policy load")
	}
	if !strings.HasPrefix(version, "sha256:") {
		return Invalid(FieldError{Field: "version", Problem: fmt.Sprintf("policy version %q is not a digest", version)})
	}
	return p.policies.RecordPolicyLoad(ctx, actor, version, files, []AuditEvent{{Action: ActionPolicyLoad, Object: "policy/" + version}})
}

// Policies is the governance overview: the versions, the loads and the
// version in force at a time.
type Policies struct {
	InForce  *PolicyLoad     `json:"in_force,omitempty"`
	Versions []PolicyVersion `json:"versions"`
	Loads    []PolicyLoad    `json:"loads"`
	// Approvals are the officer's cooperation's, by version.
	Approvals map[string]PolicyApproval `json:"approvals"`
}

// Policies returns the governance overview at time at and audits the
// viewing.
//
// Callers: a privacy officer.
// Errors: CodeForbidden.
func (p *Privacy) Policies(ctx context.Context, actor Actor, at time.Time) (Policies, error) {
	var out Policies
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return out, err
	}
	if out.Approvals, err = p.approvalsOf(ctx, sc); err != nil {
		return out, err
	}
	if out.Versions, err = p.policies.PolicyVersions(ctx); err != nil {
		return out, err
	}
	if out.Loads, err = p.policies.PolicyLoads(ctx, 200); err != nil {
		return out, err
	}
	if l, err := p.policies.PolicyInForce(ctx, at); err == nil {
		out.InForce = &l
	} else if ErrorCode(err) != CodeNotFound {
		return out, err
	}
	return out, p.record(ctx, actor, ActionPolicyView, "policies", "")
}

// PolicyVersion returns one policy version with its files and audits the
// viewing.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeNotFound (never loaded here).
func (p *Privacy) PolicyVersion(ctx context.Context, actor Actor, version string) (PolicyVersion, error) {
	if actor.Role != RolePrivacyOfficer {
		return PolicyVersion{}, Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	v, err := p.policies.PolicyVersion(ctx, version)
	if err != nil {
		return v, err
	}
	return v, p.record(ctx, actor, ActionPolicyView, "policy/"+version, "")
}

// ComparePolicies returns two policy versions with their files, for the
// door to show what changed, and audits the comparison.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeNotFound (a version never loaded here).
func (p *Privacy) ComparePolicies(ctx context.Context, actor Actor, from, to string) (PolicyVersion, PolicyVersion, error) {
	if actor.Role != RolePrivacyOfficer {
		return PolicyVersion{}, PolicyVersion{}, Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	a, err := p.policies.PolicyVersion(ctx, from)
	if err != nil {
		return a, PolicyVersion{}, err
	}
	b, err := p.policies.PolicyVersion(ctx, to)
	if err != nil {
		return a, b, err
	}
	return a, b, p.record(ctx, actor, ActionPolicyView, "policy-diff/"+from, "")
}

// PolicyVersions loads stored policy versions and names their rules (the
// policy package: the only one that knows Rego).
type PolicyVersions interface {
	// Load compiles a stored version's files.
	Load(ctx context.Context, files []PolicyFile) (Decider, error)
	// Rules returns each rule's source text by rule name.
	Rules(files []PolicyFile) (map[string]string, error)
}
