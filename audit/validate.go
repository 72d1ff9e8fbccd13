package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
)

// The checks below keep names and free text out of the log: every field is a
// code or an identifier from a small alphabet without spaces. They are not a
// proof that no personal data can get in, but they stop the likely mistakes
// (a name in Subject, a note in Decision.Input) before they become permanent
// in a log that can never be edited (AVG art. 5(1)(c), data minimisation).
//
// Error messages never repeat the refused value: it may be the very personal
// data the check keeps out, and errors end up in logs.

const (
	maxCode       = 80 // room for "sha256:" and 64 hex digits
	maxAction     = 64
	maxIdentifier = 128
	maxObject     = 256
	maxInput      = 8 << 10
	minPseudonym  = 22 // 128 bits in base64url; a keyed HMAC is longer
	maxPseudonym  = 128
)

// check collects the problems of one entry.
type check struct{ problems []FieldProblem }

func (c *check) add(field, format string, args ...any) {
	c.problems = append(c.problems, FieldProblem{Field: field, Problem: fmt.Sprintf(format, args...)})
}

func (c *check) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	return &EntryError{Problems: c.problems}
}

// validate checks e and returns it normalised for storage (compact decision
// input). It does not fill the time; the writer does.
func validate(e Entry) (Entry, error) {
	var c check
	checkAction(&c, string(e.Action))
	checkIdentifier(&c, "actor.user_id", e.Actor.UserID, maxIdentifier, false)
	checkCode(&c, "actor.role", string(e.Actor.Role), false)
	checkIdentifier(&c, "actor.org", e.Actor.OrgID, maxIdentifier, false)
	checkIdentifier(&c, "object", e.Object, maxObject, true)
	checkSubject(&c, e.Subject)
	checkIdentifier(&c, "origin.request_id", e.Actor.RequestID, maxIdentifier, false)
	if e.Actor.IP != "" {
		if _, err := netip.ParseAddr(e.Actor.IP); err != nil {
			c.add("origin.ip", "must be a literal IP address")
		}
	}
	if d := e.Decision; d != nil {
		dc := *d
		checkCode(&c, "decision.outcome", d.Outcome, true)
		checkCode(&c, "decision.level", d.Level, false)
		checkCode(&c, "decision.rule", d.Rule, false)
		checkCode(&c, "decision.policy_version", d.PolicyVersion, true)
		checkCode(&c, "decision.purpose", d.Purpose, false)
		checkCode(&c, "decision.recipient", d.Recipient, false)
		for _, l := range []struct {
			name string
			list []string
		}{{"decision.fields", d.Fields}, {"decision.obligations", d.Obligations}, {"decision.reasons", d.Reasons}, {"decision.texts", d.Texts}} {
			for i, v := range l.list {
				checkCode(&c, fmt.Sprintf("%s[%d]", l.name, i), v, true)
			}
		}
		dc.Input = checkInput(&c, d.Input)
		checkCode(&c, "decision.input_digest", d.InputDigest, false)
		if len(d.Input) > 0 && d.InputDigest != "" {
			c.add("decision.input", "must be left out when decision.input_digest is given (the digest stands for it)")
		}
		e.Decision = &dc
	}
	return e, c.err()
}

// checkAction accepts dotted lower-case verbs such as "share.decide" (and a
// single word such as "logout").
func checkAction(c *check, s string) {
	if s == "" {
		c.add("action", "is required")
		return
	}
	if len(s) > maxAction {
		c.add("action", "is longer than %d bytes", maxAction)
		return
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" || part[0] < 'a' || part[0] > 'z' || !only(part, isLowerWord) {
			c.add("action", "must be a dotted lower-case verb such as \"signal.create\"")
			return
		}
	}
}

// checkCode accepts codes and versions: letters, digits, "_", "-", ".", ":".
func checkCode(c *check, field, s string, required bool) {
	switch {
	case s == "" && required:
		c.add(field, "is required")
	case len(s) > maxCode:
		c.add(field, "is longer than %d bytes", maxCode)
	case !only(s, isCodeByte):
		c.add(field, "must be a code (letters, digits, _ - . :)")
	}
}

// checkIdentifier accepts identifiers: the code alphabet plus "@", "/", "+", "=".
func checkIdentifier(c *check, field, s string, max int, slash bool) {
	if len(s) > max {
		c.add(field, "is longer than %d bytes", max)
		return
	}
	if !only(s, func(b byte) bool { return isCodeByte(b) || b == '@' || b == '+' || b == '=' || (slash && b == '/') }) {
		c.add(field, "must be an identifier (letters, digits, _ - . : @ + =) without spaces")
	}
}

// checkSubject accepts keyed pseudonyms: an optional lower-case prefix ending
// in ":" and then 22 to 128 characters of base64url or hex.
func checkSubject(c *check, s string) {
	if s == "" {
		return
	}
	body := s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		prefix := s[:i]
		if prefix == "" || len(prefix) > 16 || !only(prefix, func(b byte) bool { return b >= 'a' && b <= 'z' }) {
			c.add("subject", "must be a keyed pseudonym (optional lower-case prefix and \":\", then base64url or hex), not a name")
			return
		}
		body = s[i+1:]
	}
	if len(body) < minPseudonym || len(body) > maxPseudonym || !only(body, isBase64URLByte) {
		c.add("subject", "must be a keyed pseudonym of %d to %d base64url or hex characters, not a name or other personal data", minPseudonym, maxPseudonym)
	}
}

// checkInput accepts a JSON object whose strings are all codes (the policy
// input holds enums, booleans and numbers only), and returns it compacted.
func checkInput(c *check, in json.RawMessage) json.RawMessage {
	if len(in) == 0 {
		return nil
	}
	if len(in) > maxInput {
		c.add("decision.input", "is larger than %d bytes", maxInput)
		return nil
	}
	// Compact checks the syntax in one pass; then a scan of the compact
	// text checks every key and string. Only a refused input is decoded,
	// to name the offending path: this runs on the writer's goroutine.
	var buf bytes.Buffer
	if err := json.Compact(&buf, in); err != nil {
		c.add("decision.input", "must be valid JSON: %v", err)
		return nil
	}
	out := buf.Bytes()
	if out[0] != '{' {
		c.add("decision.input", "must be a JSON object")
		return nil
	}
	if onlyCodeStrings(out) {
		return out
	}
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		c.add("decision.input", "must be valid JSON: %v", err)
		return nil
	}
	path, _ := freeText(v, "decision.input")
	c.add(path, "must be a code, not free text")
	return nil
}

// onlyCodeStrings reports whether every string (keys included) of the
// compact JSON text js is a code: short, from the code alphabet, and so
// without escapes.
func onlyCodeStrings(js []byte) bool {
	for i := 0; i < len(js); i++ {
		if js[i] != '"' {
			continue
		}
		start := i + 1
		for i = start; i < len(js) && js[i] != '"'; i++ {
			if !isCodeByte(js[i]) {
				return false // also a backslash: an escape is never in a code
			}
		}
		if i-start > maxCode {
			return false
		}
	}
	return true
}

// freeText walks a decoded JSON value and reports the path of the first key
// or string that is not a code.
func freeText(v any, path string) (string, bool) {
	switch v := v.(type) {
	case string:
		return path, len(v) <= maxCode && only(v, isCodeByte)
	case map[string]any:
		for k, e := range v {
			p := path + "." + k
			if len(k) > maxCode || !only(k, isCodeByte) {
				return p, false
			}
			if p, ok := freeText(e, p); !ok {
				return p, false
			}
		}
	case []any:
		for i, e := range v {
			if p, ok := freeText(e, fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
	}
	return "", true
}

func only(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isLowerWord(b byte) bool { return b >= 'a' && b <= 'z' || b == '_' }

func isCodeByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-' || b == '.' || b == ':'
}

func isBase64URLByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-'
}
