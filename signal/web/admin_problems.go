package web

import (
	"errors"
	"regexp"
	"strings"

	"github.com/signaal-nl/signaal/signal"
)

// The console's refusals in the reader's language (issue 19, item 4). The
// domain says what is wrong in English, per field; the console names the
// field by its label and says the problem in words of the catalogue
// ("admin.problem.<kind>"), so a Dutch page shows no English.

// adminProblemKinds: what a problem says -> its kind, first match wins.
var adminProblemKinds = []struct {
	says *regexp.Regexp
	kind string
}{
	{regexp.MustCompile(`^required: say what this partner does`), "part_required"},
	{regexp.MustCompile(`^required`), "required"},
	{regexp.MustCompile(`^at most \d+ characters`), "too_long"},
	{regexp.MustCompile(`not a valid email address`), "email"},
	{regexp.MustCompile(`^must be another person than the contact person`), "same_person"},
	{regexp.MustCompile(`^must be an https:// URL`), "https"},
	{regexp.MustCompile(`^must be an absolute path`), "absolute_path"},
	{regexp.MustCompile(`^must be email or sub`), "claim"},
	{regexp.MustCompile(`^must be one of|^unknown value`), "choose"},
	{regexp.MustCompile(`^must be a whole number of months from 1 to 120`), "months"},
	{regexp.MustCompile(`^a whole number of weeks from 1 to 12`), "weeks"},
	{regexp.MustCompile(`^a time as HH:MM`), "time"},
	{regexp.MustCompile(`^choose a day of the week`), "weekday"},
	{regexp.MustCompile(`^name at least one`), "at_least_one"},
	{regexp.MustCompile(`^listed twice`), "twice"},
	{regexp.MustCompile(`^one line`), "one_line"},
}

// adminRefusalKinds: a refusal without fields (a conflict) -> the field it
// is about and its kind.
var adminRefusalKinds = []struct {
	says        *regexp.Regexp
	field, kind string
}{
	{regexp.MustCompile(`^an organisation named .* exists already$`), "name", "name_taken"},
	{regexp.MustCompile(` has an account already$`), "email", "account_exists"},
	{regexp.MustCompile(`stays reachable$`), "", "still_contact"},
	{regexp.MustCompile(`^you cannot disable your own account$`), "", "own_account"},
	{regexp.MustCompile(`is not a valid email address$`), "email", "email"},
	{regexp.MustCompile(`is disabled: enable it before inviting again$`), "", "reinvite_disabled"},
	{regexp.MustCompile(`accepted its invitation already$`), "", "invite_accepted"},
}

var atMostRE = regexp.MustCompile(`^at most (\d+) characters`)

// adminProblem is one field's problem in the page's language; "" when the
// catalogue has no words for it.
func adminProblem(v *View, problem string) string {
	for _, k := range adminProblemKinds {
		if k.says.MatchString(problem) {
			if m := atMostRE.FindStringSubmatch(problem); m != nil {
				return v.T("admin.problem."+k.kind, m[1])
			}
			return v.T("admin.problem." + k.kind)
		}
	}
	return ""
}

// adminFieldLabel names a field as the form does: "purposes.safety_risk.fields"
// by its own label, else by its first part's ("contact" for "contact.x").
func adminFieldLabel(v *View, field string) string {
	for f := field; f != ""; {
		if key := "admin.field." + f; v.cat.Has(key) {
			return v.T(key)
		}
		i := strings.LastIndexByte(f, '.')
		if i < 0 {
			break
		}
		f = f[:i]
	}
	return field
}

// adminErrors turns a refusal into form errors in the page's language,
// each naming its field. A problem the catalogue has no words for is
// shown as the domain says it on an English page, and as "not filled in
// correctly" on a Dutch one.
func adminErrors(v *View, err error) []FormError {
	var se *signal.Error
	if !errors.As(err, &se) {
		return []FormError{{Field: "", Message: v.T("admin.error.generic")}}
	}
	if len(se.Fields) == 0 {
		for _, k := range adminRefusalKinds {
			if k.says.MatchString(se.Message) {
				msg := v.T("admin.problem." + k.kind)
				if k.field != "" {
					msg = adminFieldLabel(v, k.field) + ": " + msg
				}
				return []FormError{{Field: k.field, Message: msg}}
			}
		}
		if v.Lang == LangEN {
			return []FormError{{Field: "", Message: se.Message}}
		}
		return []FormError{{Field: "", Message: v.T("admin.error.generic")}}
	}
	var out []FormError
	for _, f := range se.Fields {
		problem := adminProblem(v, f.Problem)
		if problem == "" {
			problem = f.Problem
			if v.Lang != LangEN {
				problem = v.T("admin.problem.invalid")
			}
		}
		out = append(out, FormError{Field: f.Field, Message: adminFieldLabel(v, f.Field) + ": " + problem})
	}
	return out
}
