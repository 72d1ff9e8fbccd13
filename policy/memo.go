package policy

import (
	"context"
	"encoding/json"
	"slices"
	"sync"

	"github.com/signaal-nl/signaal/signal"
)

// MemoDecider remembers the decisions of a signal.Decider (an Engine) by
// input document. The policy is a pure function of its input (enums, booleans, the age, the
// fields: no clock, no data, no free text) and an engine is loaded once and
// never changes, so the same input always gets the same decision; answers
// repeat a lot (most signals share a handful of answer patterns), and the
// Rego evaluation is by far the largest CPU cost of a submission. A new
// policy version means a new engine and so a new, empty memo.
//
// Errors are not remembered. At most size decisions are kept; when full,
// the memo starts again empty (simple and bounded; the working set is small).
type MemoDecider struct {
	decider signal.Decider
	size    int

	mu    sync.Mutex
	memo  map[string]signal.Decision
	hits  uint64
	total uint64
}

// NewMemoDecider wraps d with a memo of at most size decisions (default 4096).
func NewMemoDecider(d signal.Decider, size int) *MemoDecider {
	if size <= 0 {
		size = 4096
	}
	return &MemoDecider{decider: d, size: size, memo: make(map[string]signal.Decision)}
}

// Decide implements signal.Decider.
func (m *MemoDecider) Decide(ctx context.Context, in signal.DecisionInput) (signal.Decision, error) {
	key, err := json.Marshal(in) // canonical: struct field order, nil = absent
	if err != nil {
		return m.decider.Decide(ctx, in)
	}
	m.mu.Lock()
	m.total++
	d, ok := m.memo[string(key)]
	if ok {
		m.hits++
	}
	m.mu.Unlock()
	if ok {
		return cloneDecision(d), nil
	}
	d, err = m.decider.Decide(ctx, in)
	if err != nil {
		return signal.Decision{}, err
	}
	m.mu.Lock()
	if len(m.memo) >= m.size {
		clear(m.memo)
	}
	m.memo[string(key)] = cloneDecision(d)
	m.mu.Unlock()
	return d, nil
}

// HitRate returns the share of decisions answered from the memo so far.
func (m *MemoDecider) HitRate() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.total == 0 {
		return 0
	}
	return float64(m.hits) / float64(m.total)
}

// cloneDecision copies d's slices, so no caller can change a remembered
// decision through the one it was handed.
func cloneDecision(d signal.Decision) signal.Decision {
	d.Fields = slices.Clone(d.Fields)
	d.Obligations = slices.Clone(d.Obligations)
	d.Missing = slices.Clone(d.Missing)
	d.Reasons = slices.Clone(d.Reasons)
	return d
}

var _ signal.Decider = (*MemoDecider)(nil)
