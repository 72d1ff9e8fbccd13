package signaal

# The question flow: which answers this case still needs. The form asks
# exactly data.signaal.decision.missing, in that order (the catalogue's
# order in questions.rego), so it asks only what can change the outcome:
# acute danger first; nothing else when there is; the reporting code's
# questions only after a suspicion, and each only while the report is not
# already required; consent only for the parties the age rule names; the
# conflict-of-duties conditions only when consent cannot be had, harm is
# likely (with harm only possible R9b follows whatever they are) and none
# has failed yet.

needed contains "risk.acute_danger"

needed contains "legal_duty" if no_acute_danger

# Purpose and recipient belong to every decision but an emergency: the audit
# record (R11) names them.
needed contains "purpose" if no_acute_danger

needed contains "recipient.role" if no_acute_danger

needed contains "abuse.suspected" if no_urgent_ground

needed contains "abuse.unsafe" if {
	abuse_suspected
	not report_required
}

needed contains "abuse.help_possible" if {
	abuse_suspected
	not report_required
}

needed contains "abuse.help_accepted" if {
	abuse_suspected
	not report_required
	input.abuse.help_possible == true
}

needed contains "abuse.help_effective" if {
	abuse_suspected
	not report_required
	input.abuse.help_accepted == true
}

needed contains "recipient.in_agreement" if {
	recipient_rules_apply
	not outside_agreement
}

needed contains "recipient.directly_involved" if {
	recipient_rules_apply
	not outside_agreement
}

needed contains "youth.age" if consent_decides

needed contains "consent.youth" if {
	consent_decides
	youth_must_consent
}

needed contains "consent.parents" if {
	consent_decides
	parents_must_consent
}

needed contains "consent.recorded" if {
	consent_decides
	consent_all_given
}

needed contains "risk.asking_endangers" if {
	consent_decides
	count(consent_not_asked) > 0
}

needed contains "risk.harm" if consent_unobtainable

needed contains path if {
	harm_likely
	recipient_can_act
	count(duty_conflict_condition_fails) == 0
	some condition in duty_conflict_conditions
	path := concat(".", ["duty_conflict", condition])
}

# What is proposed matters once something may go.
needed contains "fields" if verdict.level != "none"

needed contains "facts_opinions_separated" if {
	"opinions" in proposed_fields
	"opinions" in ceiling
}

# Each question's place in the catalogue (questions.rego) and its input
# path, so the missing answers are found and put in the form's order by
# sorting the few that are missing, not by walking the whole catalogue and
# splitting ids on every decision. A test holds this index to the catalogue.
question_index := {
	"risk.acute_danger": {"rank": 1, "path": ["risk", "acute_danger"]},
	"legal_duty": {"rank": 2, "path": ["legal_duty"]},
	"purpose": {"rank": 3, "path": ["purpose"]},
	"recipient.role": {"rank": 4, "path": ["recipient", "role"]},
	"abuse.suspected": {"rank": 5, "path": ["abuse", "suspected"]},
	"abuse.unsafe": {"rank": 6, "path": ["abuse", "unsafe"]},
	"abuse.help_possible": {"rank": 7, "path": ["abuse", "help_possible"]},
	"abuse.help_accepted": {"rank": 8, "path": ["abuse", "help_accepted"]},
	"abuse.help_effective": {"rank": 9, "path": ["abuse", "help_effective"]},
	"recipient.in_agreement": {"rank": 10, "path": ["recipient", "in_agreement"]},
	"recipient.directly_involved": {"rank": 11, "path": ["recipient", "directly_involved"]},
	"youth.age": {"rank": 12, "path": ["youth", "age"]},
	"youth.capable": {"rank": 13, "path": ["youth", "capable"]},
	"consent.youth": {"rank": 14, "path": ["consent", "youth"]},
	"consent.parents": {"rank": 15, "path": ["consent", "parents"]},
	"consent.recorded": {"rank": 16, "path": ["consent", "recorded"]},
	"risk.asking_endangers": {"rank": 17, "path": ["risk", "asking_endangers"]},
	"risk.harm": {"rank": 18, "path": ["risk", "harm"]},
	"duty_conflict.no_other_way": {"rank": 19, "path": ["duty_conflict", "no_other_way"]},
	"duty_conflict.prevents_harm": {"rank": 20, "path": ["duty_conflict", "prevents_harm"]},
	"duty_conflict.expert_consulted": {"rank": 21, "path": ["duty_conflict", "expert_consulted"]},
	"fields": {"rank": 22, "path": ["fields"]},
	"facts_opinions_separated": {"rank": 23, "path": ["facts_opinions_separated"]},
}

# A question is unanswered while its input path is absent or null.
still_needed contains [question_index[id].rank, id] if {
	some id in needed
	object.get(input, question_index[id].path, null) == null
}

missing := [id | some [_, id] in sort(still_needed)]
