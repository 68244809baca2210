"""The page frame: flash messages, the error summary and its focus script, dates in each
language's own order, and the confirmation component (issue 7, bugs 1 and 3, item 8)."""

import datetime
import re

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from organizations.models import Contact, Invitation
from organizations.services import membership_invite
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_a_success_message_is_a_list_inside_a_polite_live_region(cso, cso_admin):
    contact = Contact.objects.create(organization=cso, name="Asha Mwangi")
    client = signed_in(cso_admin)
    client.post(reverse("organizations:contact_delete", args=[cso.slug, contact.public_id]))
    body = client.get(reverse("organizations:contacts", args=[cso.slug])).content.decode()
    assert re.search(
        r'<div class="messages" role="status"><ul>\s*'
        r'<li class="message message--success">The contact was deleted.</li>\s*</ul></div>',
        body,
    )
    assert 'role="alert"' not in body
    # The list itself keeps its role: no live-region role on the <ul>.
    assert not re.search(r"<ul[^>]*role=", body)


def test_an_error_message_is_in_an_assertive_live_region(cso, cso_admin, cso_member):
    membership = cso_member.memberships.get()
    client = signed_in(cso_admin)
    client.post(
        reverse("organizations:membership_role", args=[cso.slug, membership.public_id]),
        {"role": "emperor"},
    )
    body = client.get(reverse("organizations:members", args=[cso.slug])).content.decode()
    assert re.search(
        r'<div class="messages" role="alert"><ul>\s*'
        r'<li class="message message--error">Choose a valid role.</li>',
        body,
    )
    assert 'class="messages" role="status"' not in body


def test_a_failed_submit_puts_a_focusable_error_summary_first_in_main(cso, cso_admin):
    response = signed_in(cso_admin).post(
        reverse("organizations:contacts", args=[cso.slug]), {"name": "", "email": "not-an-email"}
    )
    body = response.content.decode()
    main = body[body.index('<main id="main"') :]
    summary = main.index('<div class="error-summary" role="alert"')
    assert summary < main.index("<h1")
    assert (
        '<div class="error-summary" role="alert" aria-labelledby="error-summary-title" '
        'tabindex="-1">' in main
    )
    assert '<h2 id="error-summary-title">Please correct the following</h2>' in main
    assert '<a href="#id_email">Email: Enter a valid email address.</a>' in main
    # What the person typed is kept.
    assert 'value="not-an-email"' in main


def test_the_focus_script_is_a_deferred_static_file(client, db):
    body = client.get(reverse("home")).content.decode()
    assert '<script src="/static/js/gsx.js" defer></script>' in body
    assert "<script>" not in body
    script = (settings.BASE_DIR / "static" / "js" / "gsx.js").read_text()
    assert 'document.querySelector(".error-summary")' in script
    assert "summary.focus()" in script


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        ("en", "03/04/2026", "March 4, 2026"),
        ("fr", "04/03/2026", "4 mars 2026"),
        ("es", "04/03/2026", "4 de marzo de 2026"),
        # Django marks the Arabic short date right-to-left (U+200F) so the slashes stay put.
        ("ar", "04\u200f/03\u200f/2026", "4 مارس، 2026"),
    ],
)
def test_dates_follow_each_languages_order(language, short, long):
    template = Template('{{ day|date:"SHORT_DATE_FORMAT" }}|{{ day|date:"DATE_FORMAT" }}')
    with translation.override(language):
        rendered = template.render(Context({"day": datetime.date(2026, 3, 4)}))
    assert rendered == f"{short}|{long}"


def test_no_template_uses_a_literal_date_format():
    literal = re.compile(r"""\|date:["'](?![A-Z_]+["'])""")
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (settings.BASE_DIR / "templates").rglob("*.*")
        if path.suffix in {".html", ".txt"} and literal.search(path.read_text())
    ]
    assert offenders == []


def test_danger_and_secondary_buttons_outrank_the_base_button_style():
    # The base look is wrapped in :where() (no specificity), so the one-class modifiers win on
    # <button> as on <a>. A browser check confirmed the colours; this guards the structure.
    css = (settings.BASE_DIR / "static" / "css" / "gsx.css").read_text()
    assert ':where(.button, button[type="submit"]:not(.link-button)' in css
    assert "\n.button--danger { background: var(--danger);" in css
    assert "\n.button--secondary { background: var(--paper);" in css
    assert 'button[type="submit"] {' not in css


def test_contacts_isolate_names_and_show_addresses_left_to_right(cso, cso_admin):
    Contact.objects.create(
        organization=cso, name="أمينة", role="منسقة", email="amina@cso.example", phone="+254 700 1"
    )
    body = signed_in(cso_admin).get(reverse("organizations:contacts", args=[cso.slug]))
    body = body.content.decode()
    assert "<h1>Contacts of <bdi>Coastal Youth Forum</bdi></h1>" in body
    assert '<td data-label="Name"><bdi>أمينة</bdi></td>' in body
    assert '<td data-label="Role"><bdi>منسقة</bdi></td>' in body
    assert '<a href="mailto:amina@cso.example" dir="ltr">amina@cso.example</a>' in body
    assert '<a href="tel:+2547001" dir="ltr">+254 700 1</a>' in body
    assert re.search(r'<input type="email" name="email" dir="ltr"[^>]*id="id_email"', body)
    assert re.search(r'<input type="tel" name="phone" dir="ltr"[^>]*id="id_phone"', body)


def test_members_table_stacks_on_phones_with_labelled_cells(cso, cso_admin):
    body = signed_in(cso_admin).get(reverse("organizations:members", args=[cso.slug]))
    body = body.content.decode()
    assert '<table class="stack">' in body
    assert '<td data-label="Email"><a href="mailto:alice@cso.example" dir="ltr">' in body


@pytest.mark.parametrize(
    ("language", "joined"),
    [
        ("en", "<bdi>A</bdi>, <bdi>B</bdi>, and <bdi>C &amp; D</bdi>"),
        ("fr", "<bdi>A</bdi>, <bdi>B</bdi> et <bdi>C &amp; D</bdi>"),
        ("es", "<bdi>A</bdi>, <bdi>B</bdi> y <bdi>C &amp; D</bdi>"),
        ("ar", "<bdi>A</bdi> و<bdi>B</bdi> و<bdi>C &amp; D</bdi>"),
    ],
)
def test_lists_of_names_are_joined_in_the_readers_language(language, joined):
    template = Template("{% load gsx_bidi %}{{ names|bdi_list }}")
    with translation.override(language):
        assert template.render(Context({"names": ["A", "B", "C & D"]})) == joined


def test_an_unusable_invitation_says_so_in_a_focusable_summary_first(cso, cso_admin, outsider):
    invitation, token = membership_invite(organization=cso, by=cso_admin, email=outsider.email)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)
    response = signed_in(outsider).get(reverse("organizations:invitation", args=[token]))
    body = response.content.decode()
    main = body[body.index('<main id="main"') :]
    assert response.status_code == 400
    assert main.index('class="error-summary" role="alert"') < main.index("<h1>")
    assert '<h2 id="error-summary-title">This invitation cannot be used</h2>' in main
    assert "<p>This invitation has expired or has already been used.</p>" in main
