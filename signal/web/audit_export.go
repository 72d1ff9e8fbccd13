package web

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/signaal-nl/signaal/signal"
)

// auditExportColumns are the header of the console's CSV export; a JSON
// line has the same names (signal.AuditExportRow).
var auditExportColumns = []string{"seq", "time", "user_id", "name", "role", "org", "org_name", "action", "object", "subject",
	"outcome", "level", "rule", "policy_version", "request_id", "ip", "hash"}

// auditExport: GET /privacy/audit/export and /api/v1/privacy/audit/export
// ?format=jsonl|csv with the review's filters: the whole selection of the
// officer's cooperation as a download, oldest first (as an auditor
// reads a log). The export is
// audited (audit.export) before the first byte.
func (s *Server) auditExport(c echo.Context) error {
	q, err := auditQuery(c.QueryParam)
	if err != nil {
		return err
	}
	format := signal.AuditFormat(c.QueryParam("format"))
	if format == "" {
		format = signal.AuditJSONL
	}
	w := c.Response()
	started := false
	start := func() {
		if started {
			return
		}
		started = true
		ctype, ext := "application/x-ndjson", "jsonl"
		if format == signal.AuditCSV {
			ctype, ext = "text/csv; charset=utf-8", "csv"
		}
		w.Header().Set(echo.HeaderContentType, ctype)
		w.Header().Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="signaal-logboek.%s"`, ext))
		w.WriteHeader(http.StatusOK)
	}
	enc := json.NewEncoder(w)
	cw := csv.NewWriter(w)
	wroteHeader := false
	emit := func(r signal.AuditExportRow) error {
		start()
		if format == signal.AuditJSONL {
			return enc.Encode(r)
		}
		if !wroteHeader {
			wroteHeader = true
			if err := cw.Write(auditExportColumns); err != nil {
				return err
			}
		}
		var outcome, level, rule, policy string
		if d := r.Decision; d != nil {
			outcome, level, rule, policy = d.Outcome, d.Level, d.Rule, d.PolicyVersion
		}
		row := []string{strconv.FormatInt(r.Seq, 10), r.Time, r.UserID, r.Name, r.Role, r.Org, r.OrgName, r.Action, r.Object,
			r.Subject, outcome, level, rule, policy, r.RequestID, r.IP, r.Hash}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		return cw.Write(row)
	}
	_, err = s.privacy.ExportAudit(c.Request().Context(), signalActor(c), q, format, emit)
	if err != nil && !started {
		return err
	}
	if err != nil {
		// Mid-stream the status is sent: the download ends short.
		s.logger.Error("audit export", slog.String("request_id", requestID(c)), slog.Any("err", err))
		return nil
	}
	start()
	if format == signal.AuditCSV {
		if !wroteHeader {
			cw.Write(auditExportColumns)
		}
		cw.Flush()
	}
	return nil
}
