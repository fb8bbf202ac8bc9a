"""`manage.py check` reads and validates every lesson (docs/lessons.md), so a teacher's edit
that breaks one is reported with its file and field before anyone opens the page."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from .content import load_course, validate
from .glossary import GlossaryError, load_glossary


@register("lessons")
def check_lessons(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    try:
        load_glossary()
    except GlossaryError as error:
        errors.append(Error(str(error), id="lessons.E002"))
    course = load_course()
    for broken in course.errors:
        for problem in broken.problems:
            errors.append(Error(f"{broken.path}: {problem}", id="lessons.E001"))
    for lesson in course.lessons:
        for problem in validate(lesson):
            errors.append(Error(f"{lesson.directory / 'lesson.md'}: {problem}", id="lessons.E001"))
    return errors
