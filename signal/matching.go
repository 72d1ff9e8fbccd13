package signal

import (
	"context"
	"hash/maphash"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
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
	ca, cb := newMatchCand(norm, a), newMatchCand(norm, b)
	return ca.reason(&cb)
}

// matchCand is an identity as matching compares it: the normalised name,
// that name without spaces (as runes) and the birth date.
type matchCand struct {
	name    string
	compact []rune
	birth   string
}

func newMatchCand(norm NameNormaliser, y YouthView) matchCand {
	n := norm.NormaliseName(y.Name)
	return matchCand{name: n, compact: []rune(strings.ReplaceAll(n, " ", "")), birth: y.BirthDate}
}

// reason is matchReason of two candidates.
func (a *matchCand) reason(b *matchCand) MatchReason {
	switch {
	case a.birth == b.birth && a.name != b.name:
		if editDistance(a.compact, b.compact, maxSpelling) <= maxSpelling {
			return MatchSpelling
		}
	case a.birth != b.birth && a.name == b.name:
		if birthTypo(a.birth, b.birth) {
			return MatchBirthDate
		}
	}
	return ""
}

// maxSpelling is how many letters two names born the same day may differ
// by (spaces left out) to be proposed.
const maxSpelling = 2

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
// certain to exceed max. Only the band of cells within max of the
// diagonal is computed; short names need no allocation.
func editDistance(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	// A common beginning and end cost nothing.
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	var buf [2 * 48]int
	var prev, cur []int
	if len(b)+1 <= len(buf)/2 {
		prev, cur = buf[:len(b)+1], buf[len(buf)/2:len(buf)/2+len(b)+1]
	} else {
		prev, cur = make([]int, len(b)+1), make([]int, len(b)+1)
	}
	big := max + 1
	for j := range prev {
		prev[j] = min(j, big)
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := i-max, i+max
		if lo < 1 {
			lo = 1
		}
		if hi > len(b) {
			hi = len(b)
		}
		if lo-1 >= 1 {
			cur[lo-1] = big // outside the band
		}
		cur[0] = min(i, big)
		best := big
		if lo == 1 {
			best = cur[0]
		}
		for j := lo; j <= hi; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			up := prev[j] + 1
			if j > i-1+max { // prev[j] lies outside the previous row's band
				up = big
			}
			c := min(up, cur[j-1]+1, prev[j-1]+cost, big)
			cur[j] = c
			best = min(best, c)
		}
		if best > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], big)
}

// proposals finds the possible matches among the identified items of an
// agenda, leaving out the pairs decided before, in the order of the items
// (A before B, by A, then by B). Comparing every pair of items is quadratic (2,000 young
// people are two million pairs); instead each item is filed under keys
// that any item it may match shares with it, and only items sharing a key
// are compared by matchReason's rules:
//
//   - spelling (born the same day, at most two letters apart without
//     spaces): the birth date with each form of the name left after deleting
//     at most two letters. Two names within two edits of each other always
//     leave a common form that way (a substitution deletes a letter from
//     both, an insertion or deletion from one).
//   - birth date (the same name): the name with the birth date with one
//     position blanked out (one digit off), and the name with the year and
//     the day and month in order (day and month swapped).
//
// Keys are hashed; two keys that collide only make one more comparison.
func proposals(norm NameNormaliser, decided map[[2]string]bool, lists ...[]AgendaItem) []MatchProposal {
	var items []*AgendaItem
	var cands []matchCand
	for _, list := range lists {
		for i := range list {
			it := &list[i]
			if it.Anonymous || it.Youth == nil || it.Youth.Name == "" || it.Youth.BirthDate == "" {
				continue
			}
			items = append(items, it)
			cands = append(cands, newMatchCand(norm, *it.Youth))
		}
	}
	if len(items) < 2 {
		return []MatchProposal{}
	}
	type pair struct {
		a, b     int32
		spelling bool // else birth date
	}
	var pairs []pair
	perA := make([]int, len(items)+1)
	seed := maphash.MakeSeed()
	filed := make(map[uint64][]int32, len(items)*8)
	stamp := make([]int32, len(items)) // stamp[j] == i+1: j compared with i
	var keys []uint64
	var found []int32
	for i := range cands {
		c := &cands[i]
		keys = matchKeys(keys[:0], seed, c)
		found = found[:0]
		for _, k := range keys {
			bucket := filed[k]
			for _, j := range bucket {
				if stamp[j] == int32(i+1) {
					continue
				}
				stamp[j] = int32(i + 1)
				found = append(found, j)
			}
			if len(bucket) == 0 || bucket[len(bucket)-1] != int32(i) {
				filed[k] = append(bucket, int32(i))
			}
		}
		slices.Sort(found)
		for _, j := range found {
			r := cands[j].reason(c)
			if r == "" || decided[pairKey(items[j].Youth.Ref, items[i].Youth.Ref)] {
				continue
			}
			pairs = append(pairs, pair{j, int32(i), r == MatchSpelling})
			perA[j+1]++
		}
	}
	// In the order of the first item, then the second: pairs come in the
	// order of the second, so place them by the first (a counting sort).
	for k := 1; k < len(perA); k++ {
		perA[k] += perA[k-1]
	}
	out := make([]MatchProposal, len(pairs))
	for _, p := range pairs {
		a, b := items[p.a], items[p.b]
		r := MatchBirthDate
		if p.spelling {
			r = MatchSpelling
		}
		out[perA[p.a]] = MatchProposal{A: a.Ref, B: b.Ref, ANum: a.Number, BNum: b.Number, Reason: r}
		perA[p.a]++
	}
	return out
}

// matchKeys appends the keys c is filed under (see proposals).
func matchKeys(keys []uint64, seed maphash.Seed, c *matchCand) []uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	// Spelling: the birth date and the name without up to two letters.
	n := len(c.compact)
	buf := make([]byte, 0, 4*n)
	variant := func(skip1, skip2 int) {
		h.Reset()
		h.WriteByte('s')
		h.WriteString(c.birth)
		h.WriteByte(0)
		buf = buf[:0]
		for k, r := range c.compact {
			if k != skip1 && k != skip2 {
				buf = utf8.AppendRune(buf, r)
			}
		}
		h.Write(buf)
		keys = append(keys, h.Sum64())
	}
	variant(-1, -1)
	for x := 0; x < n; x++ {
		variant(x, -1)
		for y := x + 1; y < n; y++ {
			variant(x, y)
		}
	}
	// Birth date: the name with one position of the date blanked, and with
	// day and month in order.
	for p := 0; p < len(c.birth); p++ {
		h.Reset()
		h.WriteByte('b')
		h.WriteString(c.name)
		h.WriteByte(0)
		h.WriteString(c.birth[:p])
		h.WriteByte(0)
		h.WriteString(c.birth[p+1:])
		keys = append(keys, h.Sum64())
	}
	if len(c.birth) == 10 {
		md, dd := c.birth[5:7], c.birth[8:10]
		if dd < md {
			md, dd = dd, md
		}
		h.Reset()
		h.WriteByte('w')
		h.WriteString(c.name)
		h.WriteByte(0)
		h.WriteString(c.birth[:4] + md + dd)
		keys = append(keys, h.Sum64())
	}
	slices.Sort(keys)
	return slices.Compact(keys)
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
		return MatchDecision{}, storeErr(err, "store match decision")
	}
	return d, nil
}
