from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DialoguesConfig(AppConfig):
    name = "dialogues"
    verbose_name = _("Dialogues")

    def ready(self):
        from dialogues.rules import convenes_a_working_group
        from dialogues.selectors import meetings_audience
        from dialogues.timeline import meetings_timeline_source, register_timeline_source
        from organizations.rules import register_privileged_role

        # Conveners are privileged (DESIGN.md §4): two-factor authentication before they act.
        register_privileged_role("working_group_convener", convenes_a_working_group)
        # The meetings are the timeline's first source; later apps add theirs the same way.
        register_timeline_source(
            "dialogues.meetings", meetings_timeline_source, audience=meetings_audience
        )
