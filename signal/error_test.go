package signal

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Code
	}{
		{"nil", nil, ""},
		{"domain error", Errorf(CodeNotFound, "signal %d not found", 7), CodeNotFound},
		{"wrapped domain error", fmt.Errorf("load signal: %w", Errorf(CodeForbidden, "not yours")), CodeForbidden},
		{"foreign error", errors.New("disk full"), CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(tt.err); got != tt.want {
				t.Errorf("ErrorCode() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFieldErrors(t *testing.T) {
	var fe FieldErrors
	if fe.Err() != nil {
		t.Fatal("no problems must give a nil error")
	}
	fe.Add("youth.birth_date", "must be a date like 2011-04-30")
	fe.Add("category", "unknown value \"x\"")
	err := fe.Err()
	if ErrorCode(err) != CodeInvalid {
		t.Fatalf("code = %q, want invalid", ErrorCode(err))
	}
	want := `invalid input: youth.birth_date: must be a date like 2011-04-30; category: unknown value "x"`
	if err.Error() != want {
		t.Errorf("message = %q, want %q", err.Error(), want)
	}
}
