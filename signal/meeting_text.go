package signal

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
)

// The meeting's own texts about a young person (an action's description, a
// decision's text) pass the same gate as a signal's content (issue 14, item
// 4): they belong to the young person's item, are sealed under the young
// person's key (so erasing the key erases them), and are shown only where
// the item is shown at a level that allows text, carrying nothing that level
// forbids. Texts not tied to a young person (a meeting's title, the risks and
// bottlenecks) are kept in the clear and so may not identify anyone.
//
// The gate works at both ends:
//   - on writing, the text check runs against the item's young person and
//     the other young people the meeting knows by name; a finding the item's
//     level forbids refuses the text (CodeInvalid, a field problem saying
//     what to take out); what the text carries that the level allows is
//     stored with it as the fields it needs (Action.Needs);
//   - on reading (agenda, projector, minutes, the owner's actions), the text
//     is opened only when the item, as the meeting may see it now, allows
//     every field the text needs. Levels change (a signal expires, consent
//     is withdrawn): a text written when the young person was shared in full
//     is withheld once they are shared less.

// textAllowance is what an item lets the meeting's texts about its young
// person show, decided by the signals of the item the meeting may see.
type textAllowance struct {
	// text: some signal of the item shows content (full, minimal or
	// anonymous, with its facts or opinions shared). At existence level the
	// meeting may only know that there is a concern, so no text goes.
	text bool
	// full: some signal of the item is shared at level full.
	full bool
	// fields a text may carry besides plain facts: identity at full (when
	// the name is shown) and at minimal; contact, BSN and the special
	// categories only at full and only when that decision lists them (R10).
	fields []Field
}

// allowanceOf returns what the texts of an item whose signals the meeting
// sees as ss may show; onlyFull counts only the signals shared at level full
// (the projector: free text only for items the meeting may see in full).
func allowanceOf(ss []shown, onlyFull bool) textAllowance {
	var a textAllowance
	add := func(f Field) {
		if !slices.Contains(a.fields, f) {
			a.fields = append(a.fields, f)
		}
	}
	for _, s := range ss {
		level := s.view.Level
		// An erased signal allows nothing: its young person's texts went
		// with the key, and a new one would be sealed under a new key that
		// outlives the erasure.
		if onlyFull && level != LevelFull || s.view.Erased {
			continue
		}
		content := slices.Contains(s.sig.Decision.Fields, FieldFacts) || slices.Contains(s.sig.Decision.Fields, FieldOpinions)
		switch level {
		case LevelFull:
			if !content {
				continue
			}
			a.text, a.full = true, true
			if s.view.Youth != nil && s.view.Youth.Name != "" {
				add(FieldIdentity)
			}
			for _, f := range s.sig.Decision.Fields {
				if f == FieldContact || f == FieldBSN || f.Special() {
					add(f)
				}
			}
		case LevelMinimal:
			if content {
				a.text = true
				add(FieldIdentity)
			}
		case LevelAnonymous:
			if content {
				a.text = true
			}
		}
	}
	return a
}

// allows reports whether a text needing f may be shown.
func (a textAllowance) allows(f Field) bool { return a.text && slices.Contains(a.fields, f) }

// shows reports whether a text that needs these fields may be shown. A text
// written before the check (needs nil) may carry anything: it shows only
// where the young person is shared in full, identity included.
func (a textAllowance) shows(needs []Field) bool {
	if !a.text {
		return false
	}
	if needs == nil {
		return a.full && slices.Contains(a.fields, FieldIdentity)
	}
	for _, f := range needs {
		if !a.allows(f) {
			return false
		}
	}
	return true
}

// Problems of a meeting text, per field it may not carry. The pages show
// them in Dutch (meeting.err.check.* in the web layer's catalogue).
const (
	problemNoText = "cannot be recorded for this item: the meeting may only know that there is a concern about this young person, not what (existence level)"
	problemErased = "cannot be recorded for this item: the young person's data were erased"
	problemKnown  = "names a young person known to the meeting: write about a young person only under their own item"
	// problemKnownDetached: for a text tied to no young person.
	problemKnownDetached = "names a young person known to the meeting: it is about how the cooperation works, never about a young person"
)

func itemTextProblem(f Field) string {
	switch f {
	case FieldContact:
		return "holds contact details (a phone number, e-mail, account or address), which this item may not show"
	case FieldBSN:
		return "holds a BSN, which this item may not show"
	case FieldHealth:
		return "is about health, a special category this item may not show"
	case FieldReligionEthnicity:
		return "is about religion or ethnic origin, a special category this item may not show"
	case FieldCriminal:
		return "holds criminal data, which this item may not show"
	}
	return "holds a name or a birth date, which this item may not show: write the role ('the mentor', 'a classmate') instead"
}

func detachedTextProblem(f Field) string {
	switch f {
	case FieldContact:
		return "holds contact details (a phone number, e-mail, account or address): it is about how the cooperation works, never about a person"
	case FieldBSN:
		return "holds a BSN: it is about how the cooperation works, never about a person"
	}
	return "holds a name or a birth date: it is about how the cooperation works, never about a person"
}

// checkText runs the text check; without a TextChecker, the names of the
// subject and of the known young people only.
func (m *Meetings) checkText(text string, about TextSubject) []TextFinding {
	if m.checker != nil {
		return m.checker.CheckText(text, about)
	}
	return namesIn(text, about)
}

// namesIn finds the parts of the subject's and the known names as whole
// words, ignoring case: the least a meeting text is checked for.
func namesIn(text string, about TextSubject) []TextFinding {
	var out []TextFinding
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' && r != '\'' })
	find := func(name string, kind FindingKind) {
		for _, part := range strings.Fields(name) {
			// Infixes ("de", "van der") are written in lower case inside a
			// name and are words of their own in any text.
			if r := []rune(part); len(r) < 2 || unicode.IsLower(r[0]) {
				continue
			}
			for _, w := range words {
				if strings.EqualFold(w, part) {
					out = append(out, TextFinding{Kind: kind, Text: w})
				}
			}
		}
	}
	find(about.Name, FindingOwnName)
	for _, n := range about.KnownNames {
		find(n, FindingKnownName)
	}
	return out
}

// knownNames returns the names of the young people the meeting may see by
// name (identified, on the cooperation's active signals), except youth.
func (m *Meetings) knownNames(ctx context.Context, actor Actor, coop, except string) ([]string, error) {
	sigs, err := m.signals.MeetingSignals(ctx, coop, m.now().Add(-SignalActivePeriod), time.Time{})
	if err != nil {
		return nil, fmt.Errorf("read the names known to the meeting: %w", err)
	}
	ss, err := meetingViews(ctx, m.disclosure.perRequest(), actor, coop, sigs)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range ss {
		if s.identified() && s.sig.Youth != except && s.view.Youth.Name != "" && !slices.Contains(names, s.view.Youth.Name) {
			names = append(names, s.view.Youth.Name)
		}
	}
	return names, nil
}

// checkItemText checks a text the meeting writes under an item (field names
// it in the error) and returns the fields it needs to be shown, or
// CodeInvalid naming what to take out.
func (m *Meetings) checkItemText(ctx context.Context, actor Actor, c Case, item []shown, field, text string) ([]Field, error) {
	allow := allowanceOf(item, false)
	if !allow.text {
		if len(item) > 0 && !slices.ContainsFunc(item, func(s shown) bool { return !s.view.Erased }) {
			return nil, Invalid(FieldError{Field: field, Problem: problemErased})
		}
		return nil, Invalid(FieldError{Field: field, Problem: problemNoText})
	}
	// The young person's own name and birth date, also for an anonymous
	// item: its texts may not identify them, whoever typed the name. The
	// refusal reads as for any other name, so it does not confirm a guess
	// (only a name the check would not otherwise find, typed by a chair who
	// already knows it, could be told apart).
	var about TextSubject
	if len(item) > 0 {
		content, erased, err := m.disclosure.unseal(ctx, item[0].sig, partIdentity)
		if err != nil {
			return nil, err
		}
		if !erased {
			about.Name, about.BirthDate = content.Name, content.BirthDate
		}
	}
	known, err := m.knownNames(ctx, actor, c.CooperationID, c.Youth)
	if err != nil {
		return nil, err
	}
	about.KnownNames = known
	needs := []Field{}
	var fe FieldErrors
	var refused []string
	refuse := func(problem string) {
		if !slices.Contains(refused, problem) {
			refused = append(refused, problem)
			fe.Add(field, problem)
		}
	}
	for _, f := range m.checkText(text, about) {
		// Under an item without identity, every name reads the same:
		// otherwise typing each name the meeting knows would tell which
		// one is refused as the item's own.
		if f.Kind == FindingKnownName && c.AnonymousSignal == "" {
			refuse(problemKnown)
			continue
		}
		need := f.Kind.Field()
		if !allow.allows(need) {
			refuse(itemTextProblem(need))
			continue
		}
		if !slices.Contains(needs, need) {
			needs = append(needs, need)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	slices.Sort(needs)
	return needs, nil
}

// checkDetachedText checks a text the meeting keeps in the clear, tied to no
// young person (a meeting's title, a risk or bottleneck): it may not name
// or otherwise identify anyone. Special categories may stand in it ("the
// waiting list for youth mental health care"): without identity they are
// about no one.
func (m *Meetings) checkDetachedText(ctx context.Context, actor Actor, coop, field, text string) error {
	known, err := m.knownNames(ctx, actor, coop, "")
	if err != nil {
		return err
	}
	return m.checkDetachedAgainst(known, field, text)
}

// checkDetachedAgainst checks a text tied to no young person against the names
// known to the meeting: CodeInvalid naming field with each problem.
func (m *Meetings) checkDetachedAgainst(known []string, field, text string) error {
	var fe FieldErrors
	var refused []string
	for _, f := range m.checkText(text, TextSubject{KnownNames: known}) {
		problem := ""
		switch need := f.Kind.Field(); {
		case f.Kind == FindingKnownName:
			problem = problemKnownDetached
		case f.Kind == FindingPersonName && f.Term == TermUnlistedName:
			// A capitalised word that is no listed name, in a title or a
			// risk: most often a place, a provider or a project
			// ("Signaleringsoverleg Lelystad", "wachtlijst bij Accare");
			// the young people the meeting knows are found by name above.
		case need == FieldIdentity || need == FieldContact || need == FieldBSN:
			problem = detachedTextProblem(need)
		}
		if problem != "" && !slices.Contains(refused, problem) {
			refused = append(refused, problem)
			fe.Add(field, problem)
		}
	}
	return fe.Err()
}
