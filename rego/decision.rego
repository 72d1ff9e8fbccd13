package signaal

# The decision: data.signaal.decision, the output of contract v1 without
# policy_version (the engine adds the digest of these files).
#
# It is incomplete while any answer the rules need for this case is missing
# (flow.rego): a missing answer never falls through to a share.

decision := incomplete_decision if count(missing) > 0

decision := complete_decision if count(missing) == 0

incomplete_decision := {
	"outcome": "incomplete",
	"level": "none",
	"rule": "",
	"fields": [],
	"obligations": ordered_obligations(pending_obligations),
	"missing": missing,
	"reasons": texts(array.concat(pending_reasons, ["answers_missing"])),
}

# A report already required is not held back by questions about sharing
# with the meeting: the obligation shows while the form asks the rest.
pending_obligations := {"report_veilig_thuis"} if report_required

else := set()

pending_reasons := report_reasons if report_required

else := []

complete_decision := {
	"outcome": verdict.outcome,
	"level": verdict.level,
	"rule": verdict.rule,
	"fields": shared_fields,
	"obligations": ordered_obligations(verdict.obligations | minimisation_obligations),
	"missing": [],
	"reasons": texts(array.concat(verdict.reasons, minimisation_reasons)),
}

# ---------------------------------------------------------------------------
# The verdict: first decisive rule wins. Each entry names its rule, outcome,
# level (what the recipient may see now), the ceiling of fields that level
# allows before R10, the obligations it attaches and why.
#
# Obligations: a decision that rests on the professional's weighing (R1-R3,
# R6, R8, R9) asks for a recorded justification; R5 and R7 rest on the
# agreement and on recorded consent and need none beyond the audit record
# (R11) the service keeps of every decision. Sharing without consent informs
# the young person and parents afterwards, or records why that is postponed
# (R2, R3, R9a), as does existence-only sharing (as with the reference
# index); escalations notify the privacy officer and keep the case anonymous
# (anonymise: R6, R9b). R8 attaches only record_justification, as the
# contract's example shows: its next step is asking, not anonymising a case.

verdict := {
	"rule": "R1", "outcome": "emergency", "level": "none",
	"obligations": {"call_emergency", "record_justification"},
	"reasons": ["acute_danger"],
} if acute_danger

else := {
	"rule": "R2", "outcome": "share_full", "level": "full",
	"obligations": {"inform_youth_parents", "record_justification"},
	"reasons": ["legal_duty"],
} if {
	legal_duty
}

else := {
	"rule": "R3", "outcome": "report_veilig_thuis", "level": "full",
	"obligations": {"report_veilig_thuis", "inform_youth_parents", "record_justification"},
	"reasons": array.concat(report_reasons, ["report_is_the_share"]),
} if {
	report_is_the_share
}

# R3 for any other recipient: the outcome is the report, while what this
# recipient may see follows R5-R9 (its level, fields and obligations too).
else := object.union(recipient_verdict, {
	"rule": "R3", "outcome": "report_veilig_thuis",
	"obligations": (recipient_verdict.obligations | {"report_veilig_thuis", "inform_youth_parents", "record_justification"}),
	"reasons": array.concat(report_reasons, recipient_verdict.reasons),
}) if {
	report_required
}

# R4 is not decisive: it adds that anonymous advice is allowed, R5-R9 decide.
else := object.union(recipient_verdict, {"reasons": array.concat(["abuse_advice_allowed"], recipient_verdict.reasons)}) if advice_only

else := recipient_verdict if abuse_not_suspected

report_reasons := [code |
	some code in ["unsafe_situation", "help_impossible", "help_refused", "help_not_working"]
	code in report_conditions
]

report_conditions contains "unsafe_situation" if unsafe_situation

report_conditions contains "help_impossible" if help_impossible

report_conditions contains "help_refused" if help_refused

report_conditions contains "help_not_working" if help_not_working

# ---------------------------------------------------------------------------
# R5-R9 for this recipient.

recipient_verdict := {
	"rule": "R5", "outcome": "do_not_share", "level": "none",
	"obligations": set(),
	"reasons": outside_agreement_reasons,
} if outside_agreement

else := {
	"rule": "R6", "outcome": "escalate", "level": "anonymous",
	"obligations": {"notify_privacy_officer", "record_justification", "anonymise"},
	"reasons": ["radicalisation_concern"],
	"ceiling": {"facts"}, # facts only: no opinions, nothing identifying
} if {
	radicalisation_concern
}

else := {
	"rule": "R8", "outcome": "ask_consent", "level": "anonymous",
	"obligations": set(),
	"reasons": ["report_first_meeting_anonymous"],
} if {
	meeting_waits_for_consent
}

else := {
	"rule": "R7", "outcome": "share_full", "level": "full",
	"obligations": set(),
	"reasons": array.concat(age_rule_reasons, ["consent_valid"]),
} if {
	consent_valid
}

else := {
	"rule": "R8", "outcome": "ask_consent", "level": "anonymous",
	"obligations": {"record_justification"},
	"reasons": array.concat(age_rule_reasons, ask_consent_reasons),
} if {
	consent_to_ask
}

else := {
	"rule": "R8", "outcome": "ask_consent", "level": "anonymous",
	"obligations": {"record_justification"},
	"reasons": array.concat(age_rule_reasons, ["consent_not_recorded"]),
} if {
	consent_not_recorded
}

else := {
	"rule": "R9a", "outcome": "share_minimal", "level": "minimal",
	"obligations": {"inform_youth_parents", "record_justification"},
	"reasons": array.concat(no_consent_reasons, ["harm_likely", "conflict_of_duties"]),
} if {
	conflict_of_duties
}

else := {
	"rule": "R9b", "outcome": "escalate", "level": "anonymous",
	"obligations": {"notify_privacy_officer", "record_justification", "anonymise"},
	"reasons": array.concat(no_consent_reasons, unresolved_reasons),
} if {
	conflict_of_duties_unresolved
}

else := {
	"rule": "R9c", "outcome": "do_not_share", "level": "existence",
	"obligations": {"inform_youth_parents", "record_justification"},
	"reasons": array.concat(no_consent_reasons, ["no_serious_harm", "existence_only"]),
} if {
	no_serious_harm
	existence_allowed
}

else := {
	"rule": "R9c", "outcome": "do_not_share", "level": "none",
	"obligations": {"record_justification"},
	"reasons": array.concat(no_consent_reasons, ["no_serious_harm"]),
} if {
	no_serious_harm
}

outside_agreement_reasons := [code |
	some code in ["purpose_outside_agreement", "recipient_not_in_agreement", "recipient_not_directly_involved"]
	code in outside_agreement_conditions
]

outside_agreement_conditions contains "purpose_outside_agreement" if purpose_outside_agreement

outside_agreement_conditions contains "recipient_not_in_agreement" if recipient_not_in_agreement

outside_agreement_conditions contains "recipient_not_directly_involved" if recipient_not_directly_involved

# The age rule explains whose consent counted; one reason per band.
age_rule_reasons := ["consent_parents_under_12"] if age < 12

else := ["consent_parents_not_capable"] if not youth_capable

else := ["consent_youth_and_parents_12_15"] if age < 16

else := ["consent_youth_16_plus"] if age <= 23

ask_consent_reasons := [sprintf("%s_not_asked", [party]) |
	some party in ["youth", "parents"]
	party in consent_not_asked
]

no_consent_reasons := array.concat(age_rule_reasons, array.concat(
	[sprintf("%s_consent_%s", [party, consent_state[party]]) |
		some party in ["youth", "parents"]
		party in consent_refused_or_impossible
	],
	[code | asking_would_endanger; code := "asking_endangers"],
))

unresolved_reasons := ["harm_possible"] if harm_possible

else := array.concat(
	["harm_likely"],
	array.concat(
		[sprintf("%s_not_met", [condition]) |
			some condition in duty_conflict_conditions
			condition in duty_conflict_condition_fails
		],
		[code | recipient_cannot_act; code := "recipient_cannot_act"],
	),
)

# ---------------------------------------------------------------------------
# Output helpers.

obligation_order := [
	"inform_youth_parents", "record_justification", "notify_privacy_officer",
	"anonymise", "report_veilig_thuis", "call_emergency",
]

ordered_obligations(obligations) := [o | some o in obligation_order; o in obligations]

# A code without a text gives empty sentences, which the engine refuses as a
# contract violation, rather than silently dropping the reason.
texts(codes) := [{"code": code, "nl": text.nl, "en": text.en} |
	some code in codes
	text := object.get(reason_texts, code, no_text)
]

no_text := {"nl": "", "en": ""}
