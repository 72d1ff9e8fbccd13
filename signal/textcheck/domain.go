package textcheck

import "github.com/signaal-nl/signaal/signal"

// The domain (package signal) imports the standard library only, so it
// names what it needs of this package as an interface of its own,
// signal.TextChecker; a *Checker is one.
var _ signal.TextChecker = (*Checker)(nil)

// CheckText is Check in the domain's types: the same findings, each Kind as
// the signal.FindingKind of the same code.
func (c *Checker) CheckText(text string, s signal.TextSubject) []signal.TextFinding {
	found := c.Check(text, Subject{Name: s.Name, BirthDate: s.BirthDate, KnownNames: s.KnownNames})
	out := make([]signal.TextFinding, len(found))
	for i, f := range found {
		out[i] = signal.TextFinding{Kind: signal.FindingKind(f.Kind), Start: f.Start, End: f.End, Text: f.Text, Term: f.Term}
	}
	return out
}

// Default returns the Checker built from the embedded word lists, the one
// Check uses.
func Default() *Checker { return defaultChecker() }
