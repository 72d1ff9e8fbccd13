# Tests of the age rule for consent, every band and its boundaries: whose
# consent counts, and that the others' answers do not.
package signaal_test

# age_case: the base case at the given age, with the given consent answers.
age_case(age, consent) := object.union(case({"youth": {"age": age}}), {"consent": consent})

# Under 12: the parents alone.
test_age_0_parents_decide if {
	d := decide(age_case(0, {"youth": "refused", "parents": "given"}))
	d.rule == "R7"
	"consent_parents_under_12" in reason_codes(d)
}

test_age_11_parents_decide if {
	d := decide(age_case(11, {"youth": "refused", "parents": "given"}))
	d.rule == "R7"
}

test_age_11_parents_refusal_counts if {
	d := decide(age_case(11, {"youth": "given", "parents": "refused"}))
	d.rule == "R9c"
}

test_age_11_youth_answer_not_needed_as_question if {
	d := decide(object.union(json.remove(base, ["consent/youth"]), {"youth": {"age": 11}}))
	d.missing == []
	d.rule == "R7"
}

# 12 to 15: the young person and the parents.
test_age_12_both_decide_youth_refusal_counts if {
	d := decide(age_case(12, {"youth": "refused", "parents": "given"}))
	d.rule == "R9c"
	"consent_youth_and_parents_12_15" in reason_codes(d)
	"youth_consent_refused" in reason_codes(d)
}

test_age_12_both_decide_parents_refusal_counts if {
	d := decide(age_case(12, {"youth": "given", "parents": "refused"}))
	d.rule == "R9c"
}

test_age_12_both_given if {
	d := decide(age_case(12, {"youth": "given", "parents": "given"}))
	d.rule == "R7"
}

test_age_15_both_decide if {
	d := decide(age_case(15, {"youth": "given", "parents": "refused"}))
	d.rule == "R9c"
	"parents_consent_refused" in reason_codes(d)
}

test_age_15_both_needed_as_questions if {
	d := decide(json.remove(base, ["consent/youth", "consent/parents"]))
	d.missing == ["consent.youth", "consent.parents"]
}

test_age_15_no_parent_with_authority_is_impossible if {
	d := decide(age_case(15, {"youth": "given", "parents": "not_applicable"}))
	d.rule == "R9c"
	"parents_consent_impossible" in reason_codes(d)
}

# 16 and over: the young person alone.
test_age_16_youth_alone if {
	d := decide(age_case(16, {"youth": "given", "parents": "refused"}))
	d.rule == "R7"
	"consent_youth_16_plus" in reason_codes(d)
}

test_age_16_youth_refusal_counts if {
	d := decide(age_case(16, {"youth": "refused", "parents": "given"}))
	d.rule == "R9c"
}

test_age_16_parents_not_asked_does_not_matter if {
	d := decide(age_case(16, {"youth": "given", "parents": "not_asked"}))
	d.rule == "R7"
}

test_age_16_parents_not_a_question if {
	d := decide(object.union(json.remove(base, ["consent/parents"]), {"youth": {"age": 16}}))
	d.missing == []
}

test_age_23_youth_alone if {
	d := decide(age_case(23, {"youth": "given"}))
	d.rule == "R7"
}

# Not capable of weighing their own interests: the parents (legal
# representatives) alone, at any age from 12.
test_age_13_not_capable_parents_decide if {
	d := decide(object.union(age_case(13, {"youth": "refused", "parents": "given"}), {"youth": {"capable": false}}))
	d.rule == "R7"
	"consent_parents_not_capable" in reason_codes(d)
}

test_age_17_not_capable_parents_decide if {
	d := decide(object.union(age_case(17, {"youth": "given", "parents": "refused"}), {"youth": {"capable": false}}))
	d.rule == "R9c"
	"parents_consent_refused" in reason_codes(d)
}

test_capable_defaults_to_true if {
	d := decide(object.union(json.remove(base, ["youth/capable"]), {"consent": {"youth": "refused"}}))
	d.rule == "R9c"
	"youth_consent_refused" in reason_codes(d)
}
