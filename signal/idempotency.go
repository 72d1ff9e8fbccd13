package signal

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// NewIdempotencyKey returns a fresh Idempotency-Key for a submission: a
// UUIDv7 (RFC 9562), random but ordered by its creation time. The web pages
// and the phone client's outbox make their keys this way; see
// idempotencyKeyRef for why the order matters.
func NewIdempotencyKey(now time.Time) string {
	var u [16]byte
	rand.Read(u[6:])
	ms := uint64(now.UnixMilli())
	binary.BigEndian.PutUint16(u[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(u[2:6], uint32(ms))
	u[6] = 0x70 | u[6]&0x0f // version 7
	u[8] = 0x80 | u[8]&0x3f // variant 10
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}

// idempotencyKeyRef is how a key is stored and looked up: digest, the keyed
// digest of the user and the key (a client may put anything in a key), with,
// for a UUIDv7 key, the key's own 48-bit timestamp in front. Keys of
// concurrent submissions then sort next to each other, so each commit adds to
// the end of the key index instead of rewriting a random page of it per
// submission (a fifth of what a submission wrote to disk). The timestamp
// says when the client made the key, nothing about the young person.
func idempotencyKeyRef(key, digest string) string {
	if ts, ok := uuidv7Time(key); ok {
		return ts + "." + digest
	}
	return digest
}

// uuidv7Time returns the 12 hex digits of a UUIDv7's timestamp, lower case,
// if key is one (in its canonical 8-4-4-4-12 form, either case).
func uuidv7Time(key string) (string, bool) {
	if len(key) != 36 || key[14] != '7' {
		return "", false
	}
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return "", false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return "", false
		}
	}
	switch key[19] {
	case '8', '9', 'a', 'b', 'A', 'B':
	default:
		return "", false
	}
	return strings.ToLower(key[0:8] + key[9:13]), true
}
