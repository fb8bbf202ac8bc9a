"""`manage.py check` reads and validates every lesson (docs/lessons.md), so a teacher's edit
that breaks one is reported with its file and field before anyone opens the page.

Warnings, not errors: a broken lesson is left out of the course, and must not stop the server
(or `migrate`) that a whole class is waiting for. The tests fail on any of them."""

from __future__ import annotations

from typing import Any

from django.core import checks

from .content import load_course, validate
from .glossary import GlossaryError, load_glossary


@checks.register("lessons")
def check_lessons(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    try:
        load_glossary()
    except GlossaryError as error:
        found.append(checks.Warning(str(error), id="lessons.W002"))
    course = load_course()
    for broken in course.errors:
        for problem in broken.problems:
            found.append(checks.Warning(f"{broken.path}: {problem}", id="lessons.W001"))
    for lesson in course.lessons:
        for problem in validate(lesson):
            found.append(
                checks.Warning(f"{lesson.directory / 'lesson.md'}: {problem}", id="lessons.W001")
            )
    return found
