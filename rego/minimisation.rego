package signaal

# R10: every share is minimised (AVG art. 5(1)(c), data minimisation).
# The sender proposes the fields they consider necessary (and records why,
# where a decision asks for a justification); the policy caps them at what
# the decided level allows and applies the fixed limits below.

field_order := ["identity", "contact", "facts", "opinions", "health", "religion_ethnicity", "criminal", "bsn"]

# Special categories (AVG art. 9) and criminal data (art. 10): allowed only
# at level full, and the privacy officer is told of every such share.
special_categories := {"health", "religion_ethnicity", "criminal"}

# What each level can carry at most. minimal: identified, strictly necessary
# facts only. existence: that a signal exists about this young person (the
# professional's own contact details are not a field of the young person).
# anonymous: content without identity; special categories are left out as
# they easily identify within a small cooperation. full is every field of
# field_order, written out so it is not rebuilt on every decision.
level_ceiling := {
	"full": {"identity", "contact", "facts", "opinions", "health", "religion_ethnicity", "criminal", "bsn"},
	"minimal": {"identity", "contact", "facts"},
	"existence": {"identity"},
	"anonymous": {"facts", "opinions"},
	"none": set(),
}

proposed_fields := {f | some f in input.fields}

ceiling := object.get(verdict, "ceiling", level_ceiling[verdict.level])

within_level := proposed_fields & ceiling

# The BSN may only be used where a law allows it (Wet algemene bepalingen
# BSN art. 10): under a legal duty (R2) or in the report to Veilig Thuis
# itself (R3; Wmo 2015 art. 5.2.6). Not for the meeting, not under R3 to
# another recipient.
bsn_allowed if verdict.rule == "R2"

bsn_allowed if report_is_the_share

# Opinions go only when written apart from facts, so a recipient can tell
# an observation from its interpretation.
opinions_separated if input.facts_opinions_separated == true

removed_by_minimisation contains "bsn" if {
	"bsn" in within_level
	not bsn_allowed
}

removed_by_minimisation contains "opinions" if {
	"opinions" in within_level
	not opinions_separated
}

shared_set := within_level - removed_by_minimisation

shared_fields := [f | some f in field_order; f in shared_set]

minimisation_fired contains "fields_beyond_level_removed" if {
	verdict.level != "none"
	count((proposed_fields - ceiling) - {"bsn"}) > 0
}

minimisation_fired contains "bsn_removed" if {
	verdict.level != "none"
	"bsn" in proposed_fields
	not bsn_allowed
}

minimisation_fired contains "opinions_not_separated" if "opinions" in removed_by_minimisation

minimisation_fired contains "special_category_shared" if count(shared_set & special_categories) > 0

minimisation_reasons := [code |
	some code in ["fields_beyond_level_removed", "bsn_removed", "opinions_not_separated", "special_category_shared"]
	code in minimisation_fired
]

minimisation_obligations := {"notify_privacy_officer"} if "special_category_shared" in minimisation_fired

else := set()
