"""Date-times follow each language's order, as dates do (tests/test_ui.py): Arabic had no
date-time formats of its own and fell back to the US order."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        ("en", "03/04/2026 5:05 p.m.", "March 4, 2026, 5:05 p.m."),
        ("fr", "04/03/2026 17:05", "4 mars 2026 17:05"),
        ("es", "04/03/2026 17:05", "4 de marzo de 2026 a las 17:05"),
        ("ar", "04\u200f/03\u200f/2026 5:05 م", "4 مارس، 2026، 5:05 م"),
    ],
)
def test_date_times_follow_each_languages_order(language, short, long):
    template = Template(
        '{{ moment|date:"SHORT_DATETIME_FORMAT" }}|{{ moment|date:"DATETIME_FORMAT" }}'
    )
    with translation.override(language):
        rendered = template.render(Context({"moment": datetime.datetime(2026, 3, 4, 17, 5)}))
    assert rendered == f"{short}|{long}"
