"""The scenarios written for the course's lessons 2 and 3 show what their lessons say they show
(tests/test_builtin_scenarios.py checks that they load without warnings and run to the end)."""

from __future__ import annotations

from tests.test_builtin_scenarios import handled_by, of_type, run


def test_a_direct_command_reaches_its_one_receiver_and_is_answered_with_a_reply() -> None:
    trace = run("direct-and-queued-commands")
    sent = of_type(trace, "hop", "ReserveStockCommand")
    assert [(r["from"], r["to"]) for r in sent] == [("checkout", "inventory")]
    assert handled_by(trace, "ReserveStockCommand") == {"inventory": 1}
    answers = of_type(trace, "hop", "StockReservedReply")
    assert [(r["from"], r["to"]) for r in answers] == [("inventory", "checkout")]
    request, reply = sent[0]["message"], answers[0]["message"]
    assert reply["kind"] == "reply"
    assert reply["causation_id"] == request["id"]
    assert reply["correlation_id"] == request["correlation_id"]


def test_a_queued_command_reaches_exactly_one_service_which_refuses_it_once() -> None:
    trace = run("direct-and-queued-commands")
    hops = of_type(trace, "hop", "ChargeCardCommand")
    assert [(r["from"], r["to"]) for r in hops] == [
        ("checkout", "payment.commands"),
        ("payment.commands", "payments"),
    ]
    assert [r["to"] for r in of_type(trace, "failed", "ChargeCardCommand")] == ["payments"]
    assert not of_type(trace, "retry", "ChargeCardCommand")  # a refusal is not retried
    assert len(of_type(trace, "dropped", "ChargeCardCommand")) == 1
    assert not handled_by(trace, "ChargeCardCommand")
    assert not of_type(trace, "hop", "CardChargedEvent")


def test_the_refusal_of_a_queued_command_travels_on_as_an_event_with_the_same_correlation() -> None:
    trace = run("direct-and-queued-commands")
    command = of_type(trace, "hop", "ChargeCardCommand")[0]["message"]
    declined = of_type(trace, "handled", "PaymentDeclinedEvent")
    assert [r["to"] for r in declined] == ["orders"]
    event = declined[0]["message"]
    assert event["kind"] == "event"
    assert event["causation_id"] == command["id"]
    assert event["correlation_id"] == command["correlation_id"]
    assert event["payload"]["reason"] == "card declined"
    assert event["payload"]["orderId"] == "A123"
    # the caller of a queued command gets nothing back on the spot
    assert {r["message"]["type"] for r in trace if r["to"] == "checkout"} == {"StockReservedReply"}


# event-listeners (lesson 3: events)


def test_an_event_reaches_every_subscriber_with_one_id_and_carries_the_whole_address() -> None:
    trace = run("event-listeners")
    copies = [
        r
        for r in of_type(trace, "hop", "CustomerAddressChangedEvent")
        if r["from"] == "customer.events"
    ]
    assert sorted(r["to"] for r in copies) == ["billing", "marketing", "shipping"]
    assert len({r["message"]["id"] for r in copies}) == 1
    assert copies[0]["message"]["payload"]["address"] == {
        "street": "12 Harbour Street",
        "city": "Leeds",
        "postcode": "LS1 4AB",
    }
    published = of_type(trace, "hop", "CustomerAddressChangedEvent")[0]
    assert (published["from"], published["to"]) == ("customers", "customer.events")
    accepted = of_type(trace, "handled", "ChangeAddressCommand")
    assert published["seq"] > accepted[0]["seq"]  # the fact exists before it is announced


def test_a_subscriber_that_fails_changes_nothing_for_the_others_or_the_publisher() -> None:
    trace = run("event-listeners")
    failed = of_type(trace, "failed", "CustomerAddressChangedEvent")
    assert [r["to"] for r in failed] == ["marketing"]
    assert len(of_type(trace, "dropped", "CustomerAddressChangedEvent")) == 1
    assert handled_by(trace, "CustomerAddressChangedEvent") == {"shipping": 1, "billing": 1}
    assert len(of_type(trace, "hop", "CustomerAddressChangedEvent")) == 4  # published once
    assert not [
        r
        for r in trace
        if r["to"] == "customers" and r["message"]["type"] != "ChangeAddressCommand"
    ]


def test_an_event_with_a_single_subscriber_still_names_no_receiver() -> None:
    trace = run("event-listeners")
    hops = of_type(trace, "hop", "ParcelScannedEvent")
    assert [(r["from"], r["to"]) for r in hops] == [
        ("scanner", "parcel.events"),
        ("parcel.events", "tracking"),
    ]
    assert handled_by(trace, "ParcelScannedEvent") == {"tracking": 1}
    assert hops[0]["message"]["kind"] == "event"
    assert hops[0]["message"]["causation_id"] is None
