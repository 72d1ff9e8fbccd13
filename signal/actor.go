package signal

// Actor is who does something, with where the request came from, as the
// audit log records it.
type Actor struct {
	UserID    string
	OrgID     string
	Role      Role
	RequestID string
	IP        string
}
