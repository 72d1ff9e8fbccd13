package signal

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is the gate for free text (issue 14): the rules by which a text
// about a young person may pass to a reader at a level. A level is a promise
// about what the reader can learn, so it binds every word, not only the
// decision's field codes (shared/domain.md, "Levels apply to every word").
// Disclosure.view runs every text through pass before anyone but its author
// reads it; the reporter's form runs the same rules (Signals.Check) so the
// summary shows exactly what will go.

// The check itself is a TextChecker (textcheck.go), implemented by package
// textcheck.

// FindingKinds lists every FindingKind, the ones that identify first.
var FindingKinds = []FindingKind{
	FindingOwnName, FindingOwnBirthDate, FindingBirthDate, FindingKnownName, FindingPersonName,
	FindingBSN, FindingPhone, FindingEmail, FindingHandle, FindingAddress,
	FindingHealth, FindingReligionEthnicity, FindingCriminal,
}

// Valid reports whether k is one of FindingKinds.
func (k FindingKind) Valid() bool { return oneOf(k, FindingKinds) }

// Confirmable reports whether the reporter may confirm a finding of kind k
// with a reason instead of fixing it. Only a guess may be confirmed: the
// check takes capitalised words after a title, and names that are also
// words, for a person's name ("Storm", "Roos"), and the reporter knows
// better. What the check knows for certain (the young person's own name,
// a BSN that passes the 11-check, a phone number) or what the law protects
// by its kind (the special categories) is never waved through by the author:
// only the decision lets it go.
func (k FindingKind) Confirmable() bool { return k == FindingPersonName }

// forbids reports whether a text at level under a decision listing fields
// may not carry a finding of kind k.
//
//   - full: what the decision does not list (R10): a special category (AVG
//     art. 9, 10) only when listed, a BSN only when listed (R2/R3), contact
//     details only when listed;
//   - minimal: identified, so the young person's own name and birth date
//     may be in it; nothing of the special categories (they go only at
//     full), no BSN or contact details unless listed, no other young
//     person, no other person's birth date, and another person's name only
//     when confirmed;
//   - anonymous: nothing that identifies anyone, and no special category;
//   - existence and none: no text at all.
//
// A finding of a Confirmable kind the reporter confirmed is not held against
// the text (gateText).
func forbids(level Level, fields []Field, k FindingKind) bool {
	listed := slices.Contains(fields, k.Field())
	switch level {
	case LevelFull:
		switch f := k.Field(); {
		case f.Special(), f == FieldBSN, f == FieldContact:
			return !listed
		}
		return false
	case LevelMinimal:
		switch k {
		case FindingOwnName, FindingOwnBirthDate:
			return false
		case FindingBSN, FindingPhone, FindingEmail, FindingHandle, FindingAddress:
			return !listed
		}
		return true
	}
	// anonymous, existence, none: everything (a guessed name only when the
	// reporter confirmed it is none; see gateText).
	return true
}

// Confirmation is a finding the reporter confirmed with a reason instead of
// fixing it ("Storm is het weer, geen naam"). Only Confirmable kinds count.
type Confirmation struct {
	Kind   FindingKind `json:"kind"`
	Text   string      `json:"text"`
	Reason string      `json:"reason"`
}

// TextVersion is the text a reporter wrote or confirmed for one level below
// full: for minimal the strictly necessary facts (no opinions), for
// anonymous content without anything that identifies the young person. Facts
// and opinions stay apart, as in the signal itself.
type TextVersion struct {
	Facts     string         `json:"facts"`
	Opinions  string         `json:"opinions,omitempty"`
	Confirmed []Confirmation `json:"confirmed,omitempty"`
}

// Versions are the texts of a signal for the levels below full. A level
// without a version gets no text ("dat-informatie" before "wat-informatie").
type Versions struct {
	Minimal   *TextVersion `json:"minimal,omitempty"`
	Anonymous *TextVersion `json:"anonymous,omitempty"`
}

// For returns the version written for level, nil if there is none. At full
// the signal's own text goes (see Disclosure.view).
func (v Versions) For(level Level) *TextVersion {
	switch level {
	case LevelMinimal:
		return v.Minimal
	case LevelAnonymous:
		return v.Anonymous
	}
	return nil
}

// MaxReasonLength bounds the reason of a confirmation.
const MaxReasonLength = 500 // characters

func validateVersions(fe *FieldErrors, v Versions) {
	for _, lv := range []struct {
		path string
		v    *TextVersion
	}{{"versions.minimal", v.Minimal}, {"versions.anonymous", v.Anonymous}} {
		if lv.v == nil {
			continue
		}
		switch {
		case strings.TrimSpace(lv.v.Facts) == "":
			fe.Add(lv.path+".facts", "is required: write the facts this level may read, or leave the version out")
		case utf8.RuneCountInString(lv.v.Facts) > MaxFactsLength:
			fe.Add(lv.path+".facts", "must be at most "+strconv.Itoa(MaxFactsLength)+" characters")
		}
		if lv.v == v.Minimal && lv.v.Opinions != "" {
			fe.Add(lv.path+".opinions", "must be empty: level minimal shows only the strictly necessary facts")
		}
		if utf8.RuneCountInString(lv.v.Opinions) > MaxOpinionsLength {
			fe.Add(lv.path+".opinions", "must be at most "+strconv.Itoa(MaxOpinionsLength)+" characters")
		}
		for i, c := range lv.v.Confirmed {
			path := lv.path + ".confirmed[" + strconv.Itoa(i) + "]"
			switch {
			case !c.Kind.Confirmable():
				fe.Add(path+".kind", "only a possible person's name (person_name) can be confirmed; fix the text instead")
			case strings.TrimSpace(c.Text) == "":
				fe.Add(path+".text", "is required: the words found")
			case strings.TrimSpace(c.Reason) == "":
				fe.Add(path+".reason", "is required: say why these words may stay")
			case utf8.RuneCountInString(c.Reason) > MaxReasonLength:
				fe.Add(path+".reason", "must be at most "+strconv.Itoa(MaxReasonLength)+" characters")
			}
		}
	}
}

// TextCheck is what the gate makes of one text for one level: the findings
// of the check, which of them the level forbids (after the reporter's
// confirmations) and so whether the text may go.
type TextCheck struct {
	Findings []TextFinding `json:"findings"`
	// Blocking are the findings that keep the text from going.
	Blocking []TextFinding `json:"blocking"`
}

// Passes reports whether the text may go.
func (c TextCheck) Passes() bool { return len(c.Blocking) == 0 }

// gateText runs checker on text and sorts the findings by what level and
// fields allow, with confirmed findings of a confirmable kind allowed. A
// nil checker passes nothing (fail closed).
func gateText(checker TextChecker, level Level, fields []Field, subject TextSubject, text string, confirmed []Confirmation) TextCheck {
	out := TextCheck{Findings: []TextFinding{}, Blocking: []TextFinding{}}
	if text == "" {
		return out
	}
	if checker == nil {
		out.Blocking = append(out.Blocking, TextFinding{Kind: "", Start: 0, End: len(text)})
		return out
	}
	out.Findings = append(out.Findings, checker.CheckText(text, subject)...)
	for _, f := range out.Findings {
		if !forbids(level, fields, f.Kind) {
			continue
		}
		if f.Kind.Confirmable() && slices.ContainsFunc(confirmed, func(c Confirmation) bool {
			return c.Kind == f.Kind && strings.EqualFold(strings.TrimSpace(c.Text), strings.TrimSpace(f.Text))
		}) {
			continue
		}
		out.Blocking = append(out.Blocking, f)
	}
	return out
}

// levelText is the text that goes to a reader at a level, after the gate:
// which version it is (the level it was written for; full is the signal's
// own text) and its parts. Withheld is set when there was text for the
// level that did not pass, or no version for it: the reader then learns
// only that there is a concern and whom to contact.
type levelText struct {
	version  Level
	facts    string
	opinions string
	withheld bool
}

// pass is the gate: the text a reader at level may read of content c
// under a decision listing fields, given the parts the level shows. It
// takes the version written for level (the signal's own text at full),
// checks each part and lets the whole version through only when every part
// passes: half a version could read as something the reporter never wrote.
func pass(checker TextChecker, level Level, fields []Field, subject TextSubject, c Content, parts contentParts) levelText {
	if parts&(partFacts|partOpinions) == 0 {
		return levelText{}
	}
	var facts, opinions string
	var confirmed []Confirmation
	switch level {
	case LevelFull:
		facts, opinions = c.Facts, c.Opinions
	case LevelMinimal, LevelAnonymous:
		v := c.Versions.For(level)
		if v == nil {
			return levelText{withheld: true}
		}
		facts, opinions, confirmed = v.Facts, v.Opinions, v.Confirmed
	default:
		return levelText{}
	}
	if parts&partFacts == 0 {
		facts = ""
	}
	if parts&partOpinions == 0 || level == LevelMinimal {
		opinions = ""
	}
	for _, t := range []string{facts, opinions} {
		if !gateText(checker, level, fields, subject, t, confirmed).Passes() {
			return levelText{withheld: true}
		}
	}
	return levelText{version: level, facts: facts, opinions: opinions}
}

// Review is what the reporter checks before sending (issue 14, items 3 and
// 6): the decision, the young person's name, the findings of the check in
// each text they wrote for a level below full (and in the signal's own
// text, for what the decision does not list), and per recipient the exact
// text that will go. Nothing is stored, shared or audited.
type Review struct {
	Decision Decision `json:"decision"`
	// Name is the young person's name as written: the reporter checks the
	// signal is about the right person.
	Name string `json:"name"`
	// Checks are the check's findings per text: "facts", "opinions",
	// "versions.minimal.facts", "versions.anonymous.facts",
	// "versions.anonymous.opinions", each judged by the rules of its level.
	Checks map[string]TextCheck `json:"checks"`
	// Outgoing is, per recipient, what they will read.
	Outgoing []Outgoing `json:"outgoing"`
	// Write and Proposed: completing a stored signal (ReviewComplete), the
	// level below full whose text the reporter still writes, and the text
	// to fix or confirm (as given, else the signal's own).
	Write    Level        `json:"write,omitempty"`
	Proposed *TextVersion `json:"proposed,omitempty"`
}

// Outgoing is what one recipient will read of the signal once it is sent.
type Outgoing struct {
	Recipient RecipientRole `json:"recipient"`
	// Level is what the recipient may see; none when nothing goes.
	Level Level `json:"level"`
	// Name is the young person's name when the level shows who it is.
	Name string `json:"name,omitempty"`
	// Version is the level the text was written for ("" without text).
	Version  Level  `json:"version,omitempty"`
	Facts    string `json:"facts,omitempty"`
	Opinions string `json:"opinions,omitempty"`
	// Withheld: the level allows text but none will go (no version for the
	// level, or it still carries what the level forbids); the recipient
	// learns only that there is a concern and whom to contact.
	Withheld bool `json:"text_withheld,omitempty"`
}

// Review decides a signal as it would be submitted now and runs its texts
// through the gate, without storing or auditing anything (like Preview).
//
// Errors: CodeForbidden for anyone but a reporter, CodeInvalid with every
// field problem (as Submit).
func (s *Signals) Review(ctx context.Context, actor Actor, in NewSignal) (Review, error) {
	if actor.Role != RoleReporter {
		return Review{}, Errorf(CodeForbidden, "only reporters submit signals")
	}
	v, err := in.Validate(Today(s.now()))
	if err != nil {
		return Review{}, err
	}
	input, err := s.withAgreement(ctx, actor, v.DecisionInput(in.Answers))
	if err != nil {
		return Review{}, fmt.Errorf("read the agreement: %w", err)
	}
	d, err := s.decider.Decide(ctx, input)
	if err != nil {
		return Review{}, fmt.Errorf("decide: %w", err)
	}
	subject := TextSubject{Name: strings.TrimSpace(in.Youth.Name), BirthDate: v.BirthDate.String()}
	c := Content{Name: subject.Name, BirthDate: subject.BirthDate, Facts: in.Facts, Opinions: in.Opinions, Versions: in.Versions}
	return s.review(d, in.Answers, c), nil
}

// ReviewComplete is Review for the reporter's own stored draft completed
// with more answers and versions (as Complete takes them): the decision as
// Complete would make it, and per recipient the exact text that will go,
// of the stored signal with the given versions added. Where the meeting
// will see the signal at a level below full whose text is neither stored
// nor given, Review.Write names the level and Review.Proposed is the
// signal's own text for the reporter to fix or confirm (as the new
// signal's summary does); what each recipient reads is then judged as if
// confirmed. Nothing is stored, shared or audited.
//
// Errors: CodeForbidden for anyone but a reporter, CodeNotFound for a signal
// that is not the reporter's own, CodeInvalid for bad answers or versions,
// CodeConflict once its content was erased.
func (s *Signals) ReviewComplete(ctx context.Context, actor Actor, id string, more Answers, versions Versions) (Review, error) {
	var fe FieldErrors
	validateVersions(&fe, versions)
	if err := fe.Err(); err != nil {
		return Review{}, err
	}
	d, err := s.PreviewComplete(ctx, actor, id, more)
	if err != nil {
		return Review{}, err
	}
	sig, err := s.store.Signal(ctx, id)
	if err != nil {
		return Review{}, fmt.Errorf("find signal: %w", err)
	}
	c, err := s.ownContent(ctx, sig)
	if err != nil {
		return Review{}, err
	}
	stored := c.Versions
	if c.Versions, err = addVersions(c.Versions, versions); err != nil {
		return Review{}, err
	}
	storedAnswers, err := answersOf(ctx, s.vault, sig)
	if err != nil {
		return Review{}, err
	}
	answers := MergeAnswers(storedAnswers, more)
	var write Level
	var proposed *TextVersion
	switch level := meetingLevel(statusOf(d), answers, d); {
	case level != LevelMinimal && level != LevelAnonymous, stored.For(level) != nil:
	case c.Versions.For(level) != nil:
		write, proposed = level, c.Versions.For(level)
	default:
		write, proposed = level, &TextVersion{Facts: c.Facts}
		if level == LevelAnonymous {
			proposed.Opinions = c.Opinions
		}
		if level == LevelMinimal {
			c.Versions.Minimal = proposed
		} else {
			c.Versions.Anonymous = proposed
		}
	}
	r := s.review(d, answers, c)
	r.Write, r.Proposed = write, proposed
	return r, nil
}

// review runs the texts of content c through the gate under decision d:
// the findings per text and what each recipient will read.
func (s *Signals) review(d Decision, answers Answers, c Content) Review {
	in := struct {
		Facts, Opinions string
		Versions        Versions
		Answers         Answers
	}{c.Facts, c.Opinions, c.Versions, answers}
	checker := s.disclosure.checker
	subject := TextSubject{Name: c.Name, BirthDate: c.BirthDate}
	r := Review{Decision: d, Name: subject.Name, Checks: map[string]TextCheck{}, Outgoing: []Outgoing{}}
	for _, t := range []struct {
		path  string
		level Level
		text  string
		conf  []Confirmation
	}{
		{"facts", LevelFull, in.Facts, nil},
		{"opinions", LevelFull, in.Opinions, nil},
		{"versions.minimal.facts", LevelMinimal, versionText(in.Versions.Minimal, false), confirmed(in.Versions.Minimal)},
		{"versions.anonymous.facts", LevelAnonymous, versionText(in.Versions.Anonymous, false), confirmed(in.Versions.Anonymous)},
		{"versions.anonymous.opinions", LevelAnonymous, versionText(in.Versions.Anonymous, true), confirmed(in.Versions.Anonymous)},
	} {
		if t.text != "" {
			r.Checks[t.path] = gateText(checker, t.level, d.Fields, subject, t.text, t.conf)
		}
	}
	recipient := RecipientSignalMeeting
	if in.Answers.Recipient.Role != nil {
		recipient = *in.Answers.Recipient.Role
	}
	// Only the signal meeting reads signals in Signaal (see
	// Disclosure.levelFor); another recipient gets nothing through it.
	level := meetingLevel(statusOf(d), in.Answers, d)
	out := Outgoing{Recipient: recipient, Level: level}
	if level != LevelNone {
		_, parts := levelParts(level, d.Fields)
		if parts&partIdentity != 0 {
			out.Name = subject.Name
		}
		t := pass(checker, level, d.Fields, subject, c, parts)
		out.Facts, out.Opinions, out.Withheld = t.facts, t.opinions, t.withheld
		if t.facts != "" || t.opinions != "" {
			out.Version = t.version
		}
	}
	r.Outgoing = append(r.Outgoing, out)
	return r
}

func versionText(v *TextVersion, opinions bool) string {
	switch {
	case v == nil:
		return ""
	case opinions:
		return v.Opinions
	}
	return v.Facts
}

func confirmed(v *TextVersion) []Confirmation {
	if v == nil {
		return nil
	}
	return v.Confirmed
}
