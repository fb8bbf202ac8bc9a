"""A learner's progress, without an account: kept in their Django session.

Lessons opened, the last answer to each question (and to each prediction), exercises solved
and how many times each was checked. Only what the server itself wrote is read back.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from .content import Lesson

KEY = "lessons"


class Progress:
    def __init__(self, session: SessionBase) -> None:
        self.session = session
        stored = session.get(KEY)
        self.data: dict[str, Any] = stored if isinstance(stored, dict) else {}
        for name in ("opened", "solved"):
            self.data.setdefault(name, [])
        for name in ("answers", "predictions", "tries"):
            self.data.setdefault(name, {})

    def _save(self) -> None:
        self.session[KEY] = self.data
        self.session.modified = True

    # ---- what happened ------------------------------------------------------------------------

    def open(self, lesson: Lesson) -> None:
        if lesson.slug not in self.data["opened"]:
            self.data["opened"].append(lesson.slug)
            self._save()

    def answer(self, lesson: Lesson, number: int, choice: int) -> None:
        self.data["answers"].setdefault(lesson.slug, {})[str(number)] = choice
        self._save()

    def predict(self, lesson: Lesson, choice: int) -> None:
        self.data["predictions"][lesson.slug] = choice
        self._save()

    def checked(self, lesson: Lesson, solved: bool) -> int:
        """Count a check of the exercise; how many there have been."""
        tries: int = self.data["tries"].get(lesson.slug, 0) + 1
        self.data["tries"][lesson.slug] = tries
        if solved and lesson.slug not in self.data["solved"]:
            self.data["solved"].append(lesson.slug)
        self._save()
        return tries

    def reset(self) -> None:
        self.session.pop(KEY, None)
        self.data = Progress(self.session).data

    # ---- what it adds up to -------------------------------------------------------------------

    def opened(self, lesson: Lesson) -> bool:
        return lesson.slug in self.data["opened"]

    def answered(self, lesson: Lesson, number: int) -> int | None:
        choice = self.data["answers"].get(lesson.slug, {}).get(str(number))
        return choice if isinstance(choice, int) else None

    def predicted(self, lesson: Lesson) -> int | None:
        choice = self.data["predictions"].get(lesson.slug)
        return choice if isinstance(choice, int) else None

    def quiz_passed(self, lesson: Lesson) -> bool:
        return all(
            self.answered(lesson, n) == question.answer
            for n, question in enumerate(lesson.meta.quiz, start=1)
        )

    def solved(self, lesson: Lesson) -> bool:
        return lesson.slug in self.data["solved"]

    def tries(self, lesson: Lesson) -> int:
        tries = self.data["tries"].get(lesson.slug, 0)
        return tries if isinstance(tries, int) else 0
