package signal

import (
	"context"
	"encoding/json"
	"iter"
	"slices"
	"strconv"
	"time"
)

// The audit log as the privacy officer's console reads it: the review, its
// integrity and the signed checkpoints. The log's own types live in package
// audit; package sqlite joins the two.

// AuditRecord is one audit entry as the privacy officer's console shows it:
// what package audit stores, in the domain's words.
type AuditRecord struct {
	Seq      int64
	Time     time.Time
	Actor    Actor // who acted, and the request it came from
	Action   AuditAction
	Object   string
	Subject  string
	Decision *AuditDecision
	Hash     [32]byte
}

// AuditDecision is a decision as the log keeps it: codes only.
type AuditDecision struct {
	Outcome       string   `json:"outcome"`
	Level         string   `json:"level"`
	Rule          string   `json:"rule"`
	Fields        []string `json:"fields"`
	Obligations   []string `json:"obligations"`
	Reasons       []string `json:"reasons"`
	PolicyVersion string   `json:"policy_version"`
	Purpose       string   `json:"purpose"`
	Recipient     string   `json:"recipient"`
	// Input is the policy input of entries written before the log kept
	// InputDigest (the keyed digest) instead; omitted on newer ones.
	Input       json.RawMessage `json:"input,omitempty"`
	InputDigest string          `json:"input_digest,omitempty"`
	// Texts are, for a disclosure, the texts that went as codes (see
	// DisclosedText.Code): which signal, part, version and digest.
	Texts []string `json:"texts,omitempty"`
}

// AuditQuery selects entries for the review: newest first, a page at a
// time. Zero fields do not filter; set fields must all hold.
type AuditQuery struct {
	Since, Until time.Time
	UserID       string
	Org          string
	Role         string
	// Action is exactly this action, or every action under a prefix ending
	// in "." ("login.").
	Action  string
	Object  string
	Subject string // a young person's pseudonym
	Outcome string
	Rule    string
	// Orgs, when set, keeps only entries by actors of these organisations
	// or by no organisation.
	Orgs []string
	// Before is the cursor: the Next of the previous page; 0 starts at the
	// newest.
	Before int64
	Limit  int // default 50, at most MaxAuditPage
}

// MaxAuditPage bounds a page of the review.
const MaxAuditPage = 500

// AuditPage is one page of the review, newest first; Next is the cursor of
// the following (older) page, 0 on the last.
type AuditPage struct {
	Records []AuditRecord
	Next    int64
	// Names are the cooperation's staff and organisations (the console's
	// pages; the store leaves it empty).
	Names Names
}

// AuditFilter selects entries in sequence order. Zero fields do not filter.
type AuditFilter struct {
	FromSeq, ToSeq int64 // inclusive
	Action         AuditAction
	Subject        string
}

// AuditVerification is the outcome of checking the audit chain. A tampered
// log is an outcome (Intact false, FirstBad, Problem), not an error.
type AuditVerification struct {
	Intact bool
	// FromCheckpoint is set when the check started at the last stored
	// checkpoint rather than at the first entry.
	FromCheckpoint bool
	Size           int64
	Head           string // "sha256:<hex>"
	Hashed         int64  // entries whose hash was recomputed
	Anchors        int    // checkpoints the log matched
	Elapsed        time.Duration
	FirstBad       int64
	Problem        string
	// Checkpoints are the stored checkpoints, newest first, shown beside
	// the outcome.
	Checkpoints []AuditCheckpoint
	// Untrusted are stored checkpoints signed by a key the operator does
	// not trust (neither the checkpoint key nor one rotated out): not
	// used as anchors, reported, and never by themselves tampering.
	Untrusted []AuditUntrusted
}

// AuditUntrusted is a stored checkpoint signed by a key not trusted.
type AuditUntrusted struct {
	ID, Size int64
	Keys     string // the names of the keys that signed it
}

// AuditCheckpoint is a signed checkpoint of the log's size and head.
type AuditCheckpoint struct {
	ID     int64
	Origin string
	Size   int64
	Head   string // "sha256:<hex>"
	Time   time.Time
	Note   string // the signed note, to keep outside Signaal
}

// AuditReader reads the audit log for the console.
type AuditReader interface {
	// SearchAudit returns one page of the review.
	SearchAudit(ctx context.Context, q AuditQuery) (AuditPage, error)
	// AuditEntries yields the entries matching f in sequence order; it
	// stops at the first error, which it yields.
	AuditEntries(ctx context.Context, f AuditFilter) iter.Seq2[AuditRecord, error]
	// AuditSize is the number of entries (the last sequence number).
	AuditSize(ctx context.Context) (int64, error)
	// ViewsPerReader counts, per account of the organisations orgs, the
	// entries about a young person with one of actions in [since, until),
	// keeping the accounts with more than threshold, most first.
	ViewsPerReader(ctx context.Context, actions []AuditAction, orgs []string, since, until time.Time, threshold int) ([]ReaderCount, error)
	// CountPerAddress counts the entries with action in [since, until) by
	// actors of the organisations orgs (every entry for nil) per client
	// address, most first.
	CountPerAddress(ctx context.Context, action AuditAction, orgs []string, since, until time.Time) ([]FailedLogins, error)
}

// AuditIntegrity checks and anchors the audit chain.
type AuditIntegrity interface {
	// VerifyAudit checks the chain from the first entry, or with
	// fromCheckpoint from the last stored checkpoint (from the first entry
	// when there is none).
	VerifyAudit(ctx context.Context, fromCheckpoint bool) (AuditVerification, error)
	// Checkpoints lists the stored checkpoints, oldest first.
	Checkpoints(ctx context.Context) ([]AuditCheckpoint, error)
	// IssueCheckpoint signs the log's current head and stores it;
	// CodeUnavailable when there is no checkpoint key.
	IssueCheckpoint(ctx context.Context) (AuditCheckpoint, error)
}

// SearchAudit returns one page of the audit review, narrowed to actor's
// cooperation (the system's and the operator's entries that concern it
// included, console_scope.go), with the names of its staff, and audits the
// search (under the young person searched for, if any).
//
// Callers: a privacy officer.
// Errors: CodeForbidden for anyone else.
func (p *Privacy) SearchAudit(ctx context.Context, actor Actor, q AuditQuery) (AuditPage, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return AuditPage{}, err
	}
	a, err := p.attribution(ctx, sc)
	if err != nil {
		return AuditPage{}, err
	}
	page, err := a.search(ctx, q)
	if err != nil {
		return AuditPage{}, err
	}
	page.Names = a.names
	return page, p.record(ctx, actor, ActionAuditSearch, "audit", q.Subject)
}

// ExportAudit hands emit the entries of actor's cooperation that q selects
// (q.Before and q.Limit aside: all of them, oldest first), as rows with
// the names and roles of the staff, for the door to write as format (JSON
// lines or CSV), and returns how many it handed. The export is audited
// before anything is handed (object "audit/export/<format>", the young
// person searched for as subject): no entry, no export.
//
// Callers: a privacy officer.
// Errors: CodeForbidden for anyone else, CodeInvalid for an unknown format.
func (p *Privacy) ExportAudit(ctx context.Context, actor Actor, q AuditQuery, format AuditFormat, emit func(AuditExportRow) error) (int64, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return 0, err
	}
	if format != AuditJSONL && format != AuditCSV {
		return 0, Invalid(FieldError{Field: "format", Problem: "must be jsonl or csv"})
	}
	a, err := p.attribution(ctx, sc)
	if err != nil {
		return 0, err
	}
	if err := p.record(ctx, actor, ActionAuditExport, "audit/export/"+string(format), q.Subject); err != nil {
		return 0, err
	}
	// Chronological, oldest first, as an auditor reads a log: the review
	// pages newest first, so a first pass notes where each page starts
	// (one page in memory at a time), and the second hands the pages from
	// the oldest, each oldest first. The log only grows at its head, so the
	// pages end where the first pass saw them end: up to the entry of this
	// export.
	size, err := p.log.AuditSize(ctx)
	if err != nil {
		return 0, err
	}
	q.Before, q.Limit = size+1, MaxAuditPage
	starts := []int64{q.Before}
	for {
		page, err := a.search(ctx, q)
		if err != nil {
			return 0, err
		}
		if page.Next == 0 {
			break
		}
		starts = append(starts, page.Next)
		q.Before = page.Next
	}
	var n int64
	for i := len(starts) - 1; i >= 0; i-- {
		q.Before = starts[i]
		page, err := a.search(ctx, q)
		if err != nil {
			return n, err
		}
		for j := len(page.Records) - 1; j >= 0; j-- {
			if err := emit(exportRow(page.Records[j], a.names)); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// VerifyAudit checks the audit chain from the first entry, or with
// fromCheckpoint from the last stored checkpoint, and audits that it was
// run (the checkpoints it returns beside the outcome are part of that
// view). A tampered log is an outcome, not an error.
//
// Callers: a privacy officer.
// Errors: CodeForbidden.
func (p *Privacy) VerifyAudit(ctx context.Context, actor Actor, fromCheckpoint bool) (AuditVerification, error) {
	if actor.Role != RolePrivacyOfficer {
		return AuditVerification{}, Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	v, err := p.integrity.VerifyAudit(ctx, fromCheckpoint)
	if err != nil {
		return v, err
	}
	if v.Checkpoints, err = p.listCheckpoints(ctx); err != nil {
		return v, err
	}
	return v, p.record(ctx, actor, ActionAuditVerify, "audit", "")
}

// Checkpoints lists the stored checkpoints, newest first, and audits the
// viewing.
//
// Callers: a privacy officer.
// Errors: CodeForbidden.
func (p *Privacy) Checkpoints(ctx context.Context, actor Actor) ([]AuditCheckpoint, error) {
	if actor.Role != RolePrivacyOfficer {
		return nil, Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	cps, err := p.listCheckpoints(ctx)
	if err != nil {
		return nil, err
	}
	return cps, p.record(ctx, actor, ActionAuditVerify, "audit/checkpoints", "")
}

// listCheckpoints is the stored checkpoints, newest first.
func (p *Privacy) listCheckpoints(ctx context.Context) ([]AuditCheckpoint, error) {
	stored, err := p.integrity.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	slices.Reverse(stored)
	return stored, nil
}

// CheckpointNote returns stored checkpoint id with its signed note, to keep
// outside Signaal, and audits the download.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeNotFound.
func (p *Privacy) CheckpointNote(ctx context.Context, actor Actor, id int64) (AuditCheckpoint, error) {
	if actor.Role != RolePrivacyOfficer {
		return AuditCheckpoint{}, Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	stored, err := p.integrity.Checkpoints(ctx)
	if err != nil {
		return AuditCheckpoint{}, err
	}
	for _, cp := range stored {
		if cp.ID == id {
			return cp, p.record(ctx, actor, ActionAuditVerify, "audit/checkpoint/"+strconv.FormatInt(cp.Size, 10), "")
		}
	}
	return AuditCheckpoint{}, Errorf(CodeNotFound, "no checkpoint %d", id)
}

// IssueCheckpoint signs the log's current head, stores it and audits it.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeUnavailable (no checkpoint key).
func (p *Privacy) IssueCheckpoint(ctx context.Context, actor Actor) (AuditCheckpoint, error) {
	if actor.Role != RolePrivacyOfficer {
		return AuditCheckpoint{}, Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	cp, err := p.integrity.IssueCheckpoint(ctx)
	if err != nil {
		return cp, err
	}
	return cp, p.record(ctx, actor, ActionAuditCheckpoint, "audit/checkpoint/"+strconv.FormatInt(cp.Size, 10), "")
}
