package browsertest

import (
	_ "embed"
	"fmt"
	"strings"
)

// axeSource is axe-core, vendored from npm (see axe/README.md).
//
//go:embed axe/axe.min.js
var axeSource string

// AxeVersion is the version of the vendored axe-core.
const AxeVersion = "4.14.1"

// WCAGTags are the axe-core rule tags a scan runs: every rule for WCAG 2.0
// and 2.1 at levels A and AA, the level the Dutch government requires of
// public-sector websites and apps (Besluit digitale toegankelijkheid
// overheid, via EN 301 549).
var WCAGTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// Violation is one axe-core rule that failed on the page.
type Violation struct {
	ID      string          `json:"id"`     // the rule, e.g. "image-alt", "label", "color-contrast"
	Impact  string          `json:"impact"` // "minor", "moderate", "serious" or "critical"
	Help    string          `json:"help"`   // what the rule asks, in a sentence
	HelpURL string          `json:"helpUrl"`
	Nodes   []ViolationNode `json:"nodes"`
}

// ViolationNode is one element that fails a rule.
type ViolationNode struct {
	Target  []string `json:"target"`  // CSS selectors of the element (frames and shadow roots joined by " >>> ")
	HTML    string   `json:"html"`    // the element's opening tag
	Summary string   `json:"summary"` // what to fix, from axe-core
}

// axeRun runs axe-core on the document and returns the violations in a
// shape that decodes into []Violation.
var axeRun = `axe.run(document, {
	runOnly: {type: "tag", values: ` + jsArray(WCAGTags) + `},
	resultTypes: ["violations"],
}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({
		target: n.target.map(t => Array.isArray(t) ? t.join(" >>> ") : String(t)),
		html: n.html,
		summary: n.failureSummary || "",
	})),
})))`

func jsArray(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// Axe scans the page as it is now with axe-core for WCAG 2.1 A and AA and
// returns the violations, none when the page passes.
//
// axe-core is evaluated through the DevTools protocol (Runtime.evaluate),
// not added as a script element, so it runs on pages whose
// Content-Security-Policy forbids inline and foreign scripts, as Signaal's
// do, and the scan does not weaken the policy under test.
func (p *Page) Axe() []Violation {
	p.t.Helper()
	if !Eval[bool](p, `typeof window.axe === "object" && typeof window.axe.run === "function"`) {
		Eval[bool](p, axeSource+";\ntrue")
	}
	return Eval[[]Violation](p, axeRun)
}

// AssertAccessible scans the page (see [Page.Axe]) and fails the test,
// listing every violation with its elements and what to fix, unless there
// are none. The test goes on, so one test can check several pages.
func (p *Page) AssertAccessible() {
	p.t.Helper()
	if v := p.Axe(); len(v) > 0 {
		loc := Eval[string](p, `location.href`)
		p.t.Errorf("axe-core %s: %d WCAG 2.1 AA violation(s) on %s (%s):\n%s", AxeVersion, len(v), loc, p.device, FormatViolations(v))
	}
}

// FormatViolations lists violations for a person: the rule, its impact and
// what it asks, then each failing element with what to fix.
func FormatViolations(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "  %s (%s): %s\n    %s\n", v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "    - %s  %s\n", strings.Join(n.Target, ", "), n.HTML)
			for _, line := range strings.Split(strings.TrimSpace(n.Summary), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					fmt.Fprintf(&b, "        %s\n", line)
				}
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
