"""The course: its index, each lesson, and the answers a learner sends (prediction, quiz,
exercise), each checked here, on the server."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from simulator import topologies
from simulator.views import HtmxHttpRequest, editable, send_another

from .checking import Criterion, criteria_hold
from .content import Lesson, Question, load_course
from .glossary import load_glossary
from .markdown import render as render_markdown
from .progress import Progress

SOLUTION_AFTER_TRIES = 2
log = logging.getLogger(__name__)


def _lesson_or_404(slug: str, *, with_exercise: bool = False) -> Lesson:
    lesson = load_course().get(slug)
    if lesson is None:
        raise Http404(f"No lesson called {slug!r}")
    if with_exercise and lesson.exercise is None:
        raise Http404(f"Lesson {slug!r} has no exercise")
    return lesson


@cache
def _html(markdown: str) -> str:
    return render_markdown(markdown, load_glossary())


@dataclass(frozen=True)
class CourseRow:
    lesson: Lesson
    opened: bool
    quiz_passed: bool
    solved: bool


@require_safe
def course(request: HtmxHttpRequest) -> HttpResponse:
    progress = Progress(request.session)
    rows = [
        CourseRow(
            lesson, progress.opened(lesson), progress.quiz_passed(lesson), progress.solved(lesson)
        )
        for lesson in load_course().lessons
    ]
    done = {
        "opened": sum(r.opened for r in rows),
        "quizzes": sum(r.quiz_passed for r in rows),
        "exercises": sum(r.solved for r in rows),
        "exercise_count": sum(r.lesson.exercise is not None for r in rows),
    }
    return render(request, "lessons/course.html", {"rows": rows, "done": done})


@require_POST
def reset_progress(request: HtmxHttpRequest) -> HttpResponse:
    Progress(request.session).reset()
    return HttpResponseRedirect(reverse("course") + "?reset=1")


@require_safe
def lesson_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    lesson = _lesson_or_404(slug)
    progress = Progress(request.session)
    progress.open(lesson)
    return render(request, "lessons/lesson.html", _lesson_context(lesson, progress))


def _lesson_context(
    lesson: Lesson, progress: Progress, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    course = load_course()
    before, after = course.neighbours(lesson)
    errors = errors or {}
    topology = lesson.topology()
    prediction = Asked(lesson, 0, lesson.meta.prediction, progress.predicted(lesson))
    prediction.error = errors.get("prediction", "")
    quiz = []
    for number, question in enumerate(lesson.meta.quiz, start=1):
        asked = Asked(lesson, number, question, progress.answered(lesson, number))
        asked.error = errors.get(f"q{number}", "")
        quiz.append(asked)
    exercise = None
    if lesson.exercise is not None:
        exercise = {
            "task": lesson.exercise.task,
            "hints": lesson.exercise.hints,
            "start": lesson.start_document(),
            "tries": progress.tries(lesson),
            "solved": progress.solved(lesson),
            "solution_after": SOLUTION_AFTER_TRIES,
        }
    return {
        "lesson": lesson,
        "course_version": course.version,
        "body": _html(lesson.body),
        "topology": topology,
        "ws_url": f"/ws/sim/?scenario={lesson.meta.scenario}",
        "inject": send_another(topology),
        "draft_key": f"msglab:lesson-draft:{lesson.slug}",
        "present_source": f"lesson:{lesson.slug}",
        "captions": {
            "start": lesson.meta.start_caption,
            "moments": [caption.to_dict() for caption in lesson.meta.captions],
        },
        "prediction": prediction,
        "quiz": quiz,
        "quiz_passed": progress.quiz_passed(lesson),
        "exercise": exercise,
        "before": before,
        "after": after,
    }


@dataclass(frozen=True)
class Option:
    value: str
    input_id: str
    text: str
    checked: bool


@dataclass
class Asked:
    """A question as the page shows it: with the learner's last answer and its verdict."""

    lesson: Lesson
    number: int  # 0 is the prediction
    question: Question
    chosen: int | None
    error: str = ""
    id: str = field(init=False)
    url: str = field(init=False)
    options: list[Option] = field(init=False)

    def __post_init__(self) -> None:
        if self.chosen is not None and not 0 <= self.chosen < len(self.question.choices):
            self.chosen = None  # the lesson changed since: ask again
        # worked out once: a page shows each several times, and a lesson page has six
        self.id = "prediction" if self.number == 0 else f"q{self.number}"
        if self.number == 0:
            self.url = reverse("lesson-predict", args=[self.lesson.slug])
        else:
            self.url = reverse("lesson-answer", args=[self.lesson.slug, self.number])
        self.options = [
            Option(str(i), f"{self.id}-{i}", choice.text, i == self.chosen)
            for i, choice in enumerate(self.question.choices)
        ]

    @property
    def right(self) -> bool:
        return self.chosen == self.question.answer

    @property
    def feedback(self) -> str:
        return "" if self.chosen is None else self.question.choices[self.chosen].feedback

    @property
    def answer_text(self) -> str:
        return self.question.choices[self.question.answer].text


@require_POST
def predict(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    lesson = _lesson_or_404(slug)
    return _answered(request, lesson, 0, lesson.meta.prediction)


@require_POST
def answer(request: HtmxHttpRequest, slug: str, number: int) -> HttpResponse:
    lesson = _lesson_or_404(slug)
    if not 1 <= number <= len(lesson.meta.quiz):
        raise Http404(f"Lesson {slug!r} has no question {number}")
    return _answered(request, lesson, number, lesson.meta.quiz[number - 1])


def _answered(
    request: HtmxHttpRequest, lesson: Lesson, number: int, question: Question
) -> HttpResponse:
    """Check one answer. htmx gets the question back with its verdict; a plain form post (no
    JavaScript) goes back to the lesson, at the question, where the verdict now shows."""
    progress = Progress(request.session)
    raw = request.POST.get("choice", "")
    choice = int(raw) if raw.isdigit() and int(raw) < len(question.choices) else None
    asked = Asked(lesson, number, question, choice)
    if choice is None:
        asked.error = "choice: pick one of the answers, then check it"
        if request.htmx:
            return render(request, "lessons/_feedback.html", {"asked": asked})
        context = _lesson_context(lesson, progress, errors={asked.id: asked.error})
        return render(request, "lessons/lesson.html", context, status=400)
    if number == 0:
        progress.predict(lesson, choice)
    else:
        progress.answer(lesson, number, choice)
    if request.htmx:
        passed = number > 0 and progress.quiz_passed(lesson)
        return render(request, "lessons/_feedback.html", {"asked": asked, "quiz_passed": passed})
    return HttpResponseRedirect(reverse("lesson", args=[lesson.slug]) + f"#{asked.id}")


@require_POST
def check_solution(request: HtmxHttpRequest, slug: str) -> JsonResponse:
    """Run the learner's topology through the lesson's checker: every criterion, held or not.
    A topology the engine refuses is answered with its problems and is not counted as a try."""
    lesson = _lesson_or_404(slug, with_exercise=True)
    try:
        topology = topologies.check(topologies.parse(request.body))
    except topologies.Refused as refused:
        return JsonResponse({"ok": False, "problems": refused.problems}, status=400)
    try:
        criteria = lesson.check(topology)
    except Exception:  # a checker a teacher wrote met a topology it did not expect
        log.exception("the checker of lesson %r failed", lesson.slug)
        criteria = [Criterion("The lesson's checker could not judge this topology", False)]
    solved = criteria_hold(criteria)
    tries = Progress(request.session).checked(lesson, solved)
    return JsonResponse(
        {
            "ok": True,
            "solved": solved,
            "criteria": [{"text": c.text, "holds": c.holds} for c in criteria],
            "tries": tries,
            "solution": (
                reverse("lesson-solution", args=[slug]) if tries >= SOLUTION_AFTER_TRIES else None
            ),
        }
    )


@require_safe
def solution(request: HtmxHttpRequest, slug: str) -> JsonResponse:
    """The reference solution, for the editor, once the learner has tried twice."""
    lesson = _lesson_or_404(slug, with_exercise=True)
    if Progress(request.session).tries(lesson) < SOLUTION_AFTER_TRIES:
        return JsonResponse(
            {"detail": f"check your own solution {SOLUTION_AFTER_TRIES} times first"}, status=403
        )
    return JsonResponse(editable(topologies.check(lesson.solution_document())))
