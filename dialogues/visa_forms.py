"""The participant's passport facts form. Its checks are the service's (``visa_fact_clean``), run
on every field at once so that all that is wrong is said in one answer."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dialogues.services.visa import FACT_MAX_LENGTHS, VISA_FACTS, visa_fact_clean


class VisaDetailsForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name, as in the passport"),
        max_length=FACT_MAX_LENGTHS["full_name"],
        help_text=_("Every given name and surname, spelt exactly as on the passport's data page."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )
    nationality = forms.CharField(
        label=_("Nationality"),
        max_length=FACT_MAX_LENGTHS["nationality"],
        help_text=_("As written in the passport."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
    )
    passport_number = forms.CharField(
        label=_("Passport number"),
        max_length=FACT_MAX_LENGTHS["passport_number"],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "dir": "ltr"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        help_text=_("As in the passport: year, month and day (YYYY-MM-DD)."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
    )

    def clean(self):
        cleaned = super().clean()
        for name in VISA_FACTS:
            if name not in cleaned:
                continue  # its own field already said what is wrong
            try:
                value = visa_fact_clean(name, cleaned[name])
            except ValidationError as error:
                self.add_error(name, error)
            else:
                if name != "date_of_birth":
                    cleaned[name] = value
        return cleaned

    def add_service_errors(self, error: ValidationError) -> None:
        """The service's refusal, on its field or for the whole form."""
        if hasattr(error, "error_dict"):
            for name, errors in error.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)

    def without_nul_bytes(self) -> None:
        """What was typed, shown again without NUL bytes (never part of a passport fact; the
        error says so), so the page carries no control characters."""
        self.data = {
            name: (value.replace("\x00", "") if isinstance(value, str) else value)
            for name, value in self.data.items()
        }
