package signal

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Agenda is what the meeting discusses: the signals received since the
// previous meeting was held grouped per young person, the items earlier
// meetings did not discuss, the running cases, and the standing item "risks
// and bottlenecks".
//
// The window of new signals is exact: it runs from the moment the previous
// meeting was held (closed, not its planned start) up to the moment this
// one is held (open while it is planned). Meetings are ordered by when they
// were held, so the windows of the held meetings follow each other without
// gap or overlap, whenever they were planned, moved or cancelled: every
// signal is new on exactly one held meeting's agenda, the first one held
// after it came in. A planned meeting shows what would be new if it were
// held next. A cancelled meeting is never held, so what it would have
// discussed is on the next meeting held.
//
// Nothing leaves the agenda unnoticed: an item stays until a held meeting
// recorded something about it (a lead, an action, a decision, also a
// decision not to act, or closing) after its latest signal. Until then it
// comes back under Carried ("niet besproken, doorschuiven"); a running case
// comes back under FollowUp until it is closed.
type Agenda struct {
	Meeting *Meeting `json:"meeting"`
	// Since is when the previous meeting was held: the agenda holds the
	// signals received from then on (nil: no meeting was held before, so
	// every active signal).
	Since *time.Time `json:"since,omitempty"`
	// Projector is set on the view for the room's screen: identities only
	// where the meeting may see the young person in full.
	Projector bool         `json:"projector"`
	Items     []AgendaItem `json:"items"`
	// Carried are the items of earlier agendas that no held meeting
	// discussed ("niet besproken, doorschuiven"): their signals since the
	// last thing a meeting recorded about them, and no running case.
	Carried []AgendaItem `json:"carried"`
	// Proposals are the possible matches among the items the coordinator
	// has not decided about (not on the projector; see matching.go).
	Proposals []MatchProposal `json:"proposals,omitempty"`
	// MoreProposals counts the proposals beyond the first MaxProposals,
	// which come once those are decided.
	MoreProposals int `json:"more_proposals,omitempty"`
	// FollowUp are the open cases without new signals: their lead, their
	// actions (overdue ones flagged) and their earlier decisions.
	FollowUp []AgendaItem `json:"follow_up"`
	Risks    []RiskNote   `json:"risks"`
	// CarriedRisks are the open risks of earlier meetings (a planned
	// meeting's agenda only): on every agenda until a meeting resolves them.
	CarriedRisks []RiskNote `json:"carried_risks"`
	// Overdue counts the open actions past their due date, on the whole
	// agenda.
	Overdue int `json:"overdue"`
}

// MaxProposals is how many possible matches an agenda proposes at a time
// (in the order of the agenda's numbers); a cooperation with thousands of
// young people born the same day would otherwise get hundreds of thousands.
const MaxProposals = 50

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
	// Restricted: the young person's data is restricted (AVG art. 18): the
	// meeting sees that there is a signal, nothing more.
	Restricted bool `json:"restricted,omitempty"`
	// Match: two or more partners signalled about this young person.
	Match bool `json:"match"`
	// Carried: the item was on an earlier agenda and not discussed there.
	Carried    bool            `json:"carried,omitempty"`
	Partners   []PartnerCount  `json:"partners"`
	Categories []CategoryCount `json:"categories"`
	// CategoryNotShared counts signals whose category the meeting may not
	// see (existence only).
	CategoryNotShared int          `json:"category_not_shared,omitempty"`
	Signals           []SignalView `json:"signals"`
	Case              *CaseView    `json:"case,omitempty"`
	// allow is what the meeting's texts about the item may show, decided
	// from its signals; allowFull counts only those shared in full (the
	// projector). See meeting_text.go.
	allow, allowFull textAllowance
}

// TextAllowed reports whether the meeting may record texts (actions,
// decisions) under the item: not where it may only know that there is a
// concern (existence level).
func (it AgendaItem) TextAllowed() bool { return it.allow.text }

// textAllow is what the item's texts may show on the chair's view or, with
// projector, on the room's screen.
func (it *AgendaItem) textAllow(projector bool) textAllowance {
	if projector {
		return it.allowFull
	}
	return it.allow
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
// those it may not see at all), by the same Disclosure as Signals; only
// heads when r is for a contents list (see Disclosure.head).
func meetingViews(ctx context.Context, r *Disclosure, actor Actor, coop string, sigs []*Signal) ([]shown, error) {
	reader := meetingReader(actor)
	out := make([]shown, 0, len(sigs))
	for _, sig := range sigs {
		level, ok := r.levelFor(reader, coop, sig)
		if !ok {
			continue
		}
		var v SignalView
		var err error
		if r.heads {
			v, err = r.head(ctx, sig, level)
		} else {
			v, err = r.view(ctx, reader, sig, level)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, shown{sig: sig, view: v})
	}
	return out, nil
}

// groupItems groups the shown signals per young person where the identity
// may be seen, and makes every other signal an item of its own.
// Young people the coordinator confirmed to be one (j) are one item.
func groupItems(ss []shown, j joined) [][]shown {
	var groups [][]shown
	byYouth := map[string]int{}
	for _, s := range ss {
		if !s.identified() {
			groups = append(groups, []shown{s})
			continue
		}
		who := j.of(s.view.Youth.Ref)
		i, ok := byYouth[who]
		if !ok {
			i = len(groups)
			byYouth[who] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], s)
	}
	return groups
}

func (m *Meetings) newItem(group []shown) AgendaItem { return m.joinedItem(group, nil) }

// joinedItem is newItem for a group of young people confirmed to be one
// (j): its ref names the one they are shown under.
func (m *Meetings) joinedItem(group []shown, j joined) AgendaItem {
	first := group[0]
	it := AgendaItem{Partners: []PartnerCount{}, Categories: []CategoryCount{}, Signals: make([]SignalView, 0, len(group))}
	if first.identified() {
		it.Ref = itemRef(j.of(first.sig.Youth), "")
		y := *first.view.Youth
		it.Youth = &y
	} else {
		it.Ref = itemRef("", first.sig.ID)
		it.Anonymous = true
		it.Restricted = first.view.Restricted
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
	it.allow, it.allowFull = allowanceOf(group, false), allowanceOf(group, true)
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

// hideTextBelowFull removes the free text of the item's signals shared at
// less than full, for the projector: the room's screen shows free text only
// for what the meeting may see in full (issue 14, item 4); the chair's own
// agenda still shows it.
func hideTextBelowFull(it *AgendaItem) {
	for i := range it.Signals {
		if v := &it.Signals[i]; v.Level != LevelFull {
			v.Facts, v.Opinions = "", ""
		}
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
				events[i].Decision.Texts = append(events[i].Decision.Texts, v.disclosed...)
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
// room's screen, where the meeting's texts show only for items shared in
// full) and audits the view as agenda.view (or agenda.project):
// each young person shown, with every signal shown and the level and fields
// shown of it (see agendaEvents), so a young person's access request finds
// every disclosure.
func (m *Meetings) Agenda(ctx context.Context, actor Actor, id string, projector bool) (Agenda, error) {
	coop, mt, err := m.coordinatorMeeting(ctx, actor, id)
	if err != nil {
		return Agenda{}, err
	}
	ag := Agenda{Meeting: mt, Projector: projector, Items: []AgendaItem{}, Carried: []AgendaItem{}, FollowUp: []AgendaItem{}}
	action := ActionAgendaView
	if projector {
		action = ActionAgendaProject
	}
	if mt.Status == MeetingCancelled {
		// Nothing is discussed in a cancelled meeting: its items are on the
		// next meeting held.
		if err := m.audit.Record(ctx, actor, []AuditEvent{{Action: action, Object: meetingObject(mt.ID)}}); err != nil {
			return Agenda{}, fmt.Errorf("audit agenda: %w", err)
		}
		return ag, nil
	}
	ag, built, err := m.buildAgenda(ctx, actor, coop, mt, projector, m.disclosure.perRequest())
	if err != nil {
		return Agenda{}, err
	}
	events, err := agendaEvents(action, mt.ID, built.bySig, ag.Items, ag.Carried, ag.FollowUp)
	if err != nil {
		return Agenda{}, err
	}
	if err := m.audit.Record(ctx, actor, events); err != nil {
		return Agenda{}, fmt.Errorf("audit agenda: %w", err)
	}
	return ag, nil
}

// caseAllow is what the case texts of item may show on an agenda read
// through r: nothing for heads (a contents list opens no text).
func caseAllow(r *Disclosure, it *AgendaItem, projector bool) textAllowance {
	if r.heads {
		return textAllowance{}
	}
	return it.textAllow(projector)
}

// builtAgenda is what building an agenda read besides the agenda itself.
type builtAgenda struct {
	// bySig are the signals shown, by id.
	bySig map[string]*Signal
	cases *CaseSet
	// joined are the young people confirmed to be one.
	joined joined
}

// buildAgenda builds the agenda of mt (planned or held) for its chair
// without auditing it; with r from headsPerRequest, of heads only (no
// names, texts or case texts, no proposals: see Disclosure.head), which
// have the same items, numbers and counts.
func (m *Meetings) buildAgenda(ctx context.Context, actor Actor, coop string, mt *Meeting, projector bool, r *Disclosure) (Agenda, builtAgenda, error) {
	ag := Agenda{Meeting: mt, Projector: projector, Items: []AgendaItem{}, Carried: []AgendaItem{}, FollowUp: []AgendaItem{}}
	var built builtAgenda
	now := m.now()
	active := now.Add(-SignalActivePeriod)
	from := active
	var until time.Time // zero: open, the meeting is not held yet
	if mt.HeldAt != nil {
		until = *mt.HeldAt
	}
	prev, err := m.meetings.LastHeld(ctx, coop, until, mt.ID)
	if err != nil {
		return Agenda{}, built, fmt.Errorf("find previous meeting: %w", err)
	}
	if prev != nil && prev.HeldAt.After(from) {
		since := *prev.HeldAt
		ag.Since, from = &since, since
	}
	read := m.signals.MeetingSignals
	if r.heads {
		read = m.signals.MeetingSignalHeads
	}
	sigs, err := read(ctx, coop, from, until)
	if err != nil {
		return Agenda{}, built, fmt.Errorf("read agenda signals: %w", err)
	}
	ss, err := meetingViews(ctx, r, actor, coop, sigs)
	if err != nil {
		return Agenda{}, built, err
	}
	decided := map[[2]string]bool{}
	var j joined
	if m.matches != nil {
		ds, err := m.matches.MatchDecisions(ctx, coop)
		if err != nil {
			return Agenda{}, built, fmt.Errorf("read match decisions: %w", err)
		}
		for _, d := range ds {
			decided[pairKey(d.YouthA, d.YouthB)] = true
		}
		j = joinedFrom(ds)
	}
	groups := groupItems(ss, j)
	cs, err := m.cases.Cases(ctx, coop)
	if err != nil {
		return Agenda{}, built, fmt.Errorf("read cases: %w", err)
	}
	pros, err := m.professionals(ctx, coop)
	if err != nil {
		return Agenda{}, built, err
	}
	cases := casesByRef(cs)
	today := Today(now)
	// The agenda is as it was when the meeting was held: a case runs on it
	// if a meeting held before opened it (or this one did) and none held
	// before nor this one closed it; what later meetings recorded does not
	// change it.
	heldBy := map[string]bool{}
	if prev != nil {
		all, err := m.meetings.Meetings(ctx, coop)
		if err != nil {
			return Agenda{}, built, fmt.Errorf("list meetings: %w", err)
		}
		for _, x := range all {
			if x.HeldAt != nil && !x.HeldAt.After(*prev.HeldAt) {
				heldBy[x.ID] = true
			}
		}
	}
	ranBefore := func(c *Case) bool {
		return heldBy[c.OpenedMeeting] && !(c.ClosedAt != nil && heldBy[c.ClosedMeeting])
	}
	running := func(c *Case) bool { // closed here: no longer followed up
		return (ranBefore(c) || c.OpenedMeeting == mt.ID) && !(c.ClosedAt != nil && c.ClosedMeeting == mt.ID)
	}

	for _, g := range groups {
		ag.Items = append(ag.Items, m.joinedItem(g, j))
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
		onAgenda[ag.Items[i].Ref] = true
	}
	var carriedShown []shown
	if ag.Since != nil {
		ag.Carried, carriedShown, err = m.carriedItems(ctx, r, actor, coop, active, *ag.Since, cs, heldBy, ranBefore, onAgenda, j)
		if err != nil {
			return Agenda{}, built, err
		}
	}
	for _, list := range [][]AgendaItem{ag.Items, ag.Carried} {
		for i := range list {
			it := &list[i]
			onAgenda[it.Ref] = true
			if c := cases[it.Ref]; c != nil {
				cv, err := m.caseView(ctx, c, cs, pros, today, "", caseAllow(r, it, projector))
				if err != nil {
					return Agenda{}, built, err
				}
				it.Case = &cv
			}
		}
	}
	// Running cases without new signals come back under follow-up, with
	// what the meeting may see of the young person now.
	var follow []*Case
	for _, c := range cs.Cases {
		if running(c) && !onAgenda[c.ItemRef()] {
			follow = append(follow, c)
		}
	}
	var followShown []shown
	if len(follow) > 0 {
		var items []AgendaItem
		items, followShown, err = m.caseItems(ctx, r, actor, coop, follow)
		if err != nil {
			return Agenda{}, built, err
		}
		for _, it := range items {
			cv, err := m.caseView(ctx, cases[it.Ref], cs, pros, today, "", caseAllow(r, &it, projector))
			if err != nil {
				return Agenda{}, built, err
			}
			it.Case = &cv
			ag.FollowUp = append(ag.FollowUp, it)
		}
	}
	n := 0
	for _, list := range [][]AgendaItem{ag.Items, ag.Carried, ag.FollowUp} {
		for i := range list {
			n++
			it := &list[i]
			it.Number = n
			it.Label = "Jongere " + strconv.Itoa(n)
			if projector && !fullyIdentified(*it) {
				hideIdentity(it)
			}
			if projector {
				hideTextBelowFull(it)
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
	if !projector && !r.heads && m.names != nil && m.matches != nil && mt.Status == MeetingPlanned {
		ag.Proposals = proposals(m.names, decided, ag.Items, ag.Carried, ag.FollowUp)
		// A page at a time: the coordinator decides these, and the next
		// ones take their place (a decided pair is never proposed again).
		if n := len(ag.Proposals); n > MaxProposals {
			ag.Proposals, ag.MoreProposals = ag.Proposals[:MaxProposals:MaxProposals], n-MaxProposals
		}
	}
	if !r.heads { // a contents list shows no risk notes (and opens no text)
		if ag.Risks, err = m.risks(ctx, actor, coop, mt.ID); err != nil {
			return Agenda{}, built, fmt.Errorf("list risks: %w", err)
		}
		if mt.Status == MeetingPlanned {
			if ag.CarriedRisks, err = m.carriedRisks(ctx, actor, coop, mt.ID); err != nil {
				return Agenda{}, built, err
			}
		}
	}

	built.bySig = make(map[string]*Signal, len(ss)+len(carriedShown)+len(followShown))
	for _, list := range [][]shown{ss, carriedShown, followShown} {
		for _, s := range list {
			built.bySig[s.sig.ID] = s.sig
		}
	}
	built.cases, built.joined = cs, j
	return ag, built, nil
}

// carriedItems returns the items from before the agenda's window (signals
// created in [active, since)) that no meeting held by since discussed
// after their latest signal, skipping those in skip (they have new
// signals) and those with a running case (they come back under follow-up).
// An item shows the signals that came in after the last record about it.
// Items are as the meeting sees them now: a young person where it may see
// who a signal is about, otherwise the one anonymous signal.
func (m *Meetings) carriedItems(ctx context.Context, r *Disclosure, actor Actor, coop string, active, since time.Time, cs *CaseSet, heldBy map[string]bool, running func(*Case) bool, skip map[string]bool, j joined) ([]AgendaItem, []shown, error) {
	read := m.signals.MeetingSignals
	if r.heads {
		read = m.signals.MeetingSignalHeads
	}
	older, err := read(ctx, coop, active, since)
	if err != nil {
		return nil, nil, fmt.Errorf("read earlier signals: %w", err)
	}
	if len(older) == 0 {
		return nil, nil, nil
	}
	discussed := lastDiscussed(cs, heldBy, running)
	reader := meetingReader(actor)
	var open []*Signal
	for _, sig := range older {
		level, ok := r.levelFor(reader, coop, sig)
		if !ok {
			continue
		}
		ref := itemRef(j.of(sig.Youth), "")
		if level == LevelAnonymous {
			ref = itemRef("", sig.ID)
		}
		if skip[ref] {
			continue
		}
		if c := discussed[ref]; c.open || !sig.CreatedAt.After(c.last) && c.recorded {
			continue
		}
		open = append(open, sig)
	}
	ss, err := meetingViews(ctx, r, actor, coop, open)
	if err != nil {
		return nil, nil, err
	}
	var items []AgendaItem
	for _, g := range groupItems(ss, j) {
		it := m.joinedItem(g, j)
		it.Carried = true
		items = append(items, it)
	}
	return items, ss, nil
}

// itemRecords is what the meetings held before an agenda recorded about an
// item: whether it has a running case, and the time of the last record.
type itemRecords struct {
	open     bool
	recorded bool
	last     time.Time
}

// lastDiscussed returns, per item ref, the latest record about it (a case
// opened, a lead, an action, a decision, a closing) made in a meeting of
// held; whether its case runs on the agenda.
func lastDiscussed(cs *CaseSet, held map[string]bool, running func(*Case) bool) map[string]itemRecords {
	out := map[string]itemRecords{}
	refOf := map[string]string{}
	note := func(caseID, meetingID string, at time.Time) {
		ref, ok := refOf[caseID]
		if !ok || !held[meetingID] {
			return
		}
		c := out[ref]
		if !c.recorded || at.After(c.last) {
			c.recorded, c.last = true, at
		}
		out[ref] = c
	}
	for _, c := range cs.Cases {
		refOf[c.ID] = c.ItemRef()
		rec := out[c.ItemRef()]
		rec.open = rec.open || running(c)
		out[c.ItemRef()] = rec
		note(c.ID, c.OpenedMeeting, c.OpenedAt)
		if c.ClosedAt != nil {
			note(c.ID, c.ClosedMeeting, *c.ClosedAt)
		}
	}
	for _, l := range cs.Leads {
		note(l.CaseID, l.MeetingID, l.AssignedAt)
	}
	for _, a := range cs.Actions {
		note(a.CaseID, a.MeetingID, a.CreatedAt)
	}
	for _, d := range cs.Decisions {
		note(d.CaseID, d.MeetingID, d.CreatedAt)
	}
	return out
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
		restricted, err := r.restricted(ctx, coop, c.Youth)
		if err != nil {
			return nil, nil, err
		}
		var it AgendaItem
		switch {
		case restricted:
			// Restricted (art. 18): the item is there, nothing of it shows.
			it = AgendaItem{Ref: c.ItemRef(), Anonymous: c.AnonymousSignal != "", Restricted: true, Partners: []PartnerCount{},
				Categories: []CategoryCount{}, Signals: []SignalView{}}
			for _, s := range ss {
				if s.sig.Youth == c.Youth && s.view.Restricted {
					it.Signals = append(it.Signals, s.view)
				}
			}
		case len(mine) > 0:
			it = m.newItem(mine)
		default:
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
