from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import VerificationMethod


class RequesterVerificationForm(forms.Form):
    # No default: the reviewer says how they checked, rather than leaving the first choice.
    method = forms.ChoiceField(
        label=_("How was it checked?"),
        choices=[("", _("Choose…")), *VerificationMethod.choices],
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the official domain checked, or the reference of the letter."),
    )


class RevokeVerificationForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the verification revoked?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
