package app

// DemoSignals are the demo's signals, for the external test.
var DemoSignals = demoSignals

// DemoTexts are the demo signals' names and facts: what no message may
// carry.
func DemoTexts() []string {
	var out []string
	for _, d := range demoSignals {
		out = append(out, d.name, d.facts)
		if d.opinions != "" {
			out = append(out, d.opinions)
		}
	}
	return out
}
