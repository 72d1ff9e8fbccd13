package signal

import (
	"context"
	"io"
	"testing"
	"time"
)

// fakeChain is an AuditChain of function fields; a nil field fails the
// test when called.
type fakeChain struct {
	t      *testing.T
	export func(since time.Time, format AuditFormat) (int64, error)
}

func (f fakeChain) OpenCheckpoint(context.Context, []byte) (AuditCheckpoint, error) {
	f.t.Fatal("OpenCheckpoint called")
	return AuditCheckpoint{}, nil
}

func (f fakeChain) CheckChain(context.Context, []AuditCheckpoint) (AuditVerification, error) {
	f.t.Fatal("CheckChain called")
	return AuditVerification{}, nil
}

func (f fakeChain) IssueCheckpoint(context.Context) (AuditCheckpoint, error) {
	f.t.Fatal("IssueCheckpoint called")
	return AuditCheckpoint{}, nil
}

func (f fakeChain) ExportAudit(_ context.Context, since time.Time, _ io.Writer, format AuditFormat) (int64, error) {
	if f.export == nil {
		f.t.Fatal("ExportAudit called")
	}
	return f.export(since, format)
}

func TestAuditLogIsTheOperatorsAlone(t *testing.T) {
	ctx := context.Background()
	l := NewAuditLog(fakeChain{t: t})
	for _, role := range []Role{RolePrivacyOfficer, RoleAdmin, RoleCoordinator, RoleReporter, ""} {
		actor := Actor{UserID: "u-1", Role: role}
		if _, err := l.Verify(ctx, actor, nil); ErrorCode(err) != CodeForbidden {
			t.Errorf("%q verifies: %v", role, err)
		}
		if _, err := l.OpenCheckpoint(ctx, actor, []byte("x")); ErrorCode(err) != CodeForbidden {
			t.Errorf("%q opens a checkpoint: %v", role, err)
		}
		if _, err := l.Checkpoint(ctx, actor); ErrorCode(err) != CodeForbidden {
			t.Errorf("%q issues a checkpoint: %v", role, err)
		}
		if _, err := l.Export(ctx, actor, time.Time{}, io.Discard, AuditJSONL); ErrorCode(err) != CodeForbidden {
			t.Errorf("%q exports: %v", role, err)
		}
	}
}

func TestAuditLogExportNamesABadFormat(t *testing.T) {
	ctx := context.Background()
	operator := Actor{UserID: "cli", Role: RoleSystem}
	var got []AuditFormat
	l := NewAuditLog(fakeChain{t: t, export: func(_ time.Time, f AuditFormat) (int64, error) {
		got = append(got, f)
		return 3, nil
	}})
	_, err := l.Export(ctx, operator, time.Time{}, io.Discard, "xml")
	if e, ok := err.(*Error); !ok || e.Code != CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "format" {
		t.Fatalf("xml: %v", err)
	}
	for _, f := range []AuditFormat{AuditJSONL, AuditCSV} {
		if n, err := l.Export(ctx, operator, time.Time{}, io.Discard, f); err != nil || n != 3 {
			t.Fatalf("%s: %d, %v", f, n, err)
		}
	}
	if len(got) != 2 {
		t.Fatalf("the store exported %v", got)
	}
}
