# Tests of the question flow: decision.missing lists exactly the answers this
# case still needs, in the catalogue's order, and nothing that cannot change
# the outcome.
package signaal_test

import data.signaal

missing(doc) := decide(doc).missing

test_flow_starts_with_acute_danger if {
	d := decide({})
	d.outcome == "incomplete"
	d.rule == ""
	d.level == "none"
	d.missing == ["risk.acute_danger"]
	"answers_missing" in reason_codes(d)
}

test_flow_after_no_acute_danger if {
	missing({"risk": {"acute_danger": false}}) == ["legal_duty", "purpose", "recipient.role"]
}

test_flow_after_no_legal_duty if {
	missing({"risk": {"acute_danger": false}, "legal_duty": false, "purpose": "coordinate_support", "recipient": {"role": "signal_meeting"}}) == [
		"abuse.suspected",
		"recipient.in_agreement",
		"recipient.directly_involved",
	]
}

test_flow_age_once_consent_decides if {
	missing(json.remove(base, ["youth/age"])) == ["youth.age"]
	missing(json.remove(case({"purpose": "radicalisation_concern"}), ["youth/age"])) == []
}

test_flow_consent_questions_follow_the_age if {
	doc := json.remove(base, ["consent"])
	missing(object.union(doc, {"youth": {"age": 9}})) == ["consent.parents"]
	missing(object.union(doc, {"youth": {"age": 14}})) == ["consent.youth", "consent.parents"]
	missing(object.union(doc, {"youth": {"age": 19}})) == ["consent.youth"]
	missing(object.union(doc, {"youth": {"age": 19, "capable": false}})) == ["consent.parents"]
}

test_flow_recorded_asked_once_all_given if {
	missing(json.remove(base, ["consent/recorded"])) == ["consent.recorded"]
}

test_flow_recorded_not_asked_when_refused if {
	missing(json.remove(case({"consent": {"youth": "refused"}}), ["consent/recorded"])) == []
}

test_flow_asking_endangers_only_when_someone_not_asked if {
	missing(json.remove(case({"consent": {"parents": "not_asked"}}), ["risk/asking_endangers"])) == ["risk.asking_endangers"]
	missing(json.remove(base, ["risk/asking_endangers"])) == []
}

test_flow_harm_only_without_consent if {
	missing(json.remove(case({"consent": {"parents": "refused"}}), ["risk/harm"])) == ["risk.harm"]
	missing(json.remove(base, ["risk/harm"])) == []
}

test_flow_duty_conflict_only_when_harm_likely if {
	without := json.remove(refused, ["duty_conflict"])
	missing(without) == ["duty_conflict.no_other_way", "duty_conflict.prevents_harm", "duty_conflict.expert_consulted"]
	missing(object.union(without, {"risk": {"harm": "possible"}})) == []
	missing(object.union(without, {"risk": {"harm": "none"}})) == []
}

test_flow_duty_conflict_stops_at_the_first_no if {
	missing(object.union(json.remove(refused, ["duty_conflict"]), {"duty_conflict": {"prevents_harm": false}})) == []
}

test_flow_duty_conflict_not_asked_when_recipient_cannot_act if {
	missing(object.union(json.remove(refused, ["duty_conflict"]), {"recipient": {"role": "parent"}})) == []
}

test_flow_abuse_questions_after_suspicion if {
	doc := json.remove(case({"abuse": {"suspected": true}}), ["abuse/unsafe"])
	missing(doc) == ["abuse.unsafe", "abuse.help_possible"]
	missing(object.union(doc, {"abuse": {"unsafe": false, "help_possible": true}})) == ["abuse.help_accepted"]
	missing(object.union(doc, {"abuse": {"unsafe": false, "help_possible": true, "help_accepted": true}})) == ["abuse.help_effective"]
}

test_flow_abuse_questions_stop_once_a_report_is_required if {
	d := decide(case({"abuse": {"suspected": true, "unsafe": true}}))
	d.missing == []
	d.outcome == "report_veilig_thuis"
}

test_flow_no_consent_questions_once_a_report_is_required if {
	# Issue 15 item 5: after the answer that makes the report required,
	# nothing about consent, age, harm or the conflict of duties is asked.
	doc := {
		"risk": {"acute_danger": false}, "legal_duty": false, "purpose": "safety_risk",
		"recipient": {"role": "signal_meeting", "in_agreement": true, "directly_involved": true},
		"abuse": {"suspected": true, "unsafe": true},
		"fields": ["identity", "facts"],
	}
	missing(doc) == []
	d := decide(doc)
	d.outcome == "report_veilig_thuis"
	d.rule == "R3"
	d.level == "anonymous"
	d.fields == ["facts"]
	"report_veilig_thuis" in d.obligations
	"report_first_meeting_anonymous" in reason_codes(d)

	# Before the report is required the consent questions still come.
	m := missing(json.remove(doc, ["abuse/unsafe"]))
	"abuse.unsafe" in m
}

test_flow_a_consent_answer_given_anyway_lets_consent_decide if {
	doc := {
		"risk": {"acute_danger": false}, "legal_duty": false, "purpose": "safety_risk",
		"recipient": {"role": "signal_meeting", "in_agreement": true, "directly_involved": true},
		"abuse": {"suspected": true, "unsafe": true},
		"consent": {"youth": "given"},
		"fields": ["identity", "facts"],
	}
	missing(doc) == ["youth.age"]
}

test_flow_report_obligation_shows_while_incomplete if {
	d := decide(json.remove(case({"abuse": {"suspected": true, "help_accepted": false}}), ["recipient/directly_involved"]))
	d.outcome == "incomplete"
	d.obligations == ["report_veilig_thuis"]
	"help_refused" in reason_codes(d)
}

test_flow_report_to_veilig_thuis_skips_agreement_and_consent if {
	doc := {
		"risk": {"acute_danger": false}, "legal_duty": false, "purpose": "safety_risk",
		"recipient": {"role": "veilig_thuis"}, "abuse": {"suspected": true, "unsafe": true},
		"fields": ["identity", "facts"],
	}
	missing(doc) == []
	decide(doc).rule == "R3"
}

test_flow_outside_agreement_asks_nothing_more if {
	missing({"risk": {"acute_danger": false}, "legal_duty": false, "abuse": {"suspected": false}, "purpose": "other", "recipient": {"role": "police"}}) == []
}

test_flow_fields_asked_once_something_may_go if {
	missing(json.remove(base, ["fields"])) == ["fields"]
	missing(json.remove(case({"purpose": "other"}), ["fields"])) == []
}

test_flow_separation_asked_only_for_opinions_that_may_go if {
	with_opinions := json.remove(case({"fields": ["facts", "opinions"]}), ["facts_opinions_separated"])
	missing(with_opinions) == ["facts_opinions_separated"]
	missing(object.union(with_opinions, {"purpose": "radicalisation_concern"})) == []
	missing(json.remove(base, ["facts_opinions_separated"])) == []
}

test_flow_missing_is_in_catalogue_order if {
	ids := [q.id | some q in signaal.questions]
	m := missing({"risk": {"acute_danger": false}, "legal_duty": false, "recipient": {"role": "signal_meeting"}})
	positions := [i | some id in m; some i, qid in ids; qid == id]
	positions == sort(positions)
	count(m) > 2
}

test_flow_question_index_follows_the_catalogue if {
	ids := [q.id | some q in signaal.questions]
	ranked := [id | some [_, id] in sort({[q.rank, id] | some id, q in signaal.question_index})]
	ranked == ids
	every id, q in signaal.question_index {
		q.path == split(id, ".")
	}
}

test_flow_every_needed_answer_is_a_question if {
	ids := {q.id | some q in signaal.questions}
	every doc in [{}, base, refused, json.remove(base, ["consent", "fields", "duty_conflict", "abuse"])] {
		needed := signaal.needed with input as doc
		every id in needed {
			id in ids
		}
	}
}

test_questions_have_unique_ids_and_both_languages if {
	ids := [q.id | some q in signaal.questions]
	count(ids) == count({id | some id in ids})
	every q in signaal.questions {
		q.text.nl != ""
		q.text.en != ""
		q.help.nl != ""
		q.relevant.en != ""
	}
}

test_every_reason_code_has_both_texts if {
	every code, text in signaal.reason_texts {
		text.nl != ""
		text.en != ""
		code != ""
	}
}
