"""The course's reference pages: the glossary (lessons/glossary.toml) and the printable cheat
sheet."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import groupby
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from lessons.glossary import Glossary, Term, load_glossary
from lessons.markdown import render as render_markdown
from simulator.views import HtmxHttpRequest


@dataclass(frozen=True)
class Entry:
    """One term as the glossary page shows it."""

    slug: str
    term: str
    aliases: list[str]
    definition: SafeString  # HTML rendered from the Markdown
    see: list[tuple[str, str]]  # (slug, term) of each related term


@dataclass(frozen=True)
class Letter:
    """The terms that start with one letter: a section of the page and a link in its A–Z."""

    letter: str
    entries: list[Entry]

    @property
    def anchor(self) -> str:
        return f"letter-{self.letter.lower()}"


def render_definition(markdown: str) -> SafeString:
    """A definition's Markdown as HTML; any HTML written in it comes out escaped."""
    return mark_safe(render_markdown(markdown.strip()))  # the lessons' renderer, raw HTML off


def sort_key(term: str) -> str:
    """Dictionary order: case and hyphens do not count ("Event-carried" before "Event
    notification")."""
    return term.casefold().replace("-", " ")


def entries(glossary: Glossary) -> list[Entry]:
    """Every term of the glossary, in alphabetical order, ready for the page."""
    names = {term.slug: term.term for term in glossary.terms}

    def entry(term: Term) -> Entry:
        return Entry(
            slug=term.slug,
            term=term.term,
            aliases=term.aliases,
            definition=render_definition(term.definition),
            see=[(slug, names[slug]) for slug in term.see],
        )

    return [entry(term) for term in sorted(glossary.terms, key=lambda t: sort_key(t.term))]


def by_letter(glossary: Glossary) -> list[Letter]:
    return [
        Letter(letter, list(group))
        for letter, group in groupby(entries(glossary), key=lambda e: e.term[0].upper())
    ]


@cache
def _glossary_page() -> dict[str, Any]:
    """The page's content, rendered once: the glossary is read once, at start-up."""
    letters = by_letter(load_glossary())
    present = {letter.letter: letter for letter in letters}
    return {
        "letters": letters,
        # the whole alphabet, so that the jump list keeps its shape; absent letters are not links
        "alphabet": [(c, present.get(c)) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"],
        "count": sum(len(letter.entries) for letter in letters),
    }


@require_safe
def glossary(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "lessons/glossary.html", _glossary_page())


@require_safe
def cheat_sheet(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "lessons/cheat_sheet.html")
