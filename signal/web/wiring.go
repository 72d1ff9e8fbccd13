package web

import (
	"github.com/signaal-nl/signaal/signal"
	"github.com/signaal-nl/signaal/signal/auth"
)

// Application is the wired application as the web layer takes it:
// signal/app.App implements it. (The web layer may not import the wiring,
// and the wiring may not import the web layer, whose tests use it.)
type Application interface {
	UseCases() signal.Services              // the domain's services
	Tokens() (*auth.Issuer, *auth.Verifier) // signing and checking session tokens
	ReadyChecks() []Check                   // database, writer, policy
	ReasonTexts() map[string]signal.Text    // the policy's sentences per reason code
	Questions() []signal.Question           // the policy's question catalogue
	WriterStats() WriterStats               // the group-commit writer's counters
	PolicyWasm() ([]byte, string, error)    // the policy as WebAssembly and its policy_version
}

// FromApp returns d with what it leaves zero filled from a: the services,
// the token issuer and verifier, the policy's texts and questions and the
// writer's counters. a's readiness checks come before d's. signald serve
// and the web tests build their Deps with it, so the server is filled from
// the application in one place.
func FromApp(a Application, d Deps) Deps {
	if d.Services == (signal.Services{}) {
		d.Services = a.UseCases()
	}
	if d.Issuer == nil {
		d.Issuer, d.Verifier = a.Tokens()
	}
	if d.ReasonTexts == nil {
		d.ReasonTexts = a.ReasonTexts()
	}
	if d.Questions == nil {
		d.Questions = a.Questions()
	}
	if d.PolicyWasm == nil {
		d.PolicyWasm = a.PolicyWasm
	}
	if d.WriterStats == nil {
		d.WriterStats = a.WriterStats
	}
	d.Ready = append(append([]Check(nil), a.ReadyChecks()...), d.Ready...)
	return d
}
