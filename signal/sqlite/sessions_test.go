package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/sqlite"
)

// movableClock is a clock a test sets forward and back.
type movableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movableClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movableClock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// TestSessionsEndWhateverTheClock is the fault table of issue 13 item 8: a
// logged-out token stays refused whatever the clock does before and after
// other logouts, and a disabled account's sessions stay ended when it is
// enabled again. Each step is a fresh database file with one reporter.
func TestSessionsEndWhateverTheClock(t *testing.T) {
	real := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	type env struct {
		ctx   context.Context
		clock *movableClock
		db    *sqlite.DB
		acc   *signal.Accounts
		u     *signal.User
	}
	logout := func(t *testing.T, e env, token string) {
		t.Helper()
		// The token would expire in twelve hours by the real clock.
		if err := e.acc.Logout(e.ctx, signal.Actor{UserID: e.u.ID, OrgID: e.u.OrgID, Role: e.u.Role}, token, real.Add(12*time.Hour)); err != nil {
			t.Fatalf("logout %s: %v", token, err)
		}
	}
	refused := func(t *testing.T, e env, token string, gen int64, what string) {
		t.Helper()
		// Past the session cache, so the database answers.
		time.Sleep(sqlite.SessionTTL + 50*time.Millisecond)
		if _, err := e.acc.SessionUser(e.ctx, e.u.ID, token, gen); signal.ErrorCode(err) != signal.CodeUnauthorized {
			t.Fatalf("%s: SessionUser(%s, gen %d) = %v; want unauthorized", what, token, gen, err)
		}
	}
	accepted := func(t *testing.T, e env, token string, gen int64, what string) {
		t.Helper()
		if _, err := e.acc.SessionUser(e.ctx, e.u.ID, token, gen); err != nil {
			t.Fatalf("%s: SessionUser(%s, gen %d) = %v; want the account", what, token, gen, err)
		}
	}
	tests := []struct {
		name string
		run  func(t *testing.T, e env)
	}{
		{"a clock two years ahead at another logout does not revive a logged-out token", func(t *testing.T, e env) {
			logout(t, e, "t1")
			e.clock.set(real.AddDate(2, 0, 0))
			logout(t, e, "t2") // pruned the list by the clock before
			e.clock.set(real.Add(time.Minute))
			logout(t, e, "t3")
			refused(t, e, "t1", 0, "after the clock went ahead and back")
			refused(t, e, "t2", 0, "the token logged out while the clock was ahead")
			accepted(t, e, "t4", 0, "a session never logged out")
		}},
		{"a clock behind keeps a logged-out token refused", func(t *testing.T, e env) {
			logout(t, e, "t1")
			e.clock.set(real.AddDate(-1, 0, 0))
			logout(t, e, "t2")
			refused(t, e, "t1", 0, "with the clock a year behind")
		}},
		{"disabling ends every session, enabling does not revive them", func(t *testing.T, e env) {
			accepted(t, e, "t1", 0, "before disabling")
			logout(t, e, "t2")
			if err := e.acc.SetUserDisabled(e.ctx, cli, e.u.Email, true); err != nil {
				t.Fatal(err)
			}
			refused(t, e, "t1", 0, "disabled")
			if err := e.acc.SetUserDisabled(e.ctx, cli, e.u.Email, false); err != nil {
				t.Fatal(err)
			}
			refused(t, e, "t1", 0, "enabled again: a session from before the disabling")
			refused(t, e, "t2", 0, "enabled again: a token logged out before the disabling")
			if u, err := e.db.UserByID(e.ctx, e.u.ID); err != nil || u.SessionGen != 1 {
				t.Fatalf("the account after disabling and enabling: %+v, %v; want session generation 1", u, err)
			}
			accepted(t, e, "t3", 1, "a session issued after enabling (generation 1)")
		}},
		{"disabling with the clock behind still ends the sessions", func(t *testing.T, e env) {
			e.clock.set(real.AddDate(-5, 0, 0))
			if err := e.acc.SetUserDisabled(e.ctx, cli, e.u.Email, true); err != nil {
				t.Fatal(err)
			}
			if err := e.acc.SetUserDisabled(e.ctx, cli, e.u.Email, false); err != nil {
				t.Fatal(err)
			}
			e.clock.set(real)
			refused(t, e, "t1", 0, "a session from before, the clock right again")
		}},
		{"past the revocation limit every session ends, and the list is bounded without a clock", func(t *testing.T, e env) {
			for i := range signal.MaxRevocations + 1 {
				logout(t, e, fmt.Sprintf("out%d", i))
			}
			refused(t, e, "out0", 0, "the first logged-out token")
			refused(t, e, "other", 0, "a session of the old generation")
			accepted(t, e, "new", 1, "a session of the new generation")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &movableClock{t: real}
			db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), sqlite.Options{Now: clock.now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			tt.run(t, env{ctx: context.Background(), clock: clock, db: db, acc: accountsOf(t, db), u: reporterOf(t, db)})
		})
	}
}
