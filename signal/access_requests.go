package signal

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Requests of a young person (or their parent) under the AVG, as registered
// cases (issue 17 item 1). The privacy officer supervises without reading
// what signals say; the one exception is answering a request: content is
// read only inside a registered request, for that young person, with a
// recorded reason, and every such read is audited (access.content_read) and
// counted in the oversight. The copy with content that goes to the young
// person is released by a second person (four eyes) when the cooperation
// asks for it.

// Requester is who made a request.
type Requester string

const (
	RequesterYoungPerson    Requester = "young_person"
	RequesterParent         Requester = "parent"
	RequesterRepresentative Requester = "representative" // a lawyer, a guardian appointed by a court, ...
)

// Requesters are the allowed requesters.
var Requesters = []Requester{RequesterYoungPerson, RequesterParent, RequesterRepresentative}

// RequestStatus is where a request stands.
type RequestStatus string

const (
	RequestOpen RequestStatus = "open"
	// RequestReleasePending: the officer asked to release the copy with
	// content; a second person approves (four eyes).
	RequestReleasePending RequestStatus = "release_pending"
	// RequestReleased: the copy with content may be printed and handed out.
	RequestReleased RequestStatus = "released"
	// RequestClosed: answered; no more content is read under it.
	RequestClosed RequestStatus = "closed"
)

// ExtensionReason is why the answer takes longer than a month (AVG art.
// 12(3): by at most two further months, given the complexity and number of
// requests, told to the requester within the first month).
type ExtensionReason string

const (
	ExtensionComplex  ExtensionReason = "complex"
	ExtensionMany     ExtensionReason = "many_requests"
	maxExtensionMonth                 = 2
)

// ExtensionReasons are the allowed reasons to extend.
var ExtensionReasons = []ExtensionReason{ExtensionComplex, ExtensionMany}

// ReadReason is why the officer reads content inside a request.
type ReadReason string

const (
	// ReadAssess: to see what there is and weigh the rights of others
	// (art. 15(4)) before anything is released.
	ReadAssess ReadReason = "assess"
	// ReadCopy: to make the copy for the young person (art. 15(3)); only
	// once released.
	ReadCopy ReadReason = "copy"
)

// ReadReasons are the allowed reasons to read content.
var ReadReasons = []ReadReason{ReadAssess, ReadCopy}

// AccessRequest is a registered request. It names the young person by
// pseudonym only: the name and birth date typed in are turned into it at
// once and not kept.
type AccessRequest struct {
	ID           string        `json:"id"`
	Cooperation  string        `json:"cooperation"`
	Subject      string        `json:"subject"`
	Requester    Requester     `json:"requester"`
	ReceivedOn   Date          `json:"received_on"`
	Deadline     Date          `json:"deadline"` // one month after receipt
	ExtendedTo   *Date         `json:"extended_to,omitempty"`
	Extension    string        `json:"extension_reason,omitempty"`
	Status       RequestStatus `json:"status"`
	RegisteredBy string        `json:"registered_by"`
	RegisteredAt time.Time     `json:"registered_at"`
	// ReleaseAskedBy asked to release the copy with content; ReleasedBy
	// approved it (the same person only when the cooperation does not ask
	// for four eyes).
	ReleaseAskedBy string     `json:"release_asked_by,omitempty"`
	ReleasedBy     string     `json:"released_by,omitempty"`
	ReleasedAt     *time.Time `json:"released_at,omitempty"`
	// Reads are the content reads under this request, oldest first.
	Reads []ContentRead `json:"reads"`
	// Releases are the third parties released for the young person's copy.
	Releases []ThirdPartyRelease `json:"releases"`
}

// DueOn is the day the answer is due: the deadline, or its extension.
func (r AccessRequest) DueOn() Date {
	if r.ExtendedTo != nil {
		return *r.ExtendedTo
	}
	return r.Deadline
}

// Overdue reports whether the request is still open after its due day.
func (r AccessRequest) Overdue(today Date) bool {
	return r.Status != RequestClosed && r.DueOn().Before(today)
}

// ContentRead is one read of content under a request.
type ContentRead struct {
	At     time.Time  `json:"at"`
	By     string     `json:"by"`
	Reason ReadReason `json:"reason"`
}

// addMonths is d plus n calendar months; a day past the end of the month
// is the month's last day (31 January + 1 month = 28 or 29 February).
func addMonths(d Date, n int) Date {
	t := time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := t.AddDate(0, 1, -1).Day()
	return Date{Year: t.Year(), Month: t.Month(), Day: min(d.Day, last)}
}

// AccessRequestStore keeps registered requests; every write comes with its
// audit entries in the same unit.
type AccessRequestStore interface {
	// CreateRequest stores a new request.
	CreateRequest(ctx context.Context, actor Actor, r AccessRequest, events []AuditEvent) error
	// Request returns one request with its reads; CodeNotFound if none.
	Request(ctx context.Context, id string) (AccessRequest, error)
	// Requests lists the requests of cooperation coop, newest first.
	Requests(ctx context.Context, coop string) ([]AccessRequest, error)
	// UpdateRequest stores r's extension, status and release when the
	// stored status is still from; CodeConflict if it moved meanwhile.
	UpdateRequest(ctx context.Context, actor Actor, r AccessRequest, from RequestStatus, events []AuditEvent) error
	// RecordRead stores a content read under request id.
	RecordRead(ctx context.Context, actor Actor, id string, read ContentRead, events []AuditEvent) error
	// RecordRelease stores a third party's release under request id.
	RecordRelease(ctx context.Context, actor Actor, id string, rel ThirdPartyRelease, events []AuditEvent) error
	// FourEyes reports whether cooperation coop asks a second person to
	// release content.
	FourEyes(ctx context.Context, coop string) (bool, error)
	// SetFourEyes sets it.
	SetFourEyes(ctx context.Context, actor Actor, coop string, on bool, events []AuditEvent) error
}

// RequestForm is what the officer types in to register a request.
type RequestForm struct {
	Youth      YouthLookup `json:"youth"`
	Requester  Requester   `json:"requester"`
	ReceivedOn string      `json:"received_on"`
}

func requestObject(id string) string { return "access-request/" + id }

// requests returns the request store or CodeUnavailable.
func (p *Privacy) requests() (AccessRequestStore, error) {
	if p.reqs == nil {
		return nil, Errorf(CodeUnavailable, "access requests are not available on this server")
	}
	return p.reqs, nil
}

// RegisterRequest registers a request: who asked, the young person found by
// name and birth date (kept as the pseudonym only), the day it came in, and
// the legal deadline of one month after it. Audited as
// access_request.register.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (naming youth.name, youth.birth_date,
// requester or received_on), CodeUnavailable.
func (p *Privacy) RegisterRequest(ctx context.Context, actor Actor, f RequestForm) (AccessRequest, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return AccessRequest{}, err
	}
	store, err := p.requests()
	if err != nil {
		return AccessRequest{}, err
	}
	if p.pseudonyms == nil {
		return AccessRequest{}, Errorf(CodeUnavailable, "looking up young people is not available on this server")
	}
	var fe FieldErrors
	subject, lerr := f.Youth.Pseudonym(p.pseudonyms)
	if se, ok := lerr.(*Error); ok {
		for _, e := range se.Fields {
			fe.Add("youth."+e.Field, e.Problem)
		}
	} else if lerr != nil {
		return AccessRequest{}, lerr
	}
	if f.Requester == "" {
		fe.Add("requester", "is required: who asked")
	} else if !slices.Contains(Requesters, f.Requester) {
		fe.Add("requester", unknownValue(f.Requester, Requesters))
	}
	today := Today(p.now())
	var received Date
	if f.ReceivedOn == "" {
		fe.Add("received_on", "is required: the day the request came in")
	} else if d, err := ParseDate(f.ReceivedOn); err != nil {
		fe.Add("received_on", err.Error())
	} else if today.Before(d) {
		fe.Add("received_on", "lies in the future")
	} else {
		received = d
	}
	if err := fe.Err(); err != nil {
		return AccessRequest{}, err
	}
	r := AccessRequest{ID: NewID("req"), Cooperation: sc.Cooperation, Subject: subject, Requester: f.Requester,
		ReceivedOn: received, Deadline: addMonths(received, 1), Status: RequestOpen,
		RegisteredBy: actor.UserID, RegisteredAt: p.now().UTC(), Reads: []ContentRead{}}
	events := []AuditEvent{{Action: ActionAccessRequestRegister, Object: requestObject(r.ID), Subject: subject}}
	if err := store.CreateRequest(ctx, actor, r, events); err != nil {
		return AccessRequest{}, err
	}
	return r, nil
}

// officerRequest checks that actor is a privacy officer and finds the
// request id of the officer's cooperation.
func (p *Privacy) officerRequest(ctx context.Context, actor Actor, id string) (officerScope, AccessRequest, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return officerScope{}, AccessRequest{}, err
	}
	r, err := p.request(ctx, sc.Cooperation, id)
	return sc, r, err
}

// request returns request id of cooperation coop.
func (p *Privacy) request(ctx context.Context, coop, id string) (AccessRequest, error) {
	store, err := p.requests()
	if err != nil {
		return AccessRequest{}, err
	}
	r, err := store.Request(ctx, id)
	if err != nil {
		return AccessRequest{}, err
	}
	if r.Cooperation != coop {
		return AccessRequest{}, Errorf(CodeNotFound, "no request %s", id)
	}
	return r, nil
}

// Requests lists the requests of actor's cooperation, newest first, and
// audits the viewing.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeUnavailable.
func (p *Privacy) Requests(ctx context.Context, actor Actor) ([]AccessRequest, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return nil, err
	}
	store, err := p.requests()
	if err != nil {
		return nil, err
	}
	out, err := store.Requests(ctx, sc.Cooperation)
	if err != nil {
		return nil, err
	}
	return out, p.record(ctx, actor, ActionAccessRequestView, "access-requests", "")
}

// approverScope is the cooperation of someone who may approve a release:
// a privacy officer or an admin.
func (p *Privacy) approverScope(ctx context.Context, actor Actor) (string, error) {
	switch actor.Role {
	case RolePrivacyOfficer, RoleAdmin:
	default:
		return "", Errorf(CodeForbidden, "only a privacy officer or an administrator handles requests")
	}
	org, err := p.dir.Organisation(ctx, actor.OrgID)
	if err != nil {
		return "", fmt.Errorf("find the organisation: %w", err)
	}
	return org.CooperationID, nil
}

// Request returns one request of actor's cooperation with its reads and
// audits the viewing.
//
// Callers: a privacy officer; an administrator (to approve a release).
// Errors: CodeForbidden, CodeNotFound (none, or another cooperation's),
// CodeUnavailable.
func (p *Privacy) Request(ctx context.Context, actor Actor, id string) (AccessRequest, error) {
	coop, err := p.approverScope(ctx, actor)
	if err != nil {
		return AccessRequest{}, err
	}
	r, err := p.request(ctx, coop, id)
	if err != nil {
		return AccessRequest{}, err
	}
	return r, p.record(ctx, actor, ActionAccessRequestView, requestObject(r.ID), r.Subject)
}

// ExtendRequest extends the deadline by two months (art. 12(3)), for
// reason. It must be done before the first month ends: the requester is
// told within it.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (reason), CodeNotFound,
// CodeConflict (extended already, closed, or the month has passed),
// CodeUnavailable.
func (p *Privacy) ExtendRequest(ctx context.Context, actor Actor, id string, reason ExtensionReason) (AccessRequest, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return AccessRequest{}, err
	}
	var fe FieldErrors
	requireCode(&fe, "reason", reason, ExtensionReasons, "why the answer takes longer")
	if err := fe.Err(); err != nil {
		return AccessRequest{}, err
	}
	r, err := p.request(ctx, sc.Cooperation, id)
	if err != nil {
		return AccessRequest{}, err
	}
	switch {
	case r.ExtendedTo != nil:
		return AccessRequest{}, Errorf(CodeConflict, "the deadline was extended already, to %s", r.ExtendedTo)
	case r.Status == RequestClosed:
		return AccessRequest{}, Errorf(CodeConflict, "the request is closed")
	case r.Deadline.Before(Today(p.now())):
		return AccessRequest{}, Errorf(CodeConflict, "the first month ended on %s: an extension must be told within it", r.Deadline)
	}
	to := addMonths(r.ReceivedOn, 1+maxExtensionMonth)
	r.ExtendedTo, r.Extension = &to, string(reason)
	events := []AuditEvent{{Action: ActionAccessRequestExtend, Object: requestObject(r.ID), Subject: r.Subject}}
	if err := p.reqs.UpdateRequest(ctx, actor, r, r.Status, events); err != nil {
		return AccessRequest{}, err
	}
	return r, nil
}

// ReleaseRequest asks to release the copy with content for the young
// person. Where the cooperation asks for four eyes the request waits for
// ApproveRelease by another person; otherwise it is released at once.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeNotFound, CodeConflict (not open),
// CodeUnavailable.
func (p *Privacy) ReleaseRequest(ctx context.Context, actor Actor, id string) (AccessRequest, error) {
	sc, r, err := p.officerRequest(ctx, actor, id)
	if err != nil {
		return AccessRequest{}, err
	}
	if r.Status != RequestOpen {
		return AccessRequest{}, Errorf(CodeConflict, "the request is %s, not open", r.Status)
	}
	fourEyes, err := p.reqs.FourEyes(ctx, sc.Cooperation)
	if err != nil {
		return AccessRequest{}, err
	}
	r.ReleaseAskedBy = actor.UserID
	r.Status = RequestReleasePending
	action := ActionAccessReleaseAsk
	if !fourEyes {
		now := p.now().UTC()
		r.Status, r.ReleasedBy, r.ReleasedAt, action = RequestReleased, actor.UserID, &now, ActionAccessReleaseApprove
	}
	events := []AuditEvent{{Action: action, Object: requestObject(r.ID), Subject: r.Subject}}
	if err := p.reqs.UpdateRequest(ctx, actor, r, RequestOpen, events); err != nil {
		return AccessRequest{}, err
	}
	return r, nil
}

// ApproveRelease approves the release asked by another person (four
// eyes): the copy with content may then be made.
//
// Callers: a privacy officer or an administrator of the request's
// cooperation who did not ask for the release.
// Errors: CodeForbidden (anyone else, or the one who asked),
// CodeNotFound, CodeConflict (no release asked), CodeUnavailable.
func (p *Privacy) ApproveRelease(ctx context.Context, actor Actor, id string) (AccessRequest, error) {
	coop, err := p.approverScope(ctx, actor)
	if err != nil {
		return AccessRequest{}, err
	}
	r, err := p.request(ctx, coop, id)
	if err != nil {
		return AccessRequest{}, err
	}
	if r.Status != RequestReleasePending {
		return AccessRequest{}, Errorf(CodeConflict, "no release is waiting for approval (the request is %s)", r.Status)
	}
	if r.ReleaseAskedBy == actor.UserID {
		return AccessRequest{}, Errorf(CodeForbidden, "four eyes: another privacy officer or an administrator approves the release you asked")
	}
	now := p.now().UTC()
	r.Status, r.ReleasedBy, r.ReleasedAt = RequestReleased, actor.UserID, &now
	events := []AuditEvent{{Action: ActionAccessReleaseApprove, Object: requestObject(r.ID), Subject: r.Subject}}
	if err := p.reqs.UpdateRequest(ctx, actor, r, RequestReleasePending, events); err != nil {
		return AccessRequest{}, err
	}
	return r, nil
}

// CloseRequest closes an answered request: no content is read under it
// any more.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeNotFound, CodeConflict (closed already),
// CodeUnavailable.
func (p *Privacy) CloseRequest(ctx context.Context, actor Actor, id string) (AccessRequest, error) {
	_, r, err := p.officerRequest(ctx, actor, id)
	if err != nil {
		return AccessRequest{}, err
	}
	if r.Status == RequestClosed {
		return AccessRequest{}, Errorf(CodeConflict, "the request is closed already")
	}
	from := r.Status
	r.Status = RequestClosed
	events := []AuditEvent{{Action: ActionAccessRequestClose, Object: requestObject(r.ID), Subject: r.Subject}}
	if err := p.reqs.UpdateRequest(ctx, actor, r, from, events); err != nil {
		return AccessRequest{}, err
	}
	return r, nil
}

// SetFourEyes sets whether the release of content in actor's cooperation
// needs a second person (the default) or not.
//
// Callers: an administrator.
// Errors: CodeForbidden, CodeUnavailable.
func (p *Privacy) SetFourEyes(ctx context.Context, actor Actor, on bool) error {
	if actor.Role != RoleAdmin {
		return Errorf(CodeForbidden, "only an administrator sets how content is released")
	}
	store, err := p.requests()
	if err != nil {
		return err
	}
	coop, err := p.approverScope(ctx, actor)
	if err != nil {
		return err
	}
	object := "cooperation/" + coop + "/four-eyes/off"
	if on {
		object = "cooperation/" + coop + "/four-eyes/on"
	}
	return store.SetFourEyes(ctx, actor, coop, on, []AuditEvent{{Action: ActionAccessFourEyes, Object: object}})
}

// FourEyes reports whether actor's cooperation asks a second person to
// release content.
//
// Callers: a privacy officer or an administrator.
// Errors: CodeForbidden, CodeUnavailable.
func (p *Privacy) FourEyes(ctx context.Context, actor Actor) (bool, error) {
	coop, err := p.approverScope(ctx, actor)
	if err != nil {
		return false, err
	}
	store, err := p.requests()
	if err != nil {
		return false, err
	}
	return store.FourEyes(ctx, coop)
}

// RequestReport is the access report with content inside request id, for
// its young person, read for reason: the one way the privacy officer reads
// what signals say. A read to make the copy (ReadCopy) needs the request
// released. The read is recorded with its reason under the request and
// audited (access.content_read); without that record nothing is shown.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (reason), CodeNotFound (no request of
// the cooperation), CodeConflict (closed, or a copy before release),
// CodeUnavailable.
func (p *Privacy) RequestReport(ctx context.Context, actor Actor, id string, reason ReadReason) (AccessReport, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return AccessReport{}, err
	}
	var fe FieldErrors
	requireCode(&fe, "reason", reason, ReadReasons, "why the content is read")
	if err := fe.Err(); err != nil {
		return AccessReport{}, err
	}
	r, err := p.request(ctx, sc.Cooperation, id)
	if err != nil {
		return AccessReport{}, err
	}
	switch {
	case r.Status == RequestClosed:
		return AccessReport{}, Errorf(CodeConflict, "the request is closed: no content is read under it")
	case reason == ReadCopy && r.Status != RequestReleased:
		return AccessReport{}, Errorf(CodeConflict, "the copy with content is made once the release is approved")
	}
	rep, err := p.accessReport(ctx, sc, r.Subject, true)
	if err != nil {
		return AccessReport{}, err
	}
	rep.Request = r.ID
	read := ContentRead{At: p.now().UTC(), By: actor.UserID, Reason: reason}
	events := []AuditEvent{
		{Action: ActionAccessContentRead, Object: requestObject(r.ID) + "/" + string(reason), Subject: r.Subject},
		{Action: ActionAccessReport, Object: "access-report/content", Subject: r.Subject},
	}
	if err := p.reqs.RecordRead(ctx, actor, r.ID, read, events); err != nil {
		return AccessReport{}, fmt.Errorf("record the content read: %w", err)
	}
	return rep, nil
}

// contentReadsOf are the oversight's count of content reads per officer.
func (p *Privacy) contentReadsOf(ctx context.Context, sc officerScope, since, until time.Time) ([]ReaderCount, error) {
	out, err := p.log.ViewsPerReader(ctx, []AuditAction{ActionAccessContentRead}, sc.Organisations, since, until, 0)
	if err != nil {
		return nil, fmt.Errorf("count content reads: %w", err)
	}
	return out, nil
}

// RefuseContent answers an ask for content outside a registered request:
// refused, and audited as access.denied (so the oversight shows it) under
// the young person asked about.
//
// Callers: anyone asking for content without a request.
// Errors: always CodeForbidden (or the audit's failure).
func (p *Privacy) RefuseContent(ctx context.Context, actor Actor, subject string) error {
	if err := p.record(ctx, actor, ActionAccessDenied, "access-report/content", subject); err != nil {
		return err
	}
	return Errorf(CodeForbidden, "content is read only inside a registered request, for its young person: "+
		"register the request and read its report (GET /api/v1/privacy/access-requests/{id}/report?reason=assess)")
}
