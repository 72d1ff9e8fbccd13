package signal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Duties (issue 15 items 5 and 6): what a decision asks the reporter to do
// after sending, recorded with the signal. A report to Veilig Thuis is its
// own step with its own record (sending to the meeting is never that
// report); a justification and the consent (who, when, for what) are
// written down; informing the young person or the parents is recorded when
// and how it happened, or why it is postponed and until when. A duty stays
// open on the reporter's home until it is recorded, and a postponement
// that ran out opens it again.
//
// Records are appended, never changed: a postponement followed by "done"
// keeps both. The free text (the justification, what the consent covers,
// why informing waits) is sealed under the young person's key, like the
// signal's own text, and goes with it at erasure; the audit log has only
// the duty and its state, never the text.

// Duty is what the reporter records about a signal because of its decision.
type Duty string

const (
	// DutyReportVeiligThuis: the report under the reporting code was made
	// (obligation report_veilig_thuis).
	DutyReportVeiligThuis Duty = "report_veilig_thuis"
	// DutyInformYouthParents: the young person and/or the parents were
	// told, or why and until when that waits (obligation
	// inform_youth_parents).
	DutyInformYouthParents Duty = "inform_youth_parents"
	// DutyRecordJustification: why sharing is justified, in the reporter's
	// words (obligation record_justification).
	DutyRecordJustification Duty = "record_justification"
	// DutyRecordConsent: who consented, when, how and for what (a decision
	// on consent, rule R7).
	DutyRecordConsent Duty = "record_consent"
)

// Duties lists every Duty in the order a reporter meets them.
var Duties = []Duty{DutyReportVeiligThuis, DutyRecordConsent, DutyRecordJustification, DutyInformYouthParents}

// Valid reports whether d is one of Duties.
func (d Duty) Valid() bool { return oneOf(d, Duties) }

// DutyState is what a record says about its duty.
type DutyState string

const (
	DutyDone      DutyState = "done"
	DutyPostponed DutyState = "postponed" // only informing may wait
)

// DutyStates lists every DutyState.
var DutyStates = []DutyState{DutyDone, DutyPostponed}

// Valid reports whether s is one of DutyStates.
func (s DutyState) Valid() bool { return oneOf(s, DutyStates) }

// DutyHow is how a duty was carried out.
type DutyHow string

const (
	HowPhone    DutyHow = "phone"
	HowInPerson DutyHow = "in_person"
	HowWritten  DutyHow = "written" // a letter, an e-mail, a signed form
	HowOnline   DutyHow = "online"  // Veilig Thuis's online form
)

// DutyHows lists every DutyHow.
var DutyHows = []DutyHow{HowPhone, HowInPerson, HowWritten, HowOnline}

// Valid reports whether h is one of DutyHows.
func (h DutyHow) Valid() bool { return oneOf(h, DutyHows) }

// HowsFor are the ways duty d can be carried out, in the order offered.
func HowsFor(d Duty) []DutyHow {
	switch d {
	case DutyReportVeiligThuis:
		return []DutyHow{HowPhone, HowOnline}
	case DutyInformYouthParents, DutyRecordConsent:
		return []DutyHow{HowInPerson, HowPhone, HowWritten}
	}
	return nil
}

// Party is who consented or was informed.
type Party string

const (
	PartyYouth   Party = "youth"
	PartyParents Party = "parents" // the parents with authority, or the legal representative
)

// Parties lists every Party.
var Parties = []Party{PartyYouth, PartyParents}

// Valid reports whether p is one of Parties.
func (p Party) Valid() bool { return oneOf(p, Parties) }

// MaxPostpone is how long informing may wait per record: a postponement is
// looked at again at least every three months.
const MaxPostpone = 92 // days

// MaxDutyNote bounds a record's text.
const MaxDutyNote = 2000

// DutyRecord is one record about a duty of a signal.
type DutyRecord struct {
	Duty  Duty      `json:"duty"`
	State DutyState `json:"state"`
	// On is the day it was done (done), not after today.
	On Date `json:"on,omitzero"`
	// Until is the last day informing waits (postponed): after it, the
	// duty is open again.
	Until Date    `json:"until,omitzero"`
	How   DutyHow `json:"how,omitempty"`
	// Parties are who consented or was informed.
	Parties []Party `json:"parties,omitempty"`
	// Note is the justification, what the consent covers, or why informing
	// waits; sealed at rest, "" once erased.
	Note string `json:"note,omitempty"`
	// By and At: who recorded it and when (set by the service).
	By string    `json:"by,omitempty"`
	At time.Time `json:"at,omitzero"`
}

// validate checks r as recorded on today; problems name the form field.
func (r DutyRecord) validate(today Date) error {
	var fe FieldErrors
	if !r.Duty.Valid() {
		fe.Add("duty", "must be one of "+joinValues(Duties))
		return fe.Err()
	}
	switch {
	case !r.State.Valid():
		fe.Add("state", "must be done or postponed")
	case r.State == DutyPostponed && r.Duty != DutyInformYouthParents:
		// A report, a justification or a consent is not put off: the
		// young person's protection does not wait for a date.
		fe.Add("state", "only informing the young person or the parents can be postponed")
	}
	note := strings.TrimSpace(r.Note)
	if utf8.RuneCountInString(note) > MaxDutyNote {
		fe.Add("note", fmt.Sprintf("must be at most %d characters", MaxDutyNote))
	}
	if r.State == DutyPostponed {
		switch {
		case r.Until.IsZero():
			fe.Add("until", "is required: until when informing waits")
		case !today.Before(r.Until):
			fe.Add("until", "must be after today")
		case today.AddDays(MaxPostpone).Before(r.Until):
			fe.Add("until", fmt.Sprintf("must be within %d days: look at a postponement again at least every three months", MaxPostpone))
		}
		if note == "" {
			fe.Add("note", "is required: why informing waits")
		}
		if len(r.Parties) == 0 {
			fe.Add("parties", "is required: who is not told yet")
		}
		validParties(&fe, r.Parties)
		return fe.Err()
	}
	if r.Duty != DutyRecordJustification {
		switch {
		case r.On.IsZero():
			fe.Add("on", "is required: the day it happened")
		case today.Before(r.On):
			fe.Add("on", "cannot be in the future")
		}
		if !slices.Contains(HowsFor(r.Duty), r.How) {
			fe.Add("how", "must be one of "+joinValues(HowsFor(r.Duty)))
		}
	}
	switch r.Duty {
	case DutyRecordJustification:
		if utf8.RuneCountInString(note) < 10 {
			fe.Add("note", "is required: why sharing is justified, in at least 10 characters")
		}
	case DutyRecordConsent:
		if note == "" {
			fe.Add("note", "is required: what the consent covers (which information, to whom, for what)")
		}
		fallthrough
	case DutyInformYouthParents:
		if len(r.Parties) == 0 {
			fe.Add("parties", "is required: the young person, the parents or both")
		}
		validParties(&fe, r.Parties)
	}
	return fe.Err()
}

func validParties(fe *FieldErrors, ps []Party) {
	for _, p := range ps {
		if !p.Valid() {
			fe.Add("parties", "must be youth or parents")
			return
		}
	}
	if len(ps) == 2 && ps[0] == ps[1] {
		fe.Add("parties", "names the same party twice")
	}
}

func joinValues[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// DutiesOf are the duties decision d asks of its reporter: the obligations
// the reporter carries out (a report, a justification, informing) and,
// for a decision on consent, the consent record. An incomplete decision
// asks nothing yet, except a report the policy already requires.
func DutiesOf(d Decision) []Duty {
	var out []Duty
	has := func(o Obligation) bool { return slices.Contains(d.Obligations, o) }
	if has(ObligationReportVeiligThuis) {
		out = append(out, DutyReportVeiligThuis)
	}
	if d.Outcome == OutcomeIncomplete {
		return out
	}
	if d.Rule == RuleConsent {
		out = append(out, DutyRecordConsent)
	}
	if has(ObligationRecordJustification) {
		out = append(out, DutyRecordJustification)
	}
	if has(ObligationInformYouthParents) {
		out = append(out, DutyInformYouthParents)
	}
	return out
}

// DutyStatus is one duty of a signal as the reporter's screens show it.
type DutyStatus struct {
	Duty Duty `json:"duty"`
	// Open: nothing recorded, or a postponement that ran out.
	Open bool `json:"open"`
	// Current is the latest record, nil when none.
	Current *DutyRecord `json:"current,omitempty"`
	// History is every record, oldest first.
	History []DutyRecord `json:"history,omitempty"`
}

// statusOfDuties combines what d asks with what was recorded, on today.
// A record of a duty the decision no longer asks (the decision changed) is
// still shown.
func statusOfDuties(d Decision, recs []DutyRecord, today Date) []DutyStatus {
	asked := DutiesOf(d)
	var out []DutyStatus
	for _, duty := range Duties {
		var hist []DutyRecord
		for _, r := range recs {
			if r.Duty == duty {
				hist = append(hist, r)
			}
		}
		if !slices.Contains(asked, duty) && len(hist) == 0 {
			continue
		}
		st := DutyStatus{Duty: duty, History: hist, Open: slices.Contains(asked, duty)}
		if len(hist) > 0 {
			cur := hist[len(hist)-1]
			st.Current = &cur
			switch cur.State {
			case DutyDone:
				st.Open = false
			case DutyPostponed:
				st.Open = st.Open && !today.Before(cur.Until.AddDays(1))
			}
		}
		out = append(out, st)
	}
	return out
}

// DutyStore keeps the records of duties, appended with their audit events
// in one unit of work.
type DutyStore interface {
	// AppendDuty stores rec (its note sealed as noteCT) for signal id with
	// events; ErrKeyRetired when the young person's key was erased
	// meanwhile.
	AppendDuty(ctx context.Context, actor Actor, id string, rec DutyRecord, noteCT []byte, events []AuditEvent) error
	// DutiesOf returns the records of signal ids, oldest first per signal,
	// with each sealed note.
	DutyRecords(ctx context.Context, ids []string) (map[string][]SealedDuty, error)
}

// SealedDuty is a record as stored: its note sealed.
type SealedDuty struct {
	Record DutyRecord
	NoteCT []byte
}

func dutyAD(signalID string, at time.Time, duty Duty) []byte {
	return []byte("signal/" + signalID + "/duty/" + string(duty) + "/" + at.UTC().Format(time.RFC3339Nano))
}

// RecordDuty records rec about the reporter's own decided signal id: a
// report to Veilig Thuis made, the consent or the justification written
// down, the young person or parents informed, or informing postponed. It
// is audited (signal.duty: the duty and its state, never the text).
//
// Callers: the signal's reporter.
// Errors: CodeForbidden for anyone else's role, CodeNotFound for a signal
// that is not the reporter's own, CodeInvalid naming the field (a duty the
// decision does not ask, a date in the future, a postponement without a
// reason or beyond three months), CodeConflict once the content is erased.
func (s *Signals) RecordDuty(ctx context.Context, actor Actor, id string, rec DutyRecord) (DutyRecord, error) {
	if actor.Role != RoleReporter {
		return DutyRecord{}, Errorf(CodeForbidden, "only the reporter of a signal records what was done")
	}
	sig, err := s.store.Signal(ctx, id)
	if ErrorCode(err) == CodeNotFound || (err == nil && sig.ReporterID != actor.UserID) {
		return DutyRecord{}, Errorf(CodeNotFound, "no signal %s", id)
	}
	if err != nil {
		return DutyRecord{}, fmt.Errorf("find signal: %w", err)
	}
	if len(sig.Sealed.Name) == 0 {
		return DutyRecord{}, Errorf(CodeConflict, "the content of signal %s was erased", id)
	}
	if err := rec.validate(Today(s.now())); err != nil {
		return DutyRecord{}, err
	}
	if !slices.Contains(DutiesOf(sig.Decision), rec.Duty) {
		return DutyRecord{}, Invalid(FieldError{Field: "duty", Problem: "is not asked by this signal's decision"})
	}
	if s.duties == nil {
		return DutyRecord{}, Errorf(CodeUnavailable, "recording duties is not available on this server")
	}
	rec.Note = strings.TrimSpace(rec.Note)
	rec.By, rec.At = actor.UserID, s.now().UTC()
	if rec.Duty == DutyRecordJustification {
		rec.On = Today(s.now())
	}
	ev := AuditEvent{Action: ActionSignalDuty, Object: signalObject(id) + "/" + string(rec.Duty) + "/" + string(rec.State), Subject: sig.Youth}
	for try := 0; ; try++ {
		var ct []byte
		if rec.Note != "" {
			if ct, err = s.vault.Seal(ctx, sig.Youth, dutyAD(id, rec.At, rec.Duty), []byte(rec.Note)); err != nil {
				if errors.Is(err, ErrContentErased) {
					return DutyRecord{}, Errorf(CodeConflict, "the content of signal %s was erased", id)
				}
				return DutyRecord{}, fmt.Errorf("seal the note: %w", err)
			}
		}
		err = s.duties.AppendDuty(ctx, actor, id, rec, ct, []AuditEvent{ev})
		if errors.Is(err, ErrKeyRetired) && try < 2 {
			continue
		}
		if errors.Is(err, ErrKeyRetired) {
			return DutyRecord{}, Errorf(CodeConflict, "the content of signal %s was erased", id)
		}
		if err != nil {
			return DutyRecord{}, fmt.Errorf("store the record: %w", err)
		}
		return rec, nil
	}
}

// DutiesOfSignal is what the reporter's own signal id asks of them and what
// they recorded, notes unsealed (the reporter wrote them).
//
// Callers: the signal's reporter.
// Errors: CodeForbidden, CodeNotFound for a signal that is not the
// reporter's own.
func (s *Signals) DutiesOfSignal(ctx context.Context, actor Actor, id string) ([]DutyStatus, error) {
	if actor.Role != RoleReporter {
		return nil, Errorf(CodeForbidden, "only the reporter of a signal reads its duties")
	}
	sig, err := s.store.Signal(ctx, id)
	if ErrorCode(err) == CodeNotFound || (err == nil && sig.ReporterID != actor.UserID) {
		return nil, Errorf(CodeNotFound, "no signal %s", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find signal: %w", err)
	}
	recs, err := s.dutyRecords(ctx, sig, true)
	if err != nil {
		return nil, err
	}
	return statusOfDuties(sig.Decision, recs, Today(s.now())), nil
}

// dutyRecords are sig's records, oldest first, notes unsealed when
// withNotes (an erased note reads "").
func (s *Signals) dutyRecords(ctx context.Context, sig *Signal, withNotes bool) ([]DutyRecord, error) {
	if s.duties == nil {
		return nil, nil
	}
	m, err := s.duties.DutyRecords(ctx, []string{sig.ID})
	if err != nil {
		return nil, fmt.Errorf("read duties: %w", err)
	}
	var out []DutyRecord
	for _, sd := range m[sig.ID] {
		r := sd.Record
		if withNotes && len(sd.NoteCT) > 0 {
			plain, err := s.vault.Unseal(ctx, sig.Youth, dutyAD(sig.ID, r.At, r.Duty), sd.NoteCT)
			switch {
			case errors.Is(err, ErrContentErased):
			case err != nil:
				return nil, fmt.Errorf("unseal a duty's note: %w", err)
			default:
				r.Note = string(plain)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// OpenDuty is a duty still open on one of the reporter's signals.
type OpenDuty struct {
	SignalID   string
	Category   Category
	ObservedOn Date
	Duty       Duty
	// Since is when the signal was decided (its last update).
	Since time.Time
	// Lapsed is the end of a postponement that ran out; zero otherwise.
	Lapsed Date
}

// maxOpenScan bounds how many of a reporter's newest signals OpenDuties
// looks at.
const maxOpenScan = 500

// OpenDuties are the duties still open on the reporter's own signals (the
// newest 500), oldest first: what their home lists until it is done. Only
// ids and codes: the home shows the young person's name from its own list.
//
// Callers: a reporter.
// Errors: CodeForbidden.
func (s *Signals) OpenDuties(ctx context.Context, actor Actor) ([]OpenDuty, error) {
	if actor.Role != RoleReporter {
		return nil, Errorf(CodeForbidden, "only reporters have duties")
	}
	sigs, err := s.store.Signals(ctx, SignalQuery{ReporterID: actor.UserID, Limit: maxOpenScan})
	if err != nil {
		return nil, fmt.Errorf("list signals: %w", err)
	}
	var ids []string
	for _, sig := range sigs {
		// An erased signal asks nothing more of anyone.
		if len(sig.Sealed.Name) > 0 && len(DutiesOf(sig.Decision)) > 0 {
			ids = append(ids, sig.ID)
		}
	}
	if len(ids) == 0 || s.duties == nil {
		return nil, nil
	}
	recs, err := s.duties.DutyRecords(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read duties: %w", err)
	}
	today := Today(s.now())
	var out []OpenDuty
	for i := len(sigs) - 1; i >= 0; i-- {
		sig := sigs[i]
		if len(sig.Sealed.Name) == 0 {
			continue
		}
		var rs []DutyRecord
		for _, sd := range recs[sig.ID] {
			rs = append(rs, sd.Record)
		}
		for _, st := range statusOfDuties(sig.Decision, rs, today) {
			if !st.Open {
				continue
			}
			od := OpenDuty{SignalID: sig.ID, Category: sig.Category, ObservedOn: sig.ObservedOn, Duty: st.Duty, Since: sig.UpdatedAt}
			if st.Current != nil && st.Current.State == DutyPostponed {
				od.Lapsed = st.Current.Until
			}
			out = append(out, od)
		}
	}
	return out, nil
}
