package policy

import (
	"context"
	"fmt"
	"strings"
	"testing/fstest"

	"github.com/signaal-nl/signaal/signal"
)

// Comparing two policy versions for the privacy officer (issue 17 item 5):
// the versions as stored (signal.PolicyVersion's files) are loaded as they
// were, their rules named, and recorded inputs decided by both.

// Versions loads stored policy versions and names their rules; it is the
// signal.PolicyVersions the console's comparison needs.
type Versions struct{}

// Load compiles the stored files of one policy version (signal.PolicyFile,
// as ReadPolicyFiles read them when it was loaded) into a decider.
func (Versions) Load(ctx context.Context, files []signal.PolicyFile) (signal.Decider, error) {
	fsys := fstest.MapFS{}
	for _, f := range files {
		fsys[f.Path] = &fstest.MapFile{Data: []byte(f.Content), Mode: 0o444}
	}
	e, err := Load(ctx, fsys)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Rules returns the source text of every rule of the files by its name
// (package and head, "signaal.acute_danger"), the definitions of one name
// joined in file order; two versions' rules differ where their texts do.
func (Versions) Rules(files []signal.PolicyFile) (map[string]string, error) {
	var pf []policyFile
	for _, f := range files {
		pf = append(pf, policyFile{path: f.Path, content: []byte(f.Content)})
	}
	modules, err := parse(pf)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, f := range pf {
		m := modules[f.path]
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		for _, r := range m.Rules {
			name := pkg + "." + r.Head.Ref().String()
			text := ""
			if r.Location != nil {
				text = string(r.Location.Text)
			}
			if prev, ok := out[name]; ok {
				text = prev + "\n" + text
			}
			out[name] = text
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("policy: no rules in %d files", len(files))
	}
	return out, nil
}
