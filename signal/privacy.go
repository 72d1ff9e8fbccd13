package signal

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"iter"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The privacy officer (functionaris gegevensbescherming) supervises the
// exchange without reading what signals say: the console shows metadata,
// decisions, reasons, policy versions and pseudonyms. This file holds the
// domain types of that console; the audit log's own types live in package
// audit, and package sqlite joins the two.

// EscalationStatus is where an escalation is in the privacy officer's
// work queue.
type EscalationStatus string

const (
	EscalationOpen       EscalationStatus = "open"
	EscalationInProgress EscalationStatus = "in_progress"
	EscalationDone       EscalationStatus = "done"
)

// EscalationStatuses lists every status in queue order.
var EscalationStatuses = []EscalationStatus{EscalationOpen, EscalationInProgress, EscalationDone}

// Valid reports whether s is one of EscalationStatuses.
func (s EscalationStatus) Valid() bool { return oneOf(s, EscalationStatuses) }

// Escalation is one decision that needs the privacy officer: the policy
// said "escalate" (R6, R9b) or attached "notify_privacy_officer" (R10,
// special categories). It is found in the audit log, so nothing the policy
// escalated can be missing from the queue.
type Escalation struct {
	// Seq is the audit entry of the decision (share.decide).
	Seq       int64            `json:"seq"`
	Object    string           `json:"object"`  // "signal/<id>"
	Subject   string           `json:"subject"` // the young person's pseudonym
	Why       string           `json:"why"`     // "escalate" or "notify_privacy_officer"
	Outcome   string           `json:"outcome"`
	Rule      string           `json:"rule"`
	Reasons   []string         `json:"reasons"`
	Policy    string           `json:"policy_version"`
	Org       string           `json:"org"` // the deciding actor's organisation
	DecidedAt time.Time        `json:"decided_at"`
	Status    EscalationStatus `json:"status"`
	UpdatedAt *time.Time       `json:"updated_at,omitempty"`
	UpdatedBy string           `json:"updated_by,omitempty"`
}

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

// AccessReport answers a young person's access request (AVG art. 15): every
// signal about them, what was decided and shared with whom at which level,
// and who viewed it, taken from the signals and the audit log.
//
// By default it holds no content (what the signals say): the privacy
// officer supervises without reading it. With content, it is the copy of
// art. 15(3) for the young person, which the privacy officer prints for
// them after weighing art. 15(4) (the rights of others, such as a reporter's
// safety under the reporting code); creating it is audited apart.
type AccessReport struct {
	Subject     string         `json:"subject"`
	GeneratedAt time.Time      `json:"generated_at"`
	WithContent bool           `json:"with_content"`
	Signals     []AccessSignal `json:"signals"`
}

// AccessSignal is one signal in an access report.
type AccessSignal struct {
	ID         string      `json:"id"`
	Category   Category    `json:"category"`
	ObservedOn Date        `json:"observed_on"`
	CreatedAt  time.Time   `json:"created_at"`
	Status     Status      `json:"status"`
	Reporter   *OrgContact `json:"reporter"`
	Decision   Decision    `json:"decision"`
	// Erased says when and why the content was erased; nil if it was not.
	Erased *ErasureRecord `json:"erased,omitempty"`
	// Content is the signal's text, only in a report with content.
	Content *AccessContent `json:"content,omitempty"`
	// Decisions are every sharing decision made about the signal, in order.
	Decisions []AccessEvent `json:"decisions"`
	// Views are every time someone was shown the signal, in order.
	Views []AccessEvent `json:"views"`
}

// AccessContent is the content of a signal in a report with content.
type AccessContent struct {
	Name      string `json:"name"`
	BirthDate string `json:"birth_date"`
	Facts     string `json:"facts"`
	Opinions  string `json:"opinions,omitempty"`
}

// ErasureRecord is when, why and by whom a signal's content was erased.
type ErasureRecord struct {
	At     time.Time     `json:"at"`
	Reason ErasureReason `json:"reason"`
	By     string        `json:"by"`
}

// AccessEvent is one audited event in an access report: who (organisation
// and role; the account id for the privacy officer's follow-up), what, at
// which level and with which fields.
type AccessEvent struct {
	Seq       int64       `json:"seq"`
	Time      time.Time   `json:"time"`
	Action    AuditAction `json:"action"`
	UserID    string      `json:"user_id"`
	Role      string      `json:"role"`
	Org       *OrgRef     `json:"org,omitempty"`
	Recipient string      `json:"recipient,omitempty"`
	Outcome   string      `json:"outcome,omitempty"`
	Level     string      `json:"level,omitempty"`
	Rule      string      `json:"rule,omitempty"`
	Fields    []string    `json:"fields,omitempty"`
	Reasons   []string    `json:"reasons,omitempty"`
	Policy    string      `json:"policy_version,omitempty"`
	// Meeting is the signal meeting whose agenda showed the signal (a view
	// audited as agenda.view or agenda.project).
	Meeting string `json:"meeting,omitempty"`
}

// OrgRef names an organisation.
type OrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// YouthLookup is a name and birth date typed in by the privacy officer to
// find a young person: turned into the keyed pseudonym at once, never stored
// or logged.
type YouthLookup struct {
	Name      string `json:"name"`
	BirthDate string `json:"birth_date"`
}

// Pseudonym validates the lookup and returns the young person's pseudonym
// under vault, spelling the name the way intake does.
func (l YouthLookup) Pseudonym(vault Pseudonyms) (string, error) {
	var fe FieldErrors
	name := strings.TrimSpace(l.Name)
	if name == "" {
		fe.Add("name", "is required")
	}
	var birth Date
	if l.BirthDate == "" {
		fe.Add("birth_date", "is required")
	} else if d, err := ParseDate(l.BirthDate); err != nil {
		fe.Add("birth_date", err.Error())
	} else {
		birth = d
	}
	if err := fe.Err(); err != nil {
		return "", err
	}
	return vault.Pseudonym(name, birth.String()), nil
}

// AccessContentOf unseals a signal's content for an access report with
// content; erased content stays empty.
func (s *Signals) AccessContentOf(ctx context.Context, sig *Signal) (*AccessContent, error) {
	c, erased, err := s.disclosure.unseal(ctx, sig, allParts)
	if err != nil {
		return nil, err
	}
	if erased {
		return nil, nil
	}
	return &AccessContent{Name: c.Name, BirthDate: c.BirthDate, Facts: c.Facts, Opinions: c.Opinions}, nil
}

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
	// FailedLogins counts login.fail per client address.
	FailedLogins      []FailedLogins `json:"failed_logins"`
	FailedLoginsTotal int            `json:"failed_logins_total"`
}

// ReaderCount is how many signal views one account had.
type ReaderCount struct {
	UserID   string `json:"user_id"`
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

// ---- The audit log as the console reads it ----

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
	Outcome       string          `json:"outcome"`
	Level         string          `json:"level"`
	Rule          string          `json:"rule"`
	Fields        []string        `json:"fields"`
	Obligations   []string        `json:"obligations"`
	Reasons       []string        `json:"reasons"`
	PolicyVersion string          `json:"policy_version"`
	Purpose       string          `json:"purpose"`
	Recipient     string          `json:"recipient"`
	Input         json.RawMessage `json:"input"`
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
	// CountPerAddress counts the entries with action in [since, until) per
	// client address, most first.
	CountPerAddress(ctx context.Context, action AuditAction, since, until time.Time) ([]FailedLogins, error)
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

// PrivacyStore is what the console reads of signals and organisations and
// keeps of policies and escalations.
type PrivacyStore interface {
	// CooperationOrgs returns the ids of the organisations of coop.
	CooperationOrgs(ctx context.Context, coop string) ([]string, error)
	// Signal returns a signal; CodeNotFound if there is none.
	Signal(ctx context.Context, id string) (*Signal, error)
	// SignalsOfYouth returns the signals about youth of cooperation coop
	// (every cooperation's for ""), oldest first; erased ones only with
	// erased set.
	SignalsOfYouth(ctx context.Context, youth, coop string, erased bool) ([]*Signal, error)
	// ErasureOf returns when and why a signal's content was erased; nil if
	// it was not.
	ErasureOf(ctx context.Context, signalID string) (*ErasureRecord, error)
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

// EscalationStore keeps the privacy officer's queue of escalations.
type EscalationStore interface {
	// EscalationsScanned is the last audit sequence number already scanned
	// for escalations.
	EscalationsScanned(ctx context.Context) (int64, error)
	// QueueEscalations adds found to the queue (once per Seq) and records
	// that the log was scanned up to scannedTo, in one unit.
	QueueEscalations(ctx context.Context, found []Escalation, scannedTo int64) error
	// Escalations returns the queue of decisions made in cooperation coop
	// with status (every status for ""), oldest first.
	Escalations(ctx context.Context, coop string, status EscalationStatus) ([]Escalation, error)
	// SetEscalationStatus stores the status of escalation seq with events,
	// in one unit.
	SetEscalationStatus(ctx context.Context, actor Actor, seq int64, status EscalationStatus, at time.Time, events []AuditEvent) error
}

// ContentOpener opens a signal's content for an access report with content
// (implemented by *Signals).
type ContentOpener interface {
	AccessContentOf(ctx context.Context, sig *Signal) (*AccessContent, error)
}

// Pseudonyms turns a name and birth date into the young person's keyed
// pseudonym (implemented by *keystore.Store).
type Pseudonyms interface {
	Pseudonym(name, birthDate string) string
}

// Privacy is the use cases of the privacy officer (functionaris
// gegevensbescherming): the audit review and its integrity, access
// requests and erasure, escalations, policy governance and oversight. Every
// view is itself audited: who looked at the log, at whom, is part of the
// record too. A privacy officer sees their own cooperation.
type Privacy struct {
	log         AuditReader
	integrity   AuditIntegrity
	recorder    AuditRecorder
	store       PrivacyStore
	policies    PolicyStore
	escalations EscalationStore
	dir         Directory
	retention   *Retention
	pseudonyms  Pseudonyms
	content     ContentOpener
	now         func() time.Time
}

// PrivacyDeps are the stores and parts of NewPrivacy. Pseudonyms, Content
// and Retention may be nil: the use cases that need them answer
// CodeUnavailable.
type PrivacyDeps struct {
	Log         AuditReader
	Integrity   AuditIntegrity
	Recorder    AuditRecorder
	Store       PrivacyStore
	Policies    PolicyStore
	Escalations EscalationStore
	Directory   Directory
	Retention   *Retention
	Pseudonyms  Pseudonyms
	Content     ContentOpener
	Now         func() time.Time
}

// NewPrivacy returns the privacy officer's use cases.
func NewPrivacy(d PrivacyDeps) *Privacy {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Privacy{log: d.Log, integrity: d.Integrity, recorder: d.Recorder, store: d.Store, policies: d.Policies,
		escalations: d.Escalations, dir: d.Directory, retention: d.Retention, pseudonyms: d.Pseudonyms, content: d.Content, now: d.Now}
}

// officerScope is a privacy officer's cooperation and its organisations: the
// console shows that cooperation's signals, escalations and actors (and the
// entries of no organisation: the system, failed logins).
type officerScope struct {
	Cooperation   string
	Organisations []string
}

// scope checks that actor is a privacy officer and returns their scope.
func (p *Privacy) scope(ctx context.Context, actor Actor) (officerScope, error) {
	if actor.Role != RolePrivacyOfficer {
		return officerScope{}, Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	org, err := p.dir.Organisation(ctx, actor.OrgID)
	if err != nil {
		return officerScope{}, fmt.Errorf("find the privacy officer's organisation: %w", err)
	}
	orgs, err := p.store.CooperationOrgs(ctx, org.CooperationID)
	if err != nil {
		return officerScope{}, fmt.Errorf("list organisations of cooperation: %w", err)
	}
	return officerScope{Cooperation: org.CooperationID, Organisations: orgs}, nil
}

// record audits a console view by actor.
func (p *Privacy) record(ctx context.Context, actor Actor, action AuditAction, object, subject string) error {
	if err := p.recorder.Record(ctx, actor, []AuditEvent{{Action: action, Object: object, Subject: subject}}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// SearchAudit returns one page of the audit review, narrowed to actor's
// cooperation, and audits the search (under the young person searched
// for, if any).
//
// Callers: a privacy officer.
// Errors: CodeForbidden for anyone else.
func (p *Privacy) SearchAudit(ctx context.Context, actor Actor, q AuditQuery) (AuditPage, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return AuditPage{}, err
	}
	q.Orgs = sc.Organisations
	page, err := p.log.SearchAudit(ctx, q)
	if err != nil {
		return AuditPage{}, err
	}
	return page, p.record(ctx, actor, ActionAuditSearch, "audit", q.Subject)
}

// LookupYouth turns a name and birth date into the young person's
// pseudonym and audits the lookup under it. The name and birth date are not
// stored, logged or audited: only the pseudonym leaves.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (a missing name or birth date),
// CodeUnavailable (no key store on this server).
func (p *Privacy) LookupYouth(ctx context.Context, actor Actor, l YouthLookup) (string, error) {
	if actor.Role != RolePrivacyOfficer {
		return "", Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	if p.pseudonyms == nil {
		return "", Errorf(CodeUnavailable, "looking up young people is not available on this server")
	}
	subject, err := l.Pseudonym(p.pseudonyms)
	if err != nil {
		return "", err
	}
	return subject, p.record(ctx, actor, ActionYouthLookup, "youth", subject)
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

// disclosures are the actions that show a signal to someone: what the
// access report lists as views and the oversight counts per reader. The
// meeting's views (agenda.view, agenda.project) are views too, of the
// signals their decision's fields name.
var disclosures = []AuditAction{ActionSignalRead, ActionSignalsList}

// isView reports whether record r, about one signal, showed it to someone:
// a read or a list, or any other entry that disclosed it at some level (an
// erasure discloses nothing).
func isView(r AuditRecord) bool {
	if slices.Contains(disclosures, r.Action) {
		return true
	}
	d := r.Decision
	return d != nil && d.Level != "" && d.Level != string(LevelNone) && r.Action != ActionSignalErase
}

// AccessReport answers a young person's access request (AVG art. 15):
// every signal of actor's cooperation about subject, what was decided and
// shared with whom, and who viewed it. With content it is the copy of art.
// 15(3) (see AccessReport); its creation is audited apart.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeUnavailable (content asked on a server that
// cannot open it).
func (p *Privacy) AccessReport(ctx context.Context, actor Actor, subject string, withContent bool) (AccessReport, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return AccessReport{}, err
	}
	if withContent && p.content == nil {
		return AccessReport{}, Errorf(CodeUnavailable, "signal content is not available on this server")
	}
	rep := AccessReport{Subject: subject, GeneratedAt: p.now().UTC(), WithContent: withContent, Signals: []AccessSignal{}}
	sigs, err := p.store.SignalsOfYouth(ctx, subject, sc.Cooperation, true)
	if err != nil {
		return rep, fmt.Errorf("find signals of young person: %w", err)
	}
	orgs := map[string]*Organisation{}
	org := func(id string) *Organisation {
		if o, ok := orgs[id]; ok {
			return o
		}
		var found *Organisation
		if o, err := p.dir.Organisation(ctx, id); err == nil {
			found = &o
		}
		orgs[id] = found
		return found
	}
	index := map[string]int{}
	for _, s := range sigs {
		as := AccessSignal{ID: s.ID, Category: s.Category, ObservedOn: s.ObservedOn, CreatedAt: s.CreatedAt,
			Status: s.Status, Decision: s.Decision, Decisions: []AccessEvent{}, Views: []AccessEvent{}}
		if o := org(s.OrgID); o != nil {
			as.Reporter = &OrgContact{OrgID: o.ID, Name: o.Name, Contact: ContactPerson(o.Contact), Deputy: ContactPerson(o.Deputy)}
		}
		if as.Erased, err = p.store.ErasureOf(ctx, s.ID); err != nil {
			return rep, fmt.Errorf("read erasure: %w", err)
		}
		if withContent {
			if as.Content, err = p.content.AccessContentOf(ctx, s); err != nil {
				return rep, err
			}
		}
		index[signalObject(s.ID)] = len(rep.Signals)
		rep.Signals = append(rep.Signals, as)
	}
	// The audit entries about this young person, oldest first.
	for r, err := range p.log.AuditEntries(ctx, AuditFilter{Subject: subject}) {
		if err != nil {
			return rep, err
		}
		ev := AccessEvent{Seq: r.Seq, Time: r.Time, Action: r.Action, UserID: r.Actor.UserID, Role: string(r.Actor.Role)}
		if r.Actor.OrgID != "" {
			ev.Org = &OrgRef{ID: r.Actor.OrgID}
			if o := org(r.Actor.OrgID); o != nil {
				ev.Org.Name = o.Name
			}
		}
		if d := r.Decision; d != nil {
			ev.Recipient, ev.Outcome, ev.Level, ev.Rule = d.Recipient, d.Outcome, d.Level, d.Rule
			ev.Fields, ev.Reasons, ev.Policy = d.Fields, d.Reasons, d.PolicyVersion
		}
		if meeting, ok := strings.CutPrefix(r.Object, "meeting/"); ok && r.Decision != nil &&
			(r.Action == ActionAgendaView || r.Action == ActionAgendaProject) {
			// One entry per young person and decision for a view of the
			// agenda: a view of each signal it lists, with the fields
			// shown of that signal.
			for _, code := range r.Decision.Fields {
				shown, ok := ParseShownSignal(code)
				if i, mine := index[signalObject(shown.ID)]; ok && mine {
					view := ev
					view.Meeting, view.Fields = meeting, fieldCodes(shown.Fields)
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
		case r.Action == ActionShareDecide:
			rep.Signals[i].Decisions = append(rep.Signals[i].Decisions, ev)
		case isView(r):
			rep.Signals[i].Views = append(rep.Signals[i].Views, ev)
		}
	}
	object := "access-report"
	if withContent {
		object = "access-report/content"
	}
	return rep, p.record(ctx, actor, ActionAccessReport, object, subject)
}

func fieldCodes(fs []Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

// Erase erases on request (AVG art. 17): the content of every signal about
// one young person (req.Youth), or of one signal (req.SignalID), with the
// reason; a young person with no content left loses their data key. Every
// erasure is audited (signal.erase per signal, youth.key_erase per key),
// whichever door it comes through. It returns what was erased.
//
// Callers: a privacy officer, for their own cooperation's signals; the
// operator at the server's shell (RoleSystem, signald youth erase), for
// every cooperation's.
// Errors: CodeForbidden for anyone else, CodeInvalid for a missing target
// or reason, CodeNotFound for an unknown signal (or another cooperation's)
// or a young person without signals, CodeUnavailable when erasure is not
// available.
func (p *Privacy) Erase(ctx context.Context, actor Actor, req EraseRequest) ([]Erasure, error) {
	var coop string
	switch actor.Role {
	case RolePrivacyOfficer:
		sc, err := p.scope(ctx, actor)
		if err != nil {
			return nil, err
		}
		coop = sc.Cooperation
	case RoleSystem:
		// The operator answers for every cooperation.
	default:
		return nil, Errorf(CodeForbidden, "only a privacy officer erases on request")
	}
	if p.retention == nil {
		return nil, Errorf(CodeUnavailable, "erasure is not available on this server")
	}
	var fe FieldErrors
	switch {
	case req.Reason == "":
		fe.Add("reason", "is required: why the content must be erased")
	case !slices.Contains(RequestErasureReasons, req.Reason):
		fe.Add("reason", unknownValue(req.Reason, RequestErasureReasons))
	}
	if (req.Youth == "") == (req.SignalID == "") {
		fe.Add("youth", "name the young person or one signal (signal_id), not both")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var es []Erasure
	if req.SignalID != "" {
		sig, err := p.store.Signal(ctx, req.SignalID)
		if err != nil {
			return nil, err
		}
		if coop != "" && sig.CooperationID != coop {
			return nil, Errorf(CodeNotFound, "no signal %s", req.SignalID)
		}
		es = append(es, Erasure{SignalID: sig.ID, Youth: sig.Youth, Reason: req.Reason})
	} else {
		sigs, err := p.store.SignalsOfYouth(ctx, req.Youth, coop, false)
		if err != nil {
			return nil, fmt.Errorf("find signals of young person: %w", err)
		}
		if len(sigs) == 0 {
			return nil, Errorf(CodeNotFound, "there are no signals about this young person")
		}
		for _, s := range sigs {
			es = append(es, Erasure{SignalID: s.ID, Youth: req.Youth, Reason: req.Reason})
		}
	}
	if _, err := p.retention.erase(ctx, actor, es); err != nil {
		return nil, err
	}
	return es, nil
}

// RetentionPeriod is the configured retention period ("" when retention is
// not available here).
func (p *Privacy) RetentionPeriod() string {
	if p.retention == nil {
		return ""
	}
	return p.retention.Period().String()
}

// RetentionDue returns the retention period and what a run now in actor's
// cooperation would erase, and why it would stop (a dry run), and audits
// the viewing.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeUnavailable.
func (p *Privacy) RetentionDue(ctx context.Context, actor Actor) (Period, RetentionRun, error) {
	if actor.Role != RolePrivacyOfficer {
		return Period{}, RetentionRun{}, Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	if p.retention == nil {
		return Period{}, RetentionRun{}, Errorf(CodeUnavailable, "retention is not available on this server")
	}
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return Period{}, RetentionRun{}, err
	}
	runs, err := p.retention.Run(ctx, actor, RetentionRequest{Cooperation: sc.Cooperation, DryRun: true})
	if err != nil {
		return Period{}, RetentionRun{}, err
	}
	if len(runs) == 0 {
		return Period{}, RetentionRun{}, Errorf(CodeNotFound, "no cooperation %s", sc.Cooperation)
	}
	return p.retention.Period(), runs[0], p.record(ctx, actor, ActionPolicyView, "retention", "")
}

// RunRetention erases what has expired now in actor's cooperation, rather
// than wait for the hourly job; the run and each erasure are audited under
// actor. confirm is the officer's word past a hold (RetentionRequest).
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeUnavailable, CodeConflict (the run stopped
// before erasing anything: the run says why).
func (p *Privacy) RunRetention(ctx context.Context, actor Actor, confirm bool) (RetentionRun, error) {
	if actor.Role != RolePrivacyOfficer {
		return RetentionRun{}, Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	if p.retention == nil {
		return RetentionRun{}, Errorf(CodeUnavailable, "retention is not available on this server")
	}
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return RetentionRun{}, err
	}
	runs, err := p.retention.Run(ctx, actor, RetentionRequest{Cooperation: sc.Cooperation, Confirm: confirm})
	if len(runs) == 0 {
		return RetentionRun{}, err
	}
	return runs[0], err
}

// ---- Escalations ----

// EscalationOf reports whether a sharing decision (a share.decide entry)
// needs the privacy officer, and why: the policy said "escalate" (R6,
// R9b), or it attached "notify_privacy_officer" (R10, special categories).
func EscalationOf(r AuditRecord) (Escalation, bool) {
	d := r.Decision
	if r.Action != ActionShareDecide || d == nil {
		return Escalation{}, false
	}
	var why string
	switch {
	case d.Outcome == string(OutcomeEscalate):
		why = string(OutcomeEscalate)
	case slices.Contains(d.Obligations, string(ObligationNotifyPrivacyOfficer)):
		why = string(ObligationNotifyPrivacyOfficer)
	default:
		return Escalation{}, false
	}
	return Escalation{Seq: r.Seq, Object: r.Object, Subject: r.Subject, Why: why, Outcome: d.Outcome, Rule: d.Rule,
		Reasons: d.Reasons, Policy: d.PolicyVersion, Org: r.Actor.OrgID, DecidedAt: r.Time, Status: EscalationOpen}, true
}

// scanEscalations adds to the queue every escalating decision appended to
// the audit log since the last scan: nothing the policy escalated can be
// missing from the queue.
func (p *Privacy) scanEscalations(ctx context.Context) error {
	last, err := p.escalations.EscalationsScanned(ctx)
	if err != nil {
		return fmt.Errorf("read escalation scan: %w", err)
	}
	size, err := p.log.AuditSize(ctx)
	if err != nil {
		return err
	}
	if size <= last {
		return nil
	}
	var found []Escalation
	for r, err := range p.log.AuditEntries(ctx, AuditFilter{FromSeq: last + 1, ToSeq: size, Action: ActionShareDecide}) {
		if err != nil {
			return err
		}
		if e, ok := EscalationOf(r); ok {
			found = append(found, e)
		}
	}
	return p.escalations.QueueEscalations(ctx, found, size)
}

// queue returns coop's escalations with status, brought up to date with
// the audit log.
func (p *Privacy) queue(ctx context.Context, coop string, status EscalationStatus) ([]Escalation, error) {
	if err := p.scanEscalations(ctx); err != nil {
		return nil, fmt.Errorf("update escalation queue: %w", err)
	}
	return p.escalations.Escalations(ctx, coop, status)
}

// ParseEscalationStatus reads a status filter or a new status; "" is no
// filter (and, for an update, missing).
func ParseEscalationStatus(v string) (EscalationStatus, error) {
	st := EscalationStatus(v)
	if v != "" && !st.Valid() {
		return "", Invalid(FieldError{Field: "status", Problem: "must be open, in_progress or done"})
	}
	return st, nil
}

// ParseEscalationSeq reads the number of an escalation, as a door gets it
// (a path segment).
func ParseEscalationSeq(v string) (int64, error) {
	seq, err := strconv.ParseInt(v, 10, 64)
	if err != nil || seq < 1 {
		return 0, Invalid(FieldError{Field: "seq", Problem: "must be the number of an escalation"})
	}
	return seq, nil
}

// Escalations returns the escalations of decisions made in actor's
// cooperation with status (every status for ""), oldest first, and audits
// the viewing.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (an unknown status).
func (p *Privacy) Escalations(ctx context.Context, actor Actor, status EscalationStatus) ([]Escalation, error) {
	if status != "" && !status.Valid() {
		return nil, Invalid(FieldError{Field: "status", Problem: "must be open, in_progress or done"})
	}
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return nil, err
	}
	list, err := p.queue(ctx, sc.Cooperation, status)
	if err != nil {
		return nil, err
	}
	return list, p.record(ctx, actor, ActionEscalationView, "escalations", "")
}

// UpdateEscalation sets the status of escalation seq of actor's
// cooperation and audits the change; it returns the escalation as it is
// now.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (a missing or unknown status, a seq
// that is no escalation number), CodeNotFound (no such escalation in the
// cooperation).
func (p *Privacy) UpdateEscalation(ctx context.Context, actor Actor, seq int64, status EscalationStatus) (Escalation, error) {
	var fe FieldErrors
	if seq < 1 {
		fe.Add("seq", "must be the number of an escalation")
	}
	switch {
	case status == "":
		fe.Add("status", "is required: open, in_progress or done")
	case !status.Valid():
		fe.Add("status", "must be open, in_progress or done")
	}
	if err := fe.Err(); err != nil {
		return Escalation{}, err
	}
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return Escalation{}, err
	}
	find := func() (Escalation, error) {
		all, err := p.queue(ctx, sc.Cooperation, "")
		if err != nil {
			return Escalation{}, err
		}
		for _, e := range all {
			if e.Seq == seq {
				return e, nil
			}
		}
		return Escalation{}, Errorf(CodeNotFound, "no escalation %d", seq)
	}
	e, err := find()
	if err != nil {
		return Escalation{}, err
	}
	ev := AuditEvent{Action: ActionEscalationUpdate, Object: "escalation/" + strconv.FormatInt(seq, 10) + "/" + string(status), Subject: e.Subject}
	if err := p.escalations.SetEscalationStatus(ctx, actor, seq, status, p.now().UTC(), []AuditEvent{ev}); err != nil {
		return Escalation{}, err
	}
	return find()
}

// ---- Policy governance ----

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
}

// Policies returns the governance overview at time at and audits the
// viewing.
//
// Callers: a privacy officer.
// Errors: CodeForbidden.
func (p *Privacy) Policies(ctx context.Context, actor Actor, at time.Time) (Policies, error) {
	var out Policies
	if actor.Role != RolePrivacyOfficer {
		return out, Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	var err error
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

// ---- Oversight ----

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
		HeavyReaders: []ReaderCount{}, Refused: []RefusedAccess{}, FailedLogins: []FailedLogins{}}
	if len(sc.Organisations) == 0 {
		return o, nil
	}
	readers, err := p.log.ViewsPerReader(ctx, disclosures, sc.Organisations, since, until, threshold)
	if err != nil {
		return o, fmt.Errorf("count signal views: %w", err)
	}
	o.HeavyReaders = append(o.HeavyReaders, readers...)
	page, err := p.log.SearchAudit(ctx, AuditQuery{Action: string(ActionAccessDenied), Since: since, Until: until, Limit: MaxAuditPage})
	if err != nil {
		return o, err
	}
	for _, r := range page.Records {
		if !slices.Contains(sc.Organisations, r.Actor.OrgID) && !p.ofCooperation(ctx, r.Object, sc.Cooperation) {
			continue
		}
		o.Refused = append(o.Refused, RefusedAccess{Seq: r.Seq, Time: r.Time, UserID: r.Actor.UserID,
			Role: string(r.Actor.Role), Org: r.Actor.OrgID, Object: r.Object})
	}
	failed, err := p.log.CountPerAddress(ctx, ActionLoginFail, since, until)
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

// Dashboard is the privacy officer's start page: the oversight of the last
// seven days, the number of open escalations and the retention period.
type Dashboard struct {
	Oversight Oversight
	Open      int
	Period    string
}

// Dashboard returns the start page's figures, the oversight over w, and
// audits the viewing (as the oversight's).
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (w out of range).
func (p *Privacy) Dashboard(ctx context.Context, actor Actor, w OversightWindow) (Dashboard, error) {
	o, err := p.Oversight(ctx, actor, w)
	if err != nil {
		return Dashboard{}, err
	}
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return Dashboard{}, err
	}
	open, err := p.queue(ctx, sc.Cooperation, EscalationOpen)
	if err != nil {
		return Dashboard{}, err
	}
	return Dashboard{Oversight: o, Open: len(open), Period: p.RetentionPeriod()}, nil
}
