package web

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit is a token bucket: Burst failures at once, then one per Every.
type RateLimit struct {
	Burst int
	Every time.Duration
}

func (r RateLimit) orDefault(d RateLimit) RateLimit {
	if r.Burst <= 0 || r.Every <= 0 {
		return d
	}
	return r
}

// limiter keeps one token bucket per key (client IP, account pseudonym) in
// memory. golang.org/x/time/rate gives exact token-bucket arithmetic and
// reservations that can be given back, which a successful login does; state
// in memory suits one signald process and resets on restart, which only
// forgives a few failures. Buckets that are full again are dropped when the
// map grows, so a flood of addresses cannot grow it without bound.
type limiter struct {
	mu      sync.Mutex
	limit   RateLimit
	buckets map[string]*rate.Limiter
}

const maxBuckets = 50_000

func newLimiter(l RateLimit) *limiter {
	return &limiter{limit: l, buckets: map[string]*rate.Limiter{}}
}

// reserve takes one token for key; the caller checks DelayFrom and cancels
// the reservation when it is not used (refused or successful login).
func (l *limiter) reserve(key string, now time.Time) *rate.Reservation {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = rate.NewLimiter(rate.Every(l.limit.Every), l.limit.Burst)
		l.buckets[key] = b
	}
	return b.ReserveN(now, 1)
}

func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.limit.Burst) {
			delete(l.buckets, k)
		}
	}
}
