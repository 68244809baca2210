"""The confirmation page every destructive action shows first (GET), so that a slip of the finger
never deletes or revokes anything and no JavaScript is needed; the same address's POST acts."""

from django.shortcuts import render
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


def with_names(text: str, **names: str) -> str:
    """A translated sentence with user-written names isolated in <bdi>, so that an Arabic name in
    an English sentence (or the reverse) does not reorder the punctuation around it."""
    isolated = {key: format_html("<bdi>{}</bdi>", value) for key, value in names.items()}
    return mark_safe(escape(text) % isolated)  # noqa: S308 — both parts are escaped above


def confirmation(
    request,
    *,
    title,
    explanation,
    confirm_label,
    cancel_url,
    hidden=(),
    form=None,
    status=200,
    cancel_label=None,
):
    return render(
        request,
        "organizations/confirm.html",
        {
            "title": title,
            "explanation": explanation,
            "confirm_label": confirm_label,
            "cancel_url": cancel_url,
            "hidden": hidden,
            "form": form,
            # The way back, when "Cancel" would read as the action itself (cancel a meeting).
            "cancel_label": cancel_label,
        },
        status=status,
    )
