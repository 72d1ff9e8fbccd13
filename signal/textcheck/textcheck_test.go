package textcheck

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/signaal-nl/signaal/signal"
)

var sanne = Subject{Name: "Sanne de Vries", BirthDate: "2011-03-14", KnownNames: []string{"Daan Jansen"}}

// TestCheck is the table test of issue 14: a finding of every kind, and
// ordinary sentences of mentors, youth workers and coordinators that the
// check must leave alone.
func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // kind=text, in text order; nil: nothing
	}{
		// findings
		{"own first name", "Sanne komt niet meer.", []string{"own_name=Sanne"}},
		{"own name typed lower case", "gesprek met sanne gehad", []string{"own_name=sanne"}},
		{"own name with diacritics", "SANNE en Sännë", []string{"own_name=SANNE", "own_name=Sännë"}},
		{"own full name", "Sanne de Vries woont bij oma.", []string{"own_name=Sanne de Vries"}},
		{"own family name with infix", "Moeder De Vries belde.", []string{"own_name=De Vries"}},
		{"own initials", "S. de Vries en SdV", []string{"own_name=S. de Vries", "own_name=SdV"}},
		{"own birth date, Dutch", "geboren 14 maart 2011", []string{"own_birth_date=14 maart 2011"}},
		{"own birth date, numeric", "14-03-2011 / 14.3.2011 / 2011-03-14 / 14/3/11", []string{
			"own_birth_date=14-03-2011", "own_birth_date=14.3.2011", "own_birth_date=2011-03-14", "own_birth_date=14/3/11"}},
		{"own birth date, English", "born March 14, 2011", []string{"own_birth_date=March 14, 2011"}},
		{"someone's birth date", "zusje, geboren op 2 juni 2016", []string{"birth_date=2 juni 2016"}},
		{"known name", "Daan was er ook bij.", []string{"known_name=Daan"}},
		{"other given name", "Ze was met Noor en Lisa.", []string{"person_name=Noor", "person_name=Lisa"}},
		{"Jan is a name, januari and Janssen are other words", "Jan en ik spraken in januari.", []string{"person_name=Jan"}},
		{"name after a title", "Dhr. Öztürk belde.", []string{"person_name=Öztürk"}},
		{"word-name capitalised mid-sentence", "Ze zit naast Roos in de klas.", []string{"person_name=Roos"}},
		{"family name with infix", "Gesprek met mevrouw van der Meer.", []string{"person_name=van der Meer"}},
		{"BSN", "BSN 111222333", []string{"bsn=111222333"}},
		{"BSN with dots", "bsn: 1112.22.333", []string{"bsn=1112.22.333"}},
		{"mobile", "bel 0612345678", []string{"phone=0612345678"}},
		{"mobile +31", "+31 (0)6-12345678", []string{"phone=+31 (0)6-12345678"}},
		{"landline", "tel. 020-1234567", []string{"phone=020-1234567"}},
		{"e-mail", "mail naar s.devries@example.nl.", []string{"email=s.devries@example.nl"}},
		{"handle", "insta: @sanne.x_", []string{"handle=@sanne.x_"}},
		{"postcode with number", "1234 AB 12", []string{"address=1234 AB 12"}},
		{"postcode no space", "postcode 1234ab", []string{"address=1234ab"}},
		{"street and number", "Ze woont op de Dorpsweg 14-b.", []string{"address=Dorpsweg 14-b"}},
		{"self-harm", "Tekenen van zelfbeschadiging.", []string{"health=zelfbeschadiging"}},
		{"does not want to live", "Hij wil niet meer leven.", []string{"health=niet meer leven"}},
		{"suicidal with diaeresis", "Ze is suïcidaal.", []string{"health=suïcidaal"}},
		{"diagnosis, inflected", "Hij is gediagnosticeerd met autisme.", []string{"health=gediagnosticeerd", "health=autisme"}},
		{"medication", "Ze slikt medicatie.", []string{"health=medicatie"}},
		{"compound", "Er is een gameverslaving.", []string{"health=gameverslaving"}},
		{"religion", "Hij bidt vaker en gaat naar de moskee.", []string{"religion_ethnicity=bidt", "religion_ethnicity=moskee"}},
		{"ethnicity", "Een Turkse vader.", []string{"religion_ethnicity=Turkse"}},
		{"arrest", "Hij is aangehouden en door de politie verhoord.", []string{"criminal=aangehouden", "criminal=verhoord"}},
		{"HALT", "Hij heeft HALT gekregen.", []string{"criminal=HALT"}},
		{"community service", "Veroordeeld tot een taakstraf.", []string{"criminal=Veroordeeld", "criminal=taakstraf"}},
		{"English", "He was arrested; she is self-harming.", []string{"criminal=arrested", "health=self-harming"}},

		// clean sentences
		{"absence", "Hij komt sinds de herfstvakantie niet meer op school.", nil},
		{"mother called", "Moeder heeft gebeld.", nil},
		{"Jan is not in januari", "In januari en februari was hij vaak afwezig.", nil},
		{"Storm at sentence start is a word", "Storm en regen hielden iedereen binnen.", nil},
		{"not meer leven", "Hij wil niet meer naar school.", nil},
		{"halt houden", "Hij moest halt houden bij de poort.", nil},
		{"belief", "Ik geloof dat het beter gaat.", nil},
		{"contact", "We hebben contact opgenomen met de school.", nil},
		{"police as partner", "De wijkagent sluit aan bij het overleg.", nil},
		{"times and counts", "Om 23.00 uur, 3 keer, groep 8, lokaal 1.14, 20 lesdagen.", nil},
		{"year and words", "In 2012 en 2013 zat hij op een andere school.", nil},
		{"invalid BSN", "Nummer 123456789.", nil},
		{"other date", "Gezien op 3 april 2024 en op 12-11-2024.", nil},
		{"word names lower case", "Een roos, een storm, een bakker en de visser.", nil},
		{"street without number", "Hij hangt rond in de Kerkstraat.", nil},
		{"street count", "Op de Markt 3 keer gezien.", nil},
		{"abbreviations", "De GGD, het CJG en de BSO.", nil},
		{"empty", "", nil},
	}
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := c.Check(tt.text, sanne)
			var got []string
			for _, f := range fs {
				got = append(got, string(f.Kind)+"="+f.Text)
				if tt.text[f.Start:f.End] != f.Text {
					t.Errorf("finding %v: text[%d:%d] = %q, not its Text", f, f.Start, f.End, tt.text[f.Start:f.End])
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Check(%q)\n got  %q\n want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestElevenCheck(t *testing.T) {
	for d, want := range map[string]bool{
		"111222333": true, "123456782": true, "123456789": false, "000000000": false, "12345678": false, "12345678x": false,
	} {
		if got := ElevenCheck(d); got != want {
			t.Errorf("ElevenCheck(%q) = %v, want %v", d, got, want)
		}
	}
}

// TestExplanations: every kind has a plain-language explanation in both
// languages, and a decision field.
func TestExplanations(t *testing.T) {
	fields := []string{"identity", "contact", "bsn", "health", "religion_ethnicity", "criminal"}
	for _, k := range Kinds {
		if e := Explanations[k]; e.NL == "" || e.EN == "" {
			t.Errorf("%s: explanation missing", k)
		}
		if !slices.Contains(fields, k.Field()) {
			t.Errorf("%s: field %q is no decision field", k, k.Field())
		}
		if k.Special() == k.Identifies() {
			t.Errorf("%s: special %v and identifies %v", k, k.Special(), k.Identifies())
		}
	}
	if len(Explanations) != len(Kinds) {
		t.Errorf("%d explanations for %d kinds", len(Explanations), len(Kinds))
	}
}

// TestConcurrent runs one Checker from many goroutines (go test -race).
func TestConcurrent(t *testing.T) {
	text := "Sanne de Vries (14-03-2011) belde met Noor over de moskee; 06-12345678."
	want := len(Check(text, sanne))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got := len(Check(text, sanne)); got != want {
					t.Errorf("got %d findings, want %d", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkCheck checks a realistic text of 1,000 characters.
func BenchmarkCheck(b *testing.B) {
	text := strings.Repeat("Sinds de herfstvakantie 9 van de 20 lesdagen afwezig, telkens afgemeld door moeder. "+
		"Vertelde in het buurthuis aan Noor dat hij niet meer durft te slapen; belt 06-12345678. ", 6)[:1000]
	c, err := New()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		c.Check(text, sanne)
	}
}

// FuzzCheck: whatever the text, findings lie inside it, in order, without
// overlap, and Text is what they mark.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"Sanne de Vries, 14-03-2011, 06-12345678", "BSN 111.222.333 @x_y a@b.nl 1234 AB 5", "S.d.V. wil niet meer leven", "+31 (0)6 1"} {
		f.Add(s)
	}
	c, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		end := 0
		for _, fd := range c.Check(text, sanne) {
			if fd.Start < end || fd.End > len(text) || fd.Start >= fd.End {
				t.Fatalf("finding %+v out of place (previous ended at %d, text %d bytes)", fd, end, len(text))
			}
			if strings.TrimSpace(text[fd.Start:fd.End]) != fd.Text {
				t.Fatalf("finding %+v: text there is %q", fd, text[fd.Start:fd.End])
			}
			end = fd.End
		}
	})
}

// TestDomainKindsAreTheSameCodes: the domain's FindingKind must name every
// Kind by the same code and ask for the same decision field, or a finding
// would be refused (or let through) under the wrong rule.
func TestDomainKindsAreTheSameCodes(t *testing.T) {
	for _, k := range Kinds {
		if got := signal.FindingKind(k).Field(); string(got) != k.Field() {
			t.Errorf("%s: the domain asks for field %q, the check says %q", k, got, k.Field())
		}
	}
	got := Default().CheckText("Sanne belt 0612345678.", signal.TextSubject{Name: "Sanne de Vries"})
	if len(got) != 2 || got[0].Kind != signal.FindingOwnName || got[1].Kind != signal.FindingPhone || got[1].Text != "0612345678" {
		t.Errorf("CheckText: %+v", got)
	}
}
