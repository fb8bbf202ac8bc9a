"""Rooms over HTTP: start one, present it, join it by code or QR, and the QR code itself."""

from __future__ import annotations

import io
import secrets
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from lessons.content import load_course
from simulator.models import Room
from simulator.views import HtmxHttpRequest, send_another

from . import codes, guard, store
from .consumer import STUDENT_COOKIE, TOKEN, presenter_cookie

STUDENT_COOKIE_DAYS = 30


class JoinForm(forms.Form):
    code = forms.CharField(label="Room code", max_length=20)
    name = forms.CharField(label="Your name (optional)", max_length=40, required=False)

    def clean_code(self) -> str:
        code = codes.normalise(self.cleaned_data["code"])
        if not codes.is_code(code):
            raise forms.ValidationError(
                f"A room code is {codes.LENGTH} letters, such as KXM TQRA.", code="format"
            )
        return code


def _room_or_404(request: HtmxHttpRequest, code: str) -> Room | HttpResponse:
    """The room, or the answer instead of it: every URL with a code in it tells whether the
    room exists, so every one counts wrong codes and is limited like the join form."""
    address = _address(request)
    if guard.blocked(address):
        return _too_many_guesses(request)
    room = store.find(codes.normalise(code))
    if room is None:
        guard.missed(address)
        raise Http404("No room with that code")
    return room


def _too_many_guesses(request: HtmxHttpRequest) -> HttpResponse:
    error = "Too many wrong codes from this network: wait a minute, then try again."
    return render(request, "rooms/join.html", {"form": JoinForm(), "error": error}, status=429)


def _cookie_age() -> int:
    return settings.MSGLAB_ROOM_IDLE_MINUTES * 60


@require_POST
def start_room(request: HtmxHttpRequest) -> HttpResponse:
    """ "Present to a class": a new room from a scenario, a saved topology or a lesson."""
    try:
        room, secret = store.start(request.POST.get("source", ""))
    except store.UnknownSource as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponseRedirect(f"/rooms/{room.code}/present/", status=303)
    response.status_code = 303
    response.set_cookie(
        presenter_cookie(room.code),
        secret,
        max_age=_cookie_age(),
        httponly=True,
        samesite="Lax",
        secure=not settings.DEBUG,
    )
    return response


def _run_context(room: Room) -> dict[str, Any]:
    topology = store.topology(room)
    lesson_captions = None
    if room.lesson:
        lesson = load_course().get(room.lesson)
        if lesson is not None:
            lesson_captions = {
                "start": lesson.meta.start_caption,
                "moments": [caption.to_dict() for caption in lesson.meta.captions],
            }
    return {
        "room": room,
        "code_display": codes.display(room.code),
        "ws_url": f"/ws/room/{room.code}/",
        "topology": topology,
        "captions": lesson_captions,
    }


@require_safe
def present(request: HtmxHttpRequest, code: str) -> HttpResponse:
    room = _room_or_404(request, code)
    if isinstance(room, HttpResponse):
        return room
    if not store.is_presenter(room, request.COOKIES.get(presenter_cookie(room.code))):
        return render(
            request,
            "rooms/not_presenter.html",
            {"room": room, "code_display": codes.display(room.code)},
            status=403,
        )
    context = _run_context(room)
    questions = store.questions(room)
    context |= {
        "role": "presenter",
        "join_url": request.build_absolute_uri(f"/r/{room.code}/"),
        "qr_url": f"/rooms/{room.code}/qr.svg",
        "inject": send_another(context["topology"]),
        "questions": [{"id": key, "text": q.text} for key, q in questions.items()],
        "gone": store.gone(room),
    }
    return render(request, "rooms/present.html", context)


@require_safe
@cache_control(max_age=3600, private=True)
def qr_code(request: HtmxHttpRequest, code: str) -> HttpResponse:
    room = _room_or_404(request, code)
    if isinstance(room, HttpResponse):
        return room
    url = request.build_absolute_uri(f"/r/{room.code}/")
    svg = io.BytesIO()
    segno.make(url, error="m").save(
        svg, kind="svg", scale=8, border=2, xmldecl=False, title=f"Join room {room.code}"
    )
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


def _address(request: HtmxHttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def _student_token(request: HtmxHttpRequest) -> tuple[str, bool]:
    token = request.COOKIES.get(STUDENT_COOKIE, "")
    if TOKEN.match(token):
        return token, False
    return secrets.token_urlsafe(16), True


def _with_student_cookie(response: HttpResponse, token: str) -> HttpResponse:
    response.set_cookie(
        STUDENT_COOKIE,
        token,
        max_age=STUDENT_COOKIE_DAYS * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=not settings.DEBUG,
    )
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HtmxHttpRequest) -> HttpResponse:
    """Type a room's code (and a name, if you like) to follow the presenter's run."""
    address = _address(request)
    if request.method != "POST":
        initial = {"code": request.GET.get("code", "")}
        return render(request, "rooms/join.html", {"form": JoinForm(initial=initial), "error": ""})
    form = JoinForm(request.POST)
    if guard.blocked(address):
        return _too_many_guesses(request)
    if not form.is_valid():
        return render(request, "rooms/join.html", {"form": form, "error": ""}, status=400)
    code = form.cleaned_data["code"]
    room = store.find(code)
    if room is None:
        guard.missed(address)
        form.add_error(
            "code", f"No room has the code {codes.display(code)}: check it with your presenter."
        )
        return render(request, "rooms/join.html", {"form": form, "error": ""}, status=400)
    reason = store.gone(room)
    if reason:
        form.add_error("code", reason)
        return render(request, "rooms/join.html", {"form": form, "error": ""}, status=400)
    token, _ = _student_token(request)
    store.join(room, token, form.cleaned_data["name"].strip())
    return _with_student_cookie(HttpResponseRedirect(f"/r/{room.code}/", status=303), token)


@require_safe
def student(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """The join URL (and the QR code's): the presenter's run, followed live."""
    address = _address(request)
    if guard.blocked(address):
        return _too_many_guesses(request)
    room = store.find(codes.normalise(code))
    if room is None:
        guard.missed(address)
        form = JoinForm(initial={"code": code})
        return render(
            request,
            "rooms/join.html",
            {"form": form, "error": "No room has that code."},
            status=404,
        )
    token, new = _student_token(request)
    context = _run_context(room) | {
        "role": "student",
        "inject": None,
        "name": store.member_name(room, token),
        "name_form_url": "/join/",
        "gone": store.gone(room),
    }
    response = render(request, "rooms/student.html", context)
    return _with_student_cookie(response, token) if new else response
