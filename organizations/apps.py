from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organizations and people")

    def ready(self):
        from django.db.models import fields

        # Django's own "- Select an option -" (the empty choice of model select fields) is not
        # translated into Arabic or Spanish; the portal's catalogue carries it, without the dashes
        # that screen readers read out.
        fields.BLANK_CHOICE_LABEL = _("Select an option")
