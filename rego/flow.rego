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

# Each question's place in the catalogue (questions.rego), so the missing
# answers are put in the form's order by sorting the few that are missing,
# not by walking the whole catalogue on every decision. A test holds this
# list to the catalogue.
question_rank := {
	"risk.acute_danger": 1,
	"legal_duty": 2,
	"purpose": 3,
	"recipient.role": 4,
	"abuse.suspected": 5,
	"abuse.unsafe": 6,
	"abuse.help_possible": 7,
	"abuse.help_accepted": 8,
	"abuse.help_effective": 9,
	"recipient.in_agreement": 10,
	"recipient.directly_involved": 11,
	"youth.age": 12,
	"youth.capable": 13,
	"consent.youth": 14,
	"consent.parents": 15,
	"consent.recorded": 16,
	"risk.asking_endangers": 17,
	"risk.harm": 18,
	"duty_conflict.no_other_way": 19,
	"duty_conflict.prevents_harm": 20,
	"duty_conflict.expert_consulted": 21,
	"fields": 22,
	"facts_opinions_separated": 23,
}

# A question is unanswered while its input path is absent or null.
still_needed contains [question_rank[id], id] if {
	some id in needed
	object.get(input, split(id, "."), null) == null
}

missing := [id | some [_, id] in sort(still_needed)]
