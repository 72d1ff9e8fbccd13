package signal

// Services are the use cases, one value per service: what the doors (the
// web layer, the operator's commands) call. signal/app builds them; the
// web layer's dependencies embed them.
type Services struct {
	Accounts *Accounts // logging in and out, sessions, organisations and users
	Signals  *Signals  // submitting and reading signals
	Meetings *Meetings // the signal meeting: agenda, cases, minutes
	Privacy  *Privacy  // the privacy officer's console, erasure, retention
	// Admin is the administrator's console: partners, agreement, accounts.
	Admin *Administration
	// Notifications are the notices (e-mail and in-app) and their job.
	Notifications *Notifications
}
