"""A lesson's Markdown as HTML: CommonMark with tables, raw HTML off (a lesson file cannot
inject markup), code highlighted by Pygments, and the first use of each glossary term linked
to its definition."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .glossary import Glossary

GLOSSARY_URL = "/glossary/"
_FORMATTER = HtmlFormatter(nowrap=True)  # classes, not inline styles: the CSP allows none


def _highlight(code: str, language: str, _attrs: Any) -> str:
    if not language:
        return ""  # markdown-it escapes and wraps it as plain code
    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        return ""
    return str(highlight(code, lexer, _FORMATTER))


def render(text: str, glossary: Glossary | None = None) -> str:
    md = MarkdownIt("commonmark", {"html": False, "highlight": _highlight}).enable("table")
    if glossary is not None and glossary.terms:
        md.core.ruler.push("glossary_links", _linker(glossary))
    html = str(md.render(text))
    # Code and tables scroll sideways when they are wider than the screen: focusable, so that
    # a keyboard can scroll them too. Raw HTML is off, so these tags are only markdown-it's.
    return html.replace("<pre>", '<pre tabindex="0">').replace("<table>", '<table tabindex="0">')


def _linker(glossary: Glossary) -> Any:
    pattern = glossary.pattern()
    terms = glossary.by_form()

    def link_first_uses(state: StateCore) -> None:
        linked: set[str] = set()
        in_heading = False
        for token in state.tokens:
            if token.type == "heading_open":
                in_heading = True
            elif token.type == "heading_close":
                in_heading = False
            elif token.type == "inline" and not in_heading and token.children:
                token.children = _link(token.children, pattern, terms, linked)

    return link_first_uses


def _link(
    children: Sequence[Token], pattern: Any, terms: dict[str, Any], linked: set[str]
) -> list[Token]:
    out: list[Token] = []
    in_link = 0
    for child in children:
        if child.type == "link_open":
            in_link += 1
        elif child.type == "link_close":
            in_link -= 1
        if child.type != "text" or in_link:
            out.append(child)
            continue
        text, start = child.content, 0
        for match in pattern.finditer(text):
            term = terms[match.group(0).lower()]
            if term.slug in linked:
                continue
            linked.add(term.slug)
            if match.start() > start:
                out.append(_text(text[start : match.start()]))
            opening = Token("link_open", "a", 1)
            opening.attrs = {"href": f"{GLOSSARY_URL}#{term.slug}", "class": "term"}
            out += [opening, _text(match.group(0)), Token("link_close", "a", -1)]
            start = match.end()
        if start < len(text):
            out.append(_text(text[start:]))
    return out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token
