package signal

// Role is a person's role in Signaal. Placeholder until the accounts
// (branch service) land; they define the same names.
type Role string

const (
	RoleReporter       Role = "reporter"
	RoleCoordinator    Role = "coordinator"
	RolePrivacyOfficer Role = "privacy_officer"
	RoleAdmin          Role = "admin"
)
