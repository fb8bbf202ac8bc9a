"""The course's files: every lesson reads, and says only what its scenario's run shows."""

from __future__ import annotations

import pytest

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
