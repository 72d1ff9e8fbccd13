package signal

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// The chronology of one young person across meetings (issue 16, item 2):
// what the meetings saw and did, meeting by meeting, so the coordinator
// does not piece a history together from separate minutes.

// Chronology is one item of the agenda (a young person, or one anonymous
// signal) across the cooperation's meetings, oldest first: per meeting
// the signals that were new on its agenda, at the level the meeting may see
// them now, and what was recorded there (leads, actions, decisions,
// closing). Texts the decisions do not allow for the item are withheld as
// on the agenda.
type Chronology struct {
	Ref       string     `json:"ref"`
	Youth     *YouthView `json:"youth,omitempty"`
	Anonymous bool       `json:"anonymous"`
	// Case is the case as it stands now (nil: nothing was ever recorded).
	Case *CaseView `json:"case,omitempty"`
	// Leads is every lead professional the case had, oldest first, each
	// with the date it ended (Until; nil for the current one).
	Leads []LeadProfessional `json:"leads"`
	// Closings are the case's earlier closings, each with when and why it
	// was reopened, oldest first.
	Closings []CaseClosing `json:"closings"`
	// Meetings are the meetings in which the item was new or something was
	// recorded about it, in the order they were held; the last one may be
	// planned (Status planned): what is waiting for the next meeting.
	Meetings []ChronologyMeeting `json:"meetings"`
}

// ChronologyMeeting is what one meeting saw and did about the item.
type ChronologyMeeting struct {
	// Meeting is nil for signals waiting for a meeting that is not yet
	// planned.
	Meeting *Meeting `json:"meeting,omitempty"`
	// Signals are those that were new on this meeting's agenda: received
	// after the previous meeting was held and before this one was.
	Signals []SignalView `json:"signals"`
	// Leads, Actions and Decisions were recorded in this meeting.
	Leads     []LeadProfessional `json:"leads"`
	Actions   []ActionView       `json:"actions"`
	Decisions []DecisionView     `json:"decisions"`
	// Closed is why the case was closed in this meeting, if it was.
	Closed CloseReason `json:"closed,omitempty"`
	// Discussed: the meeting recorded something about the item.
	Discussed bool `json:"discussed"`
}

// Chronology returns item ref's history across the meetings of the
// coordinator's cooperation. What it shows of the signals is what the
// meeting may see of them now (the same Disclosure as the agenda), and the
// read is audited as chronology.view, one entry per young person and
// decision with every signal shown and its fields (as a view of the agenda
// is, see agendaEvents): an access request finds it, and the oversight
// counts it as a read of content.
//
// Callers: the coordinator (chair of the meeting). Errors: CodeForbidden
// for anyone else, CodeNotFound for a ref the meeting may not see (another
// cooperation's, erased, or no longer shared with the meeting) that has no
// case either.
func (m *Meetings) Chronology(ctx context.Context, actor Actor, ref string) (Chronology, error) {
	coop, err := m.coordinatorCoop(ctx, actor)
	if err != nil {
		return Chronology{}, err
	}
	cs, err := m.cases.Cases(ctx, coop)
	if err != nil {
		return Chronology{}, fmt.Errorf("read cases: %w", err)
	}
	c := casesByRef(cs)[ref]
	subject, item, err := m.resolveItem(ctx, actor, coop, ref)
	if err != nil && (ErrorCode(err) != CodeNotFound || c == nil) {
		return Chronology{}, err
	}
	if c != nil {
		subject = *c
	}
	ch := Chronology{Ref: ref, Anonymous: subject.AnonymousSignal != "", Leads: []LeadProfessional{}, Closings: []CaseClosing{}, Meetings: []ChronologyMeeting{}}
	allow := textAllowance{}
	if len(item) > 0 {
		it := m.newItem(item)
		ch.Youth, allow = it.Youth, it.allow
	}
	all, err := m.meetings.Meetings(ctx, coop)
	if err != nil {
		return Chronology{}, fmt.Errorf("list meetings: %w", err)
	}
	if err := m.showTitles(ctx, all...); err != nil {
		return Chronology{}, err
	}
	// The held meetings in the order they were held, then the planned
	// ones by their start: a signal is new on the first held after it
	// came in, else on the next planned.
	var held, planned []*Meeting
	for _, mt := range all {
		switch mt.Status {
		case MeetingHeld:
			held = append(held, mt)
		case MeetingPlanned:
			planned = append(planned, mt)
		}
	}
	slices.SortFunc(held, func(a, b *Meeting) int { return a.HeldAt.Compare(*b.HeldAt) })
	slices.SortFunc(planned, func(a, b *Meeting) int { return a.StartsAt.Compare(b.StartsAt) })
	order := append(held, planned...)
	byID := map[string]int{}
	for i, mt := range order {
		byID[mt.ID] = i
	}
	sections := make([]ChronologyMeeting, len(order)+1) // the last: no meeting yet
	for i := range sections {
		sections[i] = ChronologyMeeting{Signals: []SignalView{}, Leads: []LeadProfessional{}, Actions: []ActionView{}, Decisions: []DecisionView{}}
		if i < len(order) {
			sections[i].Meeting = order[i]
		}
	}
	newOn := func(at time.Time) int {
		for i, mt := range held {
			if at.Before(*mt.HeldAt) {
				return i
			}
		}
		if len(planned) > 0 {
			return len(held)
		}
		return len(order)
	}
	bySig := map[string]*Signal{}
	for _, s := range item {
		i := newOn(s.sig.CreatedAt)
		sections[i].Signals = append(sections[i].Signals, s.view)
		bySig[s.sig.ID] = s.sig
	}
	if c != nil {
		pros, err := m.professionals(ctx, coop)
		if err != nil {
			return Chronology{}, err
		}
		cv, err := m.caseView(ctx, c, cs, pros, Today(m.now()), "", allow)
		if err != nil {
			return Chronology{}, err
		}
		ch.Case = &cv
		at := func(meetingID string) *ChronologyMeeting {
			if i, ok := byID[meetingID]; ok {
				sections[i].Discussed = true
				return &sections[i]
			}
			return nil
		}
		for _, l := range cs.Leads {
			if l.CaseID == c.ID {
				if n := len(ch.Leads); n > 0 {
					until := l.AssignedAt
					ch.Leads[n-1].Until = &until
				}
				ch.Leads = append(ch.Leads, l.LeadProfessional)
				if s := at(l.MeetingID); s != nil {
					s.Leads = append(s.Leads, l.LeadProfessional)
				}
			}
		}
		closings, err := m.cases.Closings(ctx, coop)
		if err != nil {
			return Chronology{}, fmt.Errorf("read closings: %w", err)
		}
		if k := closings[c.ID]; k != nil {
			ch.Closings = k
		}
		for i := range ch.Closings {
			ch.Closings[i].ReopenedBy = "" // no account ids
			if s := at(ch.Closings[i].ClosedMeeting); s != nil && s.Closed == "" {
				s.Closed = ch.Closings[i].CloseReason
			}
		}
		for _, a := range cv.Actions {
			if s := at(a.MeetingID); s != nil {
				s.Actions = append(s.Actions, a)
			}
		}
		for _, d := range cv.Decisions {
			if s := at(d.MeetingID); s != nil {
				s.Decisions = append(s.Decisions, d)
			}
		}
		if c.Status == CaseClosed {
			if s := at(c.ClosedMeeting); s != nil {
				s.Closed = c.CloseReason
			}
		}
	}
	for _, s := range sections {
		if len(s.Signals) > 0 || s.Discussed {
			ch.Meetings = append(ch.Meetings, s)
		}
	}
	events, err := agendaEvents(ActionChronologyView, "", bySig, []AgendaItem{{Signals: flatSignals(ch.Meetings)}})
	if err != nil {
		return Chronology{}, err
	}
	object := "chronology/" + m.caseID(subject)
	for i := range events {
		events[i].Object = object
	}
	if len(events) > 1 {
		events = events[1:] // each entry names the chronology; the bare one adds nothing
	} else {
		events[0].Subject = subject.Youth
	}
	if err := m.audit.Record(ctx, actor, events); err != nil {
		return Chronology{}, fmt.Errorf("audit chronology: %w", err)
	}
	return ch, nil
}

func flatSignals(ms []ChronologyMeeting) []SignalView {
	var out []SignalView
	for _, s := range ms {
		out = append(out, s.Signals...)
	}
	slices.SortStableFunc(out, func(a, b SignalView) int { return cmp.Compare(a.CreatedAt.UnixNano(), b.CreatedAt.UnixNano()) })
	return out
}
