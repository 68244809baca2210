from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from dialogues.services.visa import VISA_REFERENCE_PREFIX

# The code printed on a letter of recognition (``secrets.token_urlsafe``): URL-safe base64.
LETTER_CODE = RegexValidator(
    r"^[A-Za-z0-9_-]{8,32}$",
    _("A letter's code has 8 to 32 letters, digits, hyphens or underscores. Check what you typed."),
)


class VerifyLetterForm(forms.Form):
    code = forms.CharField(
        label=_("Code printed on the letter"),
        max_length=64,
        validators=[LETTER_CODE],
        error_messages={"required": _("Type the code printed on the letter.")},
    )

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code.upper().startswith(VISA_REFERENCE_PREFIX):
            # A visa support letter is checked by the address (or QR code) printed on it: its
            # reference is derived from a secret the letter alone carries, so it names the
            # letter without letting anyone who only knows it look it up.
            raise forms.ValidationError(
                _(
                    "This is the reference of a visa support letter: check it at the address "
                    "printed on the letter, or by scanning its QR code."
                )
            )
        return code

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"dir": "ltr", "autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}
        )
