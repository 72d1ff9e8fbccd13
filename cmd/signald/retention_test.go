package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signaal-nl/signaal/signal/sqlite"
)

func TestRetentionRunCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signaal.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	tests := []struct {
		name       string
		args       []string
		wantStatus int
		wantOut    string
	}{
		{"a dry run", []string{"retention", "run", "--db", path, "--dry-run"}, 0, "retention 2y: 0 signals checked, would erase 0"},
		{"a run with another period", []string{"retention", "run", "--db", path, "--retention", "18m"}, 0, "retention 18m: 0 signals checked, erased 0"},
		{"a period without a unit", []string{"retention", "run", "--db", path, "--retention", "24"}, 2, "--retention"},
		{"a missing database is not created", []string{"retention", "run", "--db", filepath.Join(t.TempDir(), "none.db")}, 2, "--db"},
		{"an unknown subcommand", []string{"retention", "start"}, 2, "want run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out, errOut := runCmd(t, "", tt.args...)
			if status != tt.wantStatus || !strings.Contains(out+errOut, tt.wantOut) {
				t.Fatalf("exit %d, out %q, err %q; want %d and %q", status, out, errOut, tt.wantStatus, tt.wantOut)
			}
		})
	}
}
