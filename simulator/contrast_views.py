"""Contrast mode (/sim/contrast/): the same orders sent on as a command and as an event, in two
live runs side by side (static/js/contrast-page.js), each a built-in scenario from
``simulator/scenarios/parts/``.

Each lane has a new Email Service wired to nothing. In the event lane, subscribing it to the
topic is all it takes; in the command lane it can only compete for the queue's commands, and
reaching it takes a change to the sender: the lane restarts with a rewired Order Service.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from simulator.scenarios import Scenario, load_scenario
from simulator.views import HtmxHttpRequest

NEW_SERVICE = "email"  # the service each lane has but does not use yet


@dataclass(frozen=True, slots=True)
class Change:
    """A button that changes a lane's wiring, and the note shown once it has."""

    label: str  # the button's name: what it does
    action: str  # "subscribe" (the live run's action) or "rewire" (restart with another sender)
    to: str = ""  # for "subscribe": the queue or topic
    done: str = ""  # the note once it is done
    undo: str = ""  # for "rewire": the button's name once it is done (back to the first sender)


@dataclass(frozen=True, slots=True)
class Lane:
    id: str  # also the prefix of the lane's element ids
    heading: str
    scenario: Scenario
    sends: str  # what the Order Service does with each order
    changes: tuple[Change, ...]
    rewired: Scenario | None = None  # the command lane after its sender was changed

    @property
    def ids(self) -> str:
        return f"{self.id}-"

    @property
    def ws_url(self) -> str:
        return f"/ws/sim/?scenario={self.scenario.slug}"

    @property
    def rewired_url(self) -> str:
        return f"/ws/sim/?scenario={self.rewired.slug}" if self.rewired else ""


def lanes() -> tuple[Lane, Lane]:
    command = Lane(
        id="command",
        heading="As a command",
        scenario=load_scenario("contrast-command"),
        rewired=load_scenario("contrast-command-rewired"),
        sends="ReserveStockCommand goes into a queue: one service gets each.",
        changes=(
            Change(
                label="Add Email Service as a consumer of inventory.commands",
                action="subscribe",
                to="inventory.commands",
                done="Email Service now competes with Inventory Service for ReserveStockCommand:"
                " the queue hands each command to one of them in turn, so neither gets a copy,"
                " and the commands Email Service takes it cannot handle. Still one service per"
                " order.",
            ),
            Change(
                label="Rewire Order Service to also send Email Service a command",
                action="rewire",
                done="Rewired: the Order Service's code now also sends SendConfirmationEmailCommand"
                " to email.commands. Reaching a new receiver with a command means changing the"
                " sender and redeploying it, so this lane restarted with the new Order Service.",
                undo="Redeploy the original Order Service",
            ),
        ),
    )
    event = Lane(
        id="event",
        heading="As an event",
        scenario=load_scenario("contrast-event"),
        sends="OrderPlacedEvent goes out on a topic: every subscriber gets a copy.",
        changes=(
            Change(
                label="Add Email Service as a subscriber",
                action="subscribe",
                to="orders.events",
                done="Email Service subscribes to orders.events. The Order Service did not change"
                " and did not restart: it still publishes one OrderPlacedEvent per order, and"
                " from the next order on the topic copies it to one more service.",
            ),
        ),
    )
    return command, event


@require_safe
def contrast_page(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request, "simulator/contrast.html", {"lanes": lanes(), "new_service": NEW_SERVICE}
    )
