import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import ApiToken, User


def timezone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class PreferencesForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=timezone_choices)

    class Meta:
        model = User
        fields = ["name", "language", "timezone"]


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "can_write"]
        help_texts = {
            "name": _("What the token is for, e.g. “research dashboard”."),
            "can_write": _("Leave unticked for a token that can only read."),
        }
