package signal

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file holds the periodic signal meeting (signaleringsoverleg / zorg-
// adviesteam) as domain types: the meeting with its members and agenda, the
// case per young person that runs across meetings (one lead professional,
// agreed actions, decisions including a decision not to act, closing), and
// the standing item "risks and bottlenecks".

// MeetingStatus is where a meeting is in its life.
type MeetingStatus string

const (
	// MeetingPlanned: the agenda builds itself and the meeting records
	// leads, actions and decisions.
	MeetingPlanned MeetingStatus = "planned"
	// MeetingHeld: the chair closed the meeting; its minutes are final and
	// nothing more is recorded under it.
	MeetingHeld MeetingStatus = "held"
	// MeetingCancelled: the meeting will not take place. It has no window
	// of its own: what it would have discussed is on the next meeting held
	// (see Agenda).
	MeetingCancelled MeetingStatus = "cancelled"
)

// Meeting is one session of a cooperation's signal meeting.
type Meeting struct {
	ID            string        `json:"id"`
	CooperationID string        `json:"cooperation_id"`
	Title         string        `json:"title"`
	StartsAt      time.Time     `json:"starts_at"`
	Status        MeetingStatus `json:"status"`
	// Members are the partner organisations taking part; their contact
	// persons (aanspreekpunten) attend and receive the minutes.
	Members   []string  `json:"members"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// HeldAt is when the chair closed the meeting: the end of its agenda's
	// window and the start of the next one's.
	HeldAt      *time.Time `json:"held_at,omitempty"`
	CancelledAt *time.Time `json:"cancelled_at,omitempty"`
	// TitleWithheld: the title given was never checked or did not pass
	// the check (written before the check existed), so Title is the
	// neutral "Overleg van <date>" (meeting_title.go).
	TitleWithheld bool `json:"title_withheld,omitempty"`
	// SealedTitle is the title sealed under the cooperation's key, as the
	// store keeps it (never the title itself); TitleChecked is set when
	// the title passed the text check.
	SealedTitle  []byte `json:"-"`
	TitleChecked bool   `json:"-"`
}

// NewMeeting is what a coordinator plans (the body of POST /api/v1/meetings).
type NewMeeting struct {
	Title    string `json:"title"`
	StartsAt string `json:"starts_at"` // RFC 3339, e.g. 2026-12-03T14:00:00+01:00
	// Members lists organisation ids of the cooperation; empty means the
	// standing members the administrator recorded, else every partner.
	Members []string `json:"members,omitempty"`
}

// MaxTextLength bounds the free text of a decision, an action or a risk:
// minutes are short by design.
const MaxTextLength = 2_000

// validText reports the problem with a required free text, or "".
func validText(s string, max int) string {
	switch t := strings.TrimSpace(s); {
	case t == "":
		return "is required"
	case utf8.RuneCountInString(t) > max:
		return "must be at most " + strconv.Itoa(max) + " characters"
	case strings.ContainsFunc(t, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		return "must not contain control characters"
	}
	return ""
}

// Validate checks a planned meeting; now is the current time.
func (in NewMeeting) Validate(now time.Time) (title string, startsAt time.Time, err error) {
	var fe FieldErrors
	if p := validText(in.Title, 200); p != "" {
		fe.Add("title", p)
	}
	startsAt = validStart(&fe, in.StartsAt, now)
	seen := map[string]bool{}
	for i, m := range in.Members {
		path := "members[" + strconv.Itoa(i) + "]"
		switch {
		case strings.TrimSpace(m) == "":
			fe.Add(path, "is empty")
		case seen[m]:
			fe.Add(path, strconv.Quote(m)+" is listed twice")
		}
		seen[m] = true
	}
	return strings.TrimSpace(in.Title), startsAt, fe.Err()
}

// validStart reads a meeting's planned start (RFC 3339), adding its problem
// to fe.
func validStart(fe *FieldErrors, s string, now time.Time) time.Time {
	if s == "" {
		fe.Add("starts_at", "is required")
	} else if t, perr := time.Parse(time.RFC3339, s); perr != nil {
		fe.Add("starts_at", "must be a date and time written as 2026-12-03T14:00:00+01:00")
	} else if t.Before(now.Add(-365 * 24 * time.Hour)) {
		fe.Add("starts_at", "must not be more than a year ago")
	} else {
		return t.UTC()
	}
	return time.Time{}
}

// AttendanceStatus is how a member organisation took part in a meeting.
type AttendanceStatus string

const (
	AttendancePresent   AttendanceStatus = "present"
	AttendanceApologies AttendanceStatus = "apologies" // afgemeld: sent apologies
	AttendanceAbsent    AttendanceStatus = "absent"    // without notice
)

// AttendanceStatuses lists every AttendanceStatus.
var AttendanceStatuses = []AttendanceStatus{AttendancePresent, AttendanceApologies, AttendanceAbsent}

// ReopenReason is why a held meeting was reopened: a fixed list, not free
// text (it shows in the minutes, kept in the clear).
type ReopenReason string

const (
	ReopenCorrection     ReopenReason = "correction"       // something was recorded wrongly
	ReopenForgotten      ReopenReason = "forgotten"        // something was not recorded
	ReopenClosedTooEarly ReopenReason = "closed_too_early" // closed before the meeting ended
)

// ReopenReasons lists every ReopenReason.
var ReopenReasons = []ReopenReason{ReopenCorrection, ReopenForgotten, ReopenClosedTooEarly}

// Reopening is one reopening of a held meeting.
type Reopening struct {
	Reason ReopenReason `json:"reason"`
	// HeldAt is when the meeting had been closed before.
	HeldAt time.Time `json:"held_at"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// CaseStatus is whether a young person's case is still followed up.
type CaseStatus string

const (
	CaseOpen   CaseStatus = "open"
	CaseClosed CaseStatus = "closed"
)

// CloseReason is why a case was closed. A fixed list, not free text: the
// reason shows in the evaluation and in the reporter's feedback.
type CloseReason string

const (
	CloseResolved  CloseReason = "resolved"   // the concern is taken away
	CloseReferred  CloseReason = "referred"   // care continues elsewhere (e.g. wijkteam, Veilig Thuis)
	CloseNoConcern CloseReason = "no_concern" // combined, the signals were no cause for concern
	CloseMovedAway CloseReason = "moved_away" // the young person left the area of the cooperation
)

// CloseReasons lists every CloseReason.
var CloseReasons = []CloseReason{CloseResolved, CloseReferred, CloseNoConcern, CloseMovedAway}

// Valid reports whether r is one of CloseReasons.
func (r CloseReason) Valid() bool { return oneOf(r, CloseReasons) }

// DecisionKind is what the meeting decided about a young person.
type DecisionKind string

const (
	// DecisionAct: the meeting decided to act (the actions say how).
	DecisionAct DecisionKind = "act"
	// DecisionNoAction: the meeting decided not to act, and says why. A
	// recorded decision not to act is as much an outcome as an action
	// (the reporting code and good practice ask that it be recorded).
	DecisionNoAction DecisionKind = "no_action"
)

// DecisionKinds lists every DecisionKind.
var DecisionKinds = []DecisionKind{DecisionAct, DecisionNoAction}

// Valid reports whether k is one of DecisionKinds.
func (k DecisionKind) Valid() bool { return oneOf(k, DecisionKinds) }

// Case is what a cooperation follows up about one young person, across
// meetings. An anonymous case is about one signal the meeting may only see
// without identity: it is never joined with the young person's other
// signals, because that would disclose who it is about.
type Case struct {
	ID            string
	CooperationID string
	// Youth is the keyed pseudonym of the young person (the audit Subject);
	// never shown for an anonymous case.
	Youth string
	// AnonymousSignal is the signal an anonymous case is about; "" for a
	// case about an identified young person.
	AnonymousSignal string
	Status          CaseStatus
	Lead            *LeadProfessional
	OpenedAt        time.Time
	OpenedMeeting   string
	ClosedAt        *time.Time
	CloseReason     CloseReason
	ClosedMeeting   string
}

// ItemRef is how the agenda and the API name a case's subject: "y-" and
// the young person's pseudonym, or "s-" and the id of an anonymous signal.
func (c *Case) ItemRef() string { return itemRef(c.Youth, c.AnonymousSignal) }

func itemRef(youth, anonSignal string) string {
	if anonSignal != "" {
		return "s-" + anonSignal
	}
	return "y-" + youth
}

// LeadProfessional (één vaste begeleider) is the one professional who keeps
// in touch with the young person for the cooperation.
type LeadProfessional struct {
	UserID     string    `json:"user_id"`
	Name       string    `json:"name"`
	OrgName    string    `json:"organisation"`
	Email      string    `json:"email"`
	AssignedAt time.Time `json:"assigned_at"`
	MeetingID  string    `json:"meeting_id"`
	// Until is when the next lead took over (set in a lead history; nil:
	// still lead).
	Until *time.Time `json:"until,omitempty"`
}

// Action is what someone agreed to do for a young person, by a date.
type Action struct {
	ID          string
	CaseID      string
	MeetingID   string
	OwnerID     string
	Description []byte // sealed under the young person's key
	// Needs are the fields the description carries (from the text check
	// when it was written): it is shown only where the item allows them
	// all. nil: written before the check (see textAllowance.shows).
	Needs     []Field
	Due       Date
	DoneOn    *Date
	CreatedBy string
	CreatedAt time.Time
	// Version is 1 as first recorded and counts every correction (and
	// every change of done); the earlier versions are kept in its history
	// (RecordVersion). Revision is the last one's who, when and why.
	Version  int
	Revision *Revision
}

// Revision is who wrote a version of a record, when and why (a code).
type Revision struct {
	By     string
	At     time.Time
	Reason CorrectionReason
}

// CaseDecision is a decision of the meeting about a young person.
type CaseDecision struct {
	ID        string
	CaseID    string
	MeetingID string
	Kind      DecisionKind
	Text      []byte  // sealed under the young person's key
	Needs     []Field // as Action.Needs
	CreatedBy string
	CreatedAt time.Time
	Version   int       // as Action.Version
	Revision  *Revision // as Action.Revision
}

// RiskNote is one entry under the standing item "risks and bottlenecks"
// (risico's en knelpunten): about how the cooperation works (waiting lists,
// a partner that cannot be reached), never about a young person. It is kept
// in the clear, so Meetings.AddRisk refuses one that names a young person
// known to the meeting or otherwise identifies someone.
type RiskNote struct {
	ID        string    `json:"id"`
	MeetingID string    `json:"meeting_id"`
	Text      string    `json:"text"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// Withheld: the risk was written before the text check and the check
	// now finds in it what a risk may not hold (a young person's name,
	// anything identifying); its Text is empty.
	Withheld bool `json:"withheld,omitempty"`
	// Checked is set by the store when the text passed the check as it was
	// written (every risk since it exists); one without it is checked
	// again before it is shown.
	Checked bool `json:"-"`
	// OwnerID follows the risk up ("" for nobody yet); Owner is who that is.
	OwnerID string        `json:"owner_id,omitempty"`
	Owner   *Professional `json:"owner,omitempty"`
	// Status: an open risk of a held meeting is on every later agenda.
	Status RiskStatus `json:"status"`
	// TextVersion counts the versions of the text (1: never corrected);
	// Corrected is set when there is an earlier one, and Versions are the
	// earlier ones, oldest first (Meetings.CorrectRisk).
	TextVersion int  `json:"text_version"`
	Corrected   bool `json:"corrected,omitempty"`
	// TextReason is why the current text was written (a code).
	TextReason CorrectionReason `json:"text_reason,omitempty"`
	Versions   []RiskVersion    `json:"versions,omitempty"`
	// SealedText is Text sealed under the cooperation's key, as the store
	// keeps it (nil for a text from before risks were sealed, which the
	// store returns in Text until SealStoredRisks sealed it).
	SealedText []byte `json:"-"`
}

// RiskVersion is an earlier text of a risk. Text is empty and Withheld set
// when it was written before the text check and the check now refuses it.
type RiskVersion struct {
	Version   int              `json:"version"`
	Text      string           `json:"text"`
	Withheld  bool             `json:"withheld,omitempty"`
	Checked   bool             `json:"-"`
	WrittenBy string           `json:"written_by"`
	WrittenAt time.Time        `json:"written_at"`
	Reason    CorrectionReason `json:"reason,omitempty"`
	// SealedText: as RiskNote.SealedText.
	SealedText []byte `json:"-"`
}

// RiskStatus is whether a risk is still followed up.
type RiskStatus string

const (
	RiskOpen     RiskStatus = "open"
	RiskResolved RiskStatus = "resolved"
)

// RiskStatuses lists every RiskStatus.
var RiskStatuses = []RiskStatus{RiskOpen, RiskResolved}

// RiskUpdate is one change of a risk's owner and status, made in a meeting.
type RiskUpdate struct {
	RiskID, MeetingID, OwnerID string
	Status                     RiskStatus
	At                         time.Time
}

// NewAction is the body of POST …/items/{item}/actions.
type NewAction struct {
	OwnerID     string `json:"owner_id"`
	Description string `json:"description"`
	Due         string `json:"due_on"`
	// Key is the post's idempotency key (the form's hidden field, the
	// API's Idempotency-Key header): the same key stores the action once.
	Key string `json:"-"`
}

// Validate checks an action; today is the current date.
func (in NewAction) Validate(today Date) (Date, error) {
	var fe FieldErrors
	if strings.TrimSpace(in.OwnerID) == "" {
		fe.Add("owner_id", "is required: who does it")
	}
	if p := validText(in.Description, MaxTextLength); p != "" {
		fe.Add("description", p)
	}
	var due Date
	if in.Due == "" {
		fe.Add("due_on", "is required")
	} else if d, err := ParseDate(in.Due); err != nil {
		fe.Add("due_on", err.Error())
	} else if d.Before(today) {
		fe.Add("due_on", "must not be in the past")
	} else {
		due = d
	}
	return due, fe.Err()
}

// NewDecision is the body of POST …/items/{item}/decisions.
type NewDecision struct {
	Kind DecisionKind `json:"kind"`
	// Text is the decision; for no_action it must say why not.
	Text string `json:"text"`
	Key  string `json:"-"` // as NewAction.Key
}

// Validate checks a decision.
func (in NewDecision) Validate() error {
	var fe FieldErrors
	requireOneOf(&fe, "kind", in.Kind, DecisionKinds)
	if p := validText(in.Text, MaxTextLength); p != "" {
		if in.Kind == DecisionNoAction && p == "is required" {
			p = "is required: say why the meeting decided not to act"
		}
		fe.Add("text", p)
	}
	return fe.Err()
}
