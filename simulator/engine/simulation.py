"""The scheduler and the messaging semantics, in one class.

Time is integer microseconds. Pending work is a heap of flat tuples
``(time << 1 | priority, ticket, handler, envelope, from, to, attempts, flags)``: the order of
(time, priority, seq), kept in ints small enough for CPython's fast paths. Each entry is one
*step*, and every step writes at least one trace record: one int (time, event, from, to)
beside its envelope. Records become dicts only when read; older ones are packed into an int
array so that keeping a long history stays cheap.

Going back in time restores the nearest snapshot and replays forward, re-applying the logged
control actions: state = topology + seed + actions.
The hot paths (arrivals, handling, scheduling) are written out inline rather than factored
into small methods: a Python call costs more than the work most of them would do.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from heapq import heappop, heappush
from typing import Any, NoReturn

from . import trace
from .actions import Action, parse_action
from .envelope import CORRELATION_ID, DEPTH, ID, KIND, PAYLOAD, SOURCE, TYPE, Envelope
from .errors import ActionError, SeekError
from .rng import Rng
from .topology import NO_NODE, Cycle, Emit, Handler, Topology, micros, millis

HOP, HANDLED, FAILED, RETRY, DEAD_LETTERED, DROPPED, WAITING, HALTED = range(8)
DONE, ARRIVE = 0, 1  # priorities: a handling that ends at t frees its service before arrivals
DUP, DIRECT, CRASHED = 1, 2, 4  # flags: a duplicate copy; a synchronous request; a lost handling
SNAPSHOT_EVERY = 256  # steps between snapshots, at least; more when the state is larger
# a multiplying cycle is called a storm once it has made this many messages, or a causation
# chain this long (a lopsided storm grows deep before it grows wide)
STORM_MESSAGES = 1000
STORM_DEPTH = 32
FOREVER = 1 << 62
_HANDLED = HANDLED << 16  # the event bits of a packed record (a hop's are zero)

Entry = tuple[int, int, Callable[..., None], Any, int, int, int, int]


class Halt(Exception):
    """Stops the current step; the ``halted`` record has been written already."""


class Simulation:
    # slots, not a __dict__: the hot path reads these attributes millions of times
    __slots__ = (
        "_actions",
        "_arrive",
        "_buffer",
        "_busy",
        "_conc",
        "_consumers",
        "_direct",
        "_dup_rate",
        "_delivery_step",
        "_done_step",
        "_forced",
        "_halted",
        "_handlers",
        "_heap",
        "_inbox",
        "_key",
        "_lat",
        "_merged",
        "_messages",
        "_msg",
        "_next_snapshot",
        "_nodes",
        "_now",
        "_pulls",
        "_records",
        "_rng",
        "_rr",
        "_seen",
        "_send_step",
        "_snapshots",
        "_steps",
        "_storm_messages",
        "_subscribers",
        "_ticket",
        "_up",
        "history",
        "max_messages",
        "seed",
        "topology",
    )

    def __init__(
        self,
        topology: Topology,
        seed: int | None = None,
        max_messages: int | None = None,
        history: bool = True,
    ) -> None:
        self.topology = topology
        self.seed = topology.seed if seed is None else seed
        self.max_messages = topology.max_messages if max_messages is None else max_messages
        self.history = history
        nodes = self._nodes = topology.nodes
        # fixed per node, as flat lists because the hot path indexes them
        self._lat = [n.latency for n in nodes]
        self._conc = [n.concurrency for n in nodes]
        self._handlers = [n.handlers for n in nodes]
        self._consumers = [n.consumers for n in nodes]
        self._pulls = [n.consumes for n in nodes]
        self._dup_rate = [n.duplicate_rate for n in nodes]
        self._subscribers = [n.subscribers for n in nodes]
        self._direct = [DIRECT if n.kind == "service" else 0 for n in nodes]
        arrive = {
            "queue": self._arrive_queue,
            "topic": self._arrive_topic,
            "service": self._arrive_service,
            "client": self._arrive_client,
        }
        self._arrive = [arrive[n.kind] for n in nodes]
        # bound once: reading a method off `self` would make a new bound-method object per step
        self._send_step = self._client_send
        self._delivery_step = self._from_queue
        self._done_step = self._done

        # everything below changes as the run goes, and is what a snapshot copies
        self._now = 0
        self._steps = 0
        self._messages = 0
        self._storm_messages = 0  # messages made by handlers on a multiplying cycle
        self._ticket = 0
        self._heap: list[Entry] = []
        self._up = [True] * len(nodes)
        self._busy = [0] * len(nodes)
        self._inbox: list[deque[tuple[Envelope, int, int, int]] | None] = [
            deque() if n.kind == "service" else None for n in nodes
        ]
        self._buffer: list[deque[tuple[Envelope, int, int]] | None] = [
            deque() if n.kind == "queue" else None for n in nodes
        ]
        self._rr = [0] * len(nodes)  # queue: next consumer to try; service: next queue to pull
        self._seen: list[set[int] | None] = [set() if n.idempotent else None for n in nodes]
        self._forced: dict[tuple[int, str | None], int] = {}
        # id(emit) -> (the parent payload it merged last, the result): a cache, not state
        self._merged: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._rng = Rng(self.seed)
        self._halted: dict[str, Any] | None = None

        # the trace; without history it keeps only the records of the latest call
        self._records = trace.Records()
        self._key = self._records.keys.append  # the hot path writes records through these two
        self._msg = self._records.envelopes.append
        self._snapshots: list[tuple[Any, ...]] = []
        self._next_snapshot = 0
        self._actions: list[tuple[int, int, Action]] = []  # (steps, now, action)

        for n in nodes:
            if len(n.consumers) > 1:
                self._rr[n.index] = self._rng.below(len(n.consumers))  # fair, and seeded
            for i, send in enumerate(n.sends):
                self._at(
                    send.at + self._lat[send.to],
                    ARRIVE,
                    self._send_step,
                    None,
                    n.index,
                    send.to,
                    0,
                    i,
                )
        if history:
            self._snapshots.append(self._snapshot())

    # ---- public API -------------------------------------------------------------------------

    @property
    def seq(self) -> int:
        """How many trace records the run has written so far."""
        return self._records.seq

    @property
    def steps(self) -> int:
        return self._steps

    @property
    def now_ms(self) -> int | float:
        return millis(self._now)

    @property
    def halted(self) -> dict[str, Any] | None:
        return self._halted

    @property
    def finished(self) -> bool:
        return not self._heap or self._halted is not None

    @property
    def messages(self) -> int:
        return self._messages

    def step(self) -> list[dict[str, Any]]:
        """Advance to the next event; its records (none when the run is over)."""
        start = self._open_window()
        self._advance(1, FOREVER)
        return self.trace(start + 1)

    def run(self, until_ms: float | None = None, max_events: int | None = None) -> int:
        """Advance until the clock passes ``until_ms`` or ``max_events`` steps; records written."""
        start = self._open_window()
        until = FOREVER if until_ms is None else micros(until_ms)
        self._advance(FOREVER if max_events is None else max_events, until)
        heap = self._heap
        if until_ms is not None and self._halted is None and (not heap or heap[0][0] >> 1 > until):
            self._now = max(self._now, until)  # the clock moves on even when nothing happens
        return self.seq - start

    def trace(self, start: int = 1, stop: int | None = None) -> list[dict[str, Any]]:
        """Records ``start <= seq < stop`` as JSON-ready dicts (only those still kept)."""
        return self._records.dicts(self._nodes, start, self.seq + 1 if stop is None else stop)

    def apply(self, action: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Apply a control action now; an invalid one raises :class:`ActionError`, no change."""
        parsed = parse_action(self.topology, action)
        if self._halted is not None:
            raise ActionError("action", "the run has halted; reset it to go on")
        if parsed.op == "subscribe":
            self._not_wired_yet(parsed)
        start = self._open_window()
        self._actions.append((self._steps, self._now, parsed))
        self._perform(parsed)
        return self.trace(start + 1)

    def back(self) -> None:
        """Return to the exact state before the last step."""
        self._require_history()
        if self._steps == 0:
            raise SeekError("already at the start of the run")
        self._goto(steps=self._steps - 1)

    def seek(self, seq: int) -> None:
        """Return to the first step boundary at which ``seq`` records had been written."""
        self._require_history()
        if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= self.seq:
            raise SeekError(f"seq must be a whole number from 0 to {self.seq}")
        self._goto(seq=seq)

    def subscriptions(self) -> list[tuple[str, str]]:
        """(service id, queue or topic id) for each subscribe action in the run so far."""
        nodes = self._nodes
        return [
            (nodes[a.node].id, nodes[a.to].id)
            for _, _, a in self._actions
            if a.op == "subscribe" and a.to is not None
        ]

    def fingerprint(self) -> tuple[Any, ...]:
        """The whole state that decides what happens next, comparable between simulations.

        Two simulations of one topology with equal fingerprints write the same records from
        here on. It is what :meth:`back` and :meth:`seek` must restore, and what a refused
        control action must leave alone: tests compare it.
        """
        steps, mark, now, messages, storm, ticket, heap, *rest = self._capture()
        # a heap entry holds a bound method; its name is what two simulations can compare
        entries = sorted((entry[:2], entry[2].__name__, entry[3:]) for entry in heap)
        return (steps, mark, now, messages, storm, ticket, entries, *rest, list(self._actions))

    def node_states(self) -> dict[str, dict[str, Any]]:
        """Each node's status, busy handlings, inbox and queue depth: cheap, unlike state()."""
        nodes: dict[str, dict[str, Any]] = {}
        for n in self._nodes:
            i = n.index
            entry: dict[str, Any] = {"kind": n.kind}
            if n.kind == "service":
                inbox = self._inbox[i]
                entry.update(
                    status="up" if self._up[i] else "down",
                    busy=self._busy[i],
                    inbox=len(inbox or ()),
                )
            elif n.kind == "queue":
                entry["depth"] = len(self._buffer[i] or ())
            nodes[n.id] = entry
        return nodes

    def state(self) -> dict[str, Any]:
        """Everything a viewer needs to draw the run now, messages in flight included."""
        flights, _ = self.flights()
        flights.sort(key=lambda f: (f["arrives_at"], f["flight"]))
        handling = []
        for key, _, _, env, _, to, _, _ in sorted(self._heap):
            if key & 1 == DONE:
                handling.append(
                    {
                        "message": trace.message_id(env[ID]),
                        "type": env[TYPE],
                        "service": self._nodes[to].id,
                        "done_at": millis(key >> 1),
                    }
                )
        return {
            "t": millis(self._now),
            "seq": self.seq,
            "steps": self._steps,
            "messages": self._messages,
            "finished": self.finished,
            "halted": self._halted,
            "nodes": self.node_states(),
            "in_flight": flights,
            "handling": handling,
        }

    def flights(
        self, known: AbstractSet[int] = frozenset()
    ) -> tuple[list[dict[str, Any]], set[int]]:
        """Messages on their way: one *flight* per scheduled arrival, named by its heap ticket.

        Returns the flights whose ids are not in ``known``, and the ids of all of them, so that
        a viewer can be told only what changed since it last asked. A client's send is a flight
        from the moment it is scheduled, before its message exists (its ``id`` is ``None``).
        """
        nodes, lat = self._nodes, self._lat
        ids: set[int] = set()
        added: list[dict[str, Any]] = []
        for key, ticket, _, env, frm, to, _, index in self._heap:
            if key & 1 != ARRIVE:
                continue
            ids.add(ticket)
            if ticket in known:
                continue
            arrives = key >> 1
            added.append(
                {
                    "flight": ticket,
                    "from": nodes[frm].id,
                    "to": nodes[to].id,
                    # the envelope keeps no departure time; a hop takes the receiver's latency
                    "departs_at": millis(max(0, arrives - lat[to])),
                    "arrives_at": millis(arrives),
                    "message": (
                        self._unsent(frm, index) if env is None else trace.envelope(nodes, env)
                    ),
                }
            )
        return added, ids

    def _unsent(self, client: int, index: int) -> dict[str, Any]:
        send = self._nodes[client].sends[index]
        return {
            "id": None,
            "type": send.type,
            "kind": send.kind,
            "correlation_id": None,
            "causation_id": None,
            "payload": dict(send.payload),
            "headers": {"source": self._nodes[client].id, **send.headers},
            "sent_at": None,
        }

    # ---- the scheduler ----------------------------------------------------------------------

    def _at(
        self,
        t: int,
        priority: int,
        fn: Callable[..., None],
        env: Envelope | None,
        frm: int,
        to: int,
        attempts: int,
        flags: int,
    ) -> None:
        self._ticket = ticket = self._ticket + 1
        heappush(self._heap, (t << 1 | priority, ticket, fn, env, frm, to, attempts, flags))

    def _advance(self, max_steps: int, until: int) -> None:
        while max_steps > 0 and self._heap and self._halted is None:
            chunk = max_steps
            if self.history:
                chunk = min(chunk, self._next_snapshot - self._steps)
            done = self._run(chunk, (until + 1) << 1)
            self._steps += done
            self._records.pack()
            if self.history and self._steps == self._next_snapshot:
                self._snapshots.append(self._snapshot())
            if done < chunk:
                return  # out of events, past `until`, or halted
            max_steps -= done

    def _run(self, limit: int, stop: int) -> int:
        """The hot loop: take up to ``limit`` entries that are due before ``stop``."""
        heap = self._heap
        done = 0
        try:
            while heap and done < limit:
                key, _, fn, env, frm, to, attempts, flags = entry = heappop(heap)
                if key >= stop:
                    heappush(heap, entry)
                    break
                self._now = key >> 1
                fn(env, frm, to, attempts, flags)
                done += 1
        except Halt:
            done += 1
        return done

    def _rec(
        self,
        code: int,
        frm: int,
        to: int,
        env: Envelope | None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self._records.add(self._now << 20 | code << 16 | frm << 8 | to, env, detail)

    def _open_window(self) -> int:
        """Without history, each call keeps only its own records."""
        if not self.history:
            self._records.forget()
        return self.seq

    # ---- arrivals ---------------------------------------------------------------------------

    def _client_send(self, _: None, client: int, to: int, k: int, index: int) -> None:
        send = self._nodes[client].sends[index]
        sent_at = send.at + k * send.every
        env = self._root(send.type, send.kind, send.payload, send.headers, sent_at, client)
        if k + 1 < send.count:
            self._at(
                send.at + (k + 1) * send.every + self._lat[to],
                ARRIVE,
                self._send_step,
                None,
                client,
                to,
                k + 1,
                index,
            )
        self._arrive[to](env, client, to, 0, self._direct[to])

    def _arrive_queue(self, env: Envelope, frm: int, q: int, attempts: int, flags: int) -> None:
        self._key(self._now << 20 | frm << 8 | q)
        self._msg(env)
        self._offer(q, frm, env, 0, 0)

    def _arrive_topic(self, env: Envelope, frm: int, topic: int, attempts: int, flags: int) -> None:
        self._key(self._now << 20 | frm << 8 | topic)
        self._msg(env)
        subscribers = self._subscribers[topic]
        if not subscribers:
            self._rec(
                DROPPED,
                topic,
                NO_NODE,
                env,
                {"reason": "no subscribers: the message reaches nobody"},
            )
            return
        now, lat, heap, ticket, arrive = (
            self._now,
            self._lat,
            self._heap,
            self._ticket,
            self._arrive,
        )
        for s in subscribers:  # one copy each, same message id
            ticket += 1
            heappush(heap, ((now + lat[s]) << 1 | ARRIVE, ticket, arrive[s], env, topic, s, 0, 0))
        self._ticket = ticket

    def _arrive_service(self, env: Envelope, frm: int, s: int, attempts: int, flags: int) -> None:
        if not self._up[s]:
            self._arrive_down(env, frm, s, attempts, flags)
            return
        self._key(self._now << 20 | frm << 8 | s)
        self._msg(env)
        if self._busy[s] < self._conc[s]:
            if self._begin(s, env, frm, attempts, flags):
                self._busy[s] += 1
        else:
            inbox = self._inbox[s]
            assert inbox is not None
            inbox.append((env, frm, attempts, flags))

    def _arrive_down(self, env: Envelope, frm: int, s: int, attempts: int, flags: int) -> None:
        label = self._nodes[s].label
        if flags & DIRECT:  # temporal coupling: a call needs its target up now
            self._rec(
                FAILED,
                frm,
                s,
                env,
                {"reason": f"{label} is down: the synchronous call failed at once"},
            )
            return
        inbox = self._inbox[s]
        assert inbox is not None
        inbox.append((env, frm, attempts, flags))  # a subscription keeps it until the service is up
        self._rec(WAITING, frm, s, env, {"reason": f"{label} is down", "depth": len(inbox)})

    def _arrive_client(
        self, env: Envelope, frm: int, client: int, attempts: int, flags: int
    ) -> None:
        self._key(self._now << 20 | frm << 8 | client)
        self._msg(env)

    def _from_queue(self, env: Envelope, q: int, s: int, attempts: int, flags: int) -> None:
        if not self._up[s]:  # went down while the message travelled: it goes back, uncounted
            self._busy[s] -= 1
            buffer = self._buffer[q]
            assert buffer is not None
            buffer.appendleft((env, attempts - 1, flags))
            self._rec(
                WAITING,
                s,
                q,
                env,
                {
                    "reason": f"{self._nodes[s].label} is down: back to the queue",
                    "depth": len(buffer),
                },
            )
            consumer = self._idle_consumer(q)
            if consumer >= 0:
                self._handoff(q, consumer, *buffer.popleft())
            return
        if attempts > 1 or flags:
            self._rec(
                HOP,
                q,
                s,
                env,
                {"attempt": attempts, "duplicate": True} if flags & DUP else {"attempt": attempts},
            )
        else:
            self._key(self._now << 20 | q << 8 | s)
            self._msg(env)
        if not self._begin(s, env, q, attempts, flags):
            self._busy[s] -= 1
            self._fill(s)

    # ---- queues -----------------------------------------------------------------------------

    def _offer(self, q: int, frm: int, env: Envelope, attempts: int, flags: int) -> None:
        consumer = self._idle_consumer(q)
        if consumer >= 0:
            self._handoff(q, consumer, env, attempts, flags)
            return
        buffer = self._buffer[q]
        assert buffer is not None
        buffer.append((env, attempts, flags))
        detail: dict[str, Any] = {"depth": len(buffer)}
        if flags & DUP:
            detail["duplicate"] = True
        self._rec(WAITING, frm, q, env, detail)

    def _idle_consumer(self, q: int) -> int:
        consumers = self._consumers[q]
        up, busy, conc = self._up, self._busy, self._conc
        count = len(consumers)
        if count == 1:
            c = consumers[0]
            return c if up[c] and busy[c] < conc[c] else -1
        start = self._rr[q]
        for k in range(count):
            i = (start + k) % count
            c = consumers[i]
            if up[c] and busy[c] < conc[c]:
                self._rr[q] = (i + 1) % count
                return c
        return -1

    def _handoff(self, q: int, consumer: int, env: Envelope, attempts: int, flags: int) -> None:
        self._busy[consumer] += 1
        self._ticket = ticket = self._ticket + 1
        heappush(
            self._heap,
            (
                (self._now + self._lat[consumer]) << 1 | ARRIVE,
                ticket,
                self._delivery_step,
                env,
                q,
                consumer,
                attempts + 1,
                flags,
            ),
        )
        rate = self._dup_rate[q]
        if rate and not flags & DUP and self._rng.random() < rate:
            self._offer(q, q, env, 0, DUP)  # at-least-once: the broker will deliver it again

    # ---- services ---------------------------------------------------------------------------

    def _begin(self, s: int, env: Envelope, frm: int, attempts: int, flags: int) -> bool:
        """Start handling; False when the message needs no handling time."""
        handler = self._handlers[s].get(env[TYPE])
        seen = self._seen[s]
        if handler is None or (seen is not None and env[ID] in seen):
            self._acknowledge(s, env, frm, handler)
            return False
        self._ticket = ticket = self._ticket + 1
        heappush(
            self._heap,
            (
                (self._now + handler.duration) << 1 | DONE,
                ticket,
                self._done_step,
                env,
                frm,
                s,
                attempts,
                flags,
            ),
        )
        return True

    def _acknowledge(self, s: int, env: Envelope, frm: int, handler: Handler | None) -> None:
        """A message that takes no handling: a repeat, a reply, or one nobody handles."""
        if handler is not None:
            self._rec(HANDLED, frm, s, env, {"duplicate": True, "skipped": True})
        elif env[KIND] == "reply":
            self._rec(HANDLED, frm, s, env, {"reply": True})
        else:
            self._rec(
                DROPPED,
                frm,
                s,
                env,
                {"reason": f"{self._nodes[s].label} has no handler for {env[TYPE]}"},
            )

    def _fill(self, s: int) -> None:
        """Give an idle service its next message: its inbox first, then the queues it consumes."""
        if not self._up[s]:
            return
        inbox = self._inbox[s]
        assert inbox is not None
        busy, conc = self._busy, self._conc
        while busy[s] < conc[s]:
            if inbox:
                if self._begin(s, *inbox.popleft()):
                    busy[s] += 1
                continue
            q = self._waiting_queue(s)
            if q < 0:
                return
            buffer = self._buffer[q]
            assert buffer is not None
            self._handoff(q, s, *buffer.popleft())

    def _waiting_queue(self, s: int) -> int:
        queues = self._pulls[s]
        start = self._rr[s]
        for k in range(len(queues)):
            i = (start + k) % len(queues)
            if self._buffer[queues[i]]:
                self._rr[s] = (i + 1) % len(queues)
                return queues[i]
        return -1

    def _done(self, env: Envelope, frm: int, s: int, attempts: int, flags: int) -> None:
        handler = self._handlers[s][env[TYPE]]
        if self._forced or handler.failure_rate or flags:
            if self._done_unusual(handler, env, frm, s, attempts, flags):
                return
        else:
            self._key(self._now << 20 | _HANDLED | frm << 8 | s)
            self._msg(env)
            seen = self._seen[s]
            if seen is not None:
                seen.add(env[ID])
        if handler.outputs:
            self._emit_all(s, env, handler)
        self._busy[s] -= 1
        if self._inbox[s] or self._pulls[s]:
            self._fill(s)

    def _done_unusual(
        self, handler: Handler, env: Envelope, frm: int, s: int, attempts: int, flags: int
    ) -> bool:
        """The rarer endings of a handling; True when it failed (and has been dealt with)."""
        if flags & CRASHED:
            reason, crashed = f"{self._nodes[s].label} went down while handling it", True
            flags &= ~CRASHED  # a redelivery starts afresh
        elif self._forced and self._take_forced(s, env[TYPE]):
            reason, crashed = "forced failure", False
        elif handler.failure_rate and self._rng.random() < handler.failure_rate:
            reason, crashed = f"handler failed (failure rate {handler.failure_rate:g})", False
        else:
            seen = self._seen[s]
            if seen is not None:
                seen.add(env[ID])
            self._rec(HANDLED, frm, s, env, {"duplicate": True} if flags & DUP else None)
            return False
        self._fail(handler, env, frm, s, attempts, flags, reason, crashed)
        self._busy[s] -= 1
        self._fill(s)
        return True

    def _emit_all(
        self, s: int, parent: Envelope, handler: Handler, emits: tuple[Emit, ...] | None = None
    ) -> None:
        """Make and send the messages a handling produces (its emits and its reply)."""
        cycle, now, heap, lat, arrive, direct = (
            handler.cycle,
            self._now,
            self._heap,
            self._lat,
            self._arrive,
            self._direct,
        )
        merged = self._merged
        for emit in handler.outputs if emits is None else emits:
            if cycle is not None and cycle.multiplies:
                self._storm_messages += 1
                if self._storm_messages > STORM_MESSAGES or parent[DEPTH] >= STORM_DEPTH:
                    self._over_budget(s, parent, cycle)
            n = self._messages + 1
            if n > self.max_messages:
                self._over_budget(s, parent, cycle)
            self._messages = n
            payload = parent[PAYLOAD]
            if emit.payload is not None:
                # flows share payload objects: the same parent payload and emit give the same merge
                last = merged.get(id(emit))
                if last is not None and last[0] is payload:
                    payload = last[1]
                else:
                    merged[id(emit)] = (payload, payload := {**payload, **emit.payload})
            env = (
                n,
                emit.type,
                emit.kind,
                parent[CORRELATION_ID],
                parent[ID],
                payload,
                emit.headers,
                now,
                s,
                parent[DEPTH] + 1,
            )
            to = (
                parent[SOURCE] if emit.to == NO_NODE else emit.to
            )  # a reply goes back to the sender
            self._ticket = ticket = self._ticket + 1
            heappush(
                heap,
                (
                    (now + emit.delay + lat[to]) << 1 | ARRIVE,
                    ticket,
                    arrive[to],
                    env,
                    s,
                    to,
                    0,
                    direct[to],
                ),
            )

    def _fail(
        self,
        handler: Handler,
        env: Envelope,
        frm: int,
        s: int,
        attempts: int,
        flags: int,
        reason: str,
        crashed: bool,
    ) -> None:
        self._rec(
            FAILED,
            frm,
            s,
            env,
            {"reason": reason, "attempt": attempts} if attempts else {"reason": reason},
        )
        if handler.on_failure and not crashed:
            self._emit_all(s, env, handler, handler.on_failure)
        source = self._nodes[frm]
        if source.kind == "queue" and attempts:
            if attempts < source.max_deliveries:
                self._rec(RETRY, s, frm, env, {"attempt": attempts + 1})
                self._offer(frm, s, env, attempts, flags)
            elif source.dead_letter != NO_NODE:
                dlq = source.dead_letter
                self._rec(DEAD_LETTERED, frm, dlq, env, {"deliveries": attempts})
                self._at(self._now + self._lat[dlq], ARRIVE, self._arrive[dlq], env, frm, dlq, 0, 0)
            else:
                self._rec(
                    DROPPED,
                    frm,
                    NO_NODE,
                    env,
                    {"reason": f"failed {attempts} deliveries; {source.id} has no dead-letter"},
                )
        elif not flags & DIRECT:
            self._rec(
                DROPPED,
                s,
                NO_NODE,
                env,
                {"reason": "no queue to redeliver it from: the message is lost"},
            )

    def _crash(self, s: int) -> None:
        """Whatever ``s`` is handling is lost, even if it comes back up before it would end."""
        heap, done = self._heap, self._done_step
        for i, (key, ticket, fn, env, frm, to, attempts, flags) in enumerate(heap):
            if to == s and fn == done:
                heap[i] = (key, ticket, fn, env, frm, to, attempts, flags | CRASHED)  # same key

    def _take_forced(self, s: int, type_name: str) -> bool:
        for key in ((s, type_name), (s, None)):
            left = self._forced.get(key)
            if left:
                if left == 1:
                    del self._forced[key]
                else:
                    self._forced[key] = left - 1
                return True
        return False

    # ---- limits -----------------------------------------------------------------------------

    def _root(
        self,
        type_name: str,
        kind: str,
        payload: dict[str, Any],
        headers: dict[str, str],
        sent_at: int,
        client: int,
    ) -> Envelope:
        """A message that starts a flow: it is its own correlation, and nothing caused it."""
        n = self._messages + 1
        if n > self.max_messages:
            self._over_budget(client, None, None)
        self._messages = n
        return (n, type_name, kind, n, None, payload, headers, sent_at, client, 0)

    def _over_budget(self, source: int, parent: Envelope | None, cycle: Cycle | None) -> NoReturn:
        """Halt: the message budget is spent, or a storm was caught before it spent it."""
        if cycle is None:
            self._halt(
                "budget", source, f"the message budget of {self.max_messages} is used up", None
            )
        what = f"{', '.join(cycle.types)} keep causing each other through {', '.join(cycle.nodes)}"
        self._halt(cycle.kind, source, what, cycle)

    def _halt(self, reason: str, source: int, message: str, cycle: Cycle | None) -> NoReturn:
        detail: dict[str, Any] = {"reason": reason, "message": message, "limit": self.max_messages}
        if cycle is not None:
            detail.update(types=list(cycle.types), nodes=list(cycle.nodes))
        self._halted = detail
        self._rec(HALTED, source, NO_NODE, None, detail)
        raise Halt

    # ---- control actions --------------------------------------------------------------------

    def _perform(self, action: Action) -> None:
        s = action.node
        if action.op == "down":
            if self._up[s]:
                self._up[s] = False
                self._crash(s)
        elif action.op == "up":
            if not self._up[s]:
                self._up[s] = True
                self._fill(s)
        elif action.op == "fail_next":
            key = (s, action.type)
            self._forced[key] = self._forced.get(key, 0) + 1
        elif action.op == "subscribe":
            # new tuples, never changed in place: snapshots keep the lists' old entries
            to = action.to
            assert to is not None
            if self._nodes[to].kind == "topic":
                self._subscribers[to] = (*self._subscribers[to], s)
            else:
                self._consumers[to] = (*self._consumers[to], s)
                self._pulls[s] = (*self._pulls[s], to)
                self._fill(s)  # messages already waiting in the queue may go to it at once
        else:  # inject
            m, to = action.message, action.to
            assert m is not None and to is not None
            try:
                env = self._root(m.type, m.kind, m.payload, m.headers, self._now, s)
            except Halt:
                return  # the halt is in the trace
            self._at(
                self._now + self._lat[to], ARRIVE, self._arrive[to], env, s, to, 0, self._direct[to]
            )

    def _not_wired_yet(self, action: Action) -> None:
        s, to = action.node, action.to
        assert to is not None
        service, target = self._nodes[s], self._nodes[to]
        if target.kind == "topic" and s in self._subscribers[to]:
            raise ActionError("to", f"{service.id!r} already subscribes to topic {target.id!r}")
        if target.kind == "queue" and s in self._consumers[to]:
            raise ActionError("to", f"{service.id!r} already consumes from queue {target.id!r}")

    # ---- history ----------------------------------------------------------------------------

    def _require_history(self) -> None:
        if not self.history:
            raise SeekError("this simulation keeps no history, so it cannot go back")

    def _snapshot(self) -> tuple[Any, ...]:
        # a snapshot costs as much as the state is large, so larger states are saved less often:
        # memory stays proportional to the run, and a seek replays at most that many steps
        self._next_snapshot = self._steps + self._snapshot_gap()
        return self._capture()

    def _capture(self) -> tuple[Any, ...]:
        """Everything that changes as the run goes: what a snapshot keeps and back restores."""
        return (
            self._steps,
            self._records.mark(),
            self._now,
            self._messages,
            self._storm_messages,
            self._ticket,
            self._heap[:],
            self._up[:],
            self._busy[:],
            # tuples, not deque copies: an empty deque still costs a 64-slot block
            [None if d is None else tuple(d) for d in self._inbox],
            [None if d is None else tuple(d) for d in self._buffer],
            self._rr[:],
            [None if s is None else s.copy() for s in self._seen],
            dict(self._forced),
            self._rng.draws,
            self._halted,
            self._consumers[:],  # subscribe actions change these three
            self._pulls[:],
            self._subscribers[:],
        )

    def _snapshot_gap(self) -> int:
        size = (
            len(self._heap)
            + sum(len(d) for d in self._buffer if d)
            + sum(len(d) for d in self._inbox if d)
        )
        return max(SNAPSHOT_EVERY, size + sum(len(s) for s in self._seen if s))

    def _restore(self, snap: tuple[Any, ...]) -> None:
        (steps, mark, self._now, self._messages, self._storm_messages, self._ticket,
         heap, up, busy, inbox, buffer, rr, seen, forced, draws, self._halted,
         consumers, pulls, subscribers) = snap  # fmt: skip
        self._consumers = consumers[:]
        self._pulls = pulls[:]
        self._subscribers = subscribers[:]
        self._steps = steps
        self._heap = heap[:]
        self._up = up[:]
        self._busy = busy[:]
        self._inbox = [None if d is None else deque(d) for d in inbox]
        self._buffer = [None if d is None else deque(d) for d in buffer]
        self._rr = rr[:]
        self._seen = [None if s is None else s.copy() for s in seen]
        self._forced = dict(forced)
        self._rng.draws = draws
        self._next_snapshot = steps + self._snapshot_gap()
        self._records.truncate(mark)

    def _goto(self, steps: int | None = None, seq: int | None = None) -> None:
        if steps is not None:
            i = bisect_right([s[0] for s in self._snapshots], steps) - 1
        else:
            i = bisect_right([s[1][0] for s in self._snapshots], seq) - 1
        snap = self._snapshots[i]
        del self._snapshots[i + 1 :]
        self._restore(snap)
        pending = [a for a in self._actions if a[0] >= self._steps]
        self._actions = [a for a in self._actions if a[0] < self._steps]
        while True:
            while pending and pending[0][0] == self._steps:
                logged = pending.pop(0)
                self._actions.append(logged)
                self._now = logged[1]
                self._perform(logged[2])
            if self._steps == steps or (seq is not None and self.seq >= seq) or self.finished:
                return
            self._advance(1, FOREVER)
