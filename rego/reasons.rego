package signaal

# The sentences behind every reason code, for the professional (Dutch) and
# for partners and auditors (English). A decision lists one per rule or
# condition that fired, in the order they fired.

reason_texts := {
	# R1
	"acute_danger": {
		"nl": "Er is acuut levensgevaar: bel nu 112 of Veilig Thuis. Niets hiervan loopt via het signaleringsoverleg.",
		"en": "There is acute danger to life: call 112 or Veilig Thuis now. None of this goes through the signal meeting.",
	},
	# R2
	"legal_duty": {
		"nl": "Een wet of rechterlijke uitspraak verplicht tot delen: deel de noodzakelijke gegevens, ook zonder toestemming.",
		"en": "A law or court order requires sharing: share the necessary information, also without consent.",
	},
	# R3
	"unsafe_situation": {
		"nl": "Er is een vermoeden van huiselijk geweld of kindermishandeling met acute of structurele onveiligheid: meld bij Veilig Thuis (meldcode). Melden mag zonder toestemming.",
		"en": "Domestic violence or child abuse is suspected with acute or structural unsafety: report to Veilig Thuis (reporting code). Reporting needs no consent.",
	},
	"help_impossible": {
		"nl": "Er is een vermoeden van huiselijk geweld of kindermishandeling en passende hulp is niet mogelijk: meld bij Veilig Thuis (meldcode).",
		"en": "Domestic violence or child abuse is suspected and suitable help cannot be organised: report to Veilig Thuis (reporting code).",
	},
	"help_refused": {
		"nl": "Er is een vermoeden van huiselijk geweld of kindermishandeling en de hulp wordt niet geaccepteerd: meld bij Veilig Thuis (meldcode).",
		"en": "Domestic violence or child abuse is suspected and the help is not accepted: report to Veilig Thuis (reporting code).",
	},
	"help_not_working": {
		"nl": "Er is een vermoeden van huiselijk geweld of kindermishandeling en de hulp werkt niet (op tijd): meld bij Veilig Thuis (meldcode).",
		"en": "Domestic violence or child abuse is suspected and the help does not work (in time): report to Veilig Thuis (reporting code).",
	},
	"report_is_the_share": {
		"nl": "De ontvanger is Veilig Thuis: dit is de melding zelf, op grond van het meldrecht. Het BSN mag mee.",
		"en": "The recipient is Veilig Thuis: this is the report itself, under the right to report. The BSN may be included.",
	},
	"report_first_meeting_anonymous": {
		"nl": "De melding bij Veilig Thuis gaat voor. Het signaleringsoverleg bespreekt het signaal intussen zonder naam. Om toestemming vragen kan later.",
		"en": "The report to Veilig Thuis comes first. Meanwhile the signal meeting discusses the signal without a name. Consent can be asked later.",
	},
	# R4
	"abuse_advice_allowed": {
		"nl": "Er is een vermoeden van huiselijk geweld of kindermishandeling, maar (nog) geen reden om te melden. Anoniem advies vragen bij een collega of Veilig Thuis mag altijd.",
		"en": "Domestic violence or child abuse is suspected, but there is no reason to report (yet). Asking a colleague or Veilig Thuis for anonymous advice is always allowed.",
	},
	# R5
	"purpose_outside_agreement": {
		"nl": "Het doel valt buiten het convenant van de samenwerking: niet delen.",
		"en": "The purpose lies outside the cooperation's agreement: do not share.",
	},
	"recipient_not_in_agreement": {
		"nl": "De ontvanger is geen partij bij het convenant: niet delen.",
		"en": "The recipient is not a party to the agreement: do not share.",
	},
	"recipient_not_directly_involved": {
		"nl": "De ontvanger is niet direct betrokken bij deze jongere en heeft de informatie niet nodig voor het eigen werk: niet delen.",
		"en": "The recipient is not directly involved with this young person and does not need the information for their own work: do not share.",
	},
	# R6
	"radicalisation_concern": {
		"nl": "Zorg over radicalisering: eerst het eigen aandachtspunt en de functionaris gegevensbescherming. Alleen feiten, ook contra-signalen, en anoniem tot zij anders besluiten.",
		"en": "Radicalisation concern: first your organisation's contact point and the privacy officer. Facts only, contra-signals too, and anonymous until they decide otherwise.",
	},
	# The age rule
	"consent_parents_under_12": {
		"nl": "De jongere is jonger dan 12: de ouders met gezag geven toestemming.",
		"en": "The young person is under 12: the parents with authority consent.",
	},
	"consent_youth_and_parents_12_15": {
		"nl": "De jongere is 12 tot en met 15: zowel de jongere als de ouders geven toestemming.",
		"en": "The young person is 12 to 15: both the young person and the parents consent.",
	},
	"consent_youth_16_plus": {
		"nl": "De jongere is 16 of ouder: alleen de jongere geeft toestemming.",
		"en": "The young person is 16 or over: the young person alone consents.",
	},
	"consent_parents_not_capable": {
		"nl": "De jongere kan de eigen belangen niet goed afwegen: de ouders (wettelijk vertegenwoordigers) geven toestemming.",
		"en": "The young person cannot weigh their own interests: the parents (legal representatives) consent.",
	},
	# R7
	"consent_valid": {
		"nl": "Iedereen van wie toestemming nodig is heeft die gegeven en de toestemming is vastgelegd: deel de noodzakelijke gegevens.",
		"en": "Everyone whose consent is needed has given it and the consent is recorded: share the necessary information.",
	},
	# R8
	"youth_not_asked": {
		"nl": "De jongere is nog niet om toestemming gevraagd en vragen is veilig: vraag eerst toestemming. Bespreek intussen alleen anoniem.",
		"en": "The young person has not been asked for consent and asking is safe: ask for consent first. Meanwhile discuss anonymously only.",
	},
	"parents_not_asked": {
		"nl": "De ouders zijn nog niet om toestemming gevraagd en vragen is veilig: vraag eerst toestemming. Bespreek intussen alleen anoniem.",
		"en": "The parents have not been asked for consent and asking is safe: ask for consent first. Meanwhile discuss anonymously only.",
	},
	"consent_not_recorded": {
		"nl": "De toestemming is niet vastgelegd (wanneer, door wie, waarvoor): leg haar vast voordat je deelt. Bespreek intussen alleen anoniem.",
		"en": "The consent is not recorded (when, by whom, for what): record it before sharing. Meanwhile discuss anonymously only.",
	},
	# R9
	"youth_consent_refused": {
		"nl": "De jongere heeft geen toestemming gegeven.",
		"en": "The young person has refused consent.",
	},
	"youth_consent_impossible": {
		"nl": "Toestemming van de jongere is niet te krijgen.",
		"en": "The young person's consent cannot be obtained.",
	},
	"parents_consent_refused": {
		"nl": "De ouders hebben geen toestemming gegeven.",
		"en": "The parents have refused consent.",
	},
	"parents_consent_impossible": {
		"nl": "Toestemming van de ouders is niet te krijgen (of er is geen ouder met gezag).",
		"en": "The parents' consent cannot be obtained (or there is no parent with authority).",
	},
	"asking_endangers": {
		"nl": "Om toestemming vragen brengt de jongere of een ander in gevaar.",
		"en": "Asking for consent would endanger the young person or someone else.",
	},
	"harm_likely": {
		"nl": "Zonder delen is ernstige schade waarschijnlijk.",
		"en": "Without sharing, serious harm is likely.",
	},
	"conflict_of_duties": {
		"nl": "Conflict van plichten: alle voorwaarden zijn vervuld. Deel alleen de strikt noodzakelijke feiten, herleidbaar, met wie kan ingrijpen, en leg de afweging vast.",
		"en": "Conflict of duties: every condition holds. Share only the strictly necessary facts, identified, with whoever can act, and record the reasoning.",
	},
	"harm_possible": {
		"nl": "Ernstige schade is mogelijk, maar niet waarschijnlijk: dat is te weinig om het beroepsgeheim te doorbreken. Leg het voor aan de functionaris gegevensbescherming; bespreek intussen anoniem.",
		"en": "Serious harm is possible but not likely: too little to break professional secrecy. Put it to the privacy officer; meanwhile discuss anonymously.",
	},
	"no_other_way_not_met": {
		"nl": "Er is nog een andere weg dan delen zonder toestemming: dan is er geen conflict van plichten. Leg het voor aan de functionaris gegevensbescherming; bespreek intussen anoniem.",
		"en": "There is another way than sharing without consent, so there is no conflict of duties. Put it to the privacy officer; meanwhile discuss anonymously.",
	},
	"prevents_harm_not_met": {
		"nl": "Het is niet vrijwel zeker dat delen de schade voorkomt: dan is er geen conflict van plichten. Leg het voor aan de functionaris gegevensbescherming; bespreek intussen anoniem.",
		"en": "It is not almost certain that sharing prevents the harm, so there is no conflict of duties. Put it to the privacy officer; meanwhile discuss anonymously.",
	},
	"expert_consulted_not_met": {
		"nl": "Er is nog geen deskundige geraadpleegd: doe dat eerst. Leg het voor aan de functionaris gegevensbescherming; bespreek intussen anoniem.",
		"en": "No expert has been consulted yet: do so first. Put it to the privacy officer; meanwhile discuss anonymously.",
	},
	"recipient_cannot_act": {
		"nl": "Deze ontvanger kan de schade niet afwenden: doorbreken van het beroepsgeheim tegenover hem is niet gerechtvaardigd. Leg het voor aan de functionaris gegevensbescherming.",
		"en": "This recipient cannot avert the harm: breaking professional secrecy towards them is not justified. Put it to the privacy officer.",
	},
	"no_serious_harm": {
		"nl": "Zonder toestemming en zonder risico op ernstige schade wordt niets gedeeld.",
		"en": "Without consent and without a risk of serious harm, nothing is shared.",
	},
	"existence_only": {
		"nl": "Het convenant staat toe te melden dat er een signaal is en bij wie men terecht kan, zonder inhoud. Informeer de jongere (12+) en ouders (onder 16) daarover.",
		"en": "The agreement allows saying that a signal exists and whom to contact, without content. Inform the young person (12+) and parents (under 16) of this.",
	},
	# R10
	"fields_beyond_level_removed": {
		"nl": "Gegevens die op dit niveau niet mogen worden gedeeld, zijn weggelaten.",
		"en": "Information this level does not allow has been left out.",
	},
	"bsn_removed": {
		"nl": "Het BSN is weggelaten: dat mag alleen mee bij een wettelijke plicht of in de melding aan Veilig Thuis.",
		"en": "The BSN has been left out: it may only go under a legal duty or in the report to Veilig Thuis.",
	},
	"opinions_not_separated": {
		"nl": "Meningen zijn weggelaten omdat ze niet gescheiden van de feiten zijn beschreven.",
		"en": "Opinions have been left out because they are not written apart from the facts.",
	},
	"special_category_shared": {
		"nl": "Er gaan bijzondere of strafrechtelijke gegevens mee: de functionaris gegevensbescherming wordt ingelicht.",
		"en": "Special-category or criminal data is included: the privacy officer is notified.",
	},
	# Incomplete
	"answers_missing": {
		"nl": "Er ontbreken nog antwoorden om te kunnen beslissen: beantwoord de openstaande vragen.",
		"en": "Answers are still missing to decide: answer the open questions.",
	},
}
