"""``{% misuse_texts %}``: what a run page shows beside each warning (static/js/run-panel.js),
from the one source, :mod:`simulator.misuse`."""

from __future__ import annotations

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString

from simulator import explain

register = template.Library()


@register.simple_tag
def misuse_texts() -> SafeString:
    """A ``<script type="application/json">`` with, per lint code, its title, why it matters
    and its lesson. No id: a page with two runs has it twice, each inside its warnings box."""
    return json_script(explain.texts())
