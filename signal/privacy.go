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
func (l YouthLookup) Pseudonym(vault interface {
	Pseudonym(name, birthDate string) string
}) (string, error) {
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
