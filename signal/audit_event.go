package signal

import (
	"encoding/json"
	"fmt"
)

// AuditEvent is one audit record the service asks the store to append.
// It never holds names, birth dates or observations: the young person is
// referred to by their pseudonym (Subject).
type AuditEvent struct {
	Action   AuditAction
	Object   string // e.g. "signal/<id>"
	Subject  string // the young person's pseudonym, "" if none
	Decision *AuditedDecision
}

// AuditedDecision is a decision (or, for a read, what was disclosed under
// it) as the audit log keeps it.
type AuditedDecision struct {
	Decision  Decision
	Purpose   string
	Recipient string
	// InputDigest is the keyed digest of the policy input document
	// (InputDigest); "" for reads. The log keeps the digest, not the
	// input: the answers (abuse.suspected, consent, …) are a few booleans
	// and enums, so the input itself, or a plain hash of it, would tell a
	// reader of the database what was answered about the young person.
	// With the key the digest can be matched against a signal's answers
	// while the signal exists.
	InputDigest string
	// Texts are, for a disclosure, the texts that went: version and digest
	// (see DisclosedText); nil for decisions.
	Texts []DisclosedText
}

// InputDigest is the keyed digest of a policy input document as the audit
// log keeps it: "hmac:" and 128 bits of the vault's fingerprint of the
// input's JSON. Without the vault's key it cannot be matched against
// guessed answers.
func InputDigest(vault interface{ Fingerprint([]byte) string }, in DecisionInput) (string, error) {
	js, err := json.Marshal(in)
	if err != nil {
		return "", fmt.Errorf("encode decision input: %w", err)
	}
	fp := vault.Fingerprint(append([]byte("decision-input\x00"), js...))
	if len(fp) > 32 {
		fp = fp[:32]
	}
	return "hmac:" + fp, nil
}
