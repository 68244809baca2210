from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"dir": "ltr", "autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}
        )
