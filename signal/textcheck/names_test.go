package textcheck

import (
	"fmt"
	"strings"
	"testing"
)

// TestEveryListedNameIsFound: every given and family name of the name lists
// (names.txt from faker's nl locale, names-origins.txt), written where a
// name stands in a signal, is raised as a person's name. A name that is
// also a word ("Roos", "Can", "Said") must be found when it acts as a
// name: capitalised inside a sentence or after a title.
func TestEveryListedNameIsFound(t *testing.T) {
	nobody := Subject{Name: "Xyzzy Qwerty"}
	var checked int
	for _, f := range []string{"data/names.txt", "data/names-origins.txt"} {
		data, err := dataFiles.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if line == "" || line[0] == '#' {
				continue
			}
			fields := strings.Split(line, "\t")
			name := fields[1]
			var sentences []string
			if fields[0] == "g" {
				sentences = []string{
					"Ze zit in de klas naast %s en praat weinig.",
					"Volgens de mentor heeft %s vaak ruzie.",
					"Gisteren kwam %s te laat op school.",
					"Het gesprek met %s ging over thuis.",
				}
			} else {
				sentences = []string{
					"Gesprek met mevrouw %s over de thuissituatie.",
					"De vader, dhr. %s, belde de school.",
					"Noor %s is verhuisd.",
				}
			}
			for _, s := range sentences {
				text := fmt.Sprintf(s, name)
				checked++
				found := false
				for _, f := range Check(text, nobody) {
					if f.Kind == KindPersonName && strings.Contains(f.Text, strings.Fields(name)[len(strings.Fields(name))-1]) {
						found = true
					}
				}
				if !found {
					t.Errorf("%q: the name %q is not found (got %s)", text, name, show(Check(text, nobody)))
				}
			}
		}
	}
	t.Logf("%d sentences with a listed name checked", checked)
}
