package signal

import (
	"context"
	"errors"
)

// Decider decides whether and what may be shared (implemented by
// *policy.Engine). It must be safe for concurrent use.
type Decider interface {
	Decide(ctx context.Context, in DecisionInput) (Decision, error)
}

// Vault seals content per young person and derives their pseudonym
// (implemented by *keystore.Store).
type Vault interface {
	// Pseudonym is the keyed pseudonym of the young person with this name
	// and birth date ("YYYY-MM-DD").
	Pseudonym(name, birthDate string) string
	// Fingerprint is a keyed digest of data.
	Fingerprint(data []byte) string
	// Seal encrypts plaintext under youth's key, bound to ad.
	Seal(ctx context.Context, youth string, ad, plaintext []byte) ([]byte, error)
	// Unseal decrypts; it returns an error wrapping ErrContentErased when
	// youth's key has been erased.
	Unseal(ctx context.Context, youth string, ad, ciphertext []byte) ([]byte, error)
}

// ErrContentErased is what a Vault's error wraps (via errors.Is) when the
// young person's key was erased: the content is gone for good.
var ErrContentErased = errors.New("content erased")

// ErrKeyRetired is what a store returns when content was sealed under a
// young person's key that an erasure retired before the content could be
// stored: nothing is stored; seal again (under the new key) and retry.
var ErrKeyRetired = errors.New("the young person's key was erased while the content was sealed")

// ErrStoredBefore is a store's answer to a record whose id (derived from
// the form's idempotency key) it holds already: the same post came twice,
// and nothing was stored or audited the second time.
var ErrStoredBefore = errors.New("stored before under the same idempotency key")

// Directory tells the domain services about organisations (implemented by
// *sqlite.DB).
type Directory interface {
	// Organisation returns the organisation with this id; CodeNotFound if
	// there is none.
	Organisation(ctx context.Context, id string) (Organisation, error)
}

// AuditRecorder appends audit events that come with no change: what was
// read or shown, and to whom. A read that cannot be audited is not shown.
type AuditRecorder interface {
	Record(ctx context.Context, actor Actor, events []AuditEvent) error
}
