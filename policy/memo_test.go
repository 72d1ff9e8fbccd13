package policy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/signaal-nl/signaal/policy"
	"github.com/signaal-nl/signaal/signal"
)

type countingDecider struct {
	calls int
	err   error
}

func (c *countingDecider) Decide(_ context.Context, in signal.DecisionInput) (signal.Decision, error) {
	c.calls++
	if c.err != nil {
		return signal.Decision{}, c.err
	}
	return signal.Decision{Outcome: signal.OutcomeShareFull, Fields: in.Fields, Reasons: []signal.Reason{{Code: "x"}}}, nil
}

func TestMemoDeciderAsksOncePerInput(t *testing.T) {
	ctx := context.Background()
	inner := &countingDecider{}
	m := policy.NewMemoDecider(inner, 2)
	age15, age16 := 15, 16
	a := signal.DecisionInput{Youth: signal.Youth{Age: &age15}, Fields: []signal.Field{"identity"}}
	b := signal.DecisionInput{Youth: signal.Youth{Age: &age16}, Fields: []signal.Field{"identity"}}

	first, _ := m.Decide(ctx, a)
	first.Reasons[0].Code = "changed by a caller"
	again, _ := m.Decide(ctx, a)
	if inner.calls != 1 {
		t.Fatalf("the same input was decided %d times, want once", inner.calls)
	}
	if again.Reasons[0].Code != "x" {
		t.Fatal("a caller changed the remembered decision")
	}
	if _, err := m.Decide(ctx, b); err != nil || inner.calls != 2 {
		t.Fatalf("another input (age 16) was answered from the memo: calls %d, %v", inner.calls, err)
	}
	m.Decide(ctx, signal.DecisionInput{}) // a third input: the memo of 2 starts again
	m.Decide(ctx, a)
	if inner.calls != 4 {
		t.Fatalf("calls = %d after the memo filled up, want 4", inner.calls)
	}
	inner.err = errors.New("policy fault")
	if _, err := m.Decide(ctx, signal.DecisionInput{Fields: []signal.Field{"facts"}}); err == nil {
		t.Fatal("the inner error was lost")
	}
	inner.err = nil
	if _, err := m.Decide(ctx, signal.DecisionInput{Fields: []signal.Field{"facts"}}); err != nil {
		t.Fatal("an error was remembered")
	}
}
