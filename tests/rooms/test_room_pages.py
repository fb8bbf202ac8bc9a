"""A room over HTTP: the presenter starts it and gets a secret cookie, the class joins it by
its code or its QR code, and wrong codes cost the guesser, not the class."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
import segno
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.test import Client, override_settings
from django.utils import timezone

from simulator.live.room import Entry
from simulator.models import Member, Room, RoomAction, Vote
from simulator.rooms import codes, store
from simulator.rooms.consumer import STUDENT_COOKIE, presenter_cookie

pytestmark = pytest.mark.django_db

SCENARIO = "scenario:order-flow"
LESSON = "order-flow"


@pytest.fixture(autouse=True)
def no_wrong_guesses_from_other_tests() -> Iterator[None]:
    """The guessing limit counts in Django's cache: every test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()


def start(client: Client, source: str = SCENARIO) -> tuple[str, HttpResponse]:
    """Start a room as the presenter's browser does; its code, and the answer."""
    response = client.post("/rooms/new/", {"source": source})
    assert response.status_code == 303, response.content
    location = response["Location"]
    assert location.startswith("/rooms/") and location.endswith("/present/"), location
    return location.split("/")[2], response


def unused_code() -> str:
    """A code that looks right but names no room."""
    while True:
        code = codes.new_code()
        if not Room.objects.filter(code=code).exists():
            return code


def join(client: Client, code: str, name: str = "", **extra: str) -> HttpResponse:
    response: HttpResponse = client.post("/join/", {"code": code, "name": name}, **extra)
    return response


def typed_sloppily(code: str) -> str:
    """What a student types: lower case, in two groups with a dash."""
    return f"{code[:3]}-{code[3:]}".lower()


def needs_template(name: str) -> None:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        pytest.skip(f"templates/{name} is not written yet: nothing renders the name to check")


# ---- starting a room --------------------------------------------------------------------


def test_starting_a_room_redirects_to_its_presenter_page_with_a_secret_only_its_hash_is_kept(
    client: Client,
) -> None:
    code, response = start(client)

    assert response.status_code == 303
    assert response["Location"] == f"/rooms/{code}/present/"
    cookie = response.cookies[presenter_cookie(code)]
    assert cookie.key == f"msglab_presenter_{code}"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    secret = cookie.value
    assert len(secret) >= 40  # 32 random bytes, base64
    room = Room.objects.get(code=code)
    assert room.presenter_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(getattr(room, field.attname)) for field in Room._meta.concrete_fields]
    assert not any(secret in value for value in stored)


def test_a_room_code_is_seven_letters_nobody_confuses_worth_over_30_bits(client: Client) -> None:
    started = {start(client)[0] for _ in range(5)}

    assert codes.BITS >= 30
    assert not set("ILO0152") & set(codes.ALPHABET)
    for code in started:
        assert len(code) == 7 and set(code) <= set(codes.ALPHABET), code
        assert Room.objects.filter(code=code).exists()
    assert len(started) == 5


def test_a_room_started_from_a_scenario_or_a_lesson_records_where_it_came_from(
    client: Client,
) -> None:
    from_scenario, _ = start(client, SCENARIO)
    from_lesson, _ = start(client, f"lesson:{LESSON}")

    scenario_room = Room.objects.get(code=from_scenario)
    assert (scenario_room.source, scenario_room.lesson) == (SCENARIO, "")
    assert scenario_room.title == "Order flow"
    lesson_room = Room.objects.get(code=from_lesson)
    assert (lesson_room.source, lesson_room.lesson) == (f"lesson:{LESSON}", LESSON)
    assert lesson_room.closed_at is None


@pytest.mark.parametrize(
    "source",
    ["topology:no-such-topology", "scenario:nope", "lesson:nope", "garbage", "", "scenario"],
)
def test_a_source_that_names_nothing_is_refused_naming_the_source_field(
    client: Client, source: str
) -> None:
    response = client.post("/rooms/new/", {"source": source})

    assert response.status_code == 400
    assert response.content.decode().startswith("source:")
    assert not response.cookies
    assert Room.objects.count() == 0


def test_starting_a_room_needs_a_post_with_the_csrf_token() -> None:
    strict = Client(enforce_csrf_checks=True)

    assert strict.post("/rooms/new/", {"source": SCENARIO}).status_code == 403
    assert Client().get("/rooms/new/", {"source": SCENARIO}).status_code == 405
    assert Room.objects.count() == 0


# ---- presenting it ----------------------------------------------------------------------


def test_the_presenter_page_is_refused_without_the_presenter_cookie_and_served_with_it(
    client: Client,
) -> None:
    code, _ = start(client)
    url = f"/rooms/{code}/present/"

    assert client.get(url).status_code == 200  # the browser that started it
    assert Client().get(url).status_code == 403  # anyone else
    impostor = Client()
    impostor.cookies[presenter_cookie(code)] = "not-the-secret"
    assert impostor.get(url).status_code == 403
    assert Client().get(f"/rooms/{unused_code()}/present/").status_code == 404


def test_the_qr_code_is_an_svg_of_the_join_url_and_nothing_else(client: Client) -> None:
    code, _ = start(client)

    response = Client().get(f"/rooms/{code}/qr.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content
    assert body.startswith(b"<svg")
    assert b"<script" not in body.lower()
    expected = io.BytesIO()
    segno.make(f"http://testserver/r/{code}/", error="m").save(
        expected, kind="svg", scale=8, border=2, xmldecl=False, title=f"Join room {code}"
    )
    assert body == expected.getvalue()
    assert Client().get(f"/rooms/{unused_code()}/qr.svg").status_code == 404


# ---- joining it -------------------------------------------------------------------------


def test_the_join_page_asks_for_a_code_and_a_name(client: Client) -> None:
    response = client.get("/join/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="code"' in html
    assert 'name="name"' in html


def test_a_code_typed_in_lower_case_with_a_dash_joins_the_room_and_names_the_student(
    client: Client,
) -> None:
    code, _ = start(Client())

    response = join(client, typed_sloppily(code), "Ada")

    assert response.status_code == 303
    assert response["Location"] == f"/r/{code}/"
    cookie = response.cookies[STUDENT_COOKIE]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
    member = Member.objects.get(room_id=code)
    assert (member.token, member.name) == (cookie.value, "Ada")
    assert client.get(f"/r/{code}/").status_code == 200


def test_a_code_with_spaces_joins_too_and_joining_again_renames_the_same_student(
    client: Client,
) -> None:
    code, _ = start(Client())

    assert join(client, f"  {code[:3].lower()} {code[3:]} ").status_code == 303
    assert join(client, code, "Grace").status_code == 303

    assert list(Member.objects.filter(room_id=code).values_list("name", flat=True)) == ["Grace"]


@pytest.mark.parametrize("typed", ["KXM", "KXMTQRAB", "KXM TQR1", "IIIIIII", "1234567"])
def test_a_code_that_is_not_seven_letters_from_the_alphabet_is_refused_saying_what_one_is(
    client: Client, typed: str
) -> None:
    response = join(client, typed)

    assert response.status_code == 400
    assert "A room code is 7 letters" in response.content.decode()
    assert STUDENT_COOKIE not in response.cookies
    assert Member.objects.count() == 0


def test_a_code_that_names_no_room_is_refused_by_name(client: Client) -> None:
    code = unused_code()

    response = join(client, typed_sloppily(code))

    assert response.status_code == 400
    assert f"No room has the code {codes.display(code)}" in response.content.decode()
    assert STUDENT_COOKIE not in response.cookies


@override_settings(MSGLAB_JOIN_GUESSES_PER_MINUTE=3)
def test_after_too_many_wrong_codes_even_the_right_code_waits_a_minute(client: Client) -> None:
    code, _ = start(Client())

    for _ in range(3):
        assert join(client, unused_code()).status_code == 400

    assert join(client, code).status_code == 429
    assert client.get(f"/r/{code}/").status_code == 429
    assert Member.objects.count() == 0
    # the limit is per address: the rest of the world still joins
    assert join(Client(), code, REMOTE_ADDR="198.51.100.7").status_code == 303


@override_settings(MSGLAB_JOIN_GUESSES_PER_MINUTE=3)
def test_a_malformed_code_is_a_typing_slip_not_a_guess(client: Client) -> None:
    code, _ = start(Client())

    for _ in range(5):
        assert join(client, "KXM").status_code == 400

    assert join(client, code).status_code == 303


@override_settings(MSGLAB_JOIN_GUESSES_PER_MINUTE=1)
def test_an_unknown_code_in_the_join_url_is_not_found_and_counts_as_a_wrong_guess(
    client: Client,
) -> None:
    code, _ = start(Client())

    assert client.get(f"/r/{unused_code()}/").status_code == 404

    assert join(client, code).status_code == 429


@override_settings(MSGLAB_JOIN_GUESSES_PER_MINUTE=2)
def test_wrong_codes_at_the_presenter_page_and_qr_code_count_as_guesses_too(
    client: Client,
) -> None:
    """Both tell a real code from a wrong one (404 against 403 or 200), so without counting
    they would let anyone guess codes past the limit."""
    code, _ = start(Client())

    assert client.get(f"/rooms/{unused_code()}/qr.svg").status_code == 404
    assert client.get(f"/rooms/{unused_code()}/present/").status_code == 404

    assert client.get(f"/rooms/{code}/qr.svg").status_code == 429
    assert client.get(f"/rooms/{code}/present/").status_code == 429
    assert join(client, code).status_code == 429


def test_a_closed_room_cannot_be_joined_and_says_it_closed(client: Client) -> None:
    code, _ = start(Client())
    store.close(code, "The presenter closed the room.")

    response = join(client, code, "Ada")

    assert response.status_code == 400
    assert "The presenter closed the room." in response.content.decode()
    assert STUDENT_COOKIE not in response.cookies
    assert Member.objects.count() == 0


def test_an_expired_room_cannot_be_joined_and_says_it_expired(client: Client) -> None:
    code, _ = start(Client())
    idle = settings.MSGLAB_ROOM_IDLE_MINUTES
    Room.objects.filter(code=code).update(last_active=timezone.now() - timedelta(minutes=idle + 1))

    response = join(client, code, "Ada")

    assert response.status_code == 400
    message = f"The room expired after {idle} minutes without activity."
    assert message in response.content.decode()
    assert Member.objects.count() == 0


def test_rooms_a_day_past_their_idle_limit_are_forgotten_with_their_log_votes_and_members(
    client: Client,
) -> None:
    old, just_expired, closed = (start(client)[0] for _ in range(3))
    for code in (old, just_expired, closed):
        store.append(code, 1, Entry({"action": "play"}, 0, 0.0))
        store.vote(code, 1, "student-token-0001", 0)
        store.join(Room.objects.get(code=code), "student-token-0001", "Ada")
    store.close(closed, "The presenter closed the room.")
    idle = timedelta(minutes=settings.MSGLAB_ROOM_IDLE_MINUTES)
    now = timezone.now()
    Room.objects.filter(code=old).update(last_active=now - idle - timedelta(days=1, minutes=1))
    Room.objects.filter(code=just_expired).update(last_active=now - idle - timedelta(minutes=1))

    store.forget_old()

    assert set(Room.objects.values_list("code", flat=True)) == {just_expired, closed}
    for rows in (RoomAction.objects, Vote.objects, Member.objects):
        assert not rows.filter(room_id=old).exists()
        assert set(rows.values_list("room_id", flat=True)) == {just_expired, closed}


# ---- what the pages show ----------------------------------------------------------------


def test_a_students_name_with_markup_is_shown_escaped(client: Client) -> None:
    needs_template("rooms/student.html")
    needs_template("rooms/join.html")
    code, _ = start(Client())
    name = "<script>alert(1)</script>"

    assert join(client, code, name).status_code == 303
    student_page = client.get(f"/r/{code}/").content.decode()
    refused = join(Client(), "KXM", name).content.decode()  # the form, shown again

    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for html in (student_page, refused):
        assert name not in html
        assert escaped in html


def test_the_join_url_gives_a_new_student_a_cookie_once(client: Client) -> None:
    code, _ = start(Client())

    first = client.get(f"/r/{code}/")
    again = client.get(f"/r/{code}/")

    assert first.status_code == again.status_code == 200
    cookie = first.cookies[STUDENT_COOKIE]
    assert cookie["httponly"] is True and cookie["samesite"] == "Lax"
    assert STUDENT_COOKIE not in again.cookies


def test_every_room_page_and_refusal_carries_the_content_security_policy(
    client: Client,
) -> None:
    code, started = start(client)
    unknown = unused_code()
    with override_settings(MSGLAB_JOIN_GUESSES_PER_MINUTE=1):
        responses = {
            "start": started,
            "start, refused": client.post("/rooms/new/", {"source": "garbage"}),
            "present": client.get(f"/rooms/{code}/present/"),
            "present, not the presenter": Client().get(f"/rooms/{code}/present/"),
            "present, no room": Client(REMOTE_ADDR="198.51.100.8").get(
                f"/rooms/{unknown}/present/"
            ),
            "qr": client.get(f"/rooms/{code}/qr.svg"),
            "join page": client.get("/join/"),
            "joined": join(Client(), code),
            "join, malformed": join(client, "KXM"),
            "join, no room": join(client, unknown),
            "join, too many guesses": join(client, code),
            "student": Client(REMOTE_ADDR="198.51.100.9").get(f"/r/{code}/"),
            "student, no room": Client(REMOTE_ADDR="198.51.100.7").get(f"/r/{unknown}/"),
        }

    statuses = {what: response.status_code for what, response in responses.items()}
    assert statuses == {
        "start": 303,
        "start, refused": 400,
        "present": 200,
        "present, not the presenter": 403,
        "present, no room": 404,
        "qr": 200,
        "join page": 200,
        "joined": 303,
        "join, malformed": 400,
        "join, no room": 400,
        "join, too many guesses": 429,
        "student": 200,
        "student, no room": 404,
    }
    for what, response in responses.items():
        policy = response.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy, what
        assert "script-src 'self'" in policy, what
