package signal

import (
	"slices"
	"strconv"
	"strings"
)

// An enum of the domain is a string type, its constants, and a list of
// every value (Categories, Levels, Roles...). What each enum needs beyond
// that is here, once: its Valid is oneOf(v, list), and validation reports
// a value outside the list the same way for every enum.

// oneOf reports whether v is one of all.
func oneOf[T ~string](v T, all []T) bool { return slices.Contains(all, v) }

// requireOneOf adds field's problem when v is empty or not one of all.
func requireOneOf[T ~string](fe *FieldErrors, field string, v T, all []T) {
	switch {
	case v == "":
		fe.Add(field, "is required")
	case !oneOf(v, all):
		fe.Add(field, unknownValue(v, all))
	}
}

// checkEnum adds path's problem when the answer v is given and not one of
// allowed.
func checkEnum[T ~string](fe *FieldErrors, path string, v *T, allowed []T) {
	if v != nil && !oneOf(*v, allowed) {
		fe.Add(path, unknownValue(*v, allowed))
	}
}

// requireCode adds the problem of a required code field to fe: missing
// ("is required: " and why), or outside allowed.
func requireCode[T ~string](fe *FieldErrors, field string, v T, allowed []T, why string) {
	switch {
	case v == "":
		fe.Add(field, "is required: "+why)
	case !slices.Contains(allowed, v):
		fe.Add(field, unknownValue(v, allowed))
	}
}

// unknownValue is the problem for a value outside an enum, listing what is
// allowed so the caller can fix it without reading the contract.
func unknownValue[T ~string](v T, allowed []T) string {
	var b strings.Builder
	b.WriteString("unknown value ")
	b.WriteString(strconv.Quote(string(v)))
	b.WriteString("; allowed: ")
	for i, a := range allowed {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(a))
	}
	return b.String()
}
