"""What reviewers look for under each Better Peace Tool criterion, for applicants to read.

Written in our own words from the criteria of ICAN's Better Peace Tool (2015). Keyed by the
criterion's code (migration 0005) and kept in code rather than in the database so that the
translations live with every other string of the portal, in the message catalogues.
"""

from django.utils.translation import gettext_lazy as _

from organizations.models import CriterionGroup

GUIDANCE = {
    "core-non-violence": _(
        "Show that you work without violence and seek peaceful settlement of disputes: your "
        "mission or charter, how you respond when tension rises, and any public stand you took "
        "against violence, whoever committed it."
    ),
    "core-rights": _(
        "Show a commitment to human rights, women's rights and peace in what you do, not only "
        "in what you say: programmes, positions you defended, rights you helped people claim."
    ),
    "core-gender-sensitivity": _(
        "Describe how you bring the different experiences of women, men, girls and boys into "
        "your work on security and governance, for example in analysis, training or advocacy."
    ),
    "core-independence": _(
        "Explain how you stay independent of political parties, armed actors and governments: "
        "who governs and funds you, and how you keep your positions non-partisan."
    ),
    "core-inclusion": _(
        "Describe how women, young people, minorities and marginalised groups take part in "
        "your organization and its decisions, not only as beneficiaries."
    ),
    "competency-ground-experience": _(
        "Give examples of your practical work in affected communities and of how your "
        "understanding of local realities takes gender into account."
    ),
    "competency-representation": _(
        "Show a record of speaking for women or civil society: forums, negotiations or "
        "consultations where you represented them, and what came of it."
    ),
    "competency-aid-livelihoods": _(
        "Describe aid, early recovery or livelihood programmes you ran, for whom, and what "
        "changed for the people involved."
    ),
    "competency-armed-groups": _(
        "If you can reach armed groups or work to keep people from joining them, say how, with "
        "what safeguards, and with what results. Leave out anything that could put people at risk."
    ),
    "competency-community-security": _(
        "Describe work on disarmament, rehabilitation or reintegration, or on the security of "
        "citizens and communities, including work with police or other security bodies."
    ),
    "competency-mediation": _(
        "Give examples of mediation or peacemaking you led or supported, especially between "
        "or within communities."
    ),
    "competency-social-cohesion": _(
        "Describe how you strengthen social cohesion and a culture of peace: dialogue, "
        "education, media or cultural work that brings people together."
    ),
    "competency-justice": _(
        "Describe your work on justice and reconciliation, and how you support victims and "
        "survivors."
    ),
    "competency-resources-land": _(
        "Describe your work on natural resources or land rights and how it reflects the needs "
        "of local communities and of women."
    ),
    "constituency-grounded": _(
        "Who is your constituency on the ground, where, and how do you stay in touch with it? "
        "Members, volunteers, local groups or networks you work through."
    ),
    "constituency-feedback": _(
        "How do you inform local communities and hear from them, marginalised groups "
        "included? Meetings, surveys, complaint channels, and what changed after feedback."
    ),
    "constituency-mobilize": _(
        "Show that you can mobilise people and influence public opinion: campaigns, media, "
        "petitions or gatherings, and what they achieved."
    ),
    "constituency-diversity": _(
        "Describe how diverse your staff, members and leadership are: women, young people, "
        "minorities, regions, ethnic and religious communities."
    ),
}

GROUP_RULES = {
    CriterionGroup.CORE_VALUE: _("Every core value is required."),
    CriterionGroup.COMPETENCY: _("Describe at least one competency."),
    CriterionGroup.CONSTITUENCY: _("Describe at least one constituency criterion."),
}


def guidance_for(code: str) -> str:
    return GUIDANCE.get(code, "")
