# Tests of the reference rules R1-R9c: for each, when it fires and when it
# must not. Cases start from a complete input and change only what the case
# is about, so a failing test points at one condition.
package signaal_test

import data.signaal

# A 15-year-old, discussed in the signal meeting to coordinate support, with
# valid consent from both required parties: R7.
base := {
	"purpose": "coordinate_support",
	"recipient": {"role": "signal_meeting", "directly_involved": true, "in_agreement": true},
	"youth": {"age": 15, "capable": true},
	"consent": {"youth": "given", "parents": "given", "recorded": true},
	"risk": {"acute_danger": false, "harm": "none", "asking_endangers": false},
	"abuse": {"suspected": false},
	"duty_conflict": {"no_other_way": true, "prevents_harm": true, "expert_consulted": true},
	"legal_duty": false,
	"fields": ["identity", "contact", "facts"],
	"facts_opinions_separated": true,
}

# The base with some answers changed (nested objects merge).
case(change) := object.union(base, change)

decide(doc) := d if {
	d := signaal.decision with input as doc
}

reason_codes(d) := {r.code | some r in d.reasons}

# No consent from a 15-year-old's parents and serious harm likely: the
# conflict-of-duties path.
refused := case({"consent": {"parents": "refused"}, "risk": {"harm": "likely"}})

# ---------------------------------------------------------------------------
# R1: acute danger to life.

test_r1_fires_on_acute_danger if {
	d := decide(case({"risk": {"acute_danger": true}}))
	d.outcome == "emergency"
	d.rule == "R1"
	d.level == "none"
	d.fields == []
	d.obligations == ["record_justification", "call_emergency"]
	d.missing == []
}

test_r1_needs_no_other_answer if {
	d := decide({"risk": {"acute_danger": true}})
	d.outcome == "emergency"
	d.missing == []
}

test_r1_wins_over_legal_duty_and_abuse if {
	d := decide(case({"risk": {"acute_danger": true}, "legal_duty": true, "abuse": {"suspected": true, "unsafe": true}}))
	d.rule == "R1"
}

test_r1_does_not_fire_without_acute_danger if {
	d := decide(base)
	d.outcome != "emergency"
	not "call_emergency" in d.obligations
}

# ---------------------------------------------------------------------------
# R2: a legal duty to share.

test_r2_fires_on_legal_duty if {
	d := decide(case({"legal_duty": true, "consent": {"youth": "refused", "parents": "refused"}, "recipient": {"role": "court_supervisor", "in_agreement": false}}))
	d.outcome == "share_full"
	d.rule == "R2"
	d.level == "full"
	d.fields == ["identity", "contact", "facts"]
	"inform_youth_parents" in d.obligations
}

test_r2_needs_no_consent_or_abuse_answers if {
	d := decide({"risk": {"acute_danger": false}, "legal_duty": true, "purpose": "safety_risk", "recipient": {"role": "court_supervisor"}, "fields": ["identity", "facts"]})
	d.rule == "R2"
	d.missing == []
}

test_r2_does_not_fire_without_legal_duty if {
	d := decide(base)
	d.rule != "R2"
}

# ---------------------------------------------------------------------------
# R3: abuse suspected and unsafe, or help impossible, refused or not working.

abuse(answers) := case({"abuse": object.union({"suspected": true, "unsafe": false, "help_possible": true, "help_accepted": true, "help_effective": "pending"}, answers)})

test_r3_fires_on_unsafety if {
	d := decide(abuse({"unsafe": true}))
	d.outcome == "report_veilig_thuis"
	d.rule == "R3"
	"report_veilig_thuis" in d.obligations
	"unsafe_situation" in reason_codes(d)
}

test_r3_fires_when_help_is_impossible if {
	d := decide(abuse({"help_possible": false}))
	d.rule == "R3"
	"help_impossible" in reason_codes(d)
}

test_r3_fires_when_help_is_refused if {
	d := decide(abuse({"help_accepted": false}))
	d.rule == "R3"
	"help_refused" in reason_codes(d)
}

test_r3_fires_when_help_does_not_work if {
	d := decide(abuse({"help_effective": "no"}))
	d.rule == "R3"
	"help_not_working" in reason_codes(d)
}

test_r3_meeting_sharing_follows_consent if {
	# Valid consent: the meeting sees the full picture, but not the BSN.
	d := decide(object.union(abuse({"unsafe": true}), {"fields": ["identity", "facts", "bsn"]}))
	d.outcome == "report_veilig_thuis"
	d.level == "full"
	d.fields == ["identity", "facts"]
	"consent_valid" in reason_codes(d)
	"bsn_removed" in reason_codes(d)
}

test_r3_meeting_sharing_without_consent_is_not_widened if {
	# The report does not open the meeting: consent refused, no serious harm.
	d := decide(object.union(abuse({"unsafe": true}), {"consent": {"parents": "refused"}, "recipient": {"role": "own_organisation"}}))
	d.outcome == "report_veilig_thuis"
	d.level == "none"
	d.fields == []
	"no_serious_harm" in reason_codes(d)
}

test_r3_without_consent_answers_the_meeting_gets_it_without_a_name if {
	d := decide(json.remove(object.union(abuse({"unsafe": true}), {"fields": ["identity", "contact", "facts", "opinions", "health", "bsn"]}), ["consent", "youth", "risk/harm", "risk/asking_endangers", "duty_conflict"]))
	d.outcome == "report_veilig_thuis"
	d.rule == "R3"
	d.level == "anonymous"
	d.fields == ["facts", "opinions"]
	d.missing == []
	"unsafe_situation" in reason_codes(d)
	"report_first_meeting_anonymous" in reason_codes(d)
	"report_veilig_thuis" in d.obligations
}

test_r3_deferral_keeps_the_agreement if {
	# R5 still decides for a recipient outside the agreement.
	d := decide(json.remove(object.union(abuse({"unsafe": true}), {"purpose": "other"}), ["consent"]))
	d.outcome == "report_veilig_thuis"
	d.level == "none"
	"purpose_outside_agreement" in reason_codes(d)
}

test_r3_report_to_veilig_thuis_is_the_share if {
	d := decide(object.union(abuse({"unsafe": true}), {
		"recipient": {"role": "veilig_thuis", "in_agreement": false, "directly_involved": false},
		"consent": {"youth": "refused", "parents": "refused"},
		"fields": ["identity", "contact", "facts", "bsn"],
	}))
	d.outcome == "report_veilig_thuis"
	d.rule == "R3"
	d.level == "full"
	d.fields == ["identity", "contact", "facts", "bsn"]
	"report_is_the_share" in reason_codes(d)
}

test_r3_does_not_fire_while_help_is_pending if {
	d := decide(abuse({}))
	d.outcome != "report_veilig_thuis"
	not "report_veilig_thuis" in d.obligations
}

test_r3_does_not_fire_without_suspicion if {
	d := decide(case({"abuse": {"suspected": false, "unsafe": true}}))
	d.rule != "R3"
}

# ---------------------------------------------------------------------------
# R4: abuse suspected, none of R3's conditions: advice allowed, R5-R9 decide.

test_r4_allows_advice_and_leaves_sharing_to_consent if {
	d := decide(abuse({"help_effective": "yes"}))
	"abuse_advice_allowed" in reason_codes(d)
	d.rule == "R7"
	d.outcome == "share_full"
}

test_r4_does_not_fire_without_suspicion if {
	d := decide(base)
	not "abuse_advice_allowed" in reason_codes(d)
}

test_r4_does_not_fire_when_a_report_is_required if {
	d := decide(abuse({"unsafe": true}))
	not "abuse_advice_allowed" in reason_codes(d)
}

# ---------------------------------------------------------------------------
# R5: outside the agreement or not directly involved.

test_r5_fires_on_purpose_outside_agreement if {
	d := decide(case({"purpose": "other"}))
	d.outcome == "do_not_share"
	d.rule == "R5"
	d.level == "none"
	d.fields == []
	reason_codes(d) == {"purpose_outside_agreement"}
}

test_r5_fires_on_recipient_outside_agreement if {
	d := decide(case({"recipient": {"in_agreement": false}}))
	d.rule == "R5"
	reason_codes(d) == {"recipient_not_in_agreement"}
}

test_r5_fires_on_recipient_not_directly_involved if {
	d := decide(case({"recipient": {"directly_involved": false}}))
	d.rule == "R5"
	reason_codes(d) == {"recipient_not_directly_involved"}
}

test_r5_names_every_failed_condition if {
	d := decide(case({"purpose": "other", "recipient": {"in_agreement": false, "directly_involved": false}}))
	count(d.reasons) == 3
}

test_r5_does_not_fire_within_agreement if {
	d := decide(base)
	d.rule != "R5"
}

# ---------------------------------------------------------------------------
# R6: radicalisation concern.

test_r6_fires_on_radicalisation_concern if {
	d := decide(case({"purpose": "radicalisation_concern", "fields": ["identity", "facts", "opinions", "religion_ethnicity"]}))
	d.outcome == "escalate"
	d.rule == "R6"
	d.level == "anonymous"
	d.fields == ["facts"] # facts only, even with opinions separated
	d.obligations == ["record_justification", "notify_privacy_officer", "anonymise"]
}

test_r6_needs_no_consent_answers if {
	d := decide(json.remove(case({"purpose": "radicalisation_concern"}), ["consent", "youth"]))
	d.rule == "R6"
	d.missing == []
}

test_r6_does_not_fire_for_other_purposes if {
	d := decide(case({"purpose": "safety_risk"}))
	d.rule != "R6"
}

test_r6_does_not_override_r5 if {
	d := decide(case({"purpose": "radicalisation_concern", "recipient": {"in_agreement": false}}))
	d.rule == "R5"
}

# ---------------------------------------------------------------------------
# R7: valid consent from every required party.

test_r7_fires_on_valid_consent if {
	d := decide(base)
	d.outcome == "share_full"
	d.rule == "R7"
	d.level == "full"
	d.fields == ["identity", "contact", "facts"]
	d.obligations == []
}

test_r7_does_not_fire_on_unrecorded_consent if {
	d := decide(case({"consent": {"recorded": false}}))
	d.rule == "R8"
	"consent_not_recorded" in reason_codes(d)
}

test_r7_does_not_fire_when_a_required_party_refused if {
	d := decide(case({"consent": {"youth": "refused"}}))
	d.rule != "R7"
}

# ---------------------------------------------------------------------------
# R8: a required party not asked, asking safe.

test_r8_fires_when_parents_not_asked if {
	d := decide(case({"consent": {"parents": "not_asked"}}))
	d.outcome == "ask_consent"
	d.rule == "R8"
	d.level == "anonymous"
	d.fields == ["facts"]
	d.obligations == ["record_justification"]
	"parents_not_asked" in reason_codes(d)
}

test_r8_fires_when_youth_not_asked if {
	d := decide(case({"consent": {"youth": "not_asked"}}))
	d.rule == "R8"
	"youth_not_asked" in reason_codes(d)
}

test_r8_fires_before_r9_when_one_party_refused_and_one_not_asked if {
	d := decide(case({"consent": {"youth": "not_asked", "parents": "refused"}}))
	d.rule == "R8"
}

test_r8_does_not_fire_when_asking_endangers if {
	d := decide(case({"consent": {"parents": "not_asked"}, "risk": {"asking_endangers": true}}))
	d.rule != "R8"
	d.rule == "R9c"
	"asking_endangers" in reason_codes(d)
}

test_r8_does_not_fire_when_all_asked if {
	d := decide(base)
	d.rule != "R8"
}

# ---------------------------------------------------------------------------
# R9a: no consent, harm likely, every conflict-of-duties condition holds.

test_r9a_fires_on_conflict_of_duties if {
	d := decide(object.union(refused, {"fields": ["identity", "contact", "facts", "opinions", "health", "bsn"]}))
	d.outcome == "share_minimal"
	d.rule == "R9a"
	d.level == "minimal"
	d.fields == ["identity", "contact", "facts"] # strictly necessary facts only
	d.obligations == ["inform_youth_parents", "record_justification"]
	"conflict_of_duties" in reason_codes(d)
}

test_r9a_fires_when_asking_would_endanger if {
	d := decide(case({"consent": {"parents": "not_asked"}, "risk": {"asking_endangers": true, "harm": "likely"}}))
	d.rule == "R9a"
}

test_r9a_fires_when_consent_is_impossible if {
	d := decide(case({"consent": {"parents": "impossible"}, "risk": {"harm": "likely"}}))
	d.rule == "R9a"
	"parents_consent_impossible" in reason_codes(d)
}

test_r9a_does_not_fire_when_a_condition_fails if {
	every condition in ["no_other_way", "prevents_harm", "expert_consulted"] {
		d := decide(object.union(refused, {"duty_conflict": {condition: false}}))
		d.rule == "R9b"
	}
}

test_r9a_does_not_fire_when_harm_is_only_possible if {
	d := decide(case({"consent": {"parents": "refused"}, "risk": {"harm": "possible"}}))
	d.rule == "R9b"
}

test_r9a_does_not_fire_towards_a_party_that_cannot_act if {
	d := decide(object.union(refused, {"recipient": {"role": "parent"}}))
	d.rule == "R9b"
	"recipient_cannot_act" in reason_codes(d)
}

# ---------------------------------------------------------------------------
# R9b: as R9a, but harm only possible or a condition fails.

test_r9b_fires_when_harm_is_possible if {
	d := decide(case({"consent": {"parents": "refused"}, "risk": {"harm": "possible"}}))
	d.outcome == "escalate"
	d.rule == "R9b"
	d.level == "anonymous"
	d.fields == ["facts"]
	d.obligations == ["record_justification", "notify_privacy_officer", "anonymise"]
	"harm_possible" in reason_codes(d)
}

test_r9b_fires_when_no_expert_was_consulted if {
	d := decide(object.union(refused, {"duty_conflict": {"expert_consulted": false}}))
	d.rule == "R9b"
	"expert_consulted_not_met" in reason_codes(d)
}

test_r9b_does_not_fire_when_every_condition_holds if {
	d := decide(refused)
	d.rule == "R9a"
}

test_r9b_does_not_fire_without_serious_harm if {
	d := decide(case({"consent": {"parents": "refused"}}))
	d.rule == "R9c"
}

# ---------------------------------------------------------------------------
# R9c: no consent, no serious harm.

test_r9c_fires_without_serious_harm if {
	d := decide(case({"consent": {"youth": "refused"}, "fields": ["identity", "facts"]}))
	d.outcome == "do_not_share"
	d.rule == "R9c"
	d.level == "existence" # the meeting may know a signal exists
	d.fields == ["identity"]
	"inform_youth_parents" in d.obligations
	"existence_only" in reason_codes(d)
}

test_r9c_shares_nothing_outside_the_meeting if {
	d := decide(case({"consent": {"youth": "refused"}, "recipient": {"role": "own_organisation"}}))
	d.rule == "R9c"
	d.level == "none"
	d.fields == []
	not "existence_only" in reason_codes(d)
}

test_r9c_does_not_fire_when_harm_is_possible if {
	d := decide(case({"consent": {"youth": "refused"}, "risk": {"harm": "possible"}}))
	d.rule != "R9c"
}

test_r9c_does_not_fire_with_consent if {
	d := decide(base)
	d.rule != "R9c"
}
