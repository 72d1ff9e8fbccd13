package signal

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// levenshtein is the plain distance, to check the banded one against.
func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func TestEditDistanceIsExactUpToItsBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("abcé а")
	word := func() []rune {
		w := make([]rune, rng.IntN(13))
		for i := range w {
			w[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return w
	}
	for range 50_000 {
		a, b := word(), word()
		if rng.IntN(2) == 0 { // mostly near each other
			b = slices.Clone(a)
			for range rng.IntN(4) {
				switch p := rng.IntN(len(b) + 1); rng.IntN(3) {
				case 0:
					b = slices.Insert(b, p, alphabet[rng.IntN(len(alphabet))])
				case 1:
					if p < len(b) {
						b = slices.Delete(b, p, p+1)
					}
				default:
					if p < len(b) {
						b[p] = alphabet[rng.IntN(len(alphabet))]
					}
				}
			}
		}
		for max := range 4 {
			want := min(levenshtein(a, b), max+1)
			if got := editDistance(a, b, max); got != want {
				t.Fatalf("editDistance(%q, %q, %d) = %d, want %d", string(a), string(b), max, got, want)
			}
		}
	}
}

// lowerNames normalises as far as these tests need: lower case, one space.
type lowerNames struct{}

func (lowerNames) NormaliseName(n string) string {
	return strings.Join(strings.Fields(strings.ToLower(n)), " ")
}

// TestProposalsFindEveryPairThatAllPairsFinds: filing items under keys
// finds exactly the pairs comparing every item with every other finds
// (matchReason), no more and no fewer, leaving out decided pairs.
func TestProposalsFindEveryPairThatAllPairsFinds(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	bases := []string{"Mohamed Amrani", "Jan Nes", "Janne S", "Anna de Vries", "Sara Bakker", "Ali", "Li Wei", "Zoë Ångström", "Jan Willem"}
	dates := []string{"2011-04-30", "2011-03-04", "2011-04-03", "2010-12-03", "2010-03-12", "2011-04-31", "2012-04-30", "1-2"}
	letters := []rune("aeimnorsé ")
	mutate := func(s string) string {
		r := []rune(s)
		for range rng.IntN(4) {
			switch p := rng.IntN(len(r) + 1); rng.IntN(3) {
			case 0:
				r = slices.Insert(r, p, letters[rng.IntN(len(letters))])
			case 1:
				if p < len(r) {
					r = slices.Delete(r, p, p+1)
				}
			default:
				if p < len(r) {
					r[p] = letters[rng.IntN(len(letters))]
				}
			}
		}
		return string(r)
	}
	for round := range 30 {
		var lists [3][]AgendaItem
		n := 0
		for range 40 + rng.IntN(80) {
			n++
			it := AgendaItem{Ref: fmt.Sprintf("y-%d", n), Number: n}
			switch rng.IntN(12) {
			case 0:
				it.Anonymous = true
			case 1: // no name shown
				it.Youth = &YouthView{Ref: it.Ref}
			default:
				it.Youth = &YouthView{Ref: it.Ref, Name: mutate(bases[rng.IntN(len(bases))]), BirthDate: dates[rng.IntN(len(dates))]}
			}
			l := rng.IntN(3)
			lists[l] = append(lists[l], it)
		}
		var all []*AgendaItem
		for l := range lists {
			for i := range lists[l] {
				if it := &lists[l][i]; !it.Anonymous && it.Youth != nil && it.Youth.Name != "" {
					all = append(all, it)
				}
			}
		}
		decided := map[[2]string]bool{}
		want := map[string]bool{}
		for x := range all {
			for y := x + 1; y < len(all); y++ {
				r := matchReason(lowerNames{}, *all[x].Youth, *all[y].Youth)
				if r == "" {
					continue
				}
				if rng.IntN(5) == 0 {
					decided[pairKey(all[x].Youth.Ref, all[y].Youth.Ref)] = true
					continue
				}
				a, b := all[x], all[y]
				if b.Number < a.Number {
					a, b = b, a
				}
				want[fmt.Sprintf("%s %s %s", a.Ref, b.Ref, r)] = true
			}
		}
		got := map[string]bool{}
		for _, p := range proposals(lowerNames{}, decided, lists[0], lists[1], lists[2]) {
			a, b := p.A, p.B
			if p.BNum < p.ANum {
				a, b = b, a
			}
			k := fmt.Sprintf("%s %s %s", a, b, p.Reason)
			if got[k] {
				t.Errorf("round %d: %s proposed twice", round, k)
			}
			got[k] = true
		}
		for k := range want {
			if !got[k] {
				t.Errorf("round %d: %s not proposed", round, k)
			}
		}
		for k := range got {
			if !want[k] {
				t.Errorf("round %d: %s proposed, not a possible match or decided", round, k)
			}
		}
		if len(want) == 0 {
			t.Fatalf("round %d: no possible matches; the test checks nothing", round)
		}
	}
}

// BenchmarkProposals: 2,000 young people born the same day whose names
// differ in four digits (the agenda benchmark's seed: ~218,000 possible
// matches, each spelling within two letters of many others).
func BenchmarkProposals(b *testing.B) {
	items := make([]AgendaItem, 2000)
	for i := range items {
		ref := fmt.Sprintf("y-%04d", i)
		items[i] = AgendaItem{Ref: ref, Number: i + 1, Youth: &YouthView{Ref: ref, Name: fmt.Sprintf("Jongere %04d", i), BirthDate: "2011-04-30"}}
	}
	var n int
	for b.Loop() {
		n = len(proposals(lowerNames{}, nil, items))
	}
	b.ReportMetric(float64(n), "proposals")
}
