"""How a lesson's Markdown becomes HTML: escaped, highlighted, and linked to the glossary."""

from __future__ import annotations

from lessons.glossary import Glossary, Term
from lessons.markdown import render

GLOSSARY = Glossary(
    terms=[
        Term(slug="event", term="Event", aliases=["events"], definition="A fact."),
        Term(slug="dead-letter-queue", term="Dead-letter queue", definition="Where it ends."),
        Term(slug="queue", term="Queue", aliases=["queues"], definition="One consumer each."),
    ]
)


def test_html_in_a_lesson_is_shown_as_text_never_run() -> None:
    html = render('Look: <script>alert("x")</script> and <b onclick="x">bold</b>')

    assert "<script>" not in html and "<b " not in html
    assert "&lt;script&gt;" in html


def test_tables_are_rendered() -> None:
    html = render("| a | b |\n|---|---|\n| 1 | 2 |\n")

    assert '<table tabindex="0">' in html and "<td>1</td>" in html  # it may scroll


def test_code_blocks_are_highlighted_with_classes_not_inline_styles() -> None:
    html = render("```python\ndef handle(command):\n    return None\n```\n")

    assert '<span class="k">def</span>' in html
    assert "style=" not in html
    assert html.startswith('<pre tabindex="0">')  # it may scroll: a keyboard reaches it


def test_code_in_an_unknown_language_is_escaped_plain_code() -> None:
    html = render("```nosuchlanguage\n<b>x</b>\n```\n")

    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_only_the_first_use_of_a_term_is_linked_to_the_glossary() -> None:
    html = render("An event is a fact. Events are facts.\n\nAnother event.", GLOSSARY)

    assert html.count('href="/glossary/#event"') == 1
    assert '<a href="/glossary/#event" class="term">event</a> is a fact' in html


def test_the_longest_term_wins_and_words_inside_other_words_are_not_linked() -> None:
    html = render("A dead-letter queue is a queue. Queueing is not a term.", GLOSSARY)

    assert '<a href="/glossary/#dead-letter-queue" class="term">dead-letter queue</a>' in html
    assert '<a href="/glossary/#queue" class="term">queue</a>.' in html
    assert "Queueing is" in html


def test_terms_in_headings_code_and_links_are_not_linked() -> None:
    html = render("## Events\n\n`event` and [an event](/x/) then events.", GLOSSARY)

    assert "<h2>Events</h2>" in html
    assert "<code>event</code>" in html
    assert '<a href="/x/">an event</a>' in html
    assert '<a href="/glossary/#event" class="term">events</a>' in html
