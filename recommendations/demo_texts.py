# ruff: noqa: E501 - one point per line reads like the source's list
"""The demo's recommendations, summarised in our own words from the public source documents
(/work/shared/seeds: the Fall 2017 brief on community policing, and the #GSX2017 outcome
overview). Each row: the point's key in its source (its reference is ``<code>/<key>``; a key
ending in a lower-case letter is a sub-point of the key without it), section, title, summary,
theme slugs and addressee types. Then the implementation updates the demo records through
the cycles. Fictional demo data: the texts never quote the sources."""

from datetime import date

from recommendations.models import AddresseeType, Perspective, Section, SourceKind

KF, POL, PRG, FIN, GEN = (
    Section.KEY_FINDINGS,
    Section.POLICY,
    Section.PROGRAMMING,
    Section.FINANCIAL,
    Section.GENERAL,
)
SELF, INDEPENDENT = Perspective.SELF_REPORT, Perspective.INDEPENDENT
GOV, SEC, DON, MUL, CSO, ALL = (
    AddresseeType.GOVERNMENTS,
    AddresseeType.SECURITY_SECTOR,
    AddresseeType.DONORS,
    AddresseeType.MULTILATERALS,
    AddresseeType.CIVIL_SOCIETY,
    AddresseeType.ALL,
)

PVE_CP = {
    "code": "PVE-CP-2017",
    "title": (
        "Preventing Violent Extremism, Protecting Rights and Community Policing: Why Civil "
        "Society and Security Sector Partnerships Matter"
    ),
    "kind": SourceKind.BRIEF,
    "published_on": date(2017, 10, 1),
    "other_publishers": "International Civil Society Action Network (ICAN); "
    "Women's Alliance for Security Leadership (WASL)",
    "url": "https://example.org/demo/sources/pve-community-policing-2017",
    "group": "security-interventions",
}

# fmt: off
PVE_CP_POINTS = [
    ("KF-1", KF, "Prevention complements security responses", "Prevention, countering and counter-terrorism run side by side; prevention does not replace the others but accepts that force alone solves nothing.", "community-policing", [ALL]),
    ("KF-2", KF, "Local civil society brings trust and access", "Locally rooted organizations keep programmes true to their context, advise security actors, connect them with communities and watch for abuse.", "community-policing human-rights", [ALL]),
    ("KF-3", KF, "Civil society bridges the state and communities", "Many organizations already run police-related programmes, and security actors increasingly value what they contribute.", "community-policing mediation-dialogue", [ALL]),
    ("KF-4", KF, "Too many armed actors weaken the police", "Where militias, vigilantes and soldiers multiply, police authority erodes, and the damage outlasts their departure.", "security-sector-reform", [ALL]),
    ("KF-5", KF, "Rights and policing go together", "Police are first responders; when communities trust them they prevent extremism and blunt the grievances that recruiters exploit.", "community-policing human-rights", [ALL]),
    ("KF-6", KF, "Corruption and abuse destroy trust", "Low pay and weak training feed the corruption and abuse that turn people away from the police.", "security-sector-reform", [ALL]),
    ("KF-7", KF, "Community policing is an ethos, not a tactic", "It has to change how security actors think and work, not be bolted on as a counter-extremism technique.", "community-policing", [ALL]),
    ("KF-8", KF, "Police who look like the community", "Officers serving near home, speaking local languages, in units as diverse as the people they serve, are easier to trust.", "community-policing gender", [ALL]),
    ("KF-9", KF, "Engagement is not intelligence gathering", "Treating community contact as a source of informants securitizes neighbourhoods and endangers the people best placed to bridge the gap.", "community-policing human-rights", [ALL]),
    ("KF-10", KF, "Independent local organizations at every stage", "From assessing threats to monitoring results, local groups, women- and youth-led above all, should take part; they see trends formal bodies miss.", "gender youth", [ALL]),
    ("POL-1", POL, "Put protection of people at the core of security services", "Security services should exist to keep people safe and uphold their rights, which in many countries means moving away from protecting the state first.", "community-policing human-rights", [GOV, SEC]),
    ("POL-1a", POL, "Build community policing on mutual trust", "Trust, inclusion and dialogue between officers and residents are the base of any prevention effort.", "community-policing", [SEC]),
    ("POL-1b", POL, "Address the safety concerns residents name", "Local prevention work should sit inside a wider policing approach that answers the everyday security worries of the community.", "community-policing social-cohesion", [SEC, GOV]),
    ("POL-1c", POL, "Design community policing with the community", "Shape it together from the start; models from elsewhere can inspire but must be adapted to each place.", "community-policing", [SEC, CSO]),
    ("POL-1d", POL, "Decent conditions, and accountability, for officers", "States should pay and insure police fairly and give them dignified conditions, and hold them to account for abuse and corruption.", "security-sector-reform", [GOV]),
    ("POL-2", POL, "Treat independent civil society as a partner", "Governments and security actors should respect independent organizations as trusted partners; cooperation takes time and money but is worth it.", "human-rights mediation-dialogue", [GOV, SEC]),
    ("POL-2a", POL, "Share the work according to strengths", "Civil society can mentor, facilitate community processes and train police on women's and young people's concerns, while police do what only police can.", "gender youth", [SEC, CSO]),
    ("POL-2b", POL, "Draw on women- and youth-led networks", "Global networks of women and youth organizations bring national knowledge and experience of working with police and of women, peace and security plans.", "gender youth", [GOV, MUL]),
    ("POL-3", POL, "Listen to civil society's early warnings", "The best early warning is heeding women, young people and marginalised groups when they report rising extremism, rather than watching individuals.", "gender human-rights", [GOV, SEC]),
    ("POL-3a", POL, "Hold incitement to account, protect expression", "Hate speech often comes before violence: guarantee free expression while holding those who incite violence responsible.", "human-rights alternative-narratives", [GOV]),
    ("POL-4", POL, "Use diplomacy against repressive counter-terrorism", "Governments should press states whose repression in the name of counter-terrorism undermines peace and security.", "human-rights", [GOV, MUL]),
    ("PRG-1", PRG, "Assess the context before programming", "Before supporting civil society and security sector engagement, study the context from the outset.", "security-sector-reform", [DON, MUL]),
    ("PRG-1a", PRG, "Whom does the police force protect?", "Look at whether the force sees itself as guarding the state or serving citizens.", "security-sector-reform", [DON, MUL]),
    ("PRG-1b", PRG, "Measure police conduct as a driver", "Treat corruption and abuse as possible drivers of extremism and set a baseline where possible.", "security-sector-reform human-rights", [DON, MUL]),
    ("PRG-1c", PRG, "Understand civil society's relation to government", "Ask whether local organizations act as contractors, collaborators, advisers or opposition.", "mediation-dialogue", [DON, MUL]),
    ("PRG-1d", PRG, "Account for the stage of conflict", "Active conflict, post-conflict and peaceful settings shape policing differently, and similar stages share lessons.", "justice-reconciliation", [DON, MUL]),
    ("PRG-2", PRG, "Lend standing to civil society partners", "Recognition letters, introductions and public acknowledgement help local organizations engage officials safely.", "human-rights", [GOV, MUL]),
    ("PRG-3", PRG, "Find local partners through trusted networks", "Reputable independent networks can identify and reach local groups, especially those led by women, youth and marginalised people.", "gender youth", [DON, MUL]),
    ("PRG-4", PRG, "Consult civil society and respect its knowledge", "Local expertise of women, youth and marginalised groups is especially useful in three ways.", "gender", [GOV, SEC, DON]),
    ("PRG-4a", PRG, "Read repression as a warning sign", "Rising abuses and repression often signal growing extremism.", "human-rights", [GOV, SEC]),
    ("PRG-4b", PRG, "Build on what already works", "Support existing local innovation and avoid duplicating or repeating failed approaches.", "social-cohesion", [DON]),
    ("PRG-4c", PRG, "Let civil society monitor strategies", "Include local organizations in monitoring national and international prevention policies.", "human-rights", [GOV, MUL]),
    ("PRG-5", PRG, "Fund police and community forums", "Finance regular dialogue between police and residents on all their concerns, not only extremism.", "community-policing mediation-dialogue", [DON, GOV]),
    ("PRG-6", PRG, "Involve communities from design to review", "Women, young people and marginalised groups should shape, run and monitor community-police engagement from day one.", "community-policing gender youth", [SEC, GOV]),
    ("PRG-7", PRG, "Build in feedback and independent monitoring", "Measure the effect of engagement and police training, with independent civil society monitors, and share what is learned.", "community-policing security-sector-reform", [SEC, DON]),
    ("PRG-8", PRG, "Recruit and post officers locally", "Local officers build lasting relationships with the people they police.", "community-policing", [SEC]),
    ("PRG-9", PRG, "Let civil society set the pace of engagement", "Local organizations should decide how, when and with whom to engage, so that no one is put at risk.", "human-rights community-policing", [SEC, GOV]),
    ("PRG-10", PRG, "Support peer networks and exchanges", "Back platforms where practitioners learn across countries and sectors.", "mediation-dialogue", [DON, MUL]),
    ("PRG-11", PRG, "Make cross-sector exchange systematic", "Encourage regular engagement between security actors and civil society, for example through the GSX.", "security-sector-reform mediation-dialogue", [ALL]),
    ("FIN-1", FIN, "Tie police funding to real partnerships", "Condition funds for local security agencies on working partnerships with communities and civil society, and track spending.", "community-policing", [DON, GOV]),
    ("FIN-2", FIN, "Pay police adequately and on time", "Fair pay, benefits and living conditions should match the risks officers take.", "security-sector-reform", [GOV]),
    ("FIN-3", FIN, "Invest in resilience, not only in the few", "Fund civic engagement and social cohesion broadly instead of only those drawn to violence.", "social-cohesion", [DON, GOV]),
    ("FIN-4", FIN, "Protect engaged civil society actors", "Provide personal security for people who take part and review the protocols often, above all where threats come from the state.", "human-rights", [GOV, DON]),
    ("FIN-5", FIN, "Remove the practical barriers to meeting", "Help partners overcome the logistics of working together.", "mediation-dialogue", [DON, MUL]),
    ("FIN-5a", FIN, "Confirm events early enough for visas", "Fix dates and send documents in good time so civil society participants can get visas.", "mediation-dialogue", [MUL, DON]),
    ("FIN-5b", FIN, "Meet in different regions", "Rotate venues to share the burden of travel.", "mediation-dialogue", [MUL]),
    ("FIN-5c", FIN, "Budget for practitioners to attend", "Include local and national security practitioners in international meetings as part of their training.", "security-sector-reform", [GOV, SEC]),
    ("FIN-6", FIN, "Document how operations fuel militias", "Fund case studies of international military and peace operations that strengthened armed groups, to inform policy.", "security-sector-reform", [DON, MUL]),
    ("FIN-7", FIN, "Research the effects of foreign fighters", "Study their impact on home and host communities, including gender dynamics and what it means for policing returnees.", "rehabilitation-reintegration gender", [DON]),
]
# fmt: on

GSX_2017 = {
    "code": "GSX-2017",
    "title": "#GSX2017: Innovations in Civil Society and Other Locally-Led Efforts to Prevent "
    "Violent Extremism. Overview and Recommendations",
    "kind": SourceKind.OUTCOME_DOCUMENT,
    "published_on": date(2017, 9, 21),
    "other_publishers": "Global Solutions Exchange steering group",
    "url": "https://example.org/demo/sources/gsx-2017-outcome",
    "group": None,
}

# fmt: off
GSX_2017_POINTS = [
    ("REC-01", GEN, "Start from dignity, rights and human security", "Put structural injustice, poor governance and heavy-handed security responses at the centre of prevention strategies.", "human-rights", [ALL]),
    ("REC-02", GEN, "Mind the words used", "Labels such as violent extremism can stigmatise communities; frame work in terms people recognise, as local organizations advise.", "alternative-narratives", [GOV, DON, MUL]),
    ("REC-03", GEN, "Say what societies stand for", "Offer positive messages and real alternatives, tolerance, pluralism, livelihoods, rather than only rebutting extremist ideas.", "alternative-narratives economic-empowerment", [ALL]),
    ("REC-04", GEN, "A whole-of-society, gender-aware effort", "Prevention should include every sector, pay attention to gender and age, and build on women- and youth-led groups.", "gender youth", [ALL]),
    ("REC-05", GEN, "How governments and multilaterals should make policy", "Three commitments for those who develop prevention policies and programmes.", "human-rights", [GOV, MUL]),
    ("REC-05a", GEN, "Civil society is an ally, not an adversary", "Local organizations know the drivers, have access and trust, and adapt quickly; treat them as partners.", "human-rights mediation-dialogue", [GOV, MUL]),
    ("REC-05b", GEN, "Lift legal, political and financial barriers", "Review and remove rules that shrink the space for organizations already preventing violence.", "human-rights", [GOV]),
    ("REC-05c", GEN, "Help civil society network", "Support national, regional and global networks so organizations learn from each other and work with municipalities.", "mediation-dialogue", [GOV, MUL, DON]),
    ("REC-06", GEN, "Lead with the local", "Municipalities, schools, community leaders and local groups should lead; top-down plans work less well.", "social-cohesion", [GOV, MUL]),
    ("REC-07", GEN, "Sustain global networks", "Networks of local organizations need lasting support to share practice and feed global policy.", "mediation-dialogue", [DON, MUL]),
    ("REC-08", GEN, "Use sport, arts and culture", "Shared interests build belonging and trust; partner with media to reach young people in marginalised areas.", "alternative-narratives youth", [DON, CSO]),
    ("REC-09", GEN, "Build the capacity of local organizations", "Train and resource organizations beyond the capitals so they can run grants and take part in policy debates.", "economic-empowerment", [DON]),
    ("REC-10", GEN, "Fold prevention into wider violence prevention", "Learn from proven approaches to other forms of violence.", "social-cohesion", [GOV, DON]),
    ("REC-11", GEN, "Avoid stigmatising victims, returnees and families", "Keep safe spaces for local actors and design approaches that do not further mark already marginalised people.", "rehabilitation-reintegration human-rights", [GOV, CSO]),
    ("REC-12", GEN, "Make rehabilitation and reintegration central", "Tailored programmes for families, victims and communities, with civil society and a clear legal basis, belong in every strategy.", "rehabilitation-reintegration", [GOV, SEC]),
    ("REC-13", GEN, "Write national action plans inclusively", "Plans should rest on evidence, be gender and age sensitive, set deliverables for each actor and come with resources.", "gender youth", [GOV]),
    ("REC-14", GEN, "Keep prevention on the international agenda", "The United Nations and other bodies should keep prevention a priority, in three ways.", "human-rights", [MUL]),
    ("REC-14a", GEN, "Structured civil society days", "Hold civil society days beside multilateral counter-terrorism and prevention conferences.", "mediation-dialogue", [MUL]),
    ("REC-14b", GEN, "A civil society advisory board", "Create a board that advises the relevant UN offices on an ongoing basis.", "mediation-dialogue", [MUL]),
    ("REC-14c", GEN, "Link counter-terrorism and human rights offices", "Closer cooperation between them should make rights a priority in counter-terrorism work.", "human-rights", [MUL]),
]
# fmt: on

# The demo's London meeting (dialogues' demo): its report, with points the secretariat is
# still drafting.
LONDON = {
    "code": "SI-LDN",
    "title": "Security Interventions and Violent Extremism: meeting report",
    "kind": SourceKind.MEETING_REPORT,
    "other_publishers": "",
    "url": "",
    "group": "security-interventions",
}
# fmt: off
LONDON_POINTS = [
    ("REC-1", GEN, "Publish a guide on community policing and prevention", "The working group drafts a short practical guide from the cases heard in London.", "community-policing", [CSO, SEC]),
    ("REC-2", GEN, "Share police liaison curricula with civil society", "Police services open their community-liaison training to review by local organizations.", "community-policing security-sector-reform", [SEC]),
    ("REC-3", GEN, "Review counter-terrorism rules that shrink civic space", "Ministries check how counter-terrorism and funding rules restrict prevention organizations.", "human-rights", [GOV]),
]
# fmt: on
# Points that repeat an earlier one: (reference, the earlier one's reference).
REPEATS = [
    ("GSX-2017/REC-05a", "PVE-CP-2017/POL-2"),
    ("GSX-2017/REC-07", "PVE-CP-2017/PRG-10"),
    ("SI-LDN/REC-1", "PVE-CP-2017/KF-7"),
]

# (reference, perspective, reporting organization, about (independent only), status, days
# after the window opened (past cycle) or days ago (current cycle), summary, evidence).
# fmt: off
PAST_UPDATES = [
    ("PVE-CP-2017/PRG-8", SELF, "lakeside-police-service", None, "in_progress", 30, "A first cohort of officers recruited from the districts they now patrol.", ["police-local-recruitment-plan"]),
    ("PVE-CP-2017/PRG-8", INDEPENDENT, "sahel-women-peace-circle", "lakeside-police-service", "in_progress", 60, "Residents confirm new local officers in two of five districts.", []),
    ("PVE-CP-2017/PRG-5", SELF, "ministry-community-safety", None, "not_started", 45, "Forum budget requested; not yet approved.", []),
    ("PVE-CP-2017/POL-1d", SELF, "ministry-community-safety", None, "in_progress", 50, "A pay review for community officers is under way.", ["pay-review-terms"]),
    ("PVE-CP-2017/FIN-5a", SELF, "regional-peace-commission", None, "implemented", 70, "Invitations to regional meetings now go out sixteen weeks ahead.", ["meeting-planning-rule"]),
    ("PVE-CP-2017/FIN-5a", INDEPENDENT, "Lake Chad Youth Dialogue", "regional-peace-commission", "implemented", 90, "All our delegates received their letters in time this year.", []),
    ("GSX-2017/REC-05b", SELF, "Ministry of Civic Harmony (demo)", None, "in_progress", 40, "Registration rules for associations under review.", []),
    ("GSX-2017/REC-05b", INDEPENDENT, "sahel-women-peace-circle", "Ministry of Civic Harmony (demo)", "stalled", 100, "The draft law was withdrawn; bank restrictions on small associations continue.", ["civic-space-monitor"]),
    ("GSX-2017/REC-12", SELF, "Department of Prevention Programmes (demo)", None, "in_progress", 80, "A family support strand added to the reintegration programme.", []),
]
# fmt: off
CURRENT_UPDATES = [
    ("PVE-CP-2017/PRG-8", SELF, "lakeside-police-service", None, "implemented", 12, "Every neighbourhood team is now led by an officer from the area.", ["police-annual-report"]),
    ("PVE-CP-2017/PRG-8", INDEPENDENT, "sahel-women-peace-circle", "lakeside-police-service", "stalled", 6, "Transfers away from home districts resumed this year; three of five teams have no local lead.", ["community-survey", "district-team-list"]),
    ("PVE-CP-2017/PRG-5", SELF, "ministry-community-safety", None, "in_progress", 20, "Two pilot forums funded; the first met in October.", ["forum-pilot-note"]),
    ("PVE-CP-2017/PRG-5", INDEPENDENT, "Mothers for Peaceful Neighbourhoods", "ministry-community-safety", "partially_implemented", 9, "Forums meet, but women's groups were invited only to one.", []),
    ("PVE-CP-2017/POL-1d", SELF, "ministry-community-safety", None, "partially_implemented", 15, "A hardship allowance is paid; insurance cover is still missing.", []),
    ("PVE-CP-2017/POL-1d", INDEPENDENT, "sahel-women-peace-circle", "ministry-community-safety", "stalled", 4, "Officers we spoke to have seen no change in pay since the review.", []),
    ("GSX-2017/REC-05b", SELF, "ministry-community-safety", None, "not_started", 18, "No change planned while the security law is in force.", []),
    ("GSX-2017/REC-14b", SELF, "regional-peace-commission", None, "no_longer_relevant", 25, "An advisory group with civil society seats was created by another body.", ["advisory-group-terms"]),
    ("GSX-2017/REC-14b", INDEPENDENT, "Coastal Women's Dialogue Forum", "regional-peace-commission", "partially_implemented", 8, "The group exists but has met once and its seats went to capital-based organizations.", []),
    ("PVE-CP-2017/PRG-7", SELF, "Metropolitan Community Police (demo)", None, "in_progress", 14, "An independent panel now reviews the liaison training each term.", []),
    ("GSX-2017/REC-12", INDEPENDENT, "Great Lakes Reconciliation Circle", "Department of Prevention Programmes (demo)", "partially_implemented", 10, "Families are supported, victims' groups are not yet involved.", []),
]
# fmt: on
# Hidden by the secretariat once published: what it says could expose people.
# fmt: off
HIDDEN = ("PVE-CP-2017/PRG-9", INDEPENDENT, "sahel-women-peace-circle", "lakeside-police-service", "in_progress", 3, "Lists the names and villages of the women who now meet the district commander.", [])
# fmt: on
HIDDEN_REASON = (
    "It names women and their villages, which could expose them to reprisals; hidden at the "
    "reporting organization's request."
)
