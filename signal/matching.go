package signal

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Matching: the keyed pseudonym joins the signals of one young person
// exactly (its name normalised as keystore.NormaliseName says, and the
// birth date). Spellings that may or may not be one person are not joined
// by a rule: the agenda proposes them to the coordinator, who confirms or
// rejects the pair. The decision is remembered (never proposed again, never
// changed silently) and audited under both young people.

// MatchReason says why two items may be one young person. A code, never the
// names: a proposal shows the items as the agenda may show them already.
type MatchReason string

const (
	// MatchSpelling: born the same day, names that differ by at most two
	// letters once spaces are ignored (Mohamed/Mohammed, JanWillem/Jan
	// Willem; also a name recorded before the spelling rules changed).
	MatchSpelling MatchReason = "spelling"
	// MatchBirthDate: the same name, birth dates that differ by one digit
	// or by day and month swapped.
	MatchBirthDate MatchReason = "birth_date"
)

// MatchProposal is a possible match on an agenda: two identified items.
type MatchProposal struct {
	A      string      `json:"a"` // item refs
	B      string      `json:"b"`
	ANum   int         `json:"a_number"`
	BNum   int         `json:"b_number"`
	Reason MatchReason `json:"reason"`
}

// MatchDecision is the coordinator's answer about a pair of young people
// (pseudonyms, YouthA < YouthB).
type MatchDecision struct {
	CooperationID string
	YouthA        string
	YouthB        string
	Same          bool
	MeetingID     string
	DecidedBy     string
	DecidedAt     time.Time
}

// MatchStore keeps the coordinator's match decisions.
type MatchStore interface {
	// MatchDecisions returns the cooperation's decisions.
	MatchDecisions(ctx context.Context, coop string) ([]MatchDecision, error)
	// DecideMatch stores d with events; CodeConflict if the pair was
	// decided before (a decision is not overwritten).
	DecideMatch(ctx context.Context, actor Actor, d MatchDecision, events []AuditEvent) error
}

// NameNormaliser gives the form of a name the pseudonym is computed from
// (implemented by *keystore.Store).
type NameNormaliser interface {
	NormaliseName(name string) string
}

// joined are the young people confirmed to be one: each pseudonym maps to
// the one its signals are shown under (the least of the group).
type joined map[string]string

func (j joined) of(youth string) string {
	if c, ok := j[youth]; ok {
		return c
	}
	return youth
}

func joinedFrom(ds []MatchDecision) joined {
	j := joined{}
	for _, d := range ds {
		if !d.Same {
			continue
		}
		a, b := j.of(d.YouthA), j.of(d.YouthB)
		if a == b {
			continue
		}
		if b < a {
			a, b = b, a
		}
		for k, v := range j {
			if v == b {
				j[k] = a
			}
		}
		j[b] = a
		j[a] = a
	}
	return j
}

func pairKey(a, b string) [2]string {
	if b < a {
		a, b = b, a
	}
	return [2]string{a, b}
}

// matchReason says whether two identities may be one young person; "" if
// not, or if they are the same by the pseudonym's rules (then they are
// joined already).
func matchReason(norm NameNormaliser, a, b YouthView) MatchReason {
	if a.Name == "" || b.Name == "" || a.BirthDate == "" || b.BirthDate == "" {
		return ""
	}
	na, nb := norm.NormaliseName(a.Name), norm.NormaliseName(b.Name)
	switch {
	case a.BirthDate == b.BirthDate && na != nb:
		if editDistance(strings.ReplaceAll(na, " ", ""), strings.ReplaceAll(nb, " ", ""), 2) <= 2 {
			return MatchSpelling
		}
	case a.BirthDate != b.BirthDate && na == nb:
		if birthTypo(a.BirthDate, b.BirthDate) {
			return MatchBirthDate
		}
	}
	return ""
}

// birthTypo: two "YYYY-MM-DD" dates one digit apart, or with day and month
// swapped.
func birthTypo(a, b string) bool {
	if len(a) != 10 || len(b) != 10 {
		return false
	}
	diff := 0
	for i := range a {
		if a[i] != b[i] {
			diff++
		}
	}
	return diff == 1 || a[:4] == b[:4] && a[5:7] == b[8:10] && a[8:10] == b[5:7]
}

// editDistance is the Levenshtein distance of a and b, or max+1 once it is
// certain to exceed max.
func editDistance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// proposals finds the possible matches among the identified items of an
// agenda, leaving out the pairs decided before. Items are compared within
// a birth date (spellings) and within a name (birth-date typos), not every
// pair with every other.
func proposals(norm NameNormaliser, decided map[[2]string]bool, lists ...[]AgendaItem) []MatchProposal {
	var items []*AgendaItem
	byBirth := map[string][]int{}
	byName := map[string][]int{}
	for _, list := range lists {
		for i := range list {
			it := &list[i]
			if it.Anonymous || it.Youth == nil || it.Youth.Name == "" || it.Youth.BirthDate == "" {
				continue
			}
			n := len(items)
			items = append(items, it)
			byBirth[it.Youth.BirthDate] = append(byBirth[it.Youth.BirthDate], n)
			name := norm.NormaliseName(it.Youth.Name)
			byName[name] = append(byName[name], n)
		}
	}
	out := []MatchProposal{}
	seen := map[[2]int]bool{}
	for _, groups := range []map[string][]int{byBirth, byName} {
		for _, g := range groups {
			for x := 0; x < len(g); x++ {
				for y := x + 1; y < len(g); y++ {
					a, b := items[g[x]], items[g[y]]
					if seen[[2]int{g[x], g[y]}] || decided[pairKey(a.Youth.Ref, b.Youth.Ref)] {
						continue
					}
					seen[[2]int{g[x], g[y]}] = true
					if r := matchReason(norm, *a.Youth, *b.Youth); r != "" {
						out = append(out, MatchProposal{A: a.Ref, B: b.Ref, ANum: a.Number, BNum: b.Number, Reason: r})
					}
				}
			}
		}
	}
	return out
}

// DecideMatch records the coordinator's answer to a proposed match between
// two items of a planned meeting's agenda: same (confirmed: from now on
// their signals are one item, "y-" and the least pseudonym) or not
// (rejected: never proposed again). Only a pair the agenda may propose can
// be decided: the coordinator joins no one by hand.
//
// Errors: CodeForbidden for anyone but a coordinator, CodeNotFound for
// another cooperation's meeting or an item the meeting may not identify,
// CodeInvalid when the two are not a possible match, CodeConflict once the
// meeting was held or cancelled or when the pair was decided before, and
// CodeUnavailable when this server cannot compare names.
func (m *Meetings) DecideMatch(ctx context.Context, actor Actor, meetingID, refA, refB string, same bool) (MatchDecision, error) {
	coop, err := m.coordinatorCoop(ctx, actor)
	if err != nil {
		return MatchDecision{}, err
	}
	if m.matches == nil || m.names == nil {
		return MatchDecision{}, Errorf(CodeUnavailable, "matching is not available on this server")
	}
	mt, err := m.meetingOf(ctx, coop, meetingID)
	if err != nil {
		return MatchDecision{}, err
	}
	if mt.Status != MeetingPlanned {
		return MatchDecision{}, Errorf(CodeConflict, "only a planned meeting decides about matches")
	}
	var who [2]YouthView
	for i, ref := range []string{refA, refB} {
		c, item, err := m.resolveItem(ctx, actor, coop, ref)
		if err != nil {
			return MatchDecision{}, err
		}
		if c.AnonymousSignal != "" {
			return MatchDecision{}, Errorf(CodeNotFound, "no agenda item %s", ref)
		}
		for _, s := range item {
			if v := s.view.Youth; v != nil && v.Name != "" {
				who[i] = *v
				break
			}
		}
	}
	if who[0].Ref == who[1].Ref || matchReason(m.names, who[0], who[1]) == "" {
		return MatchDecision{}, Invalid(FieldError{Field: "b", Problem: "is not a possible match of a"})
	}
	k := pairKey(who[0].Ref, who[1].Ref)
	d := MatchDecision{CooperationID: coop, YouthA: k[0], YouthB: k[1], Same: same, MeetingID: mt.ID,
		DecidedBy: actor.UserID, DecidedAt: m.now().UTC()}
	action := ActionMatchReject
	if same {
		action = ActionMatchConfirm
	}
	events := []AuditEvent{
		{Action: action, Object: meetingObject(mt.ID), Subject: k[0]},
		{Action: action, Object: meetingObject(mt.ID), Subject: k[1]},
	}
	if err := m.matches.DecideMatch(ctx, actor, d, events); err != nil {
		if ErrorCode(err) == CodeConflict {
			return MatchDecision{}, err
		}
		return MatchDecision{}, fmt.Errorf("store match decision: %w", err)
	}
	return d, nil
}
