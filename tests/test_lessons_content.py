"""The course's files: every lesson reads, and says only what its scenario's run shows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lessons import content
from lessons.content import Lesson, load_course, validate

COURSE = [
    "what-is-a-message",
    "commands",
    "events",
    "command-vs-event",
    "order-flow",
    "queues-and-topics",
    "request-reply",
    "temporal-coupling",
    "retries-and-dead-letters",
    "idempotent-consumer",
    "sagas",
    "cqrs-read-models",
    "transactional-outbox",
    "pattern-map",
]

LESSONS = {lesson.slug: lesson for lesson in load_course().lessons}


def test_every_lesson_file_reads_without_errors() -> None:
    assert [str(error) for error in load_course().errors] == []


def test_the_course_has_its_lessons_in_order() -> None:
    assert [lesson.slug for lesson in load_course().lessons] == COURSE
    assert [lesson.number for lesson in load_course().lessons] == list(range(1, len(COURSE) + 1))


@pytest.mark.parametrize("slug", sorted(LESSONS))
def test_lesson_passes_every_content_check(slug: str) -> None:
    assert validate(LESSONS[slug]) == []


@pytest.mark.parametrize("slug", sorted(LESSONS))
def test_lesson_has_exactly_one_right_answer_per_question(slug: str) -> None:
    lesson: Lesson = LESSONS[slug]
    for question in [lesson.meta.prediction, *lesson.meta.quiz]:
        assert sum(choice.correct for choice in question.choices) == 1


def test_manage_py_check_reports_nothing_about_the_lessons() -> None:
    from lessons.checks import check_lessons

    assert [warning.msg for warning in check_lessons()] == []


def test_a_broken_lesson_is_reported_by_file_and_field_and_left_out(tmp_path: Path) -> None:
    good = tmp_path / "01-fine"
    good.mkdir()
    source = Path(load_course().lessons[0].directory) / "lesson.md"
    (good / "lesson.md").write_text(source.read_text())
    broken = tmp_path / "02-broken"
    broken.mkdir()
    (broken / "lesson.md").write_text(
        source.read_text().replace("title = ", "titel = ", 1).replace("correct = true", "", 1)
    )

    course = load_course(tmp_path)

    assert [lesson.slug for lesson in course.lessons] == ["fine"]
    (error,) = course.errors
    assert error.path == broken / "lesson.md"
    assert "title: Field required" in error.problems
    assert "titel: Extra inputs are not permitted" in error.problems
    assert any("exactly one choice must have correct = true, not 0" in p for p in error.problems)


def test_a_changed_lesson_file_is_read_again_and_an_unchanged_course_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(content, "RECHECK_SECONDS", 0)  # look at the files on every call
    lesson_md = tmp_path / "01-fine" / "lesson.md"
    lesson_md.parent.mkdir()
    lesson_md.write_text((load_course().lessons[0].directory / "lesson.md").read_text())
    first = load_course(tmp_path)

    assert load_course(tmp_path) is first
    lesson_md.write_text(lesson_md.read_text().replace('title = "', 'title = "Edited: ', 1))
    os.utime(lesson_md, ns=(1, lesson_md.stat().st_mtime_ns + 1_000_000))  # surely later

    again = load_course(tmp_path)
    assert again is not first and again.version != first.version
    assert again.lessons[0].title.startswith("Edited: ")
