package sqlite

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/signaal-nl/signaal/signal"
)

// SessionTTL is how long Accounts.Session trusts what it read of a session. A
// logout or a disabled account through this process ends it at once
// (sessionCache.forget); through another process (signald user disable
// while serve runs) within SessionTTL.
const SessionTTL = time.Second

// sessionCache remembers sessions (user and token id -> the account and
// whether the token was revoked) for SessionTTL: the query behind
// Accounts.Session was 4-5% of the CPU of a signal submission. Any change to an account or a revocation forgets everything by
// moving to a new generation; a lookup that began before the change stores
// its result under the old generation, which is never used.
type sessionCache struct {
	gen     atomic.Int64
	mu      sync.Mutex
	entries map[sessionKey]sessionEntry
}

type sessionKey struct{ user, token string }

// session is what Accounts.Session read: the account as it was, and
// whether the token was revoked.
type session struct {
	user    signal.User
	revoked bool
}

type sessionEntry struct {
	session
	gen     int64
	expires time.Time
}

// maxSessions bounds the cache; past it, it starts again empty.
const maxSessions = 10_000

func (c *sessionCache) generation() int64 { return c.gen.Load() }

// get returns the remembered user of a session. The clock is the machine's,
// not the service's (Options.Now), which tests may stop.
func (c *sessionCache) get(user, token string) (session, bool) {
	c.mu.Lock()
	e, ok := c.entries[sessionKey{user, token}]
	c.mu.Unlock()
	if !ok || e.gen != c.gen.Load() || time.Since(e.expires) >= 0 {
		return session{}, false
	}
	return e.session, true
}

// put remembers s, read under generation gen.
func (c *sessionCache) put(user, token string, s session, gen int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxSessions {
		c.entries = make(map[sessionKey]sessionEntry)
	}
	c.entries[sessionKey{user, token}] = sessionEntry{session: s, gen: gen, expires: time.Now().Add(SessionTTL)}
}

// forget drops every remembered session. Call it after a change to an
// account or a revocation is committed.
func (c *sessionCache) forget() {
	c.gen.Add(1)
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}
