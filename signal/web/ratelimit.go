package web

import (
	"context"
	"sync"
	"time"
)

// LoginThrottle slows down password guessing without locking anyone out:
// Free failed logins cost nothing, then every further failure doubles the
// wait before the next attempt is checked, from First up to Max. A success
// forgets the failures. Only failures count: a correct password is never
// charged, however many arrive at once.
type LoginThrottle struct {
	Free       int
	First, Max time.Duration
}

func (l LoginThrottle) orDefault(d LoginThrottle) LoginThrottle {
	if l.Free <= 0 || l.First <= 0 || l.Max < l.First {
		return d
	}
	return l
}

// delayAfter is the wait before the next attempt after failures failures.
func (l LoginThrottle) delayAfter(failures int) time.Duration {
	if failures < l.Free {
		return 0
	}
	d := l.First
	for range failures - l.Free {
		if d >= l.Max {
			break
		}
		d *= 2
	}
	return min(d, l.Max)
}

// throttle keeps the failed logins per key in memory. Keys are chosen by
// the login (account and source together, account and known device,
// source alone), so one key's failures never slow another's. State in
// memory suits one signald process; a restart forgives a few failures.
//
// Attempts under one key are admitted while the failures so far plus the
// attempts still being checked stay under Free (so a burst of guesses
// cannot all slip through before the first failure counts); more wait for
// one of them to end, which a correct password does at once. Once a key has
// used its free failures its attempts are checked one at a time, each after
// its delay.
type throttle struct {
	mu    sync.Mutex
	limit LoginThrottle
	// forgive: a success forgets the key's failures (true for an account's
	// keys; a source's failures on other accounts stay counted when it
	// logs in to its own).
	forgive bool
	keys    map[string]*attempts
}

// outcome is what became of an admitted attempt.
type outcome int

const (
	loginOK        outcome = iota // the password was right
	loginFailed                   // a wrong address or password: charged
	loginUnchecked                // not checked after all (another key refused it, an error)
)

type attempts struct {
	failures  int
	inFlight  int
	notBefore time.Time     // no attempt is checked before this
	last      time.Time     // the last failure
	ended     chan struct{} // closed (and replaced) when an attempt ends
}

const maxThrottleKeys = 50_000

func newThrottle(l LoginThrottle, forgive bool) *throttle {
	return &throttle{limit: l, forgive: forgive, keys: map[string]*attempts{}}
}

// admit waits until an attempt under key may be checked and returns the
// function that reports its outcome. It
// gives up, returning the wait still ahead, when that is longer than hold
// or ctx ends first; the caller then answers "try again later" without
// checking anything.
func (t *throttle) admit(ctx context.Context, key string, now func() time.Time, hold time.Duration) (done func(outcome), wait time.Duration) {
	for {
		t.mu.Lock()
		a := t.keys[key]
		if a == nil {
			if len(t.keys) >= maxThrottleKeys {
				t.sweep(now())
			}
			a = &attempts{ended: make(chan struct{})}
			t.keys[key] = a
		}
		if d := a.notBefore.Sub(now()); d > 0 {
			t.mu.Unlock()
			if d > hold || !sleep(ctx, d) {
				return nil, d
			}
			continue
		}
		if a.failures+a.inFlight < t.limit.Free || (a.failures >= t.limit.Free && a.inFlight == 0) {
			a.inFlight++
			t.mu.Unlock()
			return func(o outcome) { t.end(a, o, now()) }, 0
		}
		ended := a.ended
		t.mu.Unlock()
		select {
		case <-ended:
		case <-ctx.Done():
			return nil, t.limit.First
		}
	}
}

func (t *throttle) end(a *attempts, o outcome, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a.inFlight--
	switch o {
	case loginOK:
		if t.forgive {
			a.failures, a.notBefore = 0, time.Time{}
		}
	case loginFailed:
		a.failures++
		a.last = now
		if d := t.limit.delayAfter(a.failures); d > 0 {
			a.notBefore = now.Add(d)
		}
	}
	close(a.ended)
	a.ended = make(chan struct{})
}

// sweep forgets keys nobody is trying and whose last failure is long past
// (a day, or their delay), so a flood of sources cannot grow the map
// without bound.
func (t *throttle) sweep(now time.Time) {
	for k, a := range t.keys {
		if a.inFlight == 0 && now.Sub(a.last) > max(24*time.Hour, t.limit.Max) {
			delete(t.keys, k)
		}
	}
}

// sleep waits d unless ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}
