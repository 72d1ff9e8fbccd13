package signal

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A young person's access request (AVG art. 15): the lookup by name and
// birth date, and the report of every signal about them and who saw it.

// AccessReport answers a young person's access request (AVG art. 15): every
// signal about them, what was decided and shared with whom at which level,
// and who viewed it, taken from the signals and the audit log.
//
// By default it holds no content (what the signals say): the privacy
// officer supervises without reading it. With content, it is read inside a
// registered request only (access_requests.go): to weigh art. 15(4) (the
// rights of others, such as a reporter's safety under the reporting code),
// or, once released, as the copy of art. 15(3) for the young person.
type AccessReport struct {
	Subject     string    `json:"subject"`
	GeneratedAt time.Time `json:"generated_at"`
	WithContent bool      `json:"with_content"`
	// Request is the registered request a report with content was read
	// under.
	Request string         `json:"request,omitempty"`
	Signals []AccessSignal `json:"signals"`
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
	// Duties are what the reporter recorded about the decision's duties
	// (a report to Veilig Thuis, the consent, the justification, informing
	// or why it waits), oldest first; the texts only in a report with
	// content.
	Duties []DutyRecord `json:"duties,omitempty"`
}

// AccessContent is the content of a signal in a report with content.
type AccessContent struct {
	Name      string `json:"name"`
	BirthDate string `json:"birth_date"`
	Facts     string `json:"facts"`
	Opinions  string `json:"opinions,omitempty"`
	// Texts are every text that could go, per level: the signal's own
	// facts and opinions (full) and the versions written for minimal and
	// anonymous, each with its digest, so a view's digest names the text.
	Texts []AccessText `json:"texts,omitempty"`
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
	// audited as agenda.view, agenda.project or agenda.open).
	Meeting string `json:"meeting,omitempty"`
	// Texts are the texts of the signal this reader was shown: which part,
	// which version (the level it was written for) and its digest; empty
	// when no text went (issue 14, item 5). In a report with content each
	// carries the text itself.
	Texts []AccessText `json:"texts,omitempty"`
	// Again are the times the same disclosure was shown to the same reader
	// again, unchanged (agenda.reopen entries, which refer to this one):
	// the disclosure was viewed 1 + len(Again) times.
	Again []time.Time `json:"viewed_again,omitempty"`
}

// AccessText is one text a reader was shown, as an access report lists it.
type AccessText struct {
	Part    Field  `json:"part"`    // facts or opinions
	Version Level  `json:"version"` // the level it was written for
	Digest  string `json:"digest"`
	// Text is the text itself, only in a report with content (and only
	// while the content is not erased).
	Text string `json:"text,omitempty"`
}

// textsOf are the texts of signal id among an audit entry's codes.
func textsOf(codes []string, id string) []AccessText {
	var out []AccessText
	for _, code := range codes {
		if t, ok := ParseDisclosedText(code); ok && t.SignalID == id {
			out = append(out, AccessText{Part: t.Part, Version: t.Version, Digest: t.Digest})
		}
	}
	return out
}

// withText fills in the texts of a report with content by their digest.
func withText(ts []AccessText, c *AccessContent) []AccessText {
	if c == nil {
		return ts
	}
	for i := range ts {
		for _, v := range c.Texts {
			if v.Part == ts[i].Part && v.Version == ts[i].Version && v.Digest == ts[i].Digest {
				ts[i].Text = v.Text
			}
		}
	}
	return ts
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
func (l YouthLookup) Pseudonym(vault Pseudonyms) (string, error) {
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

// Pseudonyms turns a name and birth date into the young person's keyed
// pseudonym (implemented by *keystore.Store).
type Pseudonyms interface {
	Pseudonym(name, birthDate string) string
}

// ContentOpener opens a signal's content for an access report with content
// (implemented by *Signals).
type ContentOpener interface {
	AccessContentOf(ctx context.Context, sig *Signal) (*AccessContent, error)
	// AnswersOf is what was answered for sig (sealed like the content);
	// none once erased.
	AnswersOf(ctx context.Context, sig *Signal) (Answers, error)
	// DutyRecordsOf is what sig's reporter recorded about its duties,
	// oldest first; the notes only withNotes (and while not erased).
	DutyRecordsOf(ctx context.Context, sig *Signal, withNotes bool) ([]DutyRecord, error)
}

// DutyRecordsOf implements ContentOpener.
func (s *Signals) DutyRecordsOf(ctx context.Context, sig *Signal, withNotes bool) ([]DutyRecord, error) {
	return s.dutyRecords(ctx, sig, withNotes)
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
	out := &AccessContent{Name: c.Name, BirthDate: c.BirthDate, Facts: c.Facts, Opinions: c.Opinions}
	add := func(part Field, version Level, text string) {
		if text != "" {
			out.Texts = append(out.Texts, AccessText{Part: part, Version: version, Digest: TextDigest(s.disclosure.vault, text), Text: text})
		}
	}
	add(FieldFacts, LevelFull, c.Facts)
	add(FieldOpinions, LevelFull, c.Opinions)
	if v := c.Versions.Minimal; v != nil {
		add(FieldFacts, LevelMinimal, v.Facts)
	}
	if v := c.Versions.Anonymous; v != nil {
		add(FieldFacts, LevelAnonymous, v.Facts)
		add(FieldOpinions, LevelAnonymous, v.Opinions)
	}
	return out, nil
}

// LookupYouth turns a name and birth date into the young person's
// pseudonym and audits the lookup under it. The name and birth date are not
// stored, logged or audited: only the pseudonym leaves.
//
// Callers: a privacy officer.
// Errors: CodeForbidden, CodeInvalid (a missing name or birth date),
// CodeUnavailable (no key store on this server).
func (p *Privacy) LookupYouth(ctx context.Context, actor Actor, l YouthLookup) (string, error) {
	if actor.Role != RolePrivacyOfficer {
		return "", Errorf(CodeForbidden, "only a privacy officer uses the privacy console")
	}
	if p.pseudonyms == nil {
		return "", Errorf(CodeUnavailable, "looking up young people is not available on this server")
	}
	subject, err := l.Pseudonym(p.pseudonyms)
	if err != nil {
		return "", err
	}
	return subject, p.record(ctx, actor, ActionYouthLookup, "youth", subject)
}

// disclosures are the actions that show something about a young person to
// someone: what the access report lists as views and the oversight counts
// per reader, one per entry about a young person. Besides reading and
// listing signals, the meeting's views count like any other read of
// content (issue 16, item 8): the agenda (agenda.view, one entry per young
// person and decision, with the signals their fields name), the projector
// (agenda.project), one young person opened (agenda.open) or opened again
// (agenda.reopen), the minutes (minutes.view, one entry per young
// person in them), and a young person's chronology across meetings
// (chronology.view), and the earlier versions of a corrected action or
// decision (record.history). The contents list (agenda.contents) shows no one.
var disclosures = []AuditAction{ActionSignalRead, ActionSignalsList, ActionAgendaView, ActionAgendaProject,
	ActionAgendaOpen, ActionAgendaReopen, ActionMinutesView, ActionChronologyView, ActionRecordHistory}

// isView reports whether record r, about one signal, showed it to someone:
// a read or a list, or any other entry that disclosed it at some level (an
// erasure discloses nothing).
func isView(r AuditRecord) bool {
	if slices.Contains(disclosures, r.Action) {
		return true
	}
	d := r.Decision
	return d != nil && d.Level != "" && d.Level != string(LevelNone) && r.Action != ActionSignalErase
}

// AccessReport answers a young person's access request (AVG art. 15)
// without content: every signal of actor's cooperation about subject, what
// was decided and shared with whom, and who viewed it. Content is read only
// inside a registered request (RequestReport).
//
// Callers: a privacy officer.
// Errors: CodeForbidden.
func (p *Privacy) AccessReport(ctx context.Context, actor Actor, subject string) (AccessReport, error) {
	sc, err := p.scope(ctx, actor)
	if err != nil {
		return AccessReport{}, err
	}
	rep, err := p.accessReport(ctx, sc, subject, false)
	if err != nil {
		return rep, err
	}
	return rep, p.record(ctx, actor, ActionAccessReport, "access-report", subject)
}

// accessReport builds the report of subject in sc; the caller audits it.
func (p *Privacy) accessReport(ctx context.Context, sc officerScope, subject string, withContent bool) (AccessReport, error) {
	if withContent && p.content == nil {
		return AccessReport{}, Errorf(CodeUnavailable, "signal content is not available on this server")
	}
	rep := AccessReport{Subject: subject, GeneratedAt: p.now().UTC(), WithContent: withContent, Signals: []AccessSignal{}}
	sigs, err := p.store.SignalsOfYouth(ctx, subject, sc.Cooperation, true)
	if err != nil {
		return rep, fmt.Errorf("find signals of young person: %w", err)
	}
	orgs := map[string]*Organisation{}
	org := func(id string) *Organisation {
		if o, ok := orgs[id]; ok {
			return o
		}
		var found *Organisation
		if o, err := p.dir.Organisation(ctx, id); err == nil {
			found = &o
		}
		orgs[id] = found
		return found
	}
	index := map[string]int{}
	for _, s := range sigs {
		as := AccessSignal{ID: s.ID, Category: s.Category, ObservedOn: s.ObservedOn, CreatedAt: s.CreatedAt,
			Status: s.Status, Decision: s.Decision, Decisions: []AccessEvent{}, Views: []AccessEvent{}}
		if o := org(s.OrgID); o != nil {
			as.Reporter = &OrgContact{OrgID: o.ID, Name: o.Name, Contact: ContactPerson(o.Contact), Deputy: ContactPerson(o.Deputy)}
		}
		if as.Erased, err = p.store.ErasureOf(ctx, s.ID); err != nil {
			return rep, fmt.Errorf("read erasure: %w", err)
		}
		if withContent {
			if as.Content, err = p.content.AccessContentOf(ctx, s); err != nil {
				return rep, err
			}
		}
		if p.content != nil {
			if as.Duties, err = p.content.DutyRecordsOf(ctx, s, withContent); err != nil {
				return rep, err
			}
		}
		index[signalObject(s.ID)] = len(rep.Signals)
		rep.Signals = append(rep.Signals, as)
	}
	// The views each agenda entry made ([signal, view] indexes), for the
	// entries that refer to it.
	viewsOf := map[int64][][2]int{}
	// The audit entries about this young person, oldest first.
	for r, err := range p.log.AuditEntries(ctx, AuditFilter{Subject: subject}) {
		if err != nil {
			return rep, err
		}
		ev := AccessEvent{Seq: r.Seq, Time: r.Time, Action: r.Action, UserID: r.Actor.UserID, Role: string(r.Actor.Role)}
		if r.Actor.OrgID != "" {
			ev.Org = &OrgRef{ID: r.Actor.OrgID}
			if o := org(r.Actor.OrgID); o != nil {
				ev.Org.Name = o.Name
			}
		}
		if d := r.Decision; d != nil {
			ev.Recipient, ev.Outcome, ev.Level, ev.Rule = d.Recipient, d.Outcome, d.Level, d.Rule
			ev.Fields, ev.Reasons, ev.Policy = d.Fields, d.Reasons, d.PolicyVersion
		}
		if r.Action == ActionAgendaReopen {
			// The same disclosure shown again: when, under the views of
			// the entry it refers to.
			seq, err := strconv.ParseInt(strings.TrimPrefix(r.Object, "audit/"), 10, 64)
			if err == nil {
				for _, at := range viewsOf[seq] {
					v := &rep.Signals[at[0]].Views[at[1]]
					v.Again = append(v.Again, r.Time)
				}
			}
			continue
		}
		if meeting, inMeeting := strings.CutPrefix(r.Object, "meeting/"); r.Decision != nil && (inMeeting &&
			(r.Action == ActionAgendaView || r.Action == ActionAgendaProject || r.Action == ActionAgendaOpen) ||
			r.Action == ActionChronologyView) {
			// One entry per young person and decision for a view of the
			// agenda: a view of each signal it lists, with the fields
			// shown of that signal.
			for _, code := range r.Decision.Fields {
				shown, ok := ParseShownSignal(code)
				if i, mine := index[signalObject(shown.ID)]; ok && mine {
					view := ev
					view.Meeting, view.Fields = meeting, fieldCodes(shown.Fields)
					if !inMeeting { // a chronology: across meetings
						view.Meeting = ""
					}
					view.Texts = withText(textsOf(r.Decision.Texts, shown.ID), rep.Signals[i].Content)
					viewsOf[r.Seq] = append(viewsOf[r.Seq], [2]int{i, len(rep.Signals[i].Views)})
					rep.Signals[i].Views = append(rep.Signals[i].Views, view)
				}
			}
			continue
		}
		i, ok := index[r.Object]
		if !ok {
			continue
		}
		switch {
		case r.Action == ActionShareDecide:
			rep.Signals[i].Decisions = append(rep.Signals[i].Decisions, ev)
		case isView(r):
			if r.Decision != nil {
				ev.Texts = withText(textsOf(r.Decision.Texts, strings.TrimPrefix(r.Object, "signal/")), rep.Signals[i].Content)
			}
			rep.Signals[i].Views = append(rep.Signals[i].Views, ev)
		}
	}
	return rep, nil
}

func fieldCodes(fs []Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}
