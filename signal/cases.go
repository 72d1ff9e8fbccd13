package signal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

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
	// Restricted: the young person's data is restricted (AVG art. 18); the
	// texts are held back.
	Restricted bool `json:"restricted,omitempty"`
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
	// Version counts the versions (1: never changed); Corrected is set
	// when there is an earlier one (Meetings.RecordHistory shows them).
	Version   int  `json:"version"`
	Corrected bool `json:"corrected,omitempty"`
	Erased    bool `json:"erased,omitempty"`
	// Withheld: the description is not shown here, because the item, as
	// the reader may see it, does not allow what it carries (or no text at
	// all: existence level; the projector: less than full).
	Withheld bool `json:"withheld,omitempty"`
}

// DecisionView is a decision as the meeting sees it.
type DecisionView struct {
	ID        string       `json:"id"`
	MeetingID string       `json:"meeting_id"`
	Kind      DecisionKind `json:"kind"`
	Text      string       `json:"text,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
	Version   int          `json:"version"`             // as ActionView.Version
	Corrected bool         `json:"corrected,omitempty"` // as ActionView.Corrected
	Erased    bool         `json:"erased,omitempty"`
	Withheld  bool         `json:"withheld,omitempty"` // as ActionView.Withheld
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

// caseView opens a case's actions and decisions (only meetingID's when set)
// where allow lets them show (see meeting_text.go); the others are marked
// Withheld and stay sealed.
func (m *Meetings) caseView(ctx context.Context, c *Case, cs *CaseSet, pros map[string]Professional, today Date, meetingID string, allow textAllowance) (CaseView, error) {
	cv := CaseView{ID: c.ID, Status: c.Status, Lead: c.Lead, OpenedAt: c.OpenedAt, ClosedAt: c.ClosedAt,
		CloseReason: c.CloseReason, Actions: []ActionView{}, Decisions: []DecisionView{}}
	// A restricted young person's texts are held back (art. 18).
	restricted, err := m.disclosure.restricted(ctx, c.CooperationID, c.Youth)
	if err != nil {
		return CaseView{}, err
	}
	if restricted {
		cv.Restricted = true
		allow = textAllowance{}
	}
	for _, a := range cs.Actions {
		if a.CaseID != c.ID || meetingID != "" && a.MeetingID != meetingID {
			continue
		}
		av := ActionView{ID: a.ID, MeetingID: a.MeetingID, Due: a.Due, DoneOn: a.DoneOn, Version: max(a.Version, 1), Corrected: a.Version > 1}
		if p, ok := pros[a.OwnerID]; ok {
			av.Owner = &p
		} else {
			av.Owner = &Professional{UserID: a.OwnerID, Name: "(account no longer active)"}
		}
		av.Overdue = a.DoneOn == nil && a.Due.Before(today)
		if !allow.shows(a.Needs) {
			av.Withheld = true
			cv.Actions = append(cv.Actions, av)
			continue
		}
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
		dv := DecisionView{ID: d.ID, MeetingID: d.MeetingID, Kind: d.Kind, CreatedAt: d.CreatedAt, Version: max(d.Version, 1), Corrected: d.Version > 1}
		if !allow.shows(d.Needs) {
			dv.Withheld = true
			cv.Decisions = append(cv.Decisions, dv)
			continue
		}
		text, erased, err := m.disclosure.caseText(ctx, c, decisionAD(d.ID), d.Text)
		if err != nil {
			return CaseView{}, err
		}
		dv.Text, dv.Erased = text, erased
		cv.Decisions = append(cv.Decisions, dv)
	}
	return cv, nil
}

// recordID is the id of a new action, decision or risk: random, or, when
// the post carries an idempotency key, derived from the key, the poster and
// the meeting, so the same post sent twice (a double click, a retry after
// a lost answer) names the same record and is stored once (the store
// answers ErrStoredBefore).
func (m *Meetings) recordID(prefix string, actor Actor, meetingID, key string) (string, error) {
	if key == "" {
		return newMeetingID(prefix), nil
	}
	if err := ValidIdempotencyKey(key); err != nil {
		return "", Invalid(FieldError{Field: "idempotency_key", Problem: "must be 1 to 100 visible ASCII characters"})
	}
	return prefix + "_k" + m.vault.Fingerprint([]byte("record\x00" + prefix + "\x00" + actor.UserID + "\x00" + meetingID + "\x00" + key))[:24], nil
}

func actionAD(id string) []byte   { return []byte("action/" + id + "/description") }
func decisionAD(id string) []byte { return []byte("decision/" + id + "/text") }

// resolveItem finds what an item ref of an agenda names, checking that the
// meeting may see it: "y-<pseudonym>" needs a signal that shows the young
// person's identity to the meeting, "s-<signal>" a signal the meeting sees
// without identity. It returns the item's signals as the meeting sees them.
// Anything else is CodeNotFound.
func (m *Meetings) resolveItem(ctx context.Context, actor Actor, coop, ref string) (Case, []shown, error) {
	notFound := Errorf(CodeNotFound, "no agenda item %s", ref)
	kind, key, ok := strings.Cut(ref, "-")
	if !ok || key == "" {
		return Case{}, nil, notFound
	}
	var sigs []*Signal
	switch kind {
	case "y":
		youths, err := m.joinedWith(ctx, coop, key)
		if err != nil {
			return Case{}, nil, err
		}
		key = youths[0]
		if sigs, err = m.signals.SignalsAbout(ctx, coop, youths); err != nil {
			return Case{}, nil, fmt.Errorf("read signals of item: %w", err)
		}
	case "s":
		sig, err := m.signals.Signal(ctx, key)
		if ErrorCode(err) == CodeNotFound {
			return Case{}, nil, notFound
		}
		if err != nil {
			return Case{}, nil, fmt.Errorf("read signal of item: %w", err)
		}
		sigs = []*Signal{sig}
	default:
		return Case{}, nil, notFound
	}
	ss, err := meetingViews(ctx, m.disclosure.perRequest(), actor, coop, sigs)
	if err != nil {
		return Case{}, nil, err
	}
	var c *Case
	var item []shown
	for _, s := range ss {
		if s.view.Restricted {
			// Restricted (art. 18): the meeting records nothing new about it.
			return Case{}, nil, Errorf(CodeConflict, "agenda item %s is restricted (AVG art. 18): the meeting records nothing about it", ref)
		}
		switch {
		case kind == "y" && s.identified():
			if c == nil {
				c = &Case{CooperationID: coop, Youth: key}
			}
			item = append(item, s)
		case kind == "s" && !s.identified() && c == nil:
			c = &Case{CooperationID: coop, Youth: s.sig.Youth, AnonymousSignal: s.sig.ID}
			item = append(item, s)
		}
	}
	if c == nil {
		return Case{}, nil, notFound
	}
	return *c, item, nil
}

// joinedWith returns the young people confirmed to be one with youth, the
// one they are shown under first; or youth alone.
func (m *Meetings) joinedWith(ctx context.Context, coop, youth string) ([]string, error) {
	if m.matches == nil {
		return []string{youth}, nil
	}
	ds, err := m.matches.MatchDecisions(ctx, coop)
	if err != nil {
		return nil, fmt.Errorf("read match decisions: %w", err)
	}
	j := joinedFrom(ds)
	canon := j.of(youth)
	out := []string{canon}
	for y, c := range j {
		if c == canon && y != canon {
			out = append(out, y)
		}
	}
	return out, nil
}

// caseID is a case's id: a keyed digest of its cooperation and subject, so
// the first record of a meeting creates it and later ones find it, and the
// id says nothing about the young person.
func (m *Meetings) caseID(c Case) string {
	return "case_" + m.vault.Fingerprint([]byte("case\x00" + c.CooperationID + "\x00" + itemRef(c.Youth, c.AnonymousSignal)))[:26]
}

// record is the common path of the meeting's writes about a young person.
// fill gets the item's signals as the meeting sees them (what its texts
// may carry is decided from them).
func (m *Meetings) record(ctx context.Context, actor Actor, meetingID, ref string, fill func(rec *CaseRecord, c Case, item []shown) (AuditEvent, error)) (CaseRecord, error) {
	coop, mt, err := m.coordinatorMeeting(ctx, actor, meetingID)
	if err != nil {
		return CaseRecord{}, err
	}
	if mt.Status != MeetingPlanned {
		return CaseRecord{}, Errorf(CodeConflict, "this meeting was closed; record it in the next meeting")
	}
	var rec CaseRecord
	for try := 0; ; try++ {
		c, item, err := m.resolveItem(ctx, actor, coop, ref)
		if err != nil {
			return CaseRecord{}, err
		}
		c.ID = m.caseID(c)
		now := m.now().UTC()
		c.OpenedAt, c.OpenedMeeting, c.Status = now, mt.ID, CaseOpen
		rec = CaseRecord{Case: c, MeetingID: mt.ID, At: now}
		ev, err := fill(&rec, c, item)
		if err != nil {
			return CaseRecord{}, err
		}
		ev.Object, ev.Subject = caseObject(c.ID), c.Youth
		err = m.cases.RecordCase(ctx, actor, rec, []AuditEvent{ev})
		// An erasure of this young person committed after the text was
		// sealed: it retired the key, so nothing was stored. Look at the
		// item again (its signals may be erased now, and then no text may
		// be recorded) and seal again, under the young person's new key.
		if errors.Is(err, ErrKeyRetired) && try < 3 {
			continue
		}
		if err == nil {
			break
		}
		if code := ErrorCode(err); code == CodeConflict || code == CodeNotFound || errors.Is(err, ErrStoredBefore) {
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
	rec, err := m.record(ctx, actor, meetingID, ref, func(rec *CaseRecord, c Case, _ []shown) (AuditEvent, error) {
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

// AddAction records an agreed action with its owner and due date. Its
// description is sealed under the young person's key and checked against
// what the item may show (meeting_text.go).
//
// Errors: CodeForbidden for anyone but a coordinator, CodeNotFound for an
// unknown meeting or item, CodeInvalid with every field problem (the
// description too when it carries what the item's level forbids, or when
// the item is at existence level, where no text goes), CodeConflict once
// the meeting was held.
func (m *Meetings) AddAction(ctx context.Context, actor Actor, meetingID, ref string, in NewAction) (ActionView, error) {
	due, err := in.Validate(Today(m.now()))
	if err != nil {
		return ActionView{}, err
	}
	id, err := m.recordID("act", actor, meetingID, in.Key)
	if err != nil {
		return ActionView{}, err
	}
	var owner Professional
	rec, err := m.record(ctx, actor, meetingID, ref, func(rec *CaseRecord, c Case, item []shown) (AuditEvent, error) {
		if owner, err = m.professional(ctx, c.CooperationID, in.OwnerID, "owner_id"); err != nil {
			return AuditEvent{}, err
		}
		text := strings.TrimSpace(in.Description)
		needs, err := m.checkItemText(ctx, actor, c, item, "description", text)
		if err != nil {
			return AuditEvent{}, err
		}
		a := &Action{ID: id, CaseID: c.ID, MeetingID: rec.MeetingID, OwnerID: owner.UserID, Due: due,
			Needs: needs, CreatedBy: actor.UserID, CreatedAt: rec.At}
		ct, err := m.vault.Seal(ctx, c.Youth, actionAD(a.ID), []byte(text))
		if err != nil {
			return AuditEvent{}, fmt.Errorf("seal action: %w", err)
		}
		a.Description, rec.Action = ct, a
		return AuditEvent{Action: ActionCaseAction}, nil
	})
	if errors.Is(err, ErrStoredBefore) {
		return m.storedAction(ctx, actor, id)
	}
	if err != nil {
		return ActionView{}, err
	}
	a := rec.Action
	return ActionView{ID: a.ID, MeetingID: a.MeetingID, Owner: &owner, Description: strings.TrimSpace(in.Description), Due: a.Due}, nil
}

// Decide records a decision of the meeting, including a decision not to
// act. Its text is sealed and checked as an action's description.
//
// Errors: as AddAction, the text's problems under "text".
func (m *Meetings) Decide(ctx context.Context, actor Actor, meetingID, ref string, in NewDecision) (DecisionView, error) {
	if err := in.Validate(); err != nil {
		return DecisionView{}, err
	}
	id, err := m.recordID("dec", actor, meetingID, in.Key)
	if err != nil {
		return DecisionView{}, err
	}
	rec, err := m.record(ctx, actor, meetingID, ref, func(rec *CaseRecord, c Case, item []shown) (AuditEvent, error) {
		text := strings.TrimSpace(in.Text)
		needs, err := m.checkItemText(ctx, actor, c, item, "text", text)
		if err != nil {
			return AuditEvent{}, err
		}
		d := &CaseDecision{ID: id, CaseID: c.ID, MeetingID: rec.MeetingID, Kind: in.Kind,
			Needs: needs, CreatedBy: actor.UserID, CreatedAt: rec.At}
		ct, err := m.vault.Seal(ctx, c.Youth, decisionAD(d.ID), []byte(text))
		if err != nil {
			return AuditEvent{}, fmt.Errorf("seal decision: %w", err)
		}
		d.Text, rec.Decision = ct, d
		return AuditEvent{Action: ActionCaseDecide}, nil
	})
	if errors.Is(err, ErrStoredBefore) {
		return m.storedDecision(ctx, actor, id)
	}
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
	_, err := m.record(ctx, actor, meetingID, ref, func(rec *CaseRecord, c Case, _ []shown) (AuditEvent, error) {
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
	// As it is already (a post sent twice): nothing to store.
	if (act.DoneOn != nil) != done {
		if err := m.setActionDone(ctx, actor, act, c, on); err != nil {
			return ActionView{}, err
		}
	}
	pros, err := m.professionals(ctx, coop)
	if err != nil {
		return ActionView{}, err
	}
	items, _, err := m.caseItems(ctx, m.disclosure.perRequest(), actor, coop, []*Case{c})
	if err != nil {
		return ActionView{}, err
	}
	cv, err := m.caseView(ctx, c, &CaseSet{Actions: []*Action{act}}, pros, Today(m.now()), "", items[0].allow)
	if err != nil {
		return ActionView{}, err
	}
	return cv.Actions[0], nil
}

// setActionDone stores act's new done date as its next version.
func (m *Meetings) setActionDone(ctx context.Context, actor Actor, act *Action, c *Case, on *Date) error {
	ev := AuditEvent{Action: ActionActionUpdate, Object: "action/" + act.ID, Subject: c.Youth}
	rev := Revision{By: actor.UserID, At: m.now().UTC(), Reason: CorrectionDone}
	if err := m.cases.SetActionDone(ctx, actor, act.ID, on, rev, []AuditEvent{ev}); err != nil {
		return fmt.Errorf("store action: %w", err)
	}
	act.DoneOn, act.Version, act.Revision = on, max(act.Version, 1)+1, &rev
	return nil
}

// CasesOf returns the cases about youth in cooperation coop as the young
// person's own copy shows them (Privacy.YouthReport): every action and
// decision text opened (an erased one reads as erased), the lead
// professionals one after another. It is not a use case of its own: no
// actor, no audit; the caller records the read.
func (m *Meetings) CasesOf(ctx context.Context, coop, youth string) ([]YouthCaseRecord, error) {
	cs, err := m.cases.Cases(ctx, coop)
	if err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	pros, err := m.professionals(ctx, coop)
	if err != nil {
		return nil, err
	}
	// The young person's own copy: every text about them may show.
	all := textAllowance{text: true, full: true, fields: Fields}
	today := Today(m.now())
	var out []YouthCaseRecord
	for _, c := range cs.Cases {
		if c.Youth != youth || youth == "" {
			continue
		}
		cv, err := m.caseView(ctx, c, cs, pros, today, "", all)
		if err != nil {
			return nil, err
		}
		rec := YouthCaseRecord{Case: cv, Earlier: map[string][]string{}}
		for _, l := range cs.Leads {
			if l.CaseID == c.ID {
				rec.Leads = append(rec.Leads, l.LeadProfessional)
			}
		}
		// The earlier texts of corrected actions and decisions: nothing
		// about the young person is left out of their copy.
		for _, a := range cv.Actions {
			if a.Corrected {
				if rec.Earlier[a.ID], err = m.earlierTexts(ctx, c, RecordAction, a.ID, a.Description); err != nil {
					return nil, err
				}
			}
		}
		for _, d := range cv.Decisions {
			if d.Corrected {
				if rec.Earlier[d.ID], err = m.earlierTexts(ctx, c, RecordDecision, d.ID, d.Text); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, rec)
	}
	return out, nil
}

// YouthCaseRecord is one case about a young person with every lead it had
// and, per corrected action or decision id, its earlier texts.
type YouthCaseRecord struct {
	Case    CaseView
	Leads   []LeadProfessional
	Earlier map[string][]string
}

// earlierTexts are the texts record id had before its current one
// (current), oldest first, each once; erased ones are left out.
func (m *Meetings) earlierTexts(ctx context.Context, c *Case, kind RecordKind, id, current string) ([]string, error) {
	vs, err := m.cases.Versions(ctx, kind, id)
	if err != nil {
		return nil, fmt.Errorf("read versions: %w", err)
	}
	ad := actionAD(id)
	if kind == RecordDecision {
		ad = decisionAD(id)
	}
	var out []string
	for _, v := range vs {
		text, erased, err := m.disclosure.caseText(ctx, c, ad, v.Text)
		if err != nil {
			return nil, err
		}
		if !erased && text != current && (len(out) == 0 || out[len(out)-1] != text) {
			out = append(out, text)
		}
	}
	return out, nil
}

// storedAction is the action id as stored, for a post that came twice:
// as the item shows it to actor.
func (m *Meetings) storedAction(ctx context.Context, actor Actor, id string) (ActionView, error) {
	cv, err := m.storedRecord(ctx, actor, func(cs *CaseSet) string {
		for _, a := range cs.Actions {
			if a.ID == id {
				return a.CaseID
			}
		}
		return ""
	})
	if err != nil {
		return ActionView{}, err
	}
	for _, a := range cv.Actions {
		if a.ID == id {
			return a, nil
		}
	}
	return ActionView{}, Errorf(CodeNotFound, "no action %s", id)
}

// storedDecision is storedAction for a decision.
func (m *Meetings) storedDecision(ctx context.Context, actor Actor, id string) (DecisionView, error) {
	cv, err := m.storedRecord(ctx, actor, func(cs *CaseSet) string {
		for _, d := range cs.Decisions {
			if d.ID == id {
				return d.CaseID
			}
		}
		return ""
	})
	if err != nil {
		return DecisionView{}, err
	}
	for _, d := range cv.Decisions {
		if d.ID == id {
			return d, nil
		}
	}
	return DecisionView{}, Errorf(CodeNotFound, "no decision %s", id)
}

// storedRecord opens the case that caseOf finds in the coordinator's cases
// as the agenda shows it (texts only where the item allows them).
func (m *Meetings) storedRecord(ctx context.Context, actor Actor, caseOf func(*CaseSet) string) (CaseView, error) {
	coop, err := m.coordinatorCoop(ctx, actor)
	if err != nil {
		return CaseView{}, err
	}
	cs, err := m.cases.Cases(ctx, coop)
	if err != nil {
		return CaseView{}, fmt.Errorf("read cases: %w", err)
	}
	id := caseOf(cs)
	var c *Case
	for _, k := range cs.Cases {
		if k.ID == id {
			c = k
		}
	}
	if c == nil {
		return CaseView{}, Errorf(CodeNotFound, "no record stored before")
	}
	items, _, err := m.caseItems(ctx, m.disclosure.perRequest(), actor, coop, []*Case{c})
	if err != nil {
		return CaseView{}, err
	}
	pros, err := m.professionals(ctx, coop)
	if err != nil {
		return CaseView{}, err
	}
	return m.caseView(ctx, c, cs, pros, Today(m.now()), "", items[0].allow)
}
