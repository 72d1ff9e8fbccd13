package signal

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
	// Input is the policy input document (enums, booleans, the age; never
	// free text); nil for reads.
	Input *DecisionInput
	// Texts are, for a disclosure, the texts that went: version and digest
	// (see DisclosedText); nil for decisions.
	Texts []DisclosedText
}
