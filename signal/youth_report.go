package signal

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The report a young person or their parent receives (issue 17 item 2):
// their copy (AVG art. 15(3)) in words they can read. It is made inside a
// released request only, and every making is a content read (reason copy).
// Third parties are left out by default: the report names organisations,
// never the people in them, unless the officer releases the reporting
// organisation's contact person for a signal (recorded, audited).

// YouthReport is the young person's copy.
type YouthReport struct {
	Request     string    `json:"request"`
	GeneratedAt time.Time `json:"generated_at"`
	// Name and BirthDate are the young person's, as the signals have them
	// (empty once every signal's content is erased).
	Name      string `json:"name,omitempty"`
	BirthDate string `json:"birth_date,omitempty"`
	// Signals are what was recorded about them, oldest first.
	Signals []YouthSignal `json:"signals"`
	// Cases are what the signal meeting did: leads, actions, decisions.
	Cases []YouthCase `json:"cases"`
	// Meetings is how many signal meetings discussed them.
	Meetings int `json:"meetings"`
	// Matches are the meeting's decisions whether two items were them.
	Matches []YouthMatch `json:"matches"`
	// Minutes are who received (opened) the minutes that name them.
	Minutes []ViewGroup `json:"minutes_recipients"`
	// Purposes are why the signals were recorded and shared.
	Purposes []Purpose `json:"purposes"`
	// RetentionPeriod is how long a signal is kept ("" when unknown).
	RetentionPeriod string `json:"retention_period,omitempty"`
	// Releases are the third parties the officer released, each recorded.
	Releases []ThirdPartyRelease `json:"releases"`
}

// YouthSignal is one signal in the young person's copy.
type YouthSignal struct {
	ID           string    `json:"id"`
	Category     Category  `json:"category"`
	ObservedOn   Date      `json:"observed_on"`
	RecordedAt   time.Time `json:"recorded_at"`
	Organisation string    `json:"organisation"`
	// Contact is the reporting organisation's contact person, only when
	// the officer released it.
	Contact  *Person  `json:"contact,omitempty"`
	Facts    string   `json:"facts,omitempty"`
	Opinions string   `json:"opinions,omitempty"`
	Purpose  Purpose  `json:"purpose,omitempty"`
	Outcome  Outcome  `json:"outcome"`
	Level    Level    `json:"level"`
	Grounds  []Reason `json:"grounds"`
	// ErasedOn and ErasedWhy say when and why the content was erased.
	ErasedOn  *time.Time    `json:"erased_on,omitempty"`
	ErasedWhy ErasureReason `json:"erased_why,omitempty"`
	// EraseOn is the day the content will be erased, and why then.
	EraseOn  *Date         `json:"erase_on,omitempty"`
	EraseWhy ErasureReason `json:"erase_why,omitempty"`
	// Shared are the sharing decisions: with whom, at which level, when.
	Shared []YouthShare `json:"shared"`
	// Seen are who saw it, grouped: who, at which level, which text, how
	// often, first and last.
	Seen []ViewGroup `json:"seen"`
}

// YouthShare is one sharing decision.
type YouthShare struct {
	At        time.Time `json:"at"`
	Recipient string    `json:"recipient"`
	Outcome   string    `json:"outcome"`
	Level     string    `json:"level"`
}

// ViewGroup is how often one organisation (in one role) saw something at
// one level, and the exact texts it saw.
type ViewGroup struct {
	Organisation string       `json:"organisation"`
	Role         string       `json:"role"`
	Level        string       `json:"level,omitempty"`
	Texts        []AccessText `json:"texts,omitempty"`
	Times        int          `json:"times"`
	First        time.Time    `json:"first"`
	Last         time.Time    `json:"last"`
}

// YouthCase is one case of the signal meeting about the young person.
type YouthCase struct {
	OpenedAt    time.Time       `json:"opened_at"`
	ClosedAt    *time.Time      `json:"closed_at,omitempty"`
	CloseReason CloseReason     `json:"close_reason,omitempty"`
	Leads       []YouthLead     `json:"leads"`
	Actions     []YouthAction   `json:"actions"`
	Decisions   []YouthDecision `json:"decisions"`
}

// YouthLead is a lead professional's organisation and since when.
type YouthLead struct {
	Organisation string    `json:"organisation"`
	Since        time.Time `json:"since"`
}

// YouthAction is an agreed action: which organisation does what by when.
type YouthAction struct {
	Organisation string `json:"organisation"`
	Text         string `json:"text,omitempty"`
	Due          Date   `json:"due_on"`
	DoneOn       *Date  `json:"done_on,omitempty"`
	Erased       bool   `json:"erased,omitempty"`
	// Earlier are the texts it had before a correction, oldest first.
	Earlier []string `json:"earlier,omitempty"`
}

// YouthDecision is a decision of the meeting.
type YouthDecision struct {
	At     time.Time    `json:"at"`
	Kind   DecisionKind `json:"kind"`
	Text   string       `json:"text,omitempty"`
	Erased bool         `json:"erased,omitempty"`
	// Earlier are the texts it had before a correction, oldest first.
	Earlier []string `json:"earlier,omitempty"`
}

// YouthMatch is the meeting's decision whether two items were the same
// young person.
type YouthMatch struct {
	At   time.Time `json:"at"`
	Same bool      `json:"same"`
}

// ThirdPartyRelease is a third party the officer released in a request:
// the contact person of the organisation that reported a signal.
type ThirdPartyRelease struct {
	SignalID string    `json:"signal_id"`
	At       time.Time `json:"at"`
	By       string    `json:"by"`
}

// YouthCases reads a young person's cases for their copy (implemented by
// *Meetings).
type YouthCases interface {
	CasesOf(ctx context.Context, coop, youth string) ([]YouthCaseRecord, error)
}

// YouthReport makes the young person's copy inside request id: it must be
// released (four eyes where the cooperation asks for it). Making it is a
// content read with reason copy, recorded and audited like any other.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeNotFound, CodeConflict (not released, or
// closed), CodeUnavailable.
func (p *Privacy) YouthReport(ctx context.Context, actor Actor, id string) (YouthReport, error) {
	sc, r, err := p.officerRequest(ctx, actor, id)
	if err != nil {
		return YouthReport{}, err
	}
	if r.Status != RequestReleased {
		return YouthReport{}, Errorf(CodeConflict, "the copy for the young person is made once the release is approved (the request is %s)", r.Status)
	}
	rep, err := p.accessReport(ctx, sc, r.Subject, true)
	if err != nil {
		return YouthReport{}, err
	}
	out, err := p.youthReport(ctx, sc, r, rep)
	if err != nil {
		return YouthReport{}, err
	}
	read := ContentRead{At: p.now().UTC(), By: actor.UserID, Reason: ReadCopy}
	events := []AuditEvent{
		{Action: ActionAccessContentRead, Object: requestObject(r.ID) + "/" + string(ReadCopy), Subject: r.Subject},
		{Action: ActionAccessReport, Object: "access-report/youth", Subject: r.Subject},
	}
	if err := p.reqs.RecordRead(ctx, actor, r.ID, read, events); err != nil {
		return YouthReport{}, fmt.Errorf("record the content read: %w", err)
	}
	return out, nil
}

func (p *Privacy) youthReport(ctx context.Context, sc officerScope, r AccessRequest, rep AccessReport) (YouthReport, error) {
	out := YouthReport{Request: r.ID, GeneratedAt: rep.GeneratedAt, Signals: []YouthSignal{}, Cases: []YouthCase{},
		Matches: []YouthMatch{}, Minutes: []ViewGroup{}, Purposes: []Purpose{}, Releases: r.Releases}
	if out.Releases == nil {
		out.Releases = []ThirdPartyRelease{}
	}
	released := map[string]bool{}
	for _, rel := range r.Releases {
		released[rel.SignalID] = true
	}
	sigs, err := p.store.SignalsOfYouth(ctx, r.Subject, sc.Cooperation, true)
	if err != nil {
		return out, fmt.Errorf("find signals of young person: %w", err)
	}
	byID := map[string]*Signal{}
	for _, s := range sigs {
		byID[s.ID] = s
	}
	var period *Period
	if p.retention != nil {
		pp := p.retention.Period()
		period, out.RetentionPeriod = &pp, pp.String()
	}
	meetings := map[string]bool{}
	for _, as := range rep.Signals {
		ys := YouthSignal{ID: as.ID, Category: as.Category, ObservedOn: as.ObservedOn, RecordedAt: as.CreatedAt,
			Outcome: as.Decision.Outcome, Level: as.Decision.Level, Grounds: as.Decision.Reasons,
			Shared: []YouthShare{}, Seen: []ViewGroup{}}
		if ys.Grounds == nil {
			ys.Grounds = []Reason{}
		}
		if as.Reporter != nil {
			ys.Organisation = as.Reporter.Name
			if released[as.ID] {
				c := as.Reporter.Contact
				ys.Contact = &Person{Name: c.Name, Email: c.Email}
			}
		}
		var answers Answers
		if s := byID[as.ID]; s != nil {
			answers = s.Answers // stored before answers were sealed
			if p.content != nil {
				if answers, err = p.content.AnswersOf(ctx, s); err != nil {
					return out, err
				}
			}
		}
		if answers.Purpose != nil {
			ys.Purpose = *answers.Purpose
			if !slices.Contains(out.Purposes, ys.Purpose) {
				out.Purposes = append(out.Purposes, ys.Purpose)
			}
		}
		if e := as.Erased; e != nil {
			at := e.At
			ys.ErasedOn, ys.ErasedWhy = &at, e.Reason
		} else if c := as.Content; c != nil {
			ys.Facts, ys.Opinions = c.Facts, c.Opinions
			if out.Name == "" {
				out.Name, out.BirthDate = c.Name, c.BirthDate
			}
			if birth, err := ParseDate(c.BirthDate); err == nil && period != nil {
				ex := ExpiryOf(*period, as.ObservedOn, birth)
				ys.EraseOn, ys.EraseWhy = &ex.On, ex.Reason
			}
		}
		for _, d := range as.Decisions {
			ys.Shared = append(ys.Shared, YouthShare{At: d.Time, Recipient: d.Recipient, Outcome: d.Outcome, Level: d.Level})
		}
		for _, v := range as.Views {
			if v.Meeting != "" {
				meetings[v.Meeting] = true
			}
			ys.Seen = addView(ys.Seen, v)
		}
		out.Signals = append(out.Signals, ys)
	}
	// The meeting's cases, matches and minutes.
	if p.cases != nil {
		recs, err := p.cases.CasesOf(ctx, sc.Cooperation, r.Subject)
		if err != nil {
			return out, err
		}
		for _, rec := range recs {
			yc := YouthCase{OpenedAt: rec.Case.OpenedAt, ClosedAt: rec.Case.ClosedAt, CloseReason: rec.Case.CloseReason,
				Leads: []YouthLead{}, Actions: []YouthAction{}, Decisions: []YouthDecision{}}
			for _, l := range rec.Leads {
				yc.Leads = append(yc.Leads, YouthLead{Organisation: l.OrgName, Since: l.AssignedAt})
			}
			for _, a := range rec.Case.Actions {
				ya := YouthAction{Text: a.Description, Due: a.Due, DoneOn: a.DoneOn, Erased: a.Erased, Earlier: rec.Earlier[a.ID]}
				if a.Owner != nil {
					ya.Organisation = a.Owner.OrgName
				}
				yc.Actions = append(yc.Actions, ya)
			}
			for _, d := range rec.Case.Decisions {
				yc.Decisions = append(yc.Decisions, YouthDecision{At: d.CreatedAt, Kind: d.Kind, Text: d.Text, Erased: d.Erased, Earlier: rec.Earlier[d.ID]})
			}
			out.Cases = append(out.Cases, yc)
		}
	}
	orgs := map[string]string{}
	orgName := func(id string) string {
		if n, ok := orgs[id]; ok {
			return n
		}
		if o, err := p.dir.Organisation(ctx, id); err == nil {
			orgs[id] = o.Name
		} else {
			orgs[id] = ""
		}
		return orgs[id]
	}
	for rec, err := range p.log.AuditEntries(ctx, AuditFilter{Subject: r.Subject}) {
		if err != nil {
			return out, err
		}
		switch rec.Action {
		case ActionMatchConfirm, ActionMatchReject:
			out.Matches = append(out.Matches, YouthMatch{At: rec.Time, Same: rec.Action == ActionMatchConfirm})
		case ActionMinutesView:
			if m, ok := strings.CutPrefix(rec.Object, "meeting/"); ok {
				meetings[m] = true
			}
			out.Minutes = addView(out.Minutes, AccessEvent{Time: rec.Time, Role: string(rec.Actor.Role),
				Org: &OrgRef{ID: rec.Actor.OrgID, Name: orgName(rec.Actor.OrgID)}})
		case ActionCaseLead, ActionCaseAction, ActionCaseDecide, ActionCaseClose:
			if m, ok := strings.CutPrefix(rec.Object, "meeting/"); ok {
				meetings[m] = true
			}
		}
	}
	out.Meetings = len(meetings)
	return out, nil
}

// addView counts view v (and the times it was shown again) in its group:
// the same organisation, role, level and texts.
func addView(groups []ViewGroup, v AccessEvent) []ViewGroup {
	org := ""
	if v.Org != nil {
		org = v.Org.Name
	}
	times := append([]time.Time{v.Time}, v.Again...)
	for i := range groups {
		g := &groups[i]
		if g.Organisation == org && g.Role == v.Role && g.Level == v.Level && sameTexts(g.Texts, v.Texts) {
			for _, t := range times {
				g.Times++
				if t.Before(g.First) {
					g.First = t
				}
				if t.After(g.Last) {
					g.Last = t
				}
			}
			return groups
		}
	}
	g := ViewGroup{Organisation: org, Role: v.Role, Level: v.Level, Texts: v.Texts, First: v.Time, Last: v.Time}
	for _, t := range times {
		g.Times++
		if t.After(g.Last) {
			g.Last = t
		}
	}
	return append(groups, g)
}

func sameTexts(a, b []AccessText) bool {
	return slices.EqualFunc(a, b, func(x, y AccessText) bool { return x.Part == y.Part && x.Version == y.Version && x.Digest == y.Digest })
}

// ReleaseContact releases, inside request id, the contact person of the
// organisation that reported signal signalID: the young person's copy
// names them from then on. Each release is recorded and audited.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeNotFound (no request, or the signal is not
// about its young person), CodeConflict (closed, or released already),
// CodeUnavailable.
func (p *Privacy) ReleaseContact(ctx context.Context, actor Actor, id, signalID string) (AccessRequest, error) {
	sc, r, err := p.officerRequest(ctx, actor, id)
	if err != nil {
		return AccessRequest{}, err
	}
	if r.Status == RequestClosed {
		return AccessRequest{}, Errorf(CodeConflict, "the request is closed")
	}
	sig, err := p.store.Signal(ctx, signalID)
	if err != nil || sig.Youth != r.Subject || sig.CooperationID != sc.Cooperation {
		return AccessRequest{}, Errorf(CodeNotFound, "no signal %s about the young person of this request", signalID)
	}
	for _, rel := range r.Releases {
		if rel.SignalID == signalID {
			return AccessRequest{}, Errorf(CodeConflict, "released already")
		}
	}
	rel := ThirdPartyRelease{SignalID: signalID, At: p.now().UTC(), By: actor.UserID}
	events := []AuditEvent{{Action: ActionAccessThirdPartyRelease, Object: requestObject(r.ID) + "/" + signalObject(signalID), Subject: r.Subject}}
	if err := p.reqs.RecordRelease(ctx, actor, r.ID, rel, events); err != nil {
		return AccessRequest{}, err
	}
	r.Releases = append(r.Releases, rel)
	return r, nil
}
