package signal

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
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
	// PreviousMeeting returns the cooperation's latest meeting starting
	// before before (other than except), or nil.
	PreviousMeeting(ctx context.Context, coop string, before time.Time, except string) (*Meeting, error)
	// Risks returns the risks and bottlenecks recorded in a meeting.
	Risks(ctx context.Context, meetingID string) ([]RiskNote, error)
	// AddRisk stores a risk under a planned meeting (CodeConflict if held).
	AddRisk(ctx context.Context, actor Actor, r *RiskNote, events []AuditEvent) error
	// HoldMeeting marks a planned meeting held (CodeConflict if it is
	// already).
	HoldMeeting(ctx context.Context, actor Actor, meetingID string, at time.Time, events []AuditEvent) error
}

// CaseStore keeps the cases of young people the meeting discusses, with
// their lead professionals, actions and decisions.
type CaseStore interface {
	// Cases returns every case of the cooperation with its actions and
	// decisions.
	Cases(ctx context.Context, coop string) (*CaseSet, error)
	// RecordCase applies rec to the case rec.Case (creating it if it does
	// not exist), provided the meeting is still planned (CodeConflict
	// otherwise), with events.
	RecordCase(ctx context.Context, actor Actor, rec CaseRecord, events []AuditEvent) error
	// SetActionDone marks an action done on a date, or not done (nil).
	SetActionDone(ctx context.Context, actor Actor, actionID string, done *Date, events []AuditEvent) error
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
}

// CaseRecord is one change to a case during a meeting: exactly one of
// Lead, Action, Decision and Close is set.
type CaseRecord struct {
	Case      Case // ID, CooperationID, Youth, AnonymousSignal; OpenedAt/OpenedMeeting for a new case
	MeetingID string
	Lead      *LeadProfessional
	Action    *Action
	Decision  *CaseDecision
	Close     *CloseReason
	At        time.Time
}

// CaseSet is a cooperation's cases with their actions and decisions.
type CaseSet struct {
	Cases     []*Case
	Actions   []*Action
	Decisions []*CaseDecision
	// Leads is every lead professional the cases had, oldest first.
	Leads []*LeadRecord
}

// LeadRecord is one assignment of a lead professional to a case.
type LeadRecord struct {
	CaseID string
	LeadProfessional
}

// leadAt is who was the case's lead at t (nil: nobody yet).
func (cs *CaseSet) leadAt(caseID string, t time.Time) *LeadProfessional {
	var lead *LeadProfessional
	for _, l := range cs.Leads {
		if l.CaseID == caseID && !l.AssignedAt.After(t) {
			lp := l.LeadProfessional
			lead = &lp
		}
	}
	return lead
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
	now         func() time.Time
}

// MeetingsOptions configures NewMeetings.
type MeetingsOptions struct {
	Now func() time.Time
	// Evaluations counts the cooperation's figures; nil: no evaluation.
	Evaluations EvaluationStore
}

// NewMeetings returns the meeting use cases: disclosure decides what the
// meeting sees of signals (the one Signals uses), vault seals what the
// meeting writes about a young person and keys case ids.
func NewMeetings(disclosure *Disclosure, vault Vault, stores MeetingStores, opts MeetingsOptions) *Meetings {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Meetings{
		disclosure: disclosure, vault: vault,
		meetings: stores.Meetings, cases: stores.Cases, signals: stores.Signals, partners: stores.Partners, audit: stores.Audit,
		evaluations: opts.Evaluations, now: opts.Now,
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
	return mt, nil
}

// Plan plans a meeting of the coordinator's cooperation.
//
// Errors: CodeForbidden for anyone but a coordinator, CodeInvalid with every
// field problem (a member that is not a partner of the cooperation too).
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
	if verr != nil {
		var se *Error
		errors.As(verr, &se)
		fe = append(fe, se.Fields...)
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
		for _, o := range orgs {
			members = append(members, o.ID)
		}
	}
	mt := &Meeting{
		ID: newMeetingID("mtg"), CooperationID: coop, Title: title, StartsAt: startsAt,
		Status: MeetingPlanned, Members: members, CreatedBy: actor.UserID, CreatedAt: m.now().UTC(),
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
	return out, nil
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
}

// Get returns a meeting for its chair, audited as meeting.view.
func (m *Meetings) Get(ctx context.Context, actor Actor, id string) (MeetingDetail, error) {
	coop, err := m.coordinatorCoop(ctx, actor)
	if err != nil {
		return MeetingDetail{}, err
	}
	mt, err := m.meetingOf(ctx, coop, id)
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
	if d.Risks, err = m.meetings.Risks(ctx, mt.ID); err != nil {
		return MeetingDetail{}, fmt.Errorf("list risks: %w", err)
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
	return out, nil
}

// Agenda is what the meeting discusses: the signals received since the
// previous meeting grouped per young person, the running cases, and the
// standing item "risks and bottlenecks".
type Agenda struct {
	Meeting *Meeting `json:"meeting"`
	// Since is when the previous meeting started: the agenda holds the
	// signals received from then on (nil: no previous meeting, so every
	// active signal).
	Since *time.Time `json:"since,omitempty"`
	// Projector is set on the view for the room's screen: identities only
	// where the meeting may see the young person in full.
	Projector bool         `json:"projector"`
	Items     []AgendaItem `json:"items"`
	// FollowUp are the open cases without new signals: their lead, their
	// actions (overdue ones flagged) and their earlier decisions.
	FollowUp []AgendaItem `json:"follow_up"`
	Risks    []RiskNote   `json:"risks"`
	// Overdue counts the open actions past their due date, on the whole
	// agenda.
	Overdue int `json:"overdue"`
}

// AgendaItem is one young person on the agenda (or one anonymous signal).
type AgendaItem struct {
	// Ref names the item in the API's writes (lead, actions, decisions,
	// close).
	Ref    string `json:"ref"`
	Number int    `json:"number"`
	// Label is how to speak of the young person when the identity is not
	// shown ("Jongere 3", or an anonymous signal's own label).
	Label string     `json:"label"`
	Youth *YouthView `json:"youth,omitempty"`
	// Anonymous: one signal the meeting may only see without identity.
	Anonymous bool `json:"anonymous"`
	// Match: two or more partners signalled about this young person.
	Match      bool            `json:"match"`
	Partners   []PartnerCount  `json:"partners"`
	Categories []CategoryCount `json:"categories"`
	// CategoryNotShared counts signals whose category the meeting may not
	// see (existence only).
	CategoryNotShared int          `json:"category_not_shared,omitempty"`
	Signals           []SignalView `json:"signals"`
	Case              *CaseView    `json:"case,omitempty"`
}

// PartnerCount is how many of an item's signals one partner made.
type PartnerCount struct {
	Partner OrgContact `json:"partner"`
	Signals int        `json:"signals"`
}

// CategoryCount is how many of an item's signals are about one category.
type CategoryCount struct {
	Category Category `json:"category"`
	Signals  int      `json:"signals"`
}

// CaseView is a case as the meeting sees it.
type CaseView struct {
	ID          string            `json:"id"`
	Status      CaseStatus        `json:"status"`
	Lead        *LeadProfessional `json:"lead,omitempty"`
	OpenedAt    time.Time         `json:"opened_at"`
	ClosedAt    *time.Time        `json:"closed_at,omitempty"`
	CloseReason CloseReason       `json:"close_reason,omitempty"`
	Actions     []ActionView      `json:"actions"`
	Decisions   []DecisionView    `json:"decisions"`
}

// ActionView is an action as people see it.
type ActionView struct {
	ID          string        `json:"id"`
	MeetingID   string        `json:"meeting_id"`
	Owner       *Professional `json:"owner,omitempty"`
	Description string        `json:"description,omitempty"`
	Due         Date          `json:"due_on"`
	DoneOn      *Date         `json:"done_on,omitempty"`
	Overdue     bool          `json:"overdue"`
	Erased      bool          `json:"erased,omitempty"`
}

// DecisionView is a decision as the meeting sees it.
type DecisionView struct {
	ID        string       `json:"id"`
	MeetingID string       `json:"meeting_id"`
	Kind      DecisionKind `json:"kind"`
	Text      string       `json:"text,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
	Erased    bool         `json:"erased,omitempty"`
}

// meetingReader is who the agenda is shown to: the coordinator (chair),
// reading as the meeting.
func meetingReader(actor Actor) Actor {
	a := actor
	a.Role = RoleCoordinator
	return a
}

// shown is a signal and what the meeting may see of it.
type shown struct {
	sig  *Signal
	view SignalView
}

// identified reports whether the meeting may see who the signal is about:
// only then may it be joined with the young person's other signals.
func (s shown) identified() bool { return s.view.Youth != nil && s.view.Youth.Ref != "" }

// meetingViews returns what the meeting may see of each signal (skipping
// those it may not see at all), via the signals service's own rule.
func meetingViews(ctx context.Context, r *Disclosure, actor Actor, coop string, sigs []*Signal) ([]shown, error) {
	reader := meetingReader(actor)
	out := make([]shown, 0, len(sigs))
	for _, sig := range sigs {
		level, ok := r.levelFor(reader, coop, sig)
		if !ok {
			continue
		}
		v, err := r.view(ctx, reader, sig, level)
		if err != nil {
			return nil, err
		}
		out = append(out, shown{sig: sig, view: v})
	}
	return out, nil
}

// groupItems groups the shown signals per young person where the identity
// may be seen, and makes every other signal an item of its own.
func groupItems(ss []shown) [][]shown {
	var groups [][]shown
	byYouth := map[string]int{}
	for _, s := range ss {
		if !s.identified() {
			groups = append(groups, []shown{s})
			continue
		}
		i, ok := byYouth[s.view.Youth.Ref]
		if !ok {
			i = len(groups)
			byYouth[s.view.Youth.Ref] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], s)
	}
	return groups
}

func (m *Meetings) newItem(group []shown) AgendaItem {
	first := group[0]
	it := AgendaItem{Partners: []PartnerCount{}, Categories: []CategoryCount{}, Signals: make([]SignalView, 0, len(group))}
	if first.identified() {
		it.Ref = itemRef(first.sig.Youth, "")
		y := *first.view.Youth
		it.Youth = &y
	} else {
		it.Ref = itemRef("", first.sig.ID)
		it.Anonymous = true
	}
	partners := map[string]int{}
	cats := map[Category]int{}
	for _, s := range group {
		it.Signals = append(it.Signals, s.view)
		if s.view.Reporter != nil {
			if i, ok := partners[s.view.Reporter.OrgID]; ok {
				it.Partners[i].Signals++
			} else {
				partners[s.view.Reporter.OrgID] = len(it.Partners)
				it.Partners = append(it.Partners, PartnerCount{Partner: *s.view.Reporter, Signals: 1})
			}
		}
		if s.view.Category == "" {
			it.CategoryNotShared++
		} else if i, ok := cats[s.view.Category]; ok {
			it.Categories[i].Signals++
		} else {
			cats[s.view.Category] = len(it.Categories)
			it.Categories = append(it.Categories, CategoryCount{Category: s.view.Category, Signals: 1})
		}
		// The latest signal's age is the young person's age now, closest.
		if s.view.Youth != nil && s.view.Youth.Age != nil && it.Youth != nil {
			y := *s.view.Youth
			if y.Name == "" {
				y.Name = it.Youth.Name
			}
			it.Youth = &y
		}
	}
	it.Match = len(it.Partners) >= 2
	return it
}

// fullyIdentified reports whether the meeting may see the young person in
// full: some signal of the item is shared at level full with its identity.
func fullyIdentified(it AgendaItem) bool {
	for _, v := range it.Signals {
		if v.Level == LevelFull && v.Youth != nil && v.Youth.Name != "" {
			return true
		}
	}
	return false
}

// hideIdentity removes who the item is about, for the projector.
func hideIdentity(it *AgendaItem) {
	it.Youth = nil
	for i := range it.Signals {
		it.Signals[i].Youth = nil
	}
}

// ShownSignal is one signal in an audit entry of a view of the agenda: its
// id and the fields of it the meeting was shown.
type ShownSignal struct {
	ID     string
	Fields []Field
}

// Code is how an agenda view's audit entry lists the signal among its
// decision's fields: "<signal id>:<field>:<field>…" ("01k…:identity:facts";
// the bare id when only that the signal exists was shown). Signal ids and
// field names are codes without ":", so the list passes the audit log's
// check that it holds codes only, never free text.
func (s ShownSignal) Code() Field {
	var b strings.Builder
	b.WriteString(s.ID)
	for _, f := range s.Fields {
		b.WriteByte(':')
		b.WriteString(string(f))
	}
	return Field(b.String())
}

// ParseShownSignal reads a code made by [ShownSignal.Code]; ok is false for
// anything else (a plain field name, say).
func ParseShownSignal(code string) (s ShownSignal, ok bool) {
	parts := strings.Split(code, ":")
	id := parts[0]
	if id == "" || strings.TrimLeft(id, "0123456789abcdefghijklmnopqrstuvwxyz") != "" {
		return ShownSignal{}, false
	}
	s.ID = id
	for _, f := range parts[1:] {
		if !Field(f).Valid() {
			return ShownSignal{}, false
		}
		s.Fields = append(s.Fields, Field(f))
	}
	return s, true
}

// agendaEvents audits one view of the agenda (action agenda.view or
// agenda.project): one entry for the view itself, also when the agenda is
// empty, and per young person one entry per decision under which the
// meeting was shown their signals. Such an entry has the young person's
// pseudonym as subject and the meeting as object; its decision is the
// signals' (outcome, level, rule, policy version, as readEvent records a
// single read) and its fields list each signal shown with the fields shown
// of it ([ShownSignal.Code]). An access request searches the log by subject,
// so it finds every agenda that showed the young person, which signals and
// at which level, at the cost of one entry per young person instead of one
// per signal (an agenda of 10,000 signals was 10,000 entries, ~6 MB of WAL).
// A signal on the agenda that is not in bySig is an error: what cannot be
// audited is not shown.
func agendaEvents(action AuditAction, meetingID string, bySig map[string]*Signal, lists ...[]AgendaItem) ([]AuditEvent, error) {
	object := meetingObject(meetingID)
	events := []AuditEvent{{Action: action, Object: object}}
	type disclosure struct {
		youth   string
		outcome Outcome
		level   Level
		rule    Rule
		policy  string
	}
	entry := map[disclosure]int{}
	for _, list := range lists {
		for _, it := range list {
			for _, v := range it.Signals {
				sig := bySig[v.ID]
				if sig == nil {
					return nil, fmt.Errorf("audit agenda: signal %s is shown but was not read", v.ID)
				}
				k := disclosure{sig.Youth, sig.Decision.Outcome, v.Level, sig.Decision.Rule, sig.Decision.PolicyVersion}
				i, ok := entry[k]
				if !ok {
					i = len(events)
					entry[k] = i
					events = append(events, AuditEvent{Action: action, Object: object, Subject: sig.Youth,
						Decision: &AuditedDecision{Recipient: string(RecipientSignalMeeting), Decision: Decision{
							Outcome: k.outcome, Level: k.level, Rule: k.rule, PolicyVersion: k.policy}}})
				}
				d := &events[i].Decision.Decision
				d.Fields = append(d.Fields, ShownSignal{ID: v.ID, Fields: shownFields(v)}.Code())
			}
		}
	}
	// In the order of the pseudonyms: the audit log indexes entries by
	// subject, and pseudonyms are random, so in agenda order each batch of
	// inserts lands on as many scattered index pages as it has entries; in
	// subject order on a few neighbouring ones (measured: 2,001 entries
	// 105-122 ms unsorted, 64-78 ms sorted). The entries of one view share
	// their unit of work and time, so their order says nothing else.
	slices.SortStableFunc(events[1:], func(a, b AuditEvent) int { return strings.Compare(a.Subject, b.Subject) })
	return events, nil
}

// Agenda builds the agenda of meeting id for its chair (projector: for the
// room's screen) and audits the view as agenda.view (or agenda.project):
// each young person shown, with every signal shown and the level and fields
// shown of it (see agendaEvents), so a young person's access request finds
// every disclosure.
func (m *Meetings) Agenda(ctx context.Context, actor Actor, id string, projector bool) (Agenda, error) {
	coop, err := m.coordinatorCoop(ctx, actor)
	if err != nil {
		return Agenda{}, err
	}
	mt, err := m.meetingOf(ctx, coop, id)
	if err != nil {
		return Agenda{}, err
	}
	ag := Agenda{Meeting: mt, Projector: projector, Items: []AgendaItem{}, FollowUp: []AgendaItem{}}
	now := m.now()
	from := now.Add(-SignalActivePeriod)
	prev, err := m.meetings.PreviousMeeting(ctx, coop, mt.StartsAt, mt.ID)
	if err != nil {
		return Agenda{}, fmt.Errorf("find previous meeting: %w", err)
	}
	if prev != nil {
		since := prev.StartsAt
		ag.Since, from = &since, since
	}
	var until time.Time
	if mt.HeldAt != nil {
		until = *mt.HeldAt
	}
	sigs, err := m.signals.MeetingSignals(ctx, coop, from, until)
	if err != nil {
		return Agenda{}, fmt.Errorf("read agenda signals: %w", err)
	}
	r := m.disclosure.perRequest()
	ss, err := meetingViews(ctx, r, actor, coop, sigs)
	if err != nil {
		return Agenda{}, err
	}
	groups := groupItems(ss)
	cs, err := m.cases.Cases(ctx, coop)
	if err != nil {
		return Agenda{}, fmt.Errorf("read cases: %w", err)
	}
	pros, err := m.professionals(ctx, coop)
	if err != nil {
		return Agenda{}, err
	}
	cases := casesByRef(cs)
	today := Today(now)

	for _, g := range groups {
		ag.Items = append(ag.Items, m.newItem(g))
	}
	// Combined signals first, then the young people with most signals; the
	// order within is the order they came in.
	slices.SortStableFunc(ag.Items, func(a, b AgendaItem) int {
		if a.Match != b.Match {
			if a.Match {
				return -1
			}
			return 1
		}
		return cmp.Compare(len(b.Signals), len(a.Signals))
	})
	onAgenda := map[string]bool{}
	for i := range ag.Items {
		it := &ag.Items[i]
		onAgenda[it.Ref] = true
		if c := cases[it.Ref]; c != nil {
			cv, err := m.caseView(ctx, c, cs, pros, today, "")
			if err != nil {
				return Agenda{}, err
			}
			it.Case = &cv
		}
	}
	// Running cases without new signals come back under follow-up, with
	// what the meeting may see of the young person now.
	var follow []*Case
	for _, c := range cs.Cases {
		if c.Status == CaseOpen && !onAgenda[c.ItemRef()] {
			follow = append(follow, c)
		}
	}
	var followShown []shown
	if len(follow) > 0 {
		var items []AgendaItem
		items, followShown, err = m.caseItems(ctx, r, actor, coop, follow)
		if err != nil {
			return Agenda{}, err
		}
		for _, it := range items {
			cv, err := m.caseView(ctx, cases[it.Ref], cs, pros, today, "")
			if err != nil {
				return Agenda{}, err
			}
			it.Case = &cv
			ag.FollowUp = append(ag.FollowUp, it)
		}
	}
	n := 0
	for _, list := range [][]AgendaItem{ag.Items, ag.FollowUp} {
		for i := range list {
			n++
			it := &list[i]
			it.Number = n
			it.Label = "Jongere " + strconv.Itoa(n)
			if projector && !fullyIdentified(*it) {
				hideIdentity(it)
			}
			if it.Case != nil {
				for _, a := range it.Case.Actions {
					if a.Overdue {
						ag.Overdue++
					}
				}
			}
		}
	}
	if ag.Risks, err = m.meetings.Risks(ctx, mt.ID); err != nil {
		return Agenda{}, fmt.Errorf("list risks: %w", err)
	}

	action := ActionAgendaView
	if projector {
		action = ActionAgendaProject
	}
	bySig := make(map[string]*Signal, len(ss)+len(followShown))
	for _, list := range [][]shown{ss, followShown} {
		for _, s := range list {
			bySig[s.sig.ID] = s.sig
		}
	}
	events, err := agendaEvents(action, mt.ID, bySig, ag.Items, ag.FollowUp)
	if err != nil {
		return Agenda{}, err
	}
	if err := m.audit.Record(ctx, actor, events); err != nil {
		return Agenda{}, fmt.Errorf("audit agenda: %w", err)
	}
	return ag, nil
}

// caseItems returns an item per case, showing the young person as the
// meeting may see them now (via their signals), without counting them as
// new. A case whose signals the meeting may no longer see at all (expired,
// or the decisions changed) shows under its label only.
func (m *Meetings) caseItems(ctx context.Context, r *Disclosure, actor Actor, coop string, cases []*Case) ([]AgendaItem, []shown, error) {
	var youths []string
	for _, c := range cases {
		youths = append(youths, c.Youth)
	}
	sigs, err := m.signals.SignalsAbout(ctx, coop, youths)
	if err != nil {
		return nil, nil, fmt.Errorf("read signals of running cases: %w", err)
	}
	ss, err := meetingViews(ctx, r, actor, coop, sigs)
	if err != nil {
		return nil, nil, err
	}
	var out []AgendaItem
	for _, c := range cases {
		var mine []shown
		for _, s := range ss {
			if c.AnonymousSignal != "" && s.sig.ID == c.AnonymousSignal && !s.identified() ||
				c.AnonymousSignal == "" && s.identified() && s.sig.Youth == c.Youth {
				mine = append(mine, s)
			}
		}
		var it AgendaItem
		if len(mine) > 0 {
			it = m.newItem(mine)
		} else {
			it = AgendaItem{Ref: c.ItemRef(), Anonymous: c.AnonymousSignal != "", Partners: []PartnerCount{}, Categories: []CategoryCount{}, Signals: []SignalView{}}
		}
		out = append(out, it)
	}
	return out, ss, nil
}

func casesByRef(cs *CaseSet) map[string]*Case {
	out := make(map[string]*Case, len(cs.Cases))
	for _, c := range cs.Cases {
		out[c.ItemRef()] = c
	}
	return out
}

func (m *Meetings) professionals(ctx context.Context, coop string) (map[string]Professional, error) {
	list, err := m.partners.Professionals(ctx, coop)
	if err != nil {
		return nil, fmt.Errorf("list professionals: %w", err)
	}
	out := make(map[string]Professional, len(list))
	for _, p := range list {
		out[p.UserID] = p
	}
	return out, nil
}

// caseView opens a case's actions and decisions (only meetingID's when set).
func (m *Meetings) caseView(ctx context.Context, c *Case, cs *CaseSet, pros map[string]Professional, today Date, meetingID string) (CaseView, error) {
	cv := CaseView{ID: c.ID, Status: c.Status, Lead: c.Lead, OpenedAt: c.OpenedAt, ClosedAt: c.ClosedAt,
		CloseReason: c.CloseReason, Actions: []ActionView{}, Decisions: []DecisionView{}}
	for _, a := range cs.Actions {
		if a.CaseID != c.ID || meetingID != "" && a.MeetingID != meetingID {
			continue
		}
		av := ActionView{ID: a.ID, MeetingID: a.MeetingID, Due: a.Due, DoneOn: a.DoneOn}
		if p, ok := pros[a.OwnerID]; ok {
			av.Owner = &p
		} else {
			av.Owner = &Professional{UserID: a.OwnerID, Name: "(account no longer active)"}
		}
		av.Overdue = a.DoneOn == nil && a.Due.Before(today)
		text, erased, err := m.disclosure.caseText(ctx, c, actionAD(a.ID), a.Description)
		if err != nil {
			return CaseView{}, err
		}
		av.Description, av.Erased = text, erased
		cv.Actions = append(cv.Actions, av)
	}
	for _, d := range cs.Decisions {
		if d.CaseID != c.ID || meetingID != "" && d.MeetingID != meetingID {
			continue
		}
		dv := DecisionView{ID: d.ID, MeetingID: d.MeetingID, Kind: d.Kind, CreatedAt: d.CreatedAt}
		text, erased, err := m.disclosure.caseText(ctx, c, decisionAD(d.ID), d.Text)
		if err != nil {
			return CaseView{}, err
		}
		dv.Text, dv.Erased = text, erased
		cv.Decisions = append(cv.Decisions, dv)
	}
	return cv, nil
}

func actionAD(id string) []byte   { return []byte("action/" + id + "/description") }
func decisionAD(id string) []byte { return []byte("decision/" + id + "/text") }

// resolveItem finds what an item ref of an agenda names, checking that the
// meeting may see it: "y-<pseudonym>" needs a signal that shows the young
// person's identity to the meeting, "s-<signal>" a signal the meeting sees
// without identity. Anything else is CodeNotFound.
func (m *Meetings) resolveItem(ctx context.Context, actor Actor, coop, ref string) (Case, error) {
	notFound := Errorf(CodeNotFound, "no agenda item %s", ref)
	kind, key, ok := strings.Cut(ref, "-")
	if !ok || key == "" {
		return Case{}, notFound
	}
	var sigs []*Signal
	switch kind {
	case "y":
		var err error
		if sigs, err = m.signals.SignalsAbout(ctx, coop, []string{key}); err != nil {
			return Case{}, fmt.Errorf("read signals of item: %w", err)
		}
	case "s":
		sig, err := m.signals.Signal(ctx, key)
		if ErrorCode(err) == CodeNotFound {
			return Case{}, notFound
		}
		if err != nil {
			return Case{}, fmt.Errorf("read signal of item: %w", err)
		}
		sigs = []*Signal{sig}
	default:
		return Case{}, notFound
	}
	ss, err := meetingViews(ctx, m.disclosure.perRequest(), actor, coop, sigs)
	if err != nil {
		return Case{}, err
	}
	for _, s := range ss {
		if kind == "y" && s.identified() {
			return Case{CooperationID: coop, Youth: s.sig.Youth}, nil
		}
		if kind == "s" && !s.identified() {
			return Case{CooperationID: coop, Youth: s.sig.Youth, AnonymousSignal: s.sig.ID}, nil
		}
	}
	return Case{}, notFound
}

// caseID is a case's id: a keyed digest of its cooperation and subject, so
// the first record of a meeting creates it and later ones find it, and the
// id says nothing about the young person.
func (m *Meetings) caseID(c Case) string {
	return "case_" + m.vault.Fingerprint([]byte("case\x00" + c.CooperationID + "\x00" + itemRef(c.Youth, c.AnonymousSignal)))[:26]
}

// record is the common path of the meeting's writes about a young person.
func (m *Meetings) record(ctx context.Context, actor Actor, meetingID, ref string, fill func(rec *CaseRecord, c Case) (AuditEvent, error)) (CaseRecord, error) {
	coop, err := m.coordinatorCoop(ctx, actor)
	if err != nil {
		return CaseRecord{}, err
	}
	mt, err := m.meetingOf(ctx, coop, meetingID)
	if err != nil {
		return CaseRecord{}, err
	}
	if mt.Status != MeetingPlanned {
		return CaseRecord{}, Errorf(CodeConflict, "this meeting was closed; record it in the next meeting")
	}
	c, err := m.resolveItem(ctx, actor, coop, ref)
	if err != nil {
		return CaseRecord{}, err
	}
	c.ID = m.caseID(c)
	now := m.now().UTC()
	c.OpenedAt, c.OpenedMeeting, c.Status = now, mt.ID, CaseOpen
	rec := CaseRecord{Case: c, MeetingID: mt.ID, At: now}
	ev, err := fill(&rec, c)
	if err != nil {
		return CaseRecord{}, err
	}
	ev.Object, ev.Subject = caseObject(c.ID), c.Youth
	if err := m.cases.RecordCase(ctx, actor, rec, []AuditEvent{ev}); err != nil {
		if code := ErrorCode(err); code == CodeConflict || code == CodeNotFound {
			return CaseRecord{}, err
		}
		return CaseRecord{}, fmt.Errorf("store case record: %w", err)
	}
	return rec, nil
}

func (m *Meetings) professional(ctx context.Context, coop, id, field string) (Professional, error) {
	pros, err := m.professionals(ctx, coop)
	if err != nil {
		return Professional{}, err
	}
	p, ok := pros[id]
	if !ok {
		return Professional{}, Invalid(FieldError{Field: field, Problem: "is not an active professional of your cooperation"})
	}
	return p, nil
}

// AssignLead makes userID the lead professional of the young person of
// item ref (replacing an earlier one: there is one lead at a time).
func (m *Meetings) AssignLead(ctx context.Context, actor Actor, meetingID, ref, userID string) (*LeadProfessional, error) {
	if strings.TrimSpace(userID) == "" {
		return nil, Invalid(FieldError{Field: "user_id", Problem: "is required: who is the lead professional"})
	}
	rec, err := m.record(ctx, actor, meetingID, ref, func(rec *CaseRecord, c Case) (AuditEvent, error) {
		p, err := m.professional(ctx, c.CooperationID, userID, "user_id")
		if err != nil {
			return AuditEvent{}, err
		}
		rec.Lead = &LeadProfessional{UserID: p.UserID, Name: p.Name, OrgName: p.OrgName, Email: p.Email, AssignedAt: rec.At, MeetingID: rec.MeetingID}
		return AuditEvent{Action: ActionCaseLead}, nil
	})
	if err != nil {
		return nil, err
	}
	return rec.Lead, nil
}

// AddAction records an agreed action with its owner and due date.
func (m *Meetings) AddAction(ctx context.Context, actor Actor, meetingID, ref string, in NewAction) (ActionView, error) {
	due, err := in.Validate(Today(m.now()))
	if err != nil {
		return ActionView{}, err
	}
	var owner Professional
	rec, err := m.record(ctx, actor, meetingID, ref, func(rec *CaseRecord, c Case) (AuditEvent, error) {
		if owner, err = m.professional(ctx, c.CooperationID, in.OwnerID, "owner_id"); err != nil {
			return AuditEvent{}, err
		}
		a := &Action{ID: newMeetingID("act"), CaseID: c.ID, MeetingID: rec.MeetingID, OwnerID: owner.UserID, Due: due,
			CreatedBy: actor.UserID, CreatedAt: rec.At}
		ct, err := m.vault.Seal(ctx, c.Youth, actionAD(a.ID), []byte(strings.TrimSpace(in.Description)))
		if err != nil {
			return AuditEvent{}, fmt.Errorf("seal action: %w", err)
		}
		a.Description, rec.Action = ct, a
		return AuditEvent{Action: ActionCaseAction}, nil
	})
	if err != nil {
		return ActionView{}, err
	}
	a := rec.Action
	return ActionView{ID: a.ID, MeetingID: a.MeetingID, Owner: &owner, Description: strings.TrimSpace(in.Description), Due: a.Due}, nil
}

// Decide records a decision of the meeting, including a decision not to act.
func (m *Meetings) Decide(ctx context.Context, actor Actor, meetingID, ref string, in NewDecision) (DecisionView, error) {
	if err := in.Validate(); err != nil {
		return DecisionView{}, err
	}
	rec, err := m.record(ctx, actor, meetingID, ref, func(rec *CaseRecord, c Case) (AuditEvent, error) {
		d := &CaseDecision{ID: newMeetingID("dec"), CaseID: c.ID, MeetingID: rec.MeetingID, Kind: in.Kind,
			CreatedBy: actor.UserID, CreatedAt: rec.At}
		ct, err := m.vault.Seal(ctx, c.Youth, decisionAD(d.ID), []byte(strings.TrimSpace(in.Text)))
		if err != nil {
			return AuditEvent{}, fmt.Errorf("seal decision: %w", err)
		}
		d.Text, rec.Decision = ct, d
		return AuditEvent{Action: ActionCaseDecide}, nil
	})
	if err != nil {
		return DecisionView{}, err
	}
	d := rec.Decision
	return DecisionView{ID: d.ID, MeetingID: d.MeetingID, Kind: d.Kind, Text: strings.TrimSpace(in.Text), CreatedAt: d.CreatedAt}, nil
}

// CloseCase closes the young person's case with a reason.
func (m *Meetings) CloseCase(ctx context.Context, actor Actor, meetingID, ref string, reason CloseReason) error {
	var fe FieldErrors
	requireOneOf(&fe, "reason", reason, CloseReasons)
	if err := fe.Err(); err != nil {
		return err
	}
	_, err := m.record(ctx, actor, meetingID, ref, func(rec *CaseRecord, c Case) (AuditEvent, error) {
		rec.Close = &reason
		return AuditEvent{Action: ActionCaseClose}, nil
	})
	return err
}

// SetActionDone marks an action done today (or not done again): the
// coordinator, or the action's owner.
func (m *Meetings) SetActionDone(ctx context.Context, actor Actor, actionID string, done bool) (ActionView, error) {
	coop, err := m.disclosure.cooperationOf(ctx, actor)
	if err != nil {
		return ActionView{}, err
	}
	cs, err := m.cases.Cases(ctx, coop)
	if err != nil {
		return ActionView{}, fmt.Errorf("read cases: %w", err)
	}
	var act *Action
	for _, a := range cs.Actions {
		if a.ID == actionID && (actor.Role == RoleCoordinator || a.OwnerID == actor.UserID) {
			act = a
		}
	}
	if act == nil || (actor.Role != RoleCoordinator && actor.Role != RoleReporter) {
		return ActionView{}, Errorf(CodeNotFound, "no action %s", actionID)
	}
	var c *Case
	for _, k := range cs.Cases {
		if k.ID == act.CaseID {
			c = k
		}
	}
	if c == nil {
		return ActionView{}, fmt.Errorf("action %s: case %s missing", act.ID, act.CaseID)
	}
	var on *Date
	if done {
		today := Today(m.now())
		on = &today
	}
	ev := AuditEvent{Action: ActionActionUpdate, Object: "action/" + act.ID, Subject: c.Youth}
	if err := m.cases.SetActionDone(ctx, actor, act.ID, on, []AuditEvent{ev}); err != nil {
		return ActionView{}, fmt.Errorf("store action: %w", err)
	}
	act.DoneOn = on
	pros, err := m.professionals(ctx, coop)
	if err != nil {
		return ActionView{}, err
	}
	cv, err := m.caseView(ctx, c, &CaseSet{Actions: []*Action{act}}, pros, Today(m.now()), "")
	if err != nil {
		return ActionView{}, err
	}
	return cv.Actions[0], nil
}

// AddRisk records an entry under "risks and bottlenecks".
func (m *Meetings) AddRisk(ctx context.Context, actor Actor, meetingID, text string) (RiskNote, error) {
	if p := validText(text, MaxTextLength); p != "" {
		return RiskNote{}, Invalid(FieldError{Field: "text", Problem: p})
	}
	coop, err := m.coordinatorCoop(ctx, actor)
	if err != nil {
		return RiskNote{}, err
	}
	mt, err := m.meetingOf(ctx, coop, meetingID)
	if err != nil {
		return RiskNote{}, err
	}
	r := RiskNote{ID: newMeetingID("rsk"), MeetingID: mt.ID, Text: strings.TrimSpace(text), CreatedBy: actor.UserID, CreatedAt: m.now().UTC()}
	if err := m.meetings.AddRisk(ctx, actor, &r, []AuditEvent{{Action: ActionMeetingRisk, Object: meetingObject(mt.ID)}}); err != nil {
		if ErrorCode(err) == CodeConflict {
			return RiskNote{}, err
		}
		return RiskNote{}, fmt.Errorf("store risk: %w", err)
	}
	return r, nil
}

// Hold closes the meeting: its minutes become final and go to the members.
func (m *Meetings) Hold(ctx context.Context, actor Actor, meetingID string) (*Meeting, error) {
	coop, err := m.coordinatorCoop(ctx, actor)
	if err != nil {
		return nil, err
	}
	mt, err := m.meetingOf(ctx, coop, meetingID)
	if err != nil {
		return nil, err
	}
	if mt.Status == MeetingHeld {
		return nil, Errorf(CodeConflict, "this meeting was closed already")
	}
	now := m.now().UTC()
	if err := m.meetings.HoldMeeting(ctx, actor, mt.ID, now, []AuditEvent{{Action: ActionMeetingHeld, Object: meetingObject(mt.ID)}}); err != nil {
		if ErrorCode(err) == CodeConflict {
			return nil, err
		}
		return nil, fmt.Errorf("store meeting held: %w", err)
	}
	mt.Status, mt.HeldAt = MeetingHeld, &now
	return mt, nil
}
