// Package rego holds Signaal's sharing policy: the Rego modules that decide
// what may be shared about a young person, with whom and why, their tests,
// and the question catalogue the signal form is built from. The policy
// package loads them; a privacy officer's adjusted copy can be loaded from a
// directory instead (signald --policy DIR).
package rego

import "embed"

// FS holds the policy modules (*.rego) and their tests (*_test.rego).
//
//go:embed *.rego
var FS embed.FS
