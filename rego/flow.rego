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

missing := [q.id |
	some q in questions
	q.id in needed
	unanswered(q.id)
]

unanswered(path) if object.get(input, split(path, "."), null) == null
