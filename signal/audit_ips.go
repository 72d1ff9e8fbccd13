package signal

import "time"

// AuditIPRetention is how long the audit log keeps the client's IP address
// of an entry: 90 days. The address serves security only: spotting and
// following up an attack (a password-guessing run, a stolen session used
// from elsewhere, a burst of reads), which is noticed and investigated
// within weeks; the BIO (Baseline Informatiebeveiliging Overheid, 12.4.1)
// asks that logging serves such detection, and the Dutch government's
// usual retention for security logs with personal data is three to six
// months. Ninety days covers a quarter's review and an incident found late
// in it, and no longer: an address is personal data (AVG art. 5(1)(e),
// storage limitation), and who did what stays on record without it.
// The entry itself, with who, what, when and its hash, is kept as long as
// the log.
const AuditIPRetention = 90 * 24 * time.Hour

// AuditIPJob is the actor of the hourly job that forgets old addresses.
var AuditIPJob = Actor{UserID: "signald-audit-ips", Role: RoleSystem}
