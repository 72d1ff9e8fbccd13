package signal

import (
	"encoding/hex"
	"time"
)

// The privacy officer's export of a selection of the audit log
// (Privacy.ExportAudit): one row per entry, staff by name and role, times
// in Dutch local time with their offset.

// Amsterdam is the time zone the console writes times in.
var Amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// AuditExportRow is one entry of the console's export (a JSON line; the
// CSV has the same columns, the decision's parts flattened).
type AuditExportRow struct {
	Seq       int64          `json:"seq"`
	Time      string         `json:"time"` // RFC 3339 in Europe/Amsterdam
	UserID    string         `json:"user_id"`
	Name      string         `json:"name,omitempty"`
	Role      string         `json:"role"`
	Org       string         `json:"org"`
	OrgName   string         `json:"org_name,omitempty"`
	Action    string         `json:"action"`
	Object    string         `json:"object,omitempty"`
	Subject   string         `json:"subject,omitempty"`
	Decision  *AuditDecision `json:"decision,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
	IP        string         `json:"ip,omitempty"`
	Hash      string         `json:"hash"`
}

func exportRow(r AuditRecord, n Names) AuditExportRow {
	row := AuditExportRow{Seq: r.Seq, Time: r.Time.In(Amsterdam).Format(time.RFC3339), UserID: r.Actor.UserID,
		Role: string(r.Actor.Role), Org: r.Actor.OrgID, Action: string(r.Action), Object: r.Object, Subject: r.Subject,
		Decision: r.Decision, RequestID: r.Actor.RequestID, IP: r.Actor.IP, Hash: "sha256:" + hex.EncodeToString(r.Hash[:])}
	if m, ok := n.Users[r.Actor.UserID]; ok {
		row.Name = m.Name
	}
	row.OrgName = n.Orgs[r.Actor.OrgID]
	return row
}
