"""The course in a real Chromium against a real Daphne, found by role and name as a learner
(or a screen reader) finds it: predict, step with captions, quiz, exercise, progress."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, ViewportSize, expect

from lessons.content import Lesson, load_course
from tests.browser import button

pytestmark = pytest.mark.browser

PROJECTOR: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 375, "height": 740}


def lesson(slug: str) -> Lesson:
    found = load_course().get(slug)
    assert found is not None, slug
    return found


ORDER_FLOW = lesson("order-flow")
SLUGS = [lesson.slug for lesson in load_course().lessons]
CAPTIONS = [caption.text for caption in ORDER_FLOW.meta.captions]


def caption(page: Page) -> Locator:
    return page.locator("[data-captions]").get_by_role("status")


def question(page: Page, number: int) -> Locator:
    return page.get_by_role("group", name=re.compile(rf"^Question {number}\. "))


def open_lesson(page: Page, slug: str) -> None:
    page.goto(f"/lessons/{slug}/")
    page.wait_for_selector('[data-lesson-run][data-ws="open"]')


def test_a_learner_opens_lesson_five_from_the_course_predicts_and_steps_with_captions(
    page: Page,
) -> None:
    page.goto("/lessons/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("The course")
    page.get_by_role("link", name=re.compile(r"^5\. The order flow")).click()
    page.wait_for_selector('[data-lesson-run][data-ws="open"]')
    expect(page.get_by_role("heading", level=1)).to_have_text("The order flow, end to end")

    prediction = page.get_by_role("group", name=re.compile("How many services will receive"))
    prediction.get_by_role("radio", name="Three").check()
    button(page, "Check my prediction").click()
    expect(page.locator("#prediction-feedback")).to_contain_text("Right.")
    expect(page.locator("#prediction-feedback")).to_contain_text("press Play")

    expect(caption(page)).to_have_text(ORDER_FLOW.meta.start_caption)
    button(page, "Step").click()
    expect(caption(page)).to_have_text(CAPTIONS[0])
    button(page, "Step").click()
    expect(caption(page)).to_have_text(CAPTIONS[1])
    button(page, "Step back").click()
    expect(caption(page)).to_have_text(CAPTIONS[0])
    button(page, "Step back").click()
    expect(caption(page)).to_have_text(ORDER_FLOW.meta.start_caption)


def test_the_quiz_answers_one_wrong_then_right_and_the_page_keeps_them_after_a_reload(
    page: Page,
) -> None:
    open_lesson(page, "order-flow")
    first = question(page, 1)
    feedback = page.locator("#q1-feedback")

    first.get_by_role("radio", name="An event").check()
    button(page, "Check answer 1").click()
    expect(feedback).to_contain_text("Not quite.")
    expect(feedback).to_contain_text("The answer is: A command")
    first.get_by_role("radio", name="A command").check()
    button(page, "Check answer 1").click()
    expect(feedback).to_contain_text("Right.")

    page.reload()
    expect(page.locator("#q1-feedback")).to_contain_text("Right.")
    expect(question(page, 1).get_by_role("radio", name="A command")).to_be_checked()
    page.goto("/lessons/")
    lesson = page.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=re.compile(r"^5\."))
    )
    expect(lesson).to_contain_text("Opened")
    expect(lesson).to_contain_text("Quiz not passed yet")


def test_a_question_can_be_answered_with_the_keyboard_alone(page: Page) -> None:
    open_lesson(page, "order-flow")
    first_choice = question(page, 2).get_by_role("radio").first
    first_choice.focus()

    page.keyboard.press("ArrowDown")  # moves to, and selects, "An event"
    page.keyboard.press("Tab")
    expect(button(page, "Check answer 2")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#q2-feedback")).to_contain_text("Right.")


def test_lesson_ten_exercise_is_solved_in_the_editor_and_the_progress_survives_a_reload(
    page: Page,
) -> None:
    page.goto("/lessons/idempotent-consumer/")
    page.evaluate("localStorage.clear()")  # no draft from an earlier run
    open_lesson(page, "idempotent-consumer")
    result = page.locator("[data-exercise=result]")

    button(page, "Check my solution").click()
    expect(result).to_contain_text("Not yet")
    expect(result).to_contain_text("Missing: The Billing Service charges each order exactly once")

    button(page, "Edit the system").click()
    page.locator('[data-sim="diagram"]').get_by_role(
        "button", name=re.compile(r"^Billing Service,")
    ).click()
    page.get_by_role("checkbox", name="Idempotent: skips messages it has handled before").check()
    button(page, "Check my solution").click()
    expect(result).to_contain_text("Solved")
    expect(result).not_to_contain_text("Missing:")
    expect(button(page, "Show a solution")).to_be_visible()  # two checks made

    page.reload()
    page.wait_for_selector("[data-lesson-run]")
    expect(page.get_by_role("heading", name=re.compile("^Exercise"))).to_contain_text("solved")
    page.goto("/lessons/")
    lesson = page.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=re.compile(r"^10\."))
    )
    expect(lesson).to_contain_text("Exercise solved")


def test_show_a_solution_loads_the_reference_into_the_editor(page: Page) -> None:
    page.goto("/lessons/order-flow/")
    page.evaluate("localStorage.clear()")
    open_lesson(page, "order-flow")
    result = page.locator("[data-exercise=result]")
    for _ in range(2):
        button(page, "Check my solution").click()
        expect(result).to_contain_text("Not yet")

    button(page, "Show a solution").click()
    expect(page.locator("[data-editor=said]")).to_contain_text("Loaded a solution")
    button(page, "Check my solution").click()
    expect(result).to_contain_text("Solved")


def test_on_a_projector_the_run_section_shows_its_caption_controls_and_whole_diagram(
    page: Page,
) -> None:
    page.set_viewport_size(PROJECTOR)
    for slug in SLUGS:
        open_lesson(page, slug)
        page.evaluate("document.querySelector('.lesson-run').scrollIntoView({behavior: 'instant'})")
        for selector in (".lesson-caption", '[data-lesson-run] [data-sim-action="step"]',
                         "[data-lesson-run] .diagram-svg"):  # fmt: skip
            box = page.locator(selector).first.bounding_box()
            assert box is not None, selector
            assert box["y"] >= 0, (slug, selector)
            assert box["y"] + box["height"] <= PROJECTOR["height"], (slug, selector)


def test_on_a_phone_no_lesson_page_is_wider_than_the_screen(page: Page) -> None:
    page.set_viewport_size(PHONE)
    for path in ["/lessons/", "/glossary/", "/cheat-sheet/", *(f"/lessons/{s}/" for s in SLUGS)]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
