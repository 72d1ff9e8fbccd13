# Tests of R10, minimisation: what goes after the level is decided.
package signaal_test

all_fields := ["identity", "contact", "facts", "opinions", "health", "religion_ethnicity", "criminal", "bsn"]

test_r10_bsn_goes_under_a_legal_duty if {
	d := decide(case({"legal_duty": true, "fields": ["identity", "bsn"]}))
	d.fields == ["identity", "bsn"]
}

test_r10_bsn_goes_in_the_report_to_veilig_thuis if {
	d := decide(case({"abuse": {"suspected": true, "unsafe": true}, "recipient": {"role": "veilig_thuis"}, "fields": ["identity", "bsn"]}))
	d.rule == "R3"
	d.fields == ["identity", "bsn"]
}

test_r10_bsn_never_goes_on_consent if {
	d := decide(case({"fields": ["identity", "bsn"]}))
	d.rule == "R7"
	d.fields == ["identity"]
	"bsn_removed" in reason_codes(d)
}

test_r10_bsn_never_goes_under_conflict_of_duties if {
	d := decide(object.union(refused, {"fields": ["identity", "bsn"]}))
	d.rule == "R9a"
	d.fields == ["identity"]
	"bsn_removed" in reason_codes(d)
}

test_r10_opinions_go_when_kept_separate if {
	d := decide(case({"fields": ["facts", "opinions"]}))
	d.fields == ["facts", "opinions"]
	not "opinions_not_separated" in reason_codes(d)
}

test_r10_opinions_removed_when_mixed_with_facts if {
	d := decide(case({"fields": ["facts", "opinions"], "facts_opinions_separated": false}))
	d.fields == ["facts"]
	"opinions_not_separated" in reason_codes(d)
}

test_r10_opinions_removed_when_anonymous_and_mixed if {
	d := decide(case({"consent": {"parents": "not_asked"}, "fields": ["identity", "facts", "opinions"], "facts_opinions_separated": false}))
	d.level == "anonymous"
	d.fields == ["facts"]
}

test_r10_special_categories_notify_the_privacy_officer if {
	d := decide(case({"fields": ["facts", "health"]}))
	d.fields == ["facts", "health"]
	"notify_privacy_officer" in d.obligations
	"special_category_shared" in reason_codes(d)
}

test_r10_no_notification_without_special_categories if {
	d := decide(base)
	not "notify_privacy_officer" in d.obligations
	not "special_category_shared" in reason_codes(d)
}

test_r10_special_categories_not_at_minimal_level if {
	d := decide(object.union(refused, {"fields": ["facts", "criminal"]}))
	d.level == "minimal"
	d.fields == ["facts"]
	"fields_beyond_level_removed" in reason_codes(d)
	not "notify_privacy_officer" in d.obligations
}

test_r10_anonymous_level_never_identifies if {
	d := decide(case({"consent": {"parents": "not_asked"}, "fields": all_fields}))
	d.level == "anonymous"
	d.fields == ["facts", "opinions"]
}

test_r10_nothing_proposed_nothing_shared if {
	d := decide(case({"fields": []}))
	d.rule == "R7"
	d.fields == []
}

test_r10_full_level_keeps_every_allowed_field if {
	d := decide(case({"fields": all_fields}))
	d.fields == ["identity", "contact", "facts", "opinions", "health", "religion_ethnicity", "criminal"]
}

test_level_full_allows_every_field if {
	data.signaal.level_ceiling.full == {f | some f in data.signaal.field_order}
}
