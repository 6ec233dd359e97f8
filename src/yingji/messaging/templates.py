"""Message templates: `templates/messaging/<key>.txt`, rendered with Django templates.

The first line is the subject, the rest (after an optional blank line) the body. Templates use
{% translate %} / {% blocktranslate %}; they are rendered in the platform language (LANGUAGE_CODE),
because a recipient has no language of their own yet. Autoescaping is off: these are plain text.
`notice` is the general template: context {"subject": ..., "text": ...}.
"""

from __future__ import annotations

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import translation


def render(key: str, context: dict) -> tuple[str, str]:
    """(subject, body) of template `key` with `context`; TemplateDoesNotExist for an unknown key."""
    template = get_template(f"messaging/{key}.txt")
    with translation.override(settings.LANGUAGE_CODE):
        text = template.template.render(Context(context, autoescape=False))
    subject, _sep, body = text.strip().partition("\n")
    return subject.strip()[:200], body.strip()
