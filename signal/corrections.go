package signal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Corrections (issue 16 item 4): an action or a decision is corrected by
// writing a new version; the one it replaces stays in the record's history
// (nothing is overwritten), with who wrote each version, when, and why (a
// code from a fixed list, never free text). The agenda and the minutes show
// the current version with a "gewijzigd" mark; RecordHistory shows every
// version at the levels the reader may see. The texts of every version are
// sealed under the young person's key, so an erasure takes them all.
// A closed case can be reopened with a reason; its earlier closing is kept.

// CorrectionReason is why a record was corrected: a code, never free text.
type CorrectionReason string

const (
	CorrectionMistake CorrectionReason = "mistake" // it was recorded wrongly
	CorrectionChanged CorrectionReason = "changed" // the agreement changed since
	// CorrectionDone is the owner or coordinator marking an action done
	// (or not done again): a new version like a correction.
	CorrectionDone CorrectionReason = "done"
)

// CorrectionReasons are the reasons a person may give (CorrectionDone is
// the system's own).
var CorrectionReasons = []CorrectionReason{CorrectionMistake, CorrectionChanged}

// RecordKind names the kind of a corrected record.
type RecordKind string

const (
	RecordAction   RecordKind = "action"
	RecordDecision RecordKind = "decision"
)

// RecordVersion is one earlier version of an action or a decision as
// stored: its text sealed as it was.
type RecordVersion struct {
	Kind     RecordKind
	RecordID string
	CaseID   string
	Version  int
	Text     []byte
	Needs    []Field
	// Actions.
	OwnerID string
	Due     Date
	DoneOn  *Date
	// Decisions.
	DecisionKind DecisionKind
	// Written is who wrote this version, when and why (the first: who
	// recorded it, no reason).
	Written Revision
}

// CaseReopenReason is why a closed case was reopened: a fixed list.
type CaseReopenReason string

const (
	CaseReopenNewConcern   CaseReopenReason = "new_concern"    // new worries about the young person
	CaseReopenClosedWrong  CaseReopenReason = "closed_wrongly" // closed by mistake or too early
	CaseReopenSupportEnded CaseReopenReason = "support_ended"  // the support it was closed for stopped
	// CaseReopenRecorded: the meeting recorded something about the closed
	// case (the system's own reason).
	CaseReopenRecorded CaseReopenReason = "recorded"
)

// CaseReopenReasons are the reasons a coordinator may give.
var CaseReopenReasons = []CaseReopenReason{CaseReopenNewConcern, CaseReopenClosedWrong, CaseReopenSupportEnded}

// CaseClosing is one earlier closing of a case that was reopened.
type CaseClosing struct {
	ClosedAt      time.Time        `json:"closed_at"`
	CloseReason   CloseReason      `json:"close_reason"`
	ClosedMeeting string           `json:"closed_meeting"`
	ReopenedAt    time.Time        `json:"reopened_at"`
	ReopenedBy    string           `json:"-"`
	ReopenReason  CaseReopenReason `json:"reopen_reason"`
}

// ActionCorrection is the body of a correction of an action: the whole new
// version (the form shows the current one to change).
type ActionCorrection struct {
	OwnerID     string           `json:"owner_id"`
	Description string           `json:"description"`
	Due         string           `json:"due_on"`
	Reason      CorrectionReason `json:"reason"`
	// Version is the version being corrected (0: whatever is current); a
	// correction of a version that was replaced meanwhile is CodeConflict.
	Version int `json:"version"`
}

// DecisionCorrection is the body of a correction of a decision.
type DecisionCorrection struct {
	Kind    DecisionKind     `json:"kind"`
	Text    string           `json:"text"`
	Reason  CorrectionReason `json:"reason"`
	Version int              `json:"version"` // as ActionCorrection.Version
}

// RecordHistory is every version of an action or a decision, oldest first,
// the current one last.
type RecordHistory struct {
	Kind      RecordKind          `json:"kind"`
	ID        string              `json:"id"`
	MeetingID string              `json:"meeting_id"`
	CaseID    string              `json:"case_id"`
	Ref       string              `json:"ref"`
	Versions  []RecordVersionView `json:"versions"`
}

// RecordVersionView is one version as the reader may see it: its text only
// where the item allows it (Withheld otherwise), Erased once erased.
type RecordVersionView struct {
	Version      int              `json:"version"`
	Current      bool             `json:"current"`
	Text         string           `json:"text,omitempty"`
	Erased       bool             `json:"erased,omitempty"`
	Withheld     bool             `json:"withheld,omitempty"`
	Owner        *Professional    `json:"owner,omitempty"`
	Due          *Date            `json:"due_on,omitempty"`
	DoneOn       *Date            `json:"done_on,omitempty"`
	DecisionKind DecisionKind     `json:"decision_kind,omitempty"`
	WrittenBy    string           `json:"written_by"` // the name
	WrittenAt    time.Time        `json:"written_at"`
	Reason       CorrectionReason `json:"reason,omitempty"`
}

// caseOfRecord finds the case of action or decision id in the coordinator's
// cooperation.
func (m *Meetings) caseOfRecord(ctx context.Context, actor Actor, kind RecordKind, id string) (string, *CaseSet, *Case, error) {
	return m.coordinatorCase(ctx, actor, "no "+string(kind)+" "+id, func(cs *CaseSet) string {
		switch kind {
		case RecordAction:
			for _, a := range cs.Actions {
				if a.ID == id {
					return a.CaseID
				}
			}
		case RecordDecision:
			for _, d := range cs.Decisions {
				if d.ID == id {
					return d.CaseID
				}
			}
		}
		return ""
	})
}

// coordinatorCase finds the case that caseOf names among the cases of the
// coordinator's cooperation (CodeNotFound with notFound when none).
func (m *Meetings) coordinatorCase(ctx context.Context, actor Actor, notFound string, caseOf func(*CaseSet) string) (string, *CaseSet, *Case, error) {
	coop, err := m.coordinatorCoop(ctx, actor)
	if err != nil {
		return "", nil, nil, err
	}
	cs, err := m.cases.Cases(ctx, coop)
	if err != nil {
		return "", nil, nil, fmt.Errorf("read cases: %w", err)
	}
	if id := caseOf(cs); id != "" {
		for _, c := range cs.Cases {
			if c.ID == id {
				return coop, cs, c, nil
			}
		}
	}
	return "", nil, nil, Errorf(CodeNotFound, "%s", notFound)
}

// fieldsOf is the field problems of a validation's error (none for nil).
func fieldsOf(err error) FieldErrors {
	var se *Error
	if errors.As(err, &se) {
		return append(FieldErrors(nil), se.Fields...)
	}
	return nil
}

func validCorrection(fe *FieldErrors, reason CorrectionReason, version int) {
	if reason != "" && !slices.Contains(CorrectionReasons, reason) {
		fe.Add("reason", "must be one of "+strings.Join(enumStrings(CorrectionReasons), ", ")+" or empty")
	}
	if version < 0 {
		fe.Add("version", "must not be negative")
	}
}

func enumStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// CorrectAction writes a new version of action id (owner, description, due
// date); the version it replaces stays in the action's history. A
// correction that changes nothing stores nothing (a post sent twice is
// stored once). The description is checked as AddAction checks it.
// Audited as action.correct (object the action, subject the young person).
//
// Callers: the coordinator of the action's cooperation, at any time (also
// after the meeting was held). Errors: CodeForbidden for anyone else,
// CodeNotFound for an unknown action or one whose young person the meeting
// may no longer see, CodeInvalid with every field problem (owner_id,
// description, due_on: not in the past unless unchanged, reason, version),
// CodeConflict when version was replaced meanwhile, the young person's
// data is restricted, or their key was retired by an erasure meanwhile.
func (m *Meetings) CorrectAction(ctx context.Context, actor Actor, id string, in ActionCorrection) (ActionView, error) {
	coop, cs, c, err := m.caseOfRecord(ctx, actor, RecordAction, id)
	if err != nil {
		return ActionView{}, err
	}
	var cur *Action
	for _, a := range cs.Actions {
		if a.ID == id {
			cur = a
		}
	}
	// As a new action, except that an unchanged due date may lie in the past.
	today := Today(m.now())
	if in.Due == cur.Due.String() && cur.Due.Before(today) {
		today = cur.Due
	}
	due, err := NewAction{OwnerID: in.OwnerID, Description: in.Description, Due: in.Due}.Validate(today)
	fe := fieldsOf(err)
	text := strings.TrimSpace(in.Description)
	validCorrection(&fe, in.Reason, in.Version)
	if err := fe.Err(); err != nil {
		return ActionView{}, err
	}
	if in.Version != 0 && in.Version != max(cur.Version, 1) {
		return ActionView{}, Errorf(CodeConflict, "action %s was changed meanwhile (version %d, not %d): look at it again", id, max(cur.Version, 1), in.Version)
	}
	_, item, err := m.resolveItem(ctx, actor, coop, c.ItemRef())
	if err != nil {
		return ActionView{}, err
	}
	owner, err := m.professional(ctx, coop, in.OwnerID, "owner_id")
	if err != nil {
		return ActionView{}, err
	}
	needs, err := m.checkItemText(ctx, actor, *c, item, "description", text)
	if err != nil {
		return ActionView{}, err
	}
	old, erased, err := m.disclosure.caseText(ctx, c, actionAD(id), cur.Description)
	if err != nil {
		return ActionView{}, err
	}
	if !erased && old == text && cur.OwnerID == owner.UserID && cur.Due == due {
		return m.storedAction(ctx, actor, id)
	}
	ct, err := m.vault.Seal(ctx, c.Youth, actionAD(id), []byte(text))
	if err != nil {
		return ActionView{}, fmt.Errorf("seal action: %w", err)
	}
	next := *cur
	next.OwnerID, next.Due, next.Description, next.Needs, next.Version = owner.UserID, due, ct, needs, max(cur.Version, 1)+1
	next.Revision = &Revision{By: actor.UserID, At: m.now().UTC(), Reason: in.Reason}
	ev := AuditEvent{Action: ActionActionCorrect, Object: "action/" + id, Subject: c.Youth}
	if err := m.cases.CorrectAction(ctx, actor, c.Youth, &next, []AuditEvent{ev}); err != nil {
		return ActionView{}, correctionErr(err, "action")
	}
	return m.storedAction(ctx, actor, id)
}

// CorrectDecision writes a new version of decision id (kind, text); the
// version it replaces stays in its history. As CorrectAction, with the
// text's problems under "text" and audited as decision.correct.
//
// Callers and errors: as CorrectAction (kind: one of DecisionKinds).
func (m *Meetings) CorrectDecision(ctx context.Context, actor Actor, id string, in DecisionCorrection) (DecisionView, error) {
	coop, cs, c, err := m.caseOfRecord(ctx, actor, RecordDecision, id)
	if err != nil {
		return DecisionView{}, err
	}
	var cur *CaseDecision
	for _, d := range cs.Decisions {
		if d.ID == id {
			cur = d
		}
	}
	fe := fieldsOf(NewDecision{Kind: in.Kind, Text: in.Text}.Validate())
	validCorrection(&fe, in.Reason, in.Version)
	if err := fe.Err(); err != nil {
		return DecisionView{}, err
	}
	if in.Version != 0 && in.Version != max(cur.Version, 1) {
		return DecisionView{}, Errorf(CodeConflict, "decision %s was changed meanwhile (version %d, not %d): look at it again", id, max(cur.Version, 1), in.Version)
	}
	_, item, err := m.resolveItem(ctx, actor, coop, c.ItemRef())
	if err != nil {
		return DecisionView{}, err
	}
	text := strings.TrimSpace(in.Text)
	needs, err := m.checkItemText(ctx, actor, *c, item, "text", text)
	if err != nil {
		return DecisionView{}, err
	}
	old, erased, err := m.disclosure.caseText(ctx, c, decisionAD(id), cur.Text)
	if err != nil {
		return DecisionView{}, err
	}
	if !erased && old == text && cur.Kind == in.Kind {
		return m.storedDecision(ctx, actor, id)
	}
	ct, err := m.vault.Seal(ctx, c.Youth, decisionAD(id), []byte(text))
	if err != nil {
		return DecisionView{}, fmt.Errorf("seal decision: %w", err)
	}
	next := *cur
	next.Kind, next.Text, next.Needs, next.Version = in.Kind, ct, needs, max(cur.Version, 1)+1
	next.Revision = &Revision{By: actor.UserID, At: m.now().UTC(), Reason: in.Reason}
	ev := AuditEvent{Action: ActionDecisionCorrect, Object: "decision/" + id, Subject: c.Youth}
	if err := m.cases.CorrectDecision(ctx, actor, c.Youth, &next, []AuditEvent{ev}); err != nil {
		return DecisionView{}, correctionErr(err, "decision")
	}
	return m.storedDecision(ctx, actor, id)
}

func correctionErr(err error, what string) error {
	switch {
	case errors.Is(err, ErrKeyRetired):
		return Errorf(CodeConflict, "the young person's data was erased meanwhile: the %s was not corrected", what)
	case ErrorCode(err) == CodeConflict || ErrorCode(err) == CodeNotFound:
		return err
	}
	return fmt.Errorf("store corrected %s: %w", what, err)
}

// RecordHistory returns every version of action or decision id, oldest
// first, the current one last: texts where the item, as the reader may see
// it now, allows them (Withheld otherwise; Erased once the young person's
// data was erased). Audited as record.history (object the case, subject
// the young person): a read of content the access report and the
// oversight count.
//
// Callers: the coordinator of the record's cooperation. Errors:
// CodeForbidden for anyone else, CodeNotFound for an unknown record or
// kind.
func (m *Meetings) RecordHistory(ctx context.Context, actor Actor, kind RecordKind, id string) (RecordHistory, error) {
	if kind != RecordAction && kind != RecordDecision {
		return RecordHistory{}, Errorf(CodeNotFound, "no record kind %q", kind)
	}
	coop, cs, c, err := m.caseOfRecord(ctx, actor, kind, id)
	if err != nil {
		return RecordHistory{}, err
	}
	old, err := m.cases.Versions(ctx, kind, id)
	if err != nil {
		return RecordHistory{}, fmt.Errorf("read versions: %w", err)
	}
	h := RecordHistory{Kind: kind, ID: id, CaseID: c.ID, Ref: c.ItemRef(), Versions: []RecordVersionView{}}
	// The current version, as the last of the list.
	cur := RecordVersion{Kind: kind, RecordID: id, CaseID: c.ID}
	switch kind {
	case RecordAction:
		for _, a := range cs.Actions {
			if a.ID == id {
				h.MeetingID = a.MeetingID
				cur.Version, cur.Text, cur.Needs, cur.OwnerID, cur.Due, cur.DoneOn = max(a.Version, 1), a.Description, a.Needs, a.OwnerID, a.Due, a.DoneOn
				cur.Written = Revision{By: a.CreatedBy, At: a.CreatedAt}
				if a.Revision != nil {
					cur.Written = *a.Revision
				}
			}
		}
	case RecordDecision:
		for _, d := range cs.Decisions {
			if d.ID == id {
				h.MeetingID = d.MeetingID
				cur.Version, cur.Text, cur.Needs, cur.DecisionKind = max(d.Version, 1), d.Text, d.Needs, d.Kind
				cur.Written = Revision{By: d.CreatedBy, At: d.CreatedAt}
				if d.Revision != nil {
					cur.Written = *d.Revision
				}
			}
		}
	}
	items, _, err := m.caseItems(ctx, m.disclosure.perRequest(), actor, coop, []*Case{c})
	if err != nil {
		return RecordHistory{}, err
	}
	allow := items[0].allow
	if restricted, err := m.disclosure.restricted(ctx, c.CooperationID, c.Youth); err != nil {
		return RecordHistory{}, err
	} else if restricted {
		allow = textAllowance{}
	}
	pros, err := m.professionals(ctx, coop)
	if err != nil {
		return RecordHistory{}, err
	}
	ad := actionAD(id)
	if kind == RecordDecision {
		ad = decisionAD(id)
	}
	for _, v := range append(old, cur) {
		vv := RecordVersionView{Version: v.Version, Current: v.Version == cur.Version, DoneOn: v.DoneOn, DecisionKind: v.DecisionKind,
			WrittenAt: v.Written.At, Reason: v.Written.Reason}
		if p, ok := pros[v.Written.By]; ok {
			vv.WrittenBy = p.Name
		}
		if kind == RecordAction {
			due := v.Due
			vv.Due = &due
			if p, ok := pros[v.OwnerID]; ok {
				vv.Owner = &p
			} else {
				vv.Owner = &Professional{UserID: v.OwnerID, Name: "(account no longer active)"}
			}
		}
		if !allow.shows(v.Needs) {
			vv.Withheld = true
		} else if vv.Text, vv.Erased, err = m.disclosure.caseText(ctx, c, ad, v.Text); err != nil {
			return RecordHistory{}, err
		}
		h.Versions = append(h.Versions, vv)
	}
	if err := m.audit.Record(ctx, actor, []AuditEvent{{Action: ActionRecordHistory, Object: caseObject(c.ID), Subject: c.Youth}}); err != nil {
		return RecordHistory{}, fmt.Errorf("audit history: %w", err)
	}
	return h, nil
}

// ReopenCase opens the closed case of item ref again with a reason; the
// closing stays in the case's history (Closings) and the case is on the
// next agenda as running. Audited as case.reopen (object the case, subject
// the young person; the reason is kept as a code in the database).
//
// Callers: the coordinator of the case's cooperation (the page asks for a
// confirmation first). Errors: CodeForbidden for anyone else, CodeNotFound
// for an unknown ref or one without a case, CodeInvalid for a reason not in
// CaseReopenReasons, CodeConflict when the case is not closed.
func (m *Meetings) ReopenCase(ctx context.Context, actor Actor, ref string, reason CaseReopenReason) (CaseView, error) {
	var fe FieldErrors
	requireOneOf(&fe, "reason", reason, CaseReopenReasons)
	if err := fe.Err(); err != nil {
		return CaseView{}, err
	}
	_, _, c, err := m.coordinatorCase(ctx, actor, "no case for "+ref, func(cs *CaseSet) string {
		for _, k := range cs.Cases {
			if k.ItemRef() == ref {
				return k.ID
			}
		}
		return ""
	})
	if err != nil {
		return CaseView{}, err
	}
	if c.Status != CaseClosed {
		return CaseView{}, Errorf(CodeConflict, "this case is not closed")
	}
	ev := AuditEvent{Action: ActionCaseReopen, Object: caseObject(c.ID), Subject: c.Youth}
	if err := m.cases.ReopenCase(ctx, actor, c.ID, reason, m.now().UTC(), []AuditEvent{ev}); err != nil {
		if code := ErrorCode(err); code == CodeConflict || code == CodeNotFound {
			return CaseView{}, err
		}
		return CaseView{}, fmt.Errorf("store reopening: %w", err)
	}
	return m.storedRecord(ctx, actor, func(*CaseSet) string { return c.ID })
}

// CorrectRisk writes a new text for risk riskID in planned meeting
// meetingID; the text it replaces is kept (RiskNote.Versions), with who
// wrote it, when and why (a code). The text is checked as AddRisk checks
// it. The same text again stores nothing. Audited as meeting.risk_correct
// (object the meeting; never the text or the reason).
//
// Callers: the coordinator of the risk's cooperation. Errors:
// CodeForbidden for anyone else, CodeNotFound for an unknown risk or
// meeting, CodeInvalid with the problems of "text" (as AddRisk) and
// "reason", CodeConflict once the meeting was held or when version (not
// 0) was replaced meanwhile.
func (m *Meetings) CorrectRisk(ctx context.Context, actor Actor, meetingID, riskID, text string, reason CorrectionReason, version int) (RiskNote, error) {
	var fe FieldErrors
	if p := validText(text, MaxTextLength); p != "" {
		fe.Add("text", p)
	}
	validCorrection(&fe, reason, version)
	if err := fe.Err(); err != nil {
		return RiskNote{}, err
	}
	coop, mt, r, err := m.meetingRisk(ctx, actor, meetingID, riskID)
	if err != nil {
		return RiskNote{}, err
	}
	if mt.Status != MeetingPlanned {
		return RiskNote{}, Errorf(CodeConflict, "this meeting was closed; correct it in the next meeting")
	}
	cur := max(r.TextVersion, 1)
	if version != 0 && version != cur {
		return RiskNote{}, Errorf(CodeConflict, "risk %s was changed meanwhile (version %d, not %d): look at it again", riskID, cur, version)
	}
	text = strings.TrimSpace(text)
	if err := m.checkDetachedText(ctx, actor, coop, "text", text); err != nil {
		return RiskNote{}, err
	}
	if r.Checked && r.Text == text {
		rs, err := m.checkedRisks(ctx, actor, coop, []RiskNote{*r})
		if err != nil {
			return RiskNote{}, err
		}
		return rs[0], nil
	}
	next := *r
	next.Text, next.Checked, next.TextVersion = text, true, cur+1
	if err := m.sealRisk(ctx, coop, &next); err != nil {
		return RiskNote{}, err
	}
	rev := Revision{By: actor.UserID, At: m.now().UTC(), Reason: reason}
	if err := m.meetings.CorrectRiskText(ctx, actor, mt.ID, &next, rev, []AuditEvent{{Action: ActionMeetingRiskCorrect, Object: meetingObject(mt.ID)}}); err != nil {
		return RiskNote{}, storeErr(err, "store risk correction")
	}
	r, _, err = m.meetings.Risk(ctx, riskID)
	if err != nil {
		return RiskNote{}, fmt.Errorf("find risk: %w", err)
	}
	rs, err := m.checkedRisks(ctx, actor, coop, []RiskNote{*r})
	if err != nil {
		return RiskNote{}, err
	}
	return rs[0], nil
}
