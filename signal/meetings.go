package signal

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The meeting's stores, one per purpose, each owned by Meetings. Every
// write appends its audit events in the same unit of work (fail closed: no
// audit entry, no change).

// MeetingStore keeps meetings and what is noted under them (risks).
type MeetingStore interface {
	// CreateMeeting stores m with events.
	CreateMeeting(ctx context.Context, actor Actor, m *Meeting, events []AuditEvent) error
	// Meeting returns meeting id; CodeNotFound if there is none.
	Meeting(ctx context.Context, id string) (*Meeting, error)
	// Meetings returns the cooperation's meetings, latest first.
	Meetings(ctx context.Context, coop string) ([]*Meeting, error)
	// LastHeld returns the cooperation's meeting held last before before
	// (a zero before: the last held of all), other than except; nil if
	// there is none. Held times are compared exactly, not as text.
	LastHeld(ctx context.Context, coop string, before time.Time, except string) (*Meeting, error)
	// Risks returns the risks and bottlenecks recorded in a meeting.
	Risks(ctx context.Context, meetingID string) ([]RiskNote, error)
	// AddRisk stores a risk under a planned meeting (CodeConflict if held).
	AddRisk(ctx context.Context, actor Actor, r *RiskNote, events []AuditEvent) error
	// HoldMeeting marks a planned meeting held (CodeConflict if it is
	// already).
	HoldMeeting(ctx context.Context, actor Actor, meetingID string, at time.Time, events []AuditEvent) error
	// MoveMeeting sets a planned meeting's start (CodeConflict if it is
	// held or cancelled).
	MoveMeeting(ctx context.Context, actor Actor, meetingID string, startsAt time.Time, events []AuditEvent) error
	// CancelMeeting marks a planned meeting cancelled (CodeConflict if it
	// is held or cancelled, or anything was recorded under it: a lead, an
	// action, a decision, a closing or a risk).
	CancelMeeting(ctx context.Context, actor Actor, meetingID string, at time.Time, events []AuditEvent) error
	// OldTitles returns the titles still kept in the clear (written before
	// titles were sealed).
	OldTitles(ctx context.Context) ([]OldTitle, error)
	// SealOldTitles replaces each title in the clear by its sealed form
	// (none: the title is dropped), with events, leaving the clear text in
	// none of the database's files.
	SealOldTitles(ctx context.Context, actor Actor, titles []SealedTitle, events []AuditEvent) error
	// Attendance returns who took part in a meeting, by member
	// organisation (an organisation not in it: not recorded).
	Attendance(ctx context.Context, meetingID string) (map[string]AttendanceStatus, error)
	// SetAttendance records the attendance of a planned meeting's members
	// (CodeConflict once it is held or cancelled).
	SetAttendance(ctx context.Context, actor Actor, meetingID string, att map[string]AttendanceStatus, at time.Time, events []AuditEvent) error
	// CarriedRisks returns the open risks of the cooperation's held
	// meetings other than meetingID, oldest first.
	CarriedRisks(ctx context.Context, coop, meetingID string) ([]RiskNote, error)
	// Risk returns a risk and its meeting's cooperation; CodeNotFound if
	// there is none.
	Risk(ctx context.Context, id string) (*RiskNote, string, error)
	// UpdateRisk sets a risk's owner and status and keeps the change in
	// its history, under the planned meeting u.MeetingID (CodeConflict if
	// it is held or cancelled).
	UpdateRisk(ctx context.Context, actor Actor, u RiskUpdate, events []AuditEvent) error
	// CorrectRiskText stores r.Text as the risk's text version r.TextVersion
	// in planned meeting meetingID, keeping the text it replaces with its
	// writer (CodeConflict when the current version is not
	// r.TextVersion-1 or the meeting is not planned), with events.
	CorrectRiskText(ctx context.Context, actor Actor, meetingID string, r *RiskNote, rev Revision, events []AuditEvent) error
	// PlainRisks returns up to limit risk texts still kept in the clear
	// (current texts and earlier versions); SealRisk replaces one with
	// its sealed form, false when it changed meanwhile (SealStoredRisks).
	PlainRisks(ctx context.Context, limit int) ([]PlainRisk, error)
	SealRisk(ctx context.Context, p PlainRisk, sealed []byte) (bool, error)
	// ReopenMeeting makes a held meeting planned again and records why
	// and when it had been held (CodeConflict if it is not held).
	ReopenMeeting(ctx context.Context, actor Actor, meetingID string, reason ReopenReason, at time.Time, events []AuditEvent) error
	// Reopenings returns a meeting's reopenings, oldest first.
	Reopenings(ctx context.Context, meetingID string) ([]Reopening, error)
}

// CaseStore keeps the cases of young people the meeting discusses, with
// their lead professionals, actions and decisions.
type CaseStore interface {
	// Cases returns every case of the cooperation with its actions and
	// decisions.
	Cases(ctx context.Context, coop string) (*CaseSet, error)
	// RecordCase applies rec to the case rec.Case (creating it if it does
	// not exist), provided the meeting is still planned (CodeConflict
	// otherwise), with events. A text sealed under a key of the young
	// person that an erasure retired meanwhile is not stored
	// (ErrKeyRetired: seal again).
	RecordCase(ctx context.Context, actor Actor, rec CaseRecord, events []AuditEvent) error
	// SetActionDone marks an action done on a date, or not done (nil), as
	// a new version written by rev (the one it replaces kept in the
	// action's history).
	SetActionDone(ctx context.Context, actor Actor, actionID string, done *Date, rev Revision, events []AuditEvent) error
	// CorrectAction stores a (a.Version: the new version; a.Revision: who,
	// when, why) in place of its current version, which is kept in the
	// action's history, with events in one unit. The text must be sealed
	// under youth's live key (ErrKeyRetired otherwise); CodeConflict when
	// the current version is not a.Version-1 (changed meanwhile).
	CorrectAction(ctx context.Context, actor Actor, youth string, a *Action, events []AuditEvent) error
	// CorrectDecision is CorrectAction for a decision.
	CorrectDecision(ctx context.Context, actor Actor, youth string, d *CaseDecision, events []AuditEvent) error
	// Versions returns the earlier versions of a record, oldest first.
	Versions(ctx context.Context, kind RecordKind, id string) ([]RecordVersion, error)
	// ReopenCase opens closed case caseID again, keeping its closing with
	// the reopening in the case's closings (CodeConflict when it is not
	// closed), with events in one unit.
	ReopenCase(ctx context.Context, actor Actor, caseID string, reason CaseReopenReason, at time.Time, events []AuditEvent) error
	// Closings returns the earlier closings of the cooperation's reopened
	// cases by case id, oldest first.
	Closings(ctx context.Context, coop string) (map[string][]CaseClosing, error)
}

// AgendaSignalStore reads the signals the meeting and its members work
// from. What of them may be shown is Disclosure's to decide.
type AgendaSignalStore interface {
	// Signal returns the signal id; CodeNotFound if there is none.
	Signal(ctx context.Context, id string) (*Signal, error)
	// MeetingSignals returns the cooperation's decided signals the meeting
	// may see (meeting level not none), created in [from, until) (a zero
	// until: no upper bound), oldest first.
	MeetingSignals(ctx context.Context, coop string, from, until time.Time) ([]*Signal, error)
	// MeetingSignalHeads is MeetingSignals for a contents list, which opens
	// nothing: without the sealed content, and of the decision only its
	// fields as far as they say whether the identity is shown at level
	// full (FieldIdentity or none): what Disclosure.head needs.
	MeetingSignalHeads(ctx context.Context, coop string, from, until time.Time) ([]*Signal, error)
	// SignalsAbout returns the cooperation's decided signals about these
	// young people (pseudonyms), oldest first.
	SignalsAbout(ctx context.Context, coop string, youths []string) ([]*Signal, error)
	// ReporterSignals returns a reporter's decided signals, oldest first.
	ReporterSignals(ctx context.Context, reporterID string) ([]*Signal, error)
}

// PartnerStore lists who takes part in a cooperation.
type PartnerStore interface {
	// Professionals returns the enabled reporters and coordinators of the
	// cooperation: who can be lead professional or own an action.
	Professionals(ctx context.Context, coop string) ([]Professional, error)
	// Organisations returns the partner organisations of the cooperation.
	Organisations(ctx context.Context, coop string) ([]Organisation, error)
}

// MeetingStores is what the meeting use cases keep and read, by purpose.
type MeetingStores struct {
	Meetings MeetingStore
	Cases    CaseStore
	Signals  AgendaSignalStore
	Partners PartnerStore
	// Audit records what was read or shown (agenda, minutes, matches).
	Audit AuditRecorder
	// Matches keeps the coordinator's match decisions; nil: no proposals.
	Matches MatchStore
	// Disclosures finds earlier disclosures in the audit log; nil: an item
	// opened again is recorded in full each time (see OpenItem).
	Disclosures DisclosureLog
}

// Professional is someone who can be lead professional or own an action.
type Professional struct {
	UserID  string `json:"id"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	Role    Role   `json:"role"`
	OrgID   string `json:"organisation_id"`
	OrgName string `json:"organisation"`
}

// Meetings is the use cases of the signal meeting. It reads signals through
// the same Disclosure as Signals: what the agenda shows of a signal is
// exactly what a coordinator reading that signal would see, decided in one
// place.
type Meetings struct {
	disclosure  *Disclosure
	vault       Vault
	meetings    MeetingStore
	cases       CaseStore
	signals     AgendaSignalStore
	partners    PartnerStore
	audit       AuditRecorder
	evaluations EvaluationStore
	checker     TextChecker
	matches     MatchStore
	names       NameNormaliser // nil: no match proposals
	disclosures DisclosureLog  // nil: no references to earlier disclosures
	now         func() time.Time
	standing    MeetingStandingStore
}

// MeetingsOptions configures NewMeetings.
type MeetingsOptions struct {
	Now func() time.Time
	// Evaluations counts the cooperation's figures; nil: no evaluation.
	Evaluations EvaluationStore
	// TextChecker checks what the meeting writes (see meeting_text.go);
	// nil: the names of the young people known to the meeting only.
	TextChecker TextChecker
	// Standing, when set, gives the members of a meeting planned without
	// naming them (the administrator's standing arrangement).
	Standing MeetingStandingStore
}

// NewMeetings returns the meeting use cases: disclosure decides what the
// meeting sees of signals (the one Signals uses), vault seals what the
// meeting writes about a young person and keys case ids.
func NewMeetings(disclosure *Disclosure, vault Vault, stores MeetingStores, opts MeetingsOptions) *Meetings {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	names, _ := vault.(NameNormaliser) // the key store normalises as the pseudonym does
	return &Meetings{matches: stores.Matches, names: names, disclosures: stores.Disclosures,
		disclosure: disclosure, vault: vault,
		meetings: stores.Meetings, cases: stores.Cases, signals: stores.Signals, partners: stores.Partners, audit: stores.Audit,
		evaluations: opts.Evaluations, checker: opts.TextChecker, now: opts.Now, standing: opts.Standing,
	}
}

// newMeetingID returns a random id with a prefix naming its kind (80
// random bits: unguessable, and safe in URLs and audit entries).
func newMeetingID(prefix string) string {
	b := make([]byte, 10)
	rand.Read(b)
	return prefix + "_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func meetingObject(id string) string { return "meeting/" + id }
func caseObject(id string) string    { return "case/" + id }

// coordinatorCoop returns the coordinator's cooperation; CodeForbidden for
// any other role.
func (m *Meetings) coordinatorCoop(ctx context.Context, actor Actor) (string, error) {
	if actor.Role != RoleCoordinator {
		return "", Errorf(CodeForbidden, "only the coordinator of the signal meeting does this")
	}
	return m.disclosure.cooperationOf(ctx, actor)
}

// meetingOf returns the meeting if it belongs to coop; CodeNotFound
// otherwise (another cooperation's meeting does not exist for this reader).
func (m *Meetings) meetingOf(ctx context.Context, coop, id string) (*Meeting, error) {
	mt, err := m.meetings.Meeting(ctx, id)
	if ErrorCode(err) == CodeNotFound || (err == nil && mt.CooperationID != coop) {
		return nil, Errorf(CodeNotFound, "no meeting %s", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find meeting: %w", err)
	}
	if err := m.showTitles(ctx, mt); err != nil {
		return nil, err
	}
	return mt, nil
}

// coordinatorMeeting returns the coordinator's cooperation and its meeting
// id: CodeForbidden for any other role, CodeNotFound for a meeting of
// another cooperation.
func (m *Meetings) coordinatorMeeting(ctx context.Context, actor Actor, id string) (string, *Meeting, error) {
	coop, err := m.coordinatorCoop(ctx, actor)
	if err != nil {
		return "", nil, err
	}
	mt, err := m.meetingOf(ctx, coop, id)
	if err != nil {
		return "", nil, err
	}
	return coop, mt, nil
}

// storeErr passes a store's conflict on as it is (the caller's refusal) and
// wraps any other failure with what was being stored.
func storeErr(err error, what string) error {
	if ErrorCode(err) == CodeConflict {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Plan plans a meeting of the coordinator's cooperation.
//
// Errors: CodeForbidden for anyone but a coordinator, CodeInvalid with every
// field problem (a member that is not a partner of the cooperation too, a
// title that names or identifies someone: it goes to every member).
func (m *Meetings) Plan(ctx context.Context, actor Actor, in NewMeeting) (*Meeting, error) {
	coop, err := m.coordinatorCoop(ctx, actor)
	if err != nil {
		return nil, err
	}
	title, startsAt, verr := in.Validate(m.now())
	orgs, err := m.partners.Organisations(ctx, coop)
	if err != nil {
		return nil, fmt.Errorf("list partners: %w", err)
	}
	var fe FieldErrors
	for _, err := range []error{verr, m.checkTitle(ctx, actor, coop, title)} {
		var se *Error
		if errors.As(err, &se) && se.Code == CodeInvalid {
			fe = append(fe, se.Fields...)
		} else if err != nil {
			return nil, err
		}
	}
	members := in.Members
	for i, id := range members {
		if id != "" && !slices.ContainsFunc(orgs, func(o Organisation) bool { return o.ID == id }) {
			fe.Add("members["+strconv.Itoa(i)+"]", "is not a partner of your cooperation")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if len(members) == 0 {
		// The standing members, else every partner.
		if members, err = m.standingMembers(ctx, coop); err != nil {
			return nil, fmt.Errorf("read the standing members: %w", err)
		}
	}
	if len(members) == 0 {
		for _, o := range orgs {
			members = append(members, o.ID)
		}
	}
	mt := &Meeting{
		ID: newMeetingID("mtg"), CooperationID: coop, Title: title, StartsAt: startsAt,
		Status: MeetingPlanned, Members: members, CreatedBy: actor.UserID, CreatedAt: m.now().UTC(),
	}
	if err := m.sealTitle(ctx, mt); err != nil {
		return nil, err
	}
	if err := m.meetings.CreateMeeting(ctx, actor, mt, []AuditEvent{{Action: ActionMeetingCreate, Object: meetingObject(mt.ID)}}); err != nil {
		return nil, fmt.Errorf("store meeting: %w", err)
	}
	return mt, nil
}

// MeetingList is the meetings a person may open: for a coordinator every
// meeting of the cooperation, for a member's contact person the meetings
// their organisation takes part in (whose minutes they receive).
func (m *Meetings) List(ctx context.Context, actor Actor) ([]*Meeting, error) {
	coop, err := m.disclosure.cooperationOf(ctx, actor)
	if err != nil {
		return nil, err
	}
	all, err := m.meetings.Meetings(ctx, coop)
	if err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	out := []*Meeting{}
	for _, mt := range all {
		if ok, err := m.mayReadMinutes(ctx, actor, coop, mt); err != nil {
			return nil, err
		} else if ok {
			out = append(out, mt)
		}
	}
	return out, m.showTitles(ctx, out...)
}

// mayReadMinutes: the coordinator, and the contact person or deputy of a
// member organisation (the people who attend and get the minutes).
func (m *Meetings) mayReadMinutes(ctx context.Context, actor Actor, coop string, mt *Meeting) (bool, error) {
	if mt.CooperationID != coop {
		return false, nil
	}
	switch actor.Role {
	case RoleCoordinator:
		return true, nil
	case RoleReporter:
	default:
		return false, nil
	}
	if !slices.Contains(mt.Members, actor.OrgID) {
		return false, nil
	}
	org, err := m.disclosure.organisation(ctx, actor.OrgID)
	if err != nil {
		return false, fmt.Errorf("find member organisation: %w", err)
	}
	pros, err := m.partners.Professionals(ctx, coop)
	if err != nil {
		return false, fmt.Errorf("list professionals: %w", err)
	}
	for _, p := range pros {
		if p.UserID == actor.UserID {
			return strings.EqualFold(p.Email, org.Contact.Email) || strings.EqualFold(p.Email, org.Deputy.Email), nil
		}
	}
	return false, nil
}

// MeetingDetail is a meeting with its partners and the people who can take
// on work, for the chair.
type MeetingDetail struct {
	Meeting       *Meeting       `json:"meeting"`
	Members       []OrgContact   `json:"members"`
	Professionals []Professional `json:"professionals"`
	Risks         []RiskNote     `json:"risks"`
	// Attendance is how each member organisation took part (see
	// RecordAttendance).
	Attendance map[string]AttendanceStatus `json:"attendance"`
}

// Get returns a meeting for its chair, audited as meeting.view.
func (m *Meetings) Get(ctx context.Context, actor Actor, id string) (MeetingDetail, error) {
	coop, mt, err := m.coordinatorMeeting(ctx, actor, id)
	if err != nil {
		return MeetingDetail{}, err
	}
	d := MeetingDetail{Meeting: mt, Members: []OrgContact{}}
	if d.Members, err = m.members(ctx, mt); err != nil {
		return MeetingDetail{}, err
	}
	if d.Professionals, err = m.partners.Professionals(ctx, coop); err != nil {
		return MeetingDetail{}, fmt.Errorf("list professionals: %w", err)
	}
	if d.Risks, err = m.risks(ctx, actor, coop, mt.ID); err != nil {
		return MeetingDetail{}, err
	}
	if d.Attendance, err = m.meetings.Attendance(ctx, mt.ID); err != nil {
		return MeetingDetail{}, fmt.Errorf("read attendance: %w", err)
	}
	if err := m.audit.Record(ctx, actor, []AuditEvent{{Action: ActionMeetingView, Object: meetingObject(mt.ID)}}); err != nil {
		return MeetingDetail{}, fmt.Errorf("audit view: %w", err)
	}
	return d, nil
}

func (m *Meetings) members(ctx context.Context, mt *Meeting) ([]OrgContact, error) {
	out := []OrgContact{}
	for _, id := range mt.Members {
		o, err := m.disclosure.organisation(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("find member organisation: %w", err)
		}
		out = append(out, *orgContact(o))
	}
	// A stable order, whatever order the meeting was planned with: by
	// organisation, then contact person.
	slices.SortStableFunc(out, func(a, b OrgContact) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		if c := strings.Compare(strings.ToLower(a.Contact.Name), strings.ToLower(b.Contact.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.OrgID, b.OrgID)
	})
	return out, nil
}

// checkTitle checks a meeting's title, kept in the clear: it names no one.
func (m *Meetings) checkTitle(ctx context.Context, actor Actor, coop, title string) error {
	if title == "" {
		return nil
	}
	return m.checkDetachedText(ctx, actor, coop, "title", title)
}

// AddRisk records an entry under "risks and bottlenecks": about how the
// cooperation works, kept in the clear, so it may not name a young person
// known to the meeting nor otherwise identify anyone (meeting_text.go).
//
// Errors: CodeForbidden for anyone but a coordinator, CodeNotFound for
// another cooperation's meeting, CodeInvalid with the problem of "text"
// (empty, too long, or naming or identifying someone), CodeConflict once
// the meeting was held. A post with an idempotency key (key, "" for none)
// that was stored before returns that risk, stored and audited once.
func (m *Meetings) AddRisk(ctx context.Context, actor Actor, meetingID, text, key string) (RiskNote, error) {
	if p := validText(text, MaxTextLength); p != "" {
		return RiskNote{}, Invalid(FieldError{Field: "text", Problem: p})
	}
	coop, mt, err := m.coordinatorMeeting(ctx, actor, meetingID)
	if err != nil {
		return RiskNote{}, err
	}
	if err := m.checkDetachedText(ctx, actor, coop, "text", strings.TrimSpace(text)); err != nil {
		return RiskNote{}, err
	}
	id, err := m.recordID("rsk", actor, meetingID, key)
	if err != nil {
		return RiskNote{}, err
	}
	r := RiskNote{ID: id, MeetingID: mt.ID, Text: strings.TrimSpace(text), CreatedBy: actor.UserID, CreatedAt: m.now().UTC(), Checked: true, Status: RiskOpen, TextVersion: 1}
	if err := m.sealRisk(ctx, coop, &r); err != nil {
		return RiskNote{}, err
	}
	err = m.meetings.AddRisk(ctx, actor, &r, []AuditEvent{{Action: ActionMeetingRisk, Object: meetingObject(mt.ID)}})
	if errors.Is(err, ErrStoredBefore) {
		return r, nil // the same text, posted again
	}
	if err != nil {
		return RiskNote{}, storeErr(err, "store risk")
	}
	return r, nil
}

// Hold closes the meeting: its minutes become final and go to the members.
func (m *Meetings) Hold(ctx context.Context, actor Actor, meetingID string) (*Meeting, error) {
	_, mt, err := m.coordinatorMeeting(ctx, actor, meetingID)
	if err != nil {
		return nil, err
	}
	switch mt.Status {
	case MeetingHeld:
		return nil, Errorf(CodeConflict, "this meeting was closed already")
	case MeetingCancelled:
		return nil, Errorf(CodeConflict, "this meeting was cancelled")
	}
	now := m.now().UTC()
	if err := m.meetings.HoldMeeting(ctx, actor, mt.ID, now, []AuditEvent{{Action: ActionMeetingHeld, Object: meetingObject(mt.ID)}}); err != nil {
		return nil, storeErr(err, "store meeting held")
	}
	mt.Status, mt.HeldAt = MeetingHeld, &now
	return mt, nil
}

// Move gives a planned meeting a new start. What is on its agenda does not
// depend on the start: the window of new signals runs from when the
// previous meeting was held (see Agenda).
//
// Errors: CodeForbidden for anyone but a coordinator, CodeNotFound for
// another cooperation's meeting, CodeInvalid with the problem of
// "starts_at", CodeConflict once the meeting was held or cancelled.
func (m *Meetings) Move(ctx context.Context, actor Actor, meetingID, startsAt string) (*Meeting, error) {
	_, mt, err := m.coordinatorMeeting(ctx, actor, meetingID)
	if err != nil {
		return nil, err
	}
	var fe FieldErrors
	at := validStart(&fe, startsAt, m.now())
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if mt.Status != MeetingPlanned {
		return nil, Errorf(CodeConflict, "only a planned meeting can be moved; this one is %s", mt.Status)
	}
	if err := m.meetings.MoveMeeting(ctx, actor, mt.ID, at, []AuditEvent{{Action: ActionMeetingMove, Object: meetingObject(mt.ID)}}); err != nil {
		return nil, storeErr(err, "store meeting moved")
	}
	mt.StartsAt = at
	return mt, nil
}

// Cancel calls off a planned meeting. Nothing is lost: a cancelled meeting
// is never held, so the window of its agenda stays open and its new signals,
// the items carried over to it and its running cases are on the next
// meeting held.
//
// Errors: CodeForbidden for anyone but a coordinator, CodeNotFound for
// another cooperation's meeting, CodeConflict once the meeting was held or
// cancelled, or when something was recorded under it already (close it
// instead: its minutes hold what was recorded).
func (m *Meetings) Cancel(ctx context.Context, actor Actor, meetingID string) (*Meeting, error) {
	_, mt, err := m.coordinatorMeeting(ctx, actor, meetingID)
	if err != nil {
		return nil, err
	}
	if mt.Status != MeetingPlanned {
		return nil, Errorf(CodeConflict, "only a planned meeting can be cancelled; this one is %s", mt.Status)
	}
	now := m.now().UTC()
	if err := m.meetings.CancelMeeting(ctx, actor, mt.ID, now, []AuditEvent{{Action: ActionMeetingCancel, Object: meetingObject(mt.ID)}}); err != nil {
		return nil, storeErr(err, "store meeting cancelled")
	}
	mt.Status, mt.CancelledAt = MeetingCancelled, &now
	return mt, nil
}

// riskOwners fills in the owners of rs.
func (m *Meetings) riskOwners(ctx context.Context, coop string, rs []RiskNote) error {
	var pros map[string]Professional
	for i := range rs {
		if rs[i].OwnerID == "" {
			continue
		}
		if pros == nil {
			var err error
			if pros, err = m.professionals(ctx, coop); err != nil {
				return err
			}
		}
		p, ok := pros[rs[i].OwnerID]
		if !ok {
			p = Professional{UserID: rs[i].OwnerID, Name: "(account no longer active)"}
		}
		rs[i].Owner = &p
	}
	return nil
}

// carriedRisks are the open risks of earlier meetings, as risks shows
// them.
func (m *Meetings) carriedRisks(ctx context.Context, actor Actor, coop, meetingID string) ([]RiskNote, error) {
	rs, err := m.meetings.CarriedRisks(ctx, coop, meetingID)
	if err != nil {
		return nil, fmt.Errorf("list carried risks: %w", err)
	}
	return m.checkedRisks(ctx, actor, coop, rs)
}

// risks returns the risks of a meeting as they may be shown: one written
// before the text check (migration 0050, so not Checked) is checked now as
// AddRisk checks, and held back (Withheld, no Text) when the check refuses
// it, so a name typed in the clear before the check reads nowhere.
func (m *Meetings) risks(ctx context.Context, actor Actor, coop, meetingID string) ([]RiskNote, error) {
	rs, err := m.meetings.Risks(ctx, meetingID)
	if err != nil {
		return nil, fmt.Errorf("list risks: %w", err)
	}
	return m.checkedRisks(ctx, actor, coop, rs)
}

// checkedRisks fills in the owners of rs and holds back the text of one
// written before the check that the check now refuses.
func (m *Meetings) checkedRisks(ctx context.Context, actor Actor, coop string, rs []RiskNote) ([]RiskNote, error) {
	if err := m.openRisks(ctx, coop, rs); err != nil {
		return nil, err
	}
	if err := m.riskOwners(ctx, coop, rs); err != nil {
		return nil, err
	}
	for i := range rs {
		for j := range rs[i].Versions {
			v := &rs[i].Versions[j]
			if v.Checked {
				continue
			}
			err := m.checkDetachedText(ctx, actor, coop, "text", v.Text)
			switch {
			case ErrorCode(err) == CodeInvalid:
				v.Text, v.Withheld = "", true
			case err != nil:
				return nil, err
			}
		}
		if rs[i].Checked {
			continue
		}
		err := m.checkDetachedText(ctx, actor, coop, "text", rs[i].Text)
		switch {
		case ErrorCode(err) == CodeInvalid:
			rs[i].Text, rs[i].Withheld = "", true
		case err != nil:
			return nil, err
		}
	}
	return rs, nil
}

// RecordAttendance records who took part in the meeting, per member
// organisation (its contact person attends for it): present, apologies sent
// or absent. Members not named keep what was recorded for them. The minutes
// show it. Audited as meeting.attendance (no names: organisations only).
//
// Callers: the coordinator (chair). Errors: CodeForbidden for anyone else,
// CodeNotFound for another cooperation's meeting, CodeInvalid naming
// "attendance[<org id>]" for an organisation that is not a member or a
// status that is not one of AttendanceStatuses, CodeConflict once the
// meeting was held or cancelled.
func (m *Meetings) RecordAttendance(ctx context.Context, actor Actor, meetingID string, att map[string]AttendanceStatus) error {
	_, mt, err := m.coordinatorMeeting(ctx, actor, meetingID)
	if err != nil {
		return err
	}
	var fe FieldErrors
	orgs := slices.Sorted(maps.Keys(att))
	for _, org := range orgs {
		path := "attendance[" + org + "]"
		if !slices.Contains(mt.Members, org) {
			fe.Add(path, "is not a member organisation of this meeting")
		} else if !oneOf(att[org], AttendanceStatuses) {
			fe.Add(path, "must be one of present, apologies, absent")
		}
	}
	if len(att) == 0 {
		fe.Add("attendance", "is required: who was there")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if mt.Status != MeetingPlanned {
		return Errorf(CodeConflict, "attendance is recorded while the meeting is planned; this one is %s", mt.Status)
	}
	events := []AuditEvent{{Action: ActionMeetingAttendance, Object: meetingObject(mt.ID)}}
	if err := m.meetings.SetAttendance(ctx, actor, mt.ID, att, m.now(), events); err != nil {
		return storeErr(err, "store attendance")
	}
	return nil
}

// Reopen makes the meeting held last planned again, with a reason from
// ReopenReasons: to correct or add what was recorded. Its minutes are a
// draft again until it is closed anew, and then say that and why they were
// reopened. Its agenda's window runs on until the new close, so signals
// that came in meanwhile are new on this meeting, not the next: every
// signal is still new on exactly one agenda. Audited as meeting.reopen.
//
// Callers: the coordinator (chair). Errors: CodeForbidden for anyone else,
// CodeNotFound for another cooperation's meeting, CodeInvalid naming
// "reason", CodeConflict when the meeting is not held or another meeting
// was held after it.
func (m *Meetings) Reopen(ctx context.Context, actor Actor, meetingID string, reason ReopenReason) (*Meeting, error) {
	coop, mt, err := m.coordinatorMeeting(ctx, actor, meetingID)
	if err != nil {
		return nil, err
	}
	var fe FieldErrors
	requireOneOf(&fe, "reason", reason, ReopenReasons)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if mt.Status != MeetingHeld {
		return nil, Errorf(CodeConflict, "only a held meeting can be reopened; this one is %s", mt.Status)
	}
	last, err := m.meetings.LastHeld(ctx, coop, time.Time{}, "")
	if err != nil {
		return nil, fmt.Errorf("find the last meeting held: %w", err)
	}
	if last == nil || last.ID != mt.ID {
		return nil, Errorf(CodeConflict, "a later meeting was held; record it in the next meeting")
	}
	events := []AuditEvent{{Action: ActionMeetingReopen, Object: meetingObject(mt.ID)}}
	if err := m.meetings.ReopenMeeting(ctx, actor, mt.ID, reason, m.now(), events); err != nil {
		return nil, storeErr(err, "store meeting reopened")
	}
	mt.Status, mt.HeldAt = MeetingPlanned, nil
	return mt, nil
}

// meetingRisk is the coordinator's meeting meetingID and risk riskID of
// the same cooperation (CodeNotFound for another's).
func (m *Meetings) meetingRisk(ctx context.Context, actor Actor, meetingID, riskID string) (string, *Meeting, *RiskNote, error) {
	coop, mt, err := m.coordinatorMeeting(ctx, actor, meetingID)
	if err != nil {
		return "", nil, nil, err
	}
	r, rcoop, err := m.meetings.Risk(ctx, riskID)
	if ErrorCode(err) == CodeNotFound || err == nil && rcoop != coop {
		return "", nil, nil, Errorf(CodeNotFound, "no risk %s", riskID)
	}
	if err != nil {
		return "", nil, nil, fmt.Errorf("find risk: %w", err)
	}
	rs := []RiskNote{*r}
	if err := m.openRisks(ctx, coop, rs); err != nil {
		return "", nil, nil, err
	}
	return coop, mt, &rs[0], nil
}

// UpdateRisk gives a risk (of this meeting, or carried over from an
// earlier one) an owner and a status, in the planned meeting meetingID:
// an open risk is on every later agenda until a meeting resolves it. The
// change is kept in the risk's history (nothing is overwritten there) and
// audited as meeting.risk_update.
//
// Callers: the coordinator (chair). Errors: CodeForbidden for anyone else,
// CodeNotFound for another cooperation's meeting or risk, CodeInvalid
// naming "owner_id" (not an active professional of the cooperation) or
// "status", CodeConflict once the meeting was held or cancelled.
func (m *Meetings) UpdateRisk(ctx context.Context, actor Actor, meetingID, riskID, ownerID string, status RiskStatus) (RiskNote, error) {
	coop, mt, r, err := m.meetingRisk(ctx, actor, meetingID, riskID)
	if err != nil {
		return RiskNote{}, err
	}
	var fe FieldErrors
	requireOneOf(&fe, "status", status, RiskStatuses)
	var owner *Professional
	if ownerID != "" {
		if p, err := m.professional(ctx, coop, ownerID, "owner_id"); err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Code != CodeInvalid {
				return RiskNote{}, err
			}
			fe = append(fe, se.Fields...)
		} else {
			owner = &p
		}
	}
	if err := fe.Err(); err != nil {
		return RiskNote{}, err
	}
	if mt.Status != MeetingPlanned {
		return RiskNote{}, Errorf(CodeConflict, "this meeting was closed; record it in the next meeting")
	}
	u := RiskUpdate{RiskID: r.ID, MeetingID: mt.ID, OwnerID: ownerID, Status: status, At: m.now()}
	if err := m.meetings.UpdateRisk(ctx, actor, u, []AuditEvent{{Action: ActionMeetingRiskUpdate, Object: meetingObject(mt.ID)}}); err != nil {
		return RiskNote{}, storeErr(err, "store risk update")
	}
	r.OwnerID, r.Owner, r.Status = ownerID, owner, status
	return *r, nil
}
