package signal

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// The agenda per young person (issue 16, item 7; the product decision issue
// 6 asked for): the chair navigates a contents list that shows no one, and
// opens one young person at a time. What is opened is what is disclosed,
// and audited as such; opening the same again, unchanged, is recorded as
// one entry that refers to the first.

// AgendaSection is where an item is on the agenda.
type AgendaSection string

const (
	SectionNew      AgendaSection = "new"       // signals since the previous meeting
	SectionCarried  AgendaSection = "carried"   // not discussed, moved on ("doorgeschoven")
	SectionFollowUp AgendaSection = "follow_up" // running cases without new signals
)

// AgendaContents is the agenda's contents list: per item its number (as on
// the agenda), where it is, and counts at the levels the meeting may see,
// never a name, a birth date, a category's text or anything written. It
// discloses nothing about a young person, so it is audited as one entry for
// the meeting (agenda.contents), whatever its length.
type AgendaContents struct {
	Meeting *Meeting   `json:"meeting"`
	Since   *time.Time `json:"since,omitempty"`
	// Filter is the filter applied; Total counts the items without it.
	Filter  ContentsFilter  `json:"filter"`
	Total   int             `json:"total"`
	Entries []ContentsEntry `json:"entries"`
	// Partners are the partners with signals on the agenda (to filter by).
	Partners []OrgRef `json:"partners"`
}

// ContentsEntry is one item of the contents list.
type ContentsEntry struct {
	Ref       string        `json:"ref"`
	Number    int           `json:"number"`
	Section   AgendaSection `json:"section"`
	Anonymous bool          `json:"anonymous"`
	// Restricted: the young person's data is restricted (AVG art. 18).
	Restricted bool `json:"restricted,omitempty"`
	// Match: two or more partners signalled about this young person.
	Match   bool `json:"match"`
	Signals int  `json:"signals"`
	// Levels counts the item's signals per level the meeting sees them at
	// (full, minimal, existence, anonymous; levels without signals left out).
	Levels   []LevelCount   `json:"levels"`
	Partners []PartnerTally `json:"partners"`
	// Discussed ("besproken"): this meeting recorded something about the
	// item (a lead, an action, a decision, also one not to act, a closing)
	// after its latest signal. Until then a held meeting moves it on.
	Discussed bool `json:"discussed"`
	// Case is the item's case status ("" without a case); Lead whether it
	// has a lead professional; Overdue its open actions past their due date.
	Case    CaseStatus `json:"case,omitempty"`
	Lead    bool       `json:"lead"`
	Overdue int        `json:"overdue"`
}

// LevelCount is how many of an item's signals the meeting sees at a level.
type LevelCount struct {
	Level   Level `json:"level"`
	Signals int   `json:"signals"`
}

// PartnerTally is how many of an item's signals one partner made.
type PartnerTally struct {
	OrgID   string `json:"id"`
	Name    string `json:"name"`
	Signals int    `json:"signals"`
}

// ContentsFilter narrows the contents list; the zero filter keeps all.
type ContentsFilter struct {
	Section AgendaSection `json:"section,omitempty"`
	// Match keeps items of two or more partners; Open those not discussed
	// yet; Overdue those with an overdue action.
	Match   bool `json:"match,omitempty"`
	Open    bool `json:"open,omitempty"`
	Overdue bool `json:"overdue,omitempty"`
	// Level keeps items with a signal the meeting sees at this level;
	// Partner those with a signal of this partner (organisation id).
	Level   Level  `json:"level,omitempty"`
	Partner string `json:"partner,omitempty"`
}

// Validate names each field of f that is not one of its values.
func (f ContentsFilter) Validate() error {
	var fe FieldErrors
	switch f.Section {
	case "", SectionNew, SectionCarried, SectionFollowUp:
	default:
		fe.Add("section", "must be new, carried or follow_up")
	}
	switch f.Level {
	case "", LevelFull, LevelMinimal, LevelExistence, LevelAnonymous:
	default:
		fe.Add("level", "must be full, minimal, existence or anonymous")
	}
	return fe.Err()
}

func (f ContentsFilter) keeps(e ContentsEntry) bool {
	switch {
	case f.Section != "" && e.Section != f.Section,
		f.Match && !e.Match,
		f.Open && e.Discussed,
		f.Overdue && e.Overdue == 0,
		f.Level != "" && !slices.ContainsFunc(e.Levels, func(l LevelCount) bool { return l.Level == f.Level }),
		f.Partner != "" && !slices.ContainsFunc(e.Partners, func(p PartnerTally) bool { return p.OrgID == f.Partner }):
		return false
	}
	return true
}

// contentLevels is the order levels are counted in.
var contentLevels = []Level{LevelFull, LevelMinimal, LevelExistence, LevelAnonymous}

// Contents returns the contents list of meeting id's agenda for its chair,
// filtered by f, and audits the viewing as one agenda.contents entry for the
// meeting. It is built from the agenda's heads (see Disclosure.head): the
// items and numbers are the agenda's, and nothing sealed is opened.
//
// Callers: the coordinator (chair). Errors: CodeForbidden for anyone else,
// CodeNotFound for another cooperation's meeting, CodeInvalid naming the
// filter field that is not one of its values.
func (m *Meetings) Contents(ctx context.Context, actor Actor, id string, f ContentsFilter) (AgendaContents, error) {
	coop, err := m.coordinatorCoop(ctx, actor)
	if err != nil {
		return AgendaContents{}, err
	}
	if err := f.Validate(); err != nil {
		return AgendaContents{}, err
	}
	mt, err := m.meetingOf(ctx, coop, id)
	if err != nil {
		return AgendaContents{}, err
	}
	out := AgendaContents{Meeting: mt, Filter: f, Entries: []ContentsEntry{}, Partners: []OrgRef{}}
	if mt.Status != MeetingCancelled { // a cancelled meeting discusses nothing
		ag, built, err := m.buildAgenda(ctx, actor, coop, mt, false, m.disclosure.headsPerRequest())
		if err != nil {
			return AgendaContents{}, err
		}
		out.Since = ag.Since
		discussed := lastDiscussed(built.cases, map[string]bool{mt.ID: true}, func(*Case) bool { return false })
		partners := map[string]bool{}
		for _, sec := range []struct {
			name  AgendaSection
			items []AgendaItem
		}{{SectionNew, ag.Items}, {SectionCarried, ag.Carried}, {SectionFollowUp, ag.FollowUp}} {
			for i := range sec.items {
				e := contentsEntry(&sec.items[i], sec.name, discussed[sec.items[i].Ref])
				for _, p := range e.Partners {
					if !partners[p.OrgID] {
						partners[p.OrgID] = true
						out.Partners = append(out.Partners, OrgRef{ID: p.OrgID, Name: p.Name})
					}
				}
				out.Total++
				if f.keeps(e) {
					out.Entries = append(out.Entries, e)
				}
			}
		}
		slices.SortFunc(out.Partners, func(a, b OrgRef) int { return cmpString(a.Name, b.Name) })
	}
	if err := m.audit.Record(ctx, actor, []AuditEvent{{Action: ActionAgendaContents, Object: meetingObject(mt.ID)}}); err != nil {
		return AgendaContents{}, fmt.Errorf("audit contents: %w", err)
	}
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// contentsEntry is the contents list's line of an agenda item (of heads).
func contentsEntry(it *AgendaItem, sec AgendaSection, rec itemRecords) ContentsEntry {
	e := ContentsEntry{Ref: it.Ref, Number: it.Number, Section: sec, Anonymous: it.Anonymous, Restricted: it.Restricted, Match: it.Match,
		Signals: len(it.Signals), Levels: []LevelCount{}, Partners: make([]PartnerTally, 0, len(it.Partners))}
	var latest time.Time
	for _, l := range contentLevels {
		n := 0
		for _, v := range it.Signals {
			if v.Level == l {
				n++
			}
			if v.CreatedAt.After(latest) {
				latest = v.CreatedAt
			}
		}
		if n > 0 {
			e.Levels = append(e.Levels, LevelCount{Level: l, Signals: n})
		}
	}
	for _, p := range it.Partners {
		e.Partners = append(e.Partners, PartnerTally{OrgID: p.Partner.OrgID, Name: p.Partner.Name, Signals: p.Signals})
	}
	e.Discussed = rec.recorded && rec.last.After(latest)
	if c := it.Case; c != nil {
		e.Case, e.Lead = c.Status, c.Lead != nil
		for _, a := range c.Actions {
			if a.Overdue {
				e.Overdue++
			}
		}
	}
	return e
}

// OpenedItem is one young person of the agenda, opened from the contents
// list: the item as the agenda shows it to its chair, where it is, and
// whether this meeting discussed it.
type OpenedItem struct {
	Meeting   *Meeting      `json:"meeting"`
	Section   AgendaSection `json:"section"`
	Discussed bool          `json:"discussed"`
	Item      AgendaItem    `json:"item"`
	// Again is set when the same was shown to this reader before, unchanged:
	// the audit then refers to that disclosure (see OpenItem).
	Again bool `json:"again"`
}

// DisclosureLog finds the disclosures the audit log recorded before, so
// that showing the same again is recorded as a reference to the first.
type DisclosureLog interface {
	// LastDisclosure returns the newest entry with q's action, object and
	// subject, by q's user, whose decision has q's outcome, level, rule
	// and policy version; ok is false if there is none.
	LastDisclosure(ctx context.Context, q DisclosureQuery) (d EarlierDisclosure, ok bool, err error)
}

// DisclosureQuery selects an earlier disclosure (see DisclosureLog).
type DisclosureQuery struct {
	UserID  string
	Action  AuditAction
	Object  string
	Subject string
	// The decision the disclosure was made under.
	Outcome, Level, Rule, PolicyVersion string
}

// EarlierDisclosure is an audit entry of a disclosure: its number, and the
// fields and texts it records as codes.
type EarlierDisclosure struct {
	Seq    int64
	Fields []string
	Texts  []string
}

// auditEntryObject names an audit entry as the object of another entry.
func auditEntryObject(seq int64) string { return "audit/" + strconv.FormatInt(seq, 10) }

// OpenItem opens one young person (item ref) of meeting id's agenda for
// its chair: the item as the agenda shows it, opened from the signals of
// the agenda's heads. The disclosure is audited as agenda.open, one entry
// per decision under which the item's signals are shown (as a view of the
// agenda is, see agendaEvents). When this reader was shown exactly the same
// before under that decision (the same signals, fields and texts, by
// digest), the entry is agenda.reopen instead, with the earlier entry as
// its object ("audit/<seq>") and no fields: the access report lists it as
// another viewing of that disclosure.
//
// Callers: the coordinator (chair). Errors: CodeForbidden for anyone else,
// CodeNotFound for another cooperation's meeting, a cancelled meeting or a
// ref that is not on the agenda.
func (m *Meetings) OpenItem(ctx context.Context, actor Actor, id, ref string) (OpenedItem, error) {
	coop, mt, err := m.coordinatorMeeting(ctx, actor, id)
	if err != nil {
		return OpenedItem{}, err
	}
	notFound := Errorf(CodeNotFound, "no agenda item %s", ref)
	if mt.Status == MeetingCancelled {
		return OpenedItem{}, notFound
	}
	ag, built, err := m.buildAgenda(ctx, actor, coop, mt, false, m.disclosure.headsPerRequest())
	if err != nil {
		return OpenedItem{}, err
	}
	var head *AgendaItem
	var section AgendaSection
	for _, sec := range []struct {
		name  AgendaSection
		items []AgendaItem
	}{{SectionNew, ag.Items}, {SectionCarried, ag.Carried}, {SectionFollowUp, ag.FollowUp}} {
		for i := range sec.items {
			if sec.items[i].Ref == ref {
				head, section = &sec.items[i], sec.name
			}
		}
	}
	if head == nil {
		return OpenedItem{}, notFound
	}
	// The item's signals, now with their sealed content, in the order of
	// the heads: the item is grouped and counted as on the agenda.
	sigs := make([]*Signal, 0, len(head.Signals))
	for _, v := range head.Signals {
		sig, err := m.signals.Signal(ctx, v.ID)
		if err != nil {
			return OpenedItem{}, fmt.Errorf("read signal of item: %w", err)
		}
		sigs = append(sigs, sig)
	}
	ss, err := meetingViews(ctx, m.disclosure.perRequest(), actor, coop, sigs)
	if err != nil {
		return OpenedItem{}, err
	}
	it := AgendaItem{Ref: head.Ref, Anonymous: head.Anonymous, Partners: []PartnerCount{}, Categories: []CategoryCount{}, Signals: []SignalView{}}
	switch {
	case head.Restricted:
		// Restricted (art. 18): the item as the agenda has it, nothing more.
		it.Restricted = true
		for _, s := range ss {
			it.Signals = append(it.Signals, s.view)
		}
	case len(ss) > 0:
		it = m.joinedItem(ss, built.joined)
	}
	if it.Ref != head.Ref || len(ss) != len(head.Signals) {
		// The signals changed between the two reads (erased, or decided
		// again): show nothing rather than another item.
		return OpenedItem{}, Errorf(CodeConflict, "the agenda changed while item %s was opened; open it again", ref)
	}
	it.Number, it.Label, it.Carried = head.Number, head.Label, head.Carried
	if c := casesByRef(built.cases)[ref]; c != nil {
		pros, err := m.professionals(ctx, coop)
		if err != nil {
			return OpenedItem{}, err
		}
		cv, err := m.caseView(ctx, c, built.cases, pros, Today(m.now()), "", it.textAllow(false))
		if err != nil {
			return OpenedItem{}, err
		}
		it.Case = &cv
	}
	bySig := make(map[string]*Signal, len(ss))
	for _, s := range ss {
		bySig[s.sig.ID] = s.sig
	}
	events, err := agendaEvents(ActionAgendaOpen, mt.ID, bySig, []AgendaItem{it})
	if err != nil {
		return OpenedItem{}, err
	}
	if len(events) > 1 {
		events = events[1:] // each entry names the meeting; the bare one adds nothing
	}
	again := false // every disclosure of the item was shown before
	for i, ev := range events {
		if ev.Decision == nil {
			continue
		}
		prev, ok, err := m.earlier(ctx, actor, ev)
		if err != nil {
			return OpenedItem{}, err
		}
		if !ok {
			again = false
			break
		}
		again = true
		d := ev.Decision.Decision
		events[i] = AuditEvent{Action: ActionAgendaReopen, Object: auditEntryObject(prev), Subject: ev.Subject,
			Decision: &AuditedDecision{Recipient: ev.Decision.Recipient, Decision: Decision{
				Outcome: d.Outcome, Level: d.Level, Rule: d.Rule, PolicyVersion: d.PolicyVersion}}}
	}
	if !again { // one changed: the whole disclosure is recorded again
		events, _ = agendaEvents(ActionAgendaOpen, mt.ID, bySig, []AgendaItem{it})
		if len(events) > 1 {
			events = events[1:]
		}
	}
	if err := m.audit.Record(ctx, actor, events); err != nil {
		return OpenedItem{}, fmt.Errorf("audit item: %w", err)
	}
	rec := lastDiscussed(built.cases, map[string]bool{mt.ID: true}, func(*Case) bool { return false })[ref]
	return OpenedItem{Meeting: mt, Section: section, Item: it, Again: again,
		Discussed: contentsEntry(head, section, rec).Discussed}, nil
}

// earlier returns the entry that recorded the disclosure ev records, if
// this reader was shown exactly that before (see OpenItem).
func (m *Meetings) earlier(ctx context.Context, actor Actor, ev AuditEvent) (int64, bool, error) {
	if m.disclosures == nil {
		return 0, false, nil
	}
	d := ev.Decision.Decision
	prev, ok, err := m.disclosures.LastDisclosure(ctx, DisclosureQuery{UserID: actor.UserID, Action: ev.Action,
		Object: ev.Object, Subject: ev.Subject, Outcome: string(d.Outcome), Level: string(d.Level), Rule: string(d.Rule),
		PolicyVersion: d.PolicyVersion})
	if err != nil {
		return 0, false, fmt.Errorf("find earlier disclosure: %w", err)
	}
	if !ok {
		return 0, false, nil
	}
	texts := make([]string, len(ev.Decision.Texts))
	for i, t := range ev.Decision.Texts {
		texts[i] = t.Code()
	}
	fields := make([]string, len(d.Fields))
	for i, f := range d.Fields {
		fields[i] = string(f)
	}
	same := slices.Equal(fields, prev.Fields) && slices.Equal(texts, prev.Texts)
	return prev.Seq, same, nil
}
