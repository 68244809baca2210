"""The filter form's selects, written in Python: the same HTML as Django's template-rendered
``forms.Select``, and the option lists in the reader's language."""

import re

import pytest
from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from organizations.filters import (
    PlainBoundField,
    PlainSelect,
    country_choices,
    working_language_choices,
)

CHOICES = [
    ("", "Any"),
    ("a&b", 'Tom & "Jerry" <b>'),
    ("safe", mark_safe("<em>kept</em>")),
    ("lazy", gettext_lazy("Yes")),
    (7, "seven"),
    ("Group <1>", [("g1", "First"), ("g2", "Second")]),
    ("again", "Again"),
]


def _squeezed(html: str) -> str:
    """The HTML with the whitespace that does not show removed (Django's templates leave
    blank lines between the parts of a field)."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


class _Form(forms.Form):
    def __init__(self, *args, widget, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pick"] = forms.ChoiceField(
            label="Pick", choices=CHOICES, required=True, widget=widget(attrs={"class": "x"})
        )


@pytest.mark.parametrize(
    "data", [None, {"pick": "a&b"}, {"pick": "g2"}, {"pick": "7"}, {"pick": "nothing"}, {}]
)
def test_plain_select_writes_what_django_writes(data):
    django = _Form(data, widget=forms.Select)
    plain = _Form(data, widget=PlainSelect)
    if data is not None:
        # Errors add aria-invalid and aria-describedby to both alike.
        assert django.is_valid() == plain.is_valid()
    assert _squeezed(plain["pick"]) == _squeezed(django["pick"])
    assert _squeezed(plain["pick"].as_field_group()) == _squeezed(django["pick"].as_field_group())


def test_plain_select_escapes_values_and_labels_and_marks_one_selected():
    html = str(_Form({"pick": "a&b"}, widget=PlainSelect)["pick"])
    assert '<option value="a&amp;b" selected>Tom &amp; &quot;Jerry&quot; &lt;b&gt;</option>' in html
    assert '<option value="safe"><em>kept</em></option>' in html
    assert html.count(" selected") == 1
    assert '<optgroup label="Group &lt;1&gt;">' in html
    assert html.startswith('<select name="pick" class="x" required id="id_pick">')


def test_option_lists_follow_the_readers_language():
    with translation.override("fr"):
        french = dict(country_choices())
        french_languages = dict(working_language_choices())
    with translation.override("ar"):
        arabic = dict(country_choices())
    with translation.override("en"):
        english = dict(country_choices())
        first = country_choices()[:3]
    assert (english["DE"], french["DE"], arabic["DE"]) == ("Germany", "Allemagne", "ألمانيا")
    assert french_languages["fr"] == "Français"
    assert first == [("AF", "Afghanistan"), ("AX", "Åland Islands"), ("AL", "Albania")]


class _Fields(forms.Form):
    pick = forms.ChoiceField(label="Pick <one>", choices=[("a", "A"), ("b", "B")])
    text = forms.CharField(label="Who?", required=False, help_text="Names <em>only</em>")
    when = forms.DateTimeField(label="Since", required=False, label_suffix=" →")
    flag = forms.BooleanField(label="Flag", required=False)


class _PlainFields(_Fields):
    bound_field_class = PlainBoundField


class _PlainFieldsRequiredClass(_PlainFields):
    required_css_class = "required"


@pytest.mark.parametrize("data", [None, {"pick": "a", "text": "x"}, {"pick": "zz", "when": "no"}])
@pytest.mark.parametrize("auto_id", ["id_%s", False])
@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_plain_field_groups_write_what_django_writes(data, auto_id, language):
    with translation.override(language):
        django, plain = _Fields(data, auto_id=auto_id), _PlainFields(data, auto_id=auto_id)
        if data is not None:
            assert django.is_valid() == plain.is_valid()
        for name in django.fields:
            assert _squeezed(plain[name].as_field_group()) == _squeezed(
                django[name].as_field_group()
            ), name


def test_plain_field_groups_keep_the_required_class():
    class Django(_Fields):
        required_css_class = "required"

    plain = _PlainFieldsRequiredClass()["pick"].as_field_group()
    assert _squeezed(plain) == _squeezed(Django()["pick"].as_field_group())
    assert '<label for="id_pick" class="required">Pick &lt;one&gt;:</label>' in plain
