package web

import (
	"bytes"
	"html/template"
	"testing"
)

// TestPhoneNumbersAreTapToCall (issue 15 item 7): a contact's phone number
// on a page is a tel: link a phone can dial, however the number was
// written, and reads as it was written.
func TestPhoneNumbersAreTapToCall(t *testing.T) {
	tpl := template.Must(template.New("").Funcs(templateFuncs).Parse(`{{with .}}<a href="tel:{{telnum .}}">{{.}}</a>{{end}}`))
	for phone, want := range map[string]string{
		"06-12345678":        `<a href="tel:0612345678">06-12345678</a>`,
		"+31 (0)6 1234 5678": `<a href="tel:&#43;31612345678">&#43;31 (0)6 1234 5678</a>`,
		"(020) 123 45 67":    `<a href="tel:0201234567">(020) 123 45 67</a>`,
		"0800-2000":          `<a href="tel:08002000">0800-2000</a>`,
	} {
		var b bytes.Buffer
		if err := tpl.Execute(&b, phone); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("%q: %s, want %s", phone, b.String(), want)
		}
	}
}
