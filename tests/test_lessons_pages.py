"""The course's pages: the index, a lesson, and the answers a learner sends, each checked on
the server and kept in the learner's session."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from lessons.content import load_course

LESSON = "order-flow"
URL = f"/lessons/{LESSON}/"
EXERCISE = Path(__file__).resolve().parent.parent / "lessons" / "course" / "05-order-flow"
HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.django_db


def lesson():
    found = load_course().get(LESSON)
    assert found is not None
    return found


def right_choice(number: int) -> str:
    question = lesson().meta.prediction if number == 0 else lesson().meta.quiz[number - 1]
    return str(question.answer)


def wrong_choice(number: int) -> str:
    return str((int(right_choice(number)) + 1) % 2)


def document(name: str) -> bytes:
    return (EXERCISE / name).read_bytes()


def test_the_course_lists_every_lesson_in_order_with_a_link(client: Client) -> None:
    html = client.get("/lessons/").content.decode()

    links = re.findall(r'href="/lessons/([a-z0-9-]+)/"', html)
    assert links == [lesson.slug for lesson in load_course().lessons]
    assert html.count("<h1") == 1


def test_a_lesson_page_has_its_title_objective_text_and_one_h1(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assertContains(response, "The order flow, end to end")
    assertContains(response, "Objective:")
    assertContains(response, "<h2>Two shapes of message</h2>", html=True)


def test_a_lesson_embeds_a_live_run_of_its_scenario_and_its_captions(client: Client) -> None:
    html = client.get(URL).content.decode()

    assert 'data-start-run="/ws/sim/?scenario=order-flow"' in html
    captions = re.search(
        r'<script id="lesson-captions" type="application/json">(.*?)</script>', html
    )
    assert captions is not None
    data = json.loads(captions[1])
    assert data["start"] == lesson().meta.start_caption
    assert data["moments"][0] == {
        "event": "hop",
        "type": "PlaceOrderCommand",
        "to": "order.commands",
        "from": None,
        "text": lesson().meta.captions[0].text,
    }


def test_a_lesson_without_an_exercise_embeds_the_plain_run(client: Client) -> None:
    plain = next(lesson for lesson in load_course().lessons if lesson.exercise is None)

    html = client.get(f"/lessons/{plain.slug}/").content.decode()

    assert f'data-ws-url="/ws/sim/?scenario={plain.meta.scenario}"' in html
    assert "data-lesson-run" in html
    assert "data-start-run" not in html


def test_every_question_is_a_form_that_posts_with_a_csrf_token(client: Client) -> None:
    html = client.get(URL).content.decode()

    forms = re.findall(r'<form method="post" action="([^"]+)" hx-post="([^"]+)"', html)
    expected = [f"{URL}predict/"] + [f"{URL}quiz/{n}/" for n in range(1, 5)]
    assert [action for action, _ in forms] == expected
    assert [hx for _, hx in forms] == expected
    # and "Present to a class", which posts too
    assert html.count('name="csrfmiddlewaretoken"') == len(expected) + 1


def test_a_right_answer_sent_by_htmx_is_confirmed_with_its_explanation(client: Client) -> None:
    response = client.post(f"{URL}quiz/1/", {"choice": right_choice(1)}, **HTMX)

    assert response.status_code == 200
    assertContains(response, "Right.")
    assertContains(response, lesson().meta.quiz[0].explanation)
    assertNotContains(response, "<form")  # only the verdict is swapped in


def test_a_wrong_answer_says_so_gives_the_choices_feedback_and_the_right_one(
    client: Client,
) -> None:
    question = lesson().meta.quiz[2]
    wrong = next(i for i, c in enumerate(question.choices) if not c.correct and c.feedback)

    response = client.post(f"{URL}quiz/3/", {"choice": str(wrong)}, **HTMX)

    assertContains(response, "Not quite.")
    assertContains(response, question.choices[wrong].feedback)
    assertContains(response, question.choices[question.answer].text)


def test_an_answer_without_javascript_is_a_post_that_comes_back_to_the_question(
    client: Client,
) -> None:
    response = client.post(f"{URL}quiz/2/", {"choice": right_choice(2)})

    assert response.status_code == 302
    assert response["Location"] == f"{URL}#q2"
    page = client.get(URL).content.decode()
    q2 = page[page.index('id="q2"') : page.index('id="q3"')]
    assert "Right." in q2
    assert re.search(rf'value="{right_choice(2)}" id="q2-{right_choice(2)}" checked', q2)


@pytest.mark.parametrize("choice", ["", "x", "-1", "9", "1.0"])
def test_a_missing_or_invalid_choice_is_refused_by_name_and_nothing_is_kept(
    client: Client, choice: str
) -> None:
    htmx = client.post(f"{URL}quiz/1/", {"choice": choice}, **HTMX)
    plain = client.post(f"{URL}quiz/1/", {"choice": choice})

    assertContains(htmx, "choice: pick one of the answers")
    assert plain.status_code == 400
    assertContains(plain, "choice: pick one of the answers", status_code=400)
    assert "Right." not in client.get(URL).content.decode()


def test_a_question_that_does_not_exist_is_404(client: Client) -> None:
    assert client.post(f"{URL}quiz/5/", {"choice": "0"}).status_code == 404
    assert client.post(f"{URL}quiz/0/", {"choice": "0"}).status_code == 404
    assert client.post("/lessons/no-such/quiz/1/", {"choice": "0"}).status_code == 404
    assert client.get("/lessons/no-such/").status_code == 404


def test_answers_are_refused_without_the_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(f"{URL}quiz/1/", {"choice": right_choice(1)})

    assert response.status_code == 403


def test_the_prediction_is_checked_and_points_to_the_run(client: Client) -> None:
    right = client.post(f"{URL}predict/", {"choice": right_choice(0)}, **HTMX)
    wrong = client.post(f"{URL}predict/", {"choice": wrong_choice(0)}, **HTMX)

    assertContains(right, "Right.")
    assertContains(right, "press <strong>Play</strong>", html=False)
    assertContains(wrong, "Not quite.")
    assertContains(wrong, lesson().meta.prediction.explanation)


def test_progress_shows_the_lesson_opened_the_quiz_passed_and_the_exercise_solved(
    client: Client,
) -> None:
    assertContains(client.get("/lessons/"), "Opened 0 of")
    client.get(URL)
    for number in range(1, len(lesson().meta.quiz) + 1):
        last = client.post(f"{URL}quiz/{number}/", {"choice": right_choice(number)}, **HTMX)
    assertContains(last, "Quiz passed")
    client.post(f"{URL}check/", document("solution.json"), content_type="application/json")

    index = client.get("/lessons/")

    assertContains(index, "Opened 1 of")
    assertContains(index, "passed 1 quiz")
    assertContains(index, "solved 1 of")
    item = re.search(r'<li class="course-item is-opened">.*?</li>', index.content.decode(), re.S)
    assert item is not None and LESSON in item[0]
    assert "Quiz passed" in item[0] and "Exercise solved" in item[0]


def test_reset_my_progress_forgets_everything(client: Client) -> None:
    client.get(URL)
    client.post(f"{URL}quiz/1/", {"choice": right_choice(1)})

    response = client.post("/lessons/progress/reset/", follow=True)

    assertContains(response, "Your progress was reset.")
    assertContains(response, "Opened 0 of")
    assert "Right." not in client.get(URL).content.decode()


def test_checking_the_start_of_the_exercise_says_what_is_still_missing(client: Client) -> None:
    response = client.post(f"{URL}check/", document("start.json"), content_type="application/json")

    assert response.status_code == 200
    body = response.json()
    assert body["solved"] is False
    assert body["tries"] == 1
    missing = [c["text"] for c in body["criteria"] if not c["holds"]]
    assert missing == ["The Notification Service handles OrderCreatedEvent"]
    assert body["solution"] is None


def test_checking_the_reference_solution_says_it_is_solved(client: Client) -> None:
    response = client.post(
        f"{URL}check/", document("solution.json"), content_type="application/json"
    )

    body = response.json()
    assert body["solved"] is True
    assert all(c["holds"] for c in body["criteria"])


def test_a_topology_the_engine_refuses_is_answered_with_its_problems_and_not_counted(
    client: Client,
) -> None:
    broken = json.loads(document("start.json"))
    broken["nodes"][2]["consumes"] = ["no.such.queue"]

    response = client.post(f"{URL}check/", json.dumps(broken), content_type="application/json")
    not_json = client.post(f"{URL}check/", b"{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"path": "nodes[2].consumes[0]", "message": "unknown node 'no.such.queue'"}
    ]
    assert not_json.status_code == 400
    assert not_json.json()["problems"][0]["message"].startswith("not JSON")
    first_real = client.post(
        f"{URL}check/", document("start.json"), content_type="application/json"
    )
    assert first_real.json()["tries"] == 1


def test_a_solution_is_shown_only_after_two_checks(client: Client) -> None:
    solution_url = f"{URL}solution.json"
    assert client.get(solution_url).status_code == 403

    client.post(f"{URL}check/", document("start.json"), content_type="application/json")
    assert client.get(solution_url).status_code == 403
    second = client.post(f"{URL}check/", document("start.json"), content_type="application/json")

    assert second.json()["solution"] == solution_url
    shown = client.get(solution_url)
    assert shown.status_code == 200
    nodes = {node["id"]: node for node in shown.json()["nodes"]}
    assert "order.events" in nodes["notification"]["subscribes"]
    assert all("position" in node for node in nodes.values())
    assert f'data-solution-url="{solution_url}"' in client.get(URL).content.decode()


def test_a_lesson_without_an_exercise_has_no_check(client: Client) -> None:
    plain = next(lesson for lesson in load_course().lessons if lesson.exercise is None)

    response = client.post(f"/lessons/{plain.slug}/check/", b"{}", content_type="application/json")

    assert response.status_code == 404
