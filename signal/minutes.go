package signal

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Minutes are what a meeting agreed, per young person: decisions, the lead
// professional, actions, closing; and the risks and bottlenecks. They go to
// the members' contact persons (in the app: their list of minutes).
type Minutes struct {
	Meeting *Meeting     `json:"meeting"`
	Final   bool         `json:"final"` // the meeting was closed
	Members []OrgContact `json:"members"`
	// Attendance is how each member organisation took part, by its id
	// (not recorded: absent from the map).
	Attendance map[string]AttendanceStatus `json:"attendance"`
	// Reopened lists when and why the meeting was reopened after a close.
	Reopened []Reopening   `json:"reopened"`
	Items    []MinutesItem `json:"items"`
	Risks    []RiskNote    `json:"risks"`
}

// MinutesItem is one young person in the minutes.
type MinutesItem struct {
	Number    int        `json:"number"`
	Label     string     `json:"label"`
	Youth     *YouthView `json:"youth,omitempty"`
	Anonymous bool       `json:"anonymous"`
	// Restricted: the young person's data is restricted (AVG art. 18).
	Restricted bool `json:"restricted,omitempty"`
	// LeadAssigned is set when this meeting named the lead professional.
	LeadAssigned bool              `json:"lead_assigned"`
	Lead         *LeadProfessional `json:"lead,omitempty"`
	Decisions    []DecisionView    `json:"decisions"`
	Actions      []ActionView      `json:"actions"`
	// Closed is set when this meeting closed the case.
	Closed      bool        `json:"closed"`
	CloseReason CloseReason `json:"close_reason,omitempty"`
}

// Minutes returns the minutes of meeting id for its chair or a member's
// contact person, audited as minutes.view per young person in them. Each
// young person has the number the agenda gave them. The
// meeting's texts show as on the chair's agenda: only where the item, as
// the meeting may see it now, allows what they carry.
func (m *Meetings) Minutes(ctx context.Context, actor Actor, id string) (Minutes, error) {
	coop, err := m.disclosure.cooperationOf(ctx, actor)
	if err != nil {
		return Minutes{}, err
	}
	mt, err := m.meetings.Meeting(ctx, id)
	if ErrorCode(err) == CodeNotFound {
		return Minutes{}, Errorf(CodeNotFound, "no meeting %s", id)
	}
	if err != nil {
		return Minutes{}, fmt.Errorf("find meeting: %w", err)
	}
	if ok, err := m.mayReadMinutes(ctx, actor, coop, mt); err != nil {
		return Minutes{}, err
	} else if !ok {
		return Minutes{}, Errorf(CodeNotFound, "no meeting %s", id)
	}
	if err := m.showTitles(ctx, mt); err != nil {
		return Minutes{}, err
	}
	mn := Minutes{Meeting: mt, Final: mt.Status == MeetingHeld, Items: []MinutesItem{}}
	if mn.Members, err = m.members(ctx, mt); err != nil {
		return Minutes{}, err
	}
	if mn.Risks, err = m.risks(ctx, actor, coop, mt.ID); err != nil {
		return Minutes{}, err
	}
	if mn.Attendance, err = m.meetings.Attendance(ctx, mt.ID); err != nil {
		return Minutes{}, fmt.Errorf("read attendance: %w", err)
	}
	if mn.Reopened, err = m.meetings.Reopenings(ctx, mt.ID); err != nil {
		return Minutes{}, fmt.Errorf("read reopenings: %w", err)
	}
	for i := range mn.Reopened {
		mn.Reopened[i].By = "" // the minutes go to the members: no account ids
	}
	cs, err := m.cases.Cases(ctx, coop)
	if err != nil {
		return Minutes{}, fmt.Errorf("read cases: %w", err)
	}
	pros, err := m.professionals(ctx, coop)
	if err != nil {
		return Minutes{}, err
	}
	var discussed []*Case
	for _, c := range cs.Cases {
		if caseTouchedIn(c, cs, mt.ID) {
			discussed = append(discussed, c)
		}
	}
	items, _, err := m.caseItems(ctx, m.disclosure.perRequest(), actor, coop, discussed)
	if err != nil {
		return Minutes{}, err
	}
	numbers, err := m.agendaNumbers(ctx, actor, coop, mt)
	if err != nil {
		return Minutes{}, err
	}
	today := Today(m.now())
	events := []AuditEvent{{Action: ActionMinutesView, Object: meetingObject(mt.ID)}}
	for i, c := range discussed {
		cv, err := m.caseView(ctx, c, cs, pros, today, mt.ID, items[i].allow)
		if err != nil {
			return Minutes{}, err
		}
		n, ok := numbers[c.ItemRef()]
		if !ok { // not on the agenda as it is now (its signals gone): after the rest
			n = len(numbers) + i + 1
		}
		it := MinutesItem{
			Number: n, Label: "Jongere " + strconv.Itoa(n), Youth: items[i].Youth, Anonymous: c.AnonymousSignal != "",
			Lead: c.Lead, LeadAssigned: slices.ContainsFunc(cs.Leads, func(l *LeadRecord) bool { return l.CaseID == c.ID && l.MeetingID == mt.ID }),
			Decisions: cv.Decisions, Actions: cv.Actions, Restricted: cv.Restricted,
			Closed: c.ClosedMeeting == mt.ID, CloseReason: c.CloseReason,
		}
		if !it.Closed {
			it.CloseReason = ""
		}
		// Minutes show who was lead when the meeting was closed, not who
		// is lead now.
		if mt.HeldAt != nil {
			it.Lead = cs.leadAt(c.ID, *mt.HeldAt)
		}
		mn.Items = append(mn.Items, it)
		events = append(events, AuditEvent{Action: ActionMinutesView, Object: caseObject(c.ID), Subject: c.Youth})
	}
	slices.SortStableFunc(mn.Items, func(a, b MinutesItem) int { return a.Number - b.Number })
	if err := m.audit.Record(ctx, actor, events); err != nil {
		return Minutes{}, fmt.Errorf("audit minutes: %w", err)
	}
	return mn, nil
}

// agendaNumbers are the numbers of mt's agenda items by ref, as the agenda
// numbers them (a held meeting's agenda as it was when it was held), so the
// minutes number each young person as the agenda did. Built of heads: it
// opens nothing and audits nothing.
func (m *Meetings) agendaNumbers(ctx context.Context, actor Actor, coop string, mt *Meeting) (map[string]int, error) {
	out := map[string]int{}
	if mt.Status == MeetingCancelled {
		return out, nil
	}
	ag, _, err := m.buildAgenda(ctx, actor, coop, mt, false, m.disclosure.headsPerRequest())
	if err != nil {
		return nil, err
	}
	for _, list := range [][]AgendaItem{ag.Items, ag.Carried, ag.FollowUp} {
		for _, it := range list {
			out[it.Ref] = it.Number
		}
	}
	return out, nil
}

func caseTouchedIn(c *Case, cs *CaseSet, meetingID string) bool {
	if c.Lead != nil && c.Lead.MeetingID == meetingID || c.ClosedMeeting == meetingID || c.OpenedMeeting == meetingID {
		return true
	}
	for _, a := range cs.Actions {
		if a.CaseID == c.ID && a.MeetingID == meetingID {
			return true
		}
	}
	for _, d := range cs.Decisions {
		if d.CaseID == c.ID && d.MeetingID == meetingID {
			return true
		}
	}
	return false
}

// Match is the reference index's match (VIR): another partner also
// signalled about a young person this reporter signalled about. It holds the
// other partner's contact details only, never what they signalled.
type Match struct {
	// Signal is the reporter's own signal, and Youth the young person as
	// the reporter recorded them.
	Signal string     `json:"signal"`
	Youth  *YouthView `json:"youth,omitempty"`
	// With is the other partner, to contact.
	With OrgContact `json:"with"`
	// Since is when the match arose (the later of the two signals).
	Since time.Time `json:"since"`
}

// Matches returns the reporter's matches, audited as matches.view per match
// shown (the other partner's existence is disclosed to the reporter).
//
// A match needs both signals to let the meeting see the young person's
// identity (full, minimal or existence): a match says "a partner has a
// concern about this young person, contact them", which is existence
// information. A signal shared anonymously or not at all does not match,
// so a match never reveals more than its decision allowed.
func (m *Meetings) Matches(ctx context.Context, actor Actor) ([]Match, error) {
	if actor.Role != RoleReporter {
		return nil, Errorf(CodeForbidden, "matches are for the reporters of signals")
	}
	coop, err := m.disclosure.cooperationOf(ctx, actor)
	if err != nil {
		return nil, err
	}
	own, err := m.signals.ReporterSignals(ctx, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("read own signals: %w", err)
	}
	r := m.disclosure.perRequest()
	ownShown, err := meetingViews(ctx, r, actor, coop, own)
	if err != nil {
		return nil, err
	}
	var youths []string
	for _, s := range ownShown {
		if s.identified() && !slices.Contains(youths, s.sig.Youth) {
			youths = append(youths, s.sig.Youth)
		}
	}
	out := []Match{}
	if len(youths) == 0 {
		return out, m.audit.Record(ctx, actor, []AuditEvent{{Action: ActionMatchesView, Object: "matches"}})
	}
	about, err := m.signals.SignalsAbout(ctx, coop, youths)
	if err != nil {
		return nil, fmt.Errorf("read signals about the same young people: %w", err)
	}
	var others []*Signal
	for _, sig := range about {
		if sig.OrgID != actor.OrgID {
			others = append(others, sig)
		}
	}
	otherShown, err := meetingViews(ctx, r, actor, coop, others)
	if err != nil {
		return nil, err
	}
	var events []AuditEvent
	seen := map[string]bool{}
	for _, mine := range ownShown {
		if !mine.identified() {
			continue
		}
		for _, o := range otherShown {
			key := mine.sig.Youth + "\x00" + o.sig.OrgID
			if !o.identified() || o.sig.Youth != mine.sig.Youth || seen[key] {
				continue
			}
			seen[key] = true
			org, err := r.organisation(ctx, o.sig.OrgID)
			if err != nil {
				return nil, fmt.Errorf("find matching partner: %w", err)
			}
			since := mine.sig.CreatedAt
			if o.sig.CreatedAt.After(since) {
				since = o.sig.CreatedAt
			}
			// The reporter's own record of the young person: their name as
			// they wrote it.
			ownView, err := r.view(ctx, actor, mine.sig, LevelFull)
			if err != nil {
				return nil, err
			}
			out = append(out, Match{Signal: mine.sig.ID, Youth: ownView.Youth, With: *orgContact(org), Since: since})
			// The reporter learns the other partner's concern exists: audited
			// under the young person, naming the partner whose existence
			// was disclosed.
			events = append(events, AuditEvent{Action: ActionMatchesView, Object: "org/" + o.sig.OrgID, Subject: mine.sig.Youth})
		}
	}
	if len(events) == 0 {
		events = []AuditEvent{{Action: ActionMatchesView, Object: "matches"}}
	}
	if err := m.audit.Record(ctx, actor, events); err != nil {
		return nil, fmt.Errorf("audit matches: %w", err)
	}
	return out, nil
}

// SignalOutcome is what became of one of the reporter's signals in the
// meeting (the feedback loop): whether it was discussed, who the lead
// professional is, the kinds of decisions, whether the case is closed.
// Decision texts stay in the minutes: they may rest on other partners'
// signals, which this reporter may not know.
type SignalOutcome struct {
	Signal      string            `json:"signal"`
	Youth       *YouthView        `json:"youth,omitempty"`
	Discussed   []MeetingRef      `json:"discussed"`
	Lead        *LeadProfessional `json:"lead,omitempty"`
	Status      CaseStatus        `json:"status,omitempty"`
	CloseReason CloseReason       `json:"close_reason,omitempty"`
	Decisions   []DecisionKind    `json:"decisions"`
}

// MeetingRef names a meeting.
type MeetingRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// TitleWithheld: Title is the neutral "Overleg van <date>" (see
	// Meeting.TitleWithheld).
	TitleWithheld bool      `json:"title_withheld,omitempty"`
	StartsAt      time.Time `json:"starts_at"`
}

// MyWork is a reporter's feedback: the outcomes of their signals, their
// matches, and the actions they own.
type MyWork struct {
	Outcomes []SignalOutcome `json:"outcomes"`
	Matches  []Match         `json:"matches"`
	Actions  []ActionView    `json:"actions"`
}

// Work returns the reporter's feedback, audited as outcomes.view (and
// matches.view for the matches).
func (m *Meetings) Work(ctx context.Context, actor Actor) (MyWork, error) {
	matches, err := m.Matches(ctx, actor)
	if err != nil {
		return MyWork{}, err
	}
	coop, err := m.disclosure.cooperationOf(ctx, actor)
	if err != nil {
		return MyWork{}, err
	}
	own, err := m.signals.ReporterSignals(ctx, actor.UserID)
	if err != nil {
		return MyWork{}, fmt.Errorf("read own signals: %w", err)
	}
	cs, err := m.cases.Cases(ctx, coop)
	if err != nil {
		return MyWork{}, fmt.Errorf("read cases: %w", err)
	}
	meetings, err := m.meetings.Meetings(ctx, coop)
	if err != nil {
		return MyWork{}, fmt.Errorf("list meetings: %w", err)
	}
	if err := m.showTitles(ctx, meetings...); err != nil {
		return MyWork{}, err
	}
	pros, err := m.professionals(ctx, coop)
	if err != nil {
		return MyWork{}, err
	}
	cases := casesByRef(cs)
	r := m.disclosure.perRequest()
	ownShown, err := meetingViews(ctx, r, actor, coop, own)
	if err != nil {
		return MyWork{}, err
	}
	work := MyWork{Outcomes: []SignalOutcome{}, Matches: matches, Actions: []ActionView{}}
	var events []AuditEvent
	for _, s := range ownShown {
		ref := itemRef("", s.sig.ID)
		if s.identified() {
			ref = itemRef(s.sig.Youth, "")
		}
		c := cases[ref]
		if c == nil {
			continue
		}
		ownView, err := r.view(ctx, actor, s.sig, LevelFull)
		if err != nil {
			return MyWork{}, err
		}
		o := SignalOutcome{Signal: s.sig.ID, Youth: ownView.Youth, Lead: c.Lead, Status: c.Status, Discussed: []MeetingRef{}, Decisions: []DecisionKind{}}
		if c.Status == CaseClosed {
			o.CloseReason = c.CloseReason
		}
		for _, mt := range meetings {
			if caseTouchedIn(c, cs, mt.ID) {
				o.Discussed = append(o.Discussed, MeetingRef{ID: mt.ID, Title: mt.Title, TitleWithheld: mt.TitleWithheld, StartsAt: mt.StartsAt})
			}
		}
		for _, d := range cs.Decisions {
			if d.CaseID == c.ID {
				o.Decisions = append(o.Decisions, d.Kind)
			}
		}
		work.Outcomes = append(work.Outcomes, o)
		events = append(events, AuditEvent{Action: ActionOutcomesView, Object: caseObject(c.ID), Subject: c.Youth})
	}
	today := Today(m.now())
	// The actions the reporter owns, their descriptions shown as on the
	// agenda: only where the item allows what they carry.
	var owned []*Case
	for _, c := range cs.Cases {
		if slices.ContainsFunc(cs.Actions, func(a *Action) bool { return a.CaseID == c.ID && a.OwnerID == actor.UserID }) {
			owned = append(owned, c)
		}
	}
	var ownedItems []AgendaItem
	if len(owned) > 0 {
		if ownedItems, _, err = m.caseItems(ctx, r, actor, coop, owned); err != nil {
			return MyWork{}, err
		}
	}
	for i, c := range owned {
		var mine []*Action
		for _, a := range cs.Actions {
			if a.CaseID == c.ID && a.OwnerID == actor.UserID {
				mine = append(mine, a)
			}
		}
		cv, err := m.caseView(ctx, c, &CaseSet{Actions: mine}, pros, today, "", ownedItems[i].allow)
		if err != nil {
			return MyWork{}, err
		}
		work.Actions = append(work.Actions, cv.Actions...)
		events = append(events, AuditEvent{Action: ActionOutcomesView, Object: caseObject(c.ID), Subject: c.Youth})
	}
	if len(events) == 0 {
		events = []AuditEvent{{Action: ActionOutcomesView, Object: "outcomes"}}
	}
	if err := m.audit.Record(ctx, actor, events); err != nil {
		return MyWork{}, fmt.Errorf("audit outcomes: %w", err)
	}
	return work, nil
}
