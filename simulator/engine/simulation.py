"""The scheduler and the messaging semantics, in one class.

Time is integer microseconds. Pending work is a heap of flat tuples
``(time, priority, ticket, handler, envelope, from, to, attempts, flags)``; each heap entry is
one *step*, and every step writes at least one trace record. Records are packed into an int
array (time, event, from, to) beside a list of envelopes, and become dicts only when read.

Going back in time restores the nearest snapshot (taken every ``SNAPSHOT_EVERY`` steps) and
replays forward, re-applying the logged control actions: state = topology + seed + actions.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Mapping
from heapq import heappop, heappush
from typing import Any

from . import trace
from .actions import Action, parse_action
from .envelope import Envelope
from .errors import ActionError, SeekError
from .rng import Rng
from .topology import NO_NODE, Cycle, Emit, Handler, Topology, micros, millis

HOP, HANDLED, FAILED, RETRY, DEAD_LETTERED, DROPPED, WAITING, HALTED = range(8)
DONE, ARRIVE = 0, 1  # priorities: a handling that ends at t frees its service before arrivals at t
DUP, DIRECT = 1, 2  # delivery flags: a duplicate copy; a synchronous request
SNAPSHOT_EVERY = 256
STORM_DEPTH = 32  # causation generations before a multiplying cycle is called a storm
FOREVER = 1 << 62

Entry = tuple[int, int, int, Callable[..., None], Any, int, int, int, int]


class Halt(Exception):
    """Stops the current step; the ``halted`` record has been written already."""


class Simulation:
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
        self._subscribers = [n.subscribers for n in nodes]
        self._direct = [DIRECT if n.kind == "service" else 0 for n in nodes]
        arrive = {
            "queue": self._arrive_queue,
            "topic": self._arrive_topic,
            "service": self._arrive_service,
            "client": self._arrive_client,
        }
        self._arrive = [arrive[n.kind] for n in nodes]

        # everything below changes as the run goes, and is what a snapshot copies
        self._now = 0
        self._steps = 0
        self._ticket = 0
        self._messages = 0
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
        self._rng = Rng(self.seed)
        self._halted: dict[str, Any] | None = None

        # the trace window: records base+1 .. base+len(keys)
        self._base = 0
        self._keys = array("q")
        self._msgs: list[Envelope | None] = []
        self._dseq = array("q")  # seqs of the records that have a detail, ascending
        self._dval: list[dict[str, Any]] = []
        self._snapshots: list[tuple[Any, ...]] = []
        self._actions: list[tuple[int, int, Action]] = []  # (steps, now, action)

        for n in nodes:
            if len(n.consumers) > 1:
                self._rr[n.index] = self._rng.below(len(n.consumers))  # fair, and seeded
            for i, send in enumerate(n.sends):
                self._schedule(send.at + self._lat[send.to], self._client_send, None, n.index, send.to, 0, i)
        if history:
            self._snapshots.append(self._snapshot())

    # ---- public API -------------------------------------------------------------------------

    @property
    def seq(self) -> int:
        """How many trace records the run has written so far."""
        return self._base + len(self._keys)

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
        if until_ms is not None and self._halted is None and (not heap or heap[0][0] > until):
            self._now = max(self._now, until)  # the clock moves on even when nothing happens
        return self.seq - start

    def trace(self, start: int = 1, stop: int | None = None) -> list[dict[str, Any]]:
        """Records ``start <= seq < stop`` as JSON-ready dicts (only those still kept)."""
        start = max(start, self._base + 1)
        stop = self.seq + 1 if stop is None else min(stop, self.seq + 1)
        details = dict(
            zip(
                self._dseq[bisect_left(self._dseq, start) : bisect_left(self._dseq, stop)],
                self._dval[bisect_left(self._dseq, start) : bisect_left(self._dseq, stop)],
                strict=True,
            )
        )
        base = self._base
        return [
            trace.record(self._nodes, seq, self._keys[seq - base - 1], self._msgs[seq - base - 1], details.get(seq))
            for seq in range(start, stop)
        ]

    def apply(self, action: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Apply a control action now; raises :class:`ActionError` and changes nothing if invalid."""
        parsed = parse_action(self.topology, action)
        if self._halted is not None:
            raise ActionError("action", "the run has halted; reset it to go on")
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

    def state(self) -> dict[str, Any]:
        nodes: dict[str, dict[str, Any]] = {}
        for n in self._nodes:
            i = n.index
            entry: dict[str, Any] = {"kind": n.kind}
            if n.kind == "service":
                inbox = self._inbox[i]
                entry.update(status="up" if self._up[i] else "down", busy=self._busy[i], inbox=len(inbox or ()))
            elif n.kind == "queue":
                entry["depth"] = len(self._buffer[i] or ())
            nodes[n.id] = entry
        in_flight, handling = [], []
        for t, _, _, fn, env, frm, to, _, _ in sorted(self._heap):
            if env is None:
                continue  # a client's send that has not happened yet
            if fn == self._done:
                handling.append({"message": trace.message_id(env.id), "type": env.type, "service": self._nodes[to].id, "done_at": millis(t)})
            else:
                in_flight.append({"message": trace.message_id(env.id), "type": env.type, "kind": env.kind, "from": self._nodes[frm].id, "to": self._nodes[to].id, "arrives_at": millis(t)})
        return {
            "t": millis(self._now),
            "seq": self.seq,
            "steps": self._steps,
            "messages": self._messages,
            "finished": self.finished,
            "halted": self._halted,
            "nodes": nodes,
            "in_flight": in_flight,
            "handling": handling,
        }

    # ---- the scheduler ----------------------------------------------------------------------

    def _schedule(self, t: int, fn: Callable[..., None], env: Envelope | None, frm: int, to: int, attempts: int, flags: int) -> None:
        self._ticket += 1
        heappush(self._heap, (t, ARRIVE, self._ticket, fn, env, frm, to, attempts, flags))

    def _advance(self, max_steps: int, until: int) -> None:
        heap = self._heap
        pop = heappop
        while max_steps > 0 and heap and self._halted is None:
            chunk = max_steps
            if self.history:
                chunk = min(chunk, SNAPSHOT_EVERY - self._steps % SNAPSHOT_EVERY)
            done = 0
            try:
                for _ in range(chunk):
                    if not heap:
                        break
                    entry = pop(heap)
                    if entry[0] > until:
                        heappush(heap, entry)
                        max_steps = 0
                        break
                    self._now = entry[0]
                    _, _, _, fn, env, frm, to, attempts, flags = entry
                    fn(env, frm, to, attempts, flags)
                    done += 1
            except Halt:
                done += 1
            self._steps += done
            max_steps -= done
            if self.history and done and self._steps % SNAPSHOT_EVERY == 0:
                self._snapshots.append(self._snapshot())

    def _rec(self, code: int, frm: int, to: int, env: Envelope | None, detail: dict[str, Any] | None = None) -> None:
        self._keys.append(self._now << 20 | code << 16 | frm << 8 | to)
        self._msgs.append(env)
        if detail is not None:
            self._dseq.append(self._base + len(self._keys))
            self._dval.append(detail)

    def _open_window(self) -> int:
        """Without history, each call keeps only its own records."""
        seq = self.seq
        if not self.history:
            self._base = seq
            del self._keys[:]
            self._msgs.clear()
            del self._dseq[:]
            self._dval.clear()
        return seq

    # ---- arrivals ---------------------------------------------------------------------------

    def _client_send(self, _: None, client: int, to: int, k: int, index: int) -> None:
        send = self._nodes[client].sends[index]
        env = self._new(send.type, send.kind, None, send.payload, send.headers, client, send.at + k * send.every, None)
        if k + 1 < send.count:
            self._schedule(send.at + (k + 1) * send.every + self._lat[to], self._client_send, None, client, to, k + 1, index)
        self._arrive[to](env, client, to, 0, self._direct[to])

    def _arrive_queue(self, env: Envelope, frm: int, q: int, attempts: int, flags: int) -> None:
        self._rec(HOP, frm, q, env)
        self._offer(q, frm, env, 0, 0)

    def _arrive_topic(self, env: Envelope, frm: int, topic: int, attempts: int, flags: int) -> None:
        self._rec(HOP, frm, topic, env)
        subscribers = self._subscribers[topic]
        if not subscribers:
            self._rec(DROPPED, topic, NO_NODE, env, {"reason": "no subscribers: the message reaches nobody"})
            return
        now, lat, heap, ticket, arrive = self._now, self._lat, self._heap, self._ticket, self._arrive_service
        for s in subscribers:
            ticket += 1
            heappush(heap, (now + lat[s], ARRIVE, ticket, arrive, env, topic, s, 0, 0))
        self._ticket = ticket

    def _arrive_service(self, env: Envelope, frm: int, s: int, attempts: int, flags: int) -> None:
        inbox = self._inbox[s]
        assert inbox is not None
        if not self._up[s]:
            label = self._nodes[s].label
            if flags & DIRECT:
                self._rec(FAILED, frm, s, env, {"reason": f"{label} is down: the synchronous call failed at once"})
            else:
                inbox.append((env, frm, attempts, flags))
                self._rec(WAITING, frm, s, env, {"reason": f"{label} is down", "depth": len(inbox)})
            return
        self._rec(HOP, frm, s, env)
        if self._busy[s] < self._conc[s]:
            if self._begin(s, env, frm, attempts, flags):
                self._busy[s] += 1
        else:
            inbox.append((env, frm, attempts, flags))

    def _arrive_client(self, env: Envelope, frm: int, client: int, attempts: int, flags: int) -> None:
        self._rec(HOP, frm, client, env)

    def _from_queue(self, env: Envelope, q: int, s: int, attempts: int, flags: int) -> None:
        if not self._up[s]:  # went down while the message travelled: it goes back, uncounted
            self._busy[s] -= 1
            buffer = self._buffer[q]
            assert buffer is not None
            buffer.appendleft((env, attempts - 1, flags))
            self._rec(WAITING, s, q, env, {"reason": f"{self._nodes[s].label} is down: back to the queue", "depth": len(buffer)})
            consumer = self._idle_consumer(q)
            if consumer >= 0:
                self._handoff(q, consumer, *buffer.popleft())
            return
        if attempts > 1 or flags:
            detail: dict[str, Any] = {"attempt": attempts}
            if flags & DUP:
                detail["duplicate"] = True
            self._rec(HOP, q, s, env, detail)
        else:
            self._rec(HOP, q, s, env)
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
        self._rec(WAITING, frm, q, env, {"depth": len(buffer)})

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
        self._ticket += 1
        heappush(self._heap, (self._now + self._lat[consumer], ARRIVE, self._ticket, self._from_queue, env, q, consumer, attempts + 1, flags))
        rate = self._nodes[q].duplicate_rate
        if rate and not flags & DUP and self._rng.random() < rate:
            self._offer(q, q, env, 0, DUP)  # at-least-once: the broker will deliver it again

    # ---- services ---------------------------------------------------------------------------

    def _begin(self, s: int, env: Envelope, frm: int, attempts: int, flags: int) -> bool:
        """Start handling; False when the message needs no handling time."""
        handler = self._handlers[s].get(env.type)
        if handler is None:
            if env.kind == "reply":
                self._rec(HANDLED, frm, s, env, {"reply": True})
            else:
                self._rec(DROPPED, frm, s, env, {"reason": f"{self._nodes[s].label} has no handler for {env.type}"})
            return False
        seen = self._seen[s]
        if seen is not None and env.id in seen:
            self._rec(HANDLED, frm, s, env, {"duplicate": True, "skipped": True})
            return False
        self._ticket += 1
        heappush(self._heap, (self._now + handler.duration, DONE, self._ticket, self._done, env, frm, s, attempts, flags))
        return True

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
        queues = self._nodes[s].consumes
        start = self._rr[s]
        for k in range(len(queues)):
            i = (start + k) % len(queues)
            if self._buffer[queues[i]]:
                self._rr[s] = (i + 1) % len(queues)
                return queues[i]
        return -1

    def _done(self, env: Envelope, frm: int, s: int, attempts: int, flags: int) -> None:
        handler = self._handlers[s][env.type]
        if not self._up[s]:
            self._fail(handler, env, frm, s, attempts, flags, f"{self._nodes[s].label} went down while handling it", crashed=True)
        elif self._forced and self._take_forced(s, env.type):
            self._fail(handler, env, frm, s, attempts, flags, "forced failure")
        elif handler.failure_rate and self._rng.random() < handler.failure_rate:
            self._fail(handler, env, frm, s, attempts, flags, f"handler failed (failure rate {handler.failure_rate:g})")
        else:
            seen = self._seen[s]
            if seen is not None:
                seen.add(env.id)
            self._rec(HANDLED, frm, s, env, {"duplicate": True} if flags & DUP else None)
            for emit in handler.emits:
                self._emit(s, env, emit, handler.cycle)
            if handler.reply is not None:
                self._emit(s, env, handler.reply, handler.cycle)
        self._busy[s] -= 1
        self._fill(s)

    def _emit(self, s: int, parent: Envelope, emit: Emit, cycle: Cycle | None) -> None:
        payload = parent.payload if emit.payload is None else {**parent.payload, **emit.payload}
        env = self._new(emit.type, emit.kind, parent, payload, emit.headers, s, self._now, cycle)
        to = parent.source if emit.to == NO_NODE else emit.to  # a reply goes back to the sender
        self._schedule(self._now + emit.delay + self._lat[to], self._arrive[to], env, s, to, 0, self._direct[to])

    def _fail(self, handler: Handler, env: Envelope, frm: int, s: int, attempts: int, flags: int, reason: str, crashed: bool = False) -> None:
        self._rec(FAILED, frm, s, env, {"reason": reason, "attempt": attempts} if attempts else {"reason": reason})
        if not crashed:
            for emit in handler.on_failure:
                self._emit(s, env, emit, handler.cycle)
        source = self._nodes[frm]
        if source.kind == "queue" and attempts:
            if attempts < source.max_deliveries:
                self._rec(RETRY, s, frm, env, {"attempt": attempts + 1})
                self._offer(frm, s, env, attempts, flags)
            elif source.dead_letter != NO_NODE:
                self._rec(DEAD_LETTERED, frm, source.dead_letter, env, {"deliveries": attempts})
                self._schedule(self._now + self._lat[source.dead_letter], self._arrive_queue, env, frm, source.dead_letter, 0, 0)
            else:
                self._rec(DROPPED, frm, NO_NODE, env, {"reason": f"failed {attempts} deliveries and {source.id} has no dead-letter queue"})
        elif not flags & DIRECT:
            self._rec(DROPPED, s, NO_NODE, env, {"reason": "no queue to redeliver it from: the message is lost"})

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

    # ---- messages and limits ----------------------------------------------------------------

    def _new(
        self,
        type_name: str,
        kind: str,
        parent: Envelope | None,
        payload: dict[str, Any],
        headers: dict[str, str],
        source: int,
        sent_at: int,
        cycle: Cycle | None,
    ) -> Envelope:
        n = self._messages + 1
        if cycle is not None and (n > self.max_messages or (cycle.multiplies and parent is not None and parent.depth >= STORM_DEPTH)):
            self._halt(cycle.kind, source, f"{cycle.kind}: {', '.join(cycle.types)} keep causing each other through {', '.join(cycle.nodes)}", cycle)
        if n > self.max_messages:
            self._halt("budget", source, f"the message budget of {self.max_messages} is used up", None)
        self._messages = n
        if parent is None:
            return Envelope(n, type_name, kind, n, None, payload, headers, sent_at, source, 0)
        return Envelope(n, type_name, kind, parent.correlation_id, parent.id, payload, headers, sent_at, source, parent.depth + 1)

    def _halt(self, reason: str, source: int, message: str, cycle: Cycle | None) -> None:
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
            self._up[s] = False
        elif action.op == "up":
            if not self._up[s]:
                self._up[s] = True
                self._fill(s)
        elif action.op == "fail_next":
            key = (s, action.type)
            self._forced[key] = self._forced.get(key, 0) + 1
        else:  # inject
            m = action.message
            assert m is not None and action.to is not None
            try:
                env = self._new(m.type, m.kind, None, m.payload, m.headers, s, self._now, None)
            except Halt:
                return
            self._schedule(self._now + self._lat[action.to], self._arrive[action.to], env, s, action.to, 0, self._direct[action.to])

    # ---- history ----------------------------------------------------------------------------

    def _require_history(self) -> None:
        if not self.history:
            raise SeekError("this simulation keeps no history, so it cannot go back")

    def _snapshot(self) -> tuple[Any, ...]:
        return (
            self._steps,
            self.seq,
            len(self._dseq),
            self._now,
            self._ticket,
            self._messages,
            self._heap[:],
            self._up[:],
            self._busy[:],
            [None if d is None else d.copy() for d in self._inbox],
            [None if d is None else d.copy() for d in self._buffer],
            self._rr[:],
            [None if s is None else s.copy() for s in self._seen],
            dict(self._forced),
            self._rng.draws,
            self._halted,
        )

    def _restore(self, snap: tuple[Any, ...]) -> None:
        (steps, seq, details, self._now, self._ticket, self._messages, heap, up, busy,
         inbox, buffer, rr, seen, forced, draws, self._halted) = snap  # fmt: skip
        self._steps = steps
        self._heap = heap[:]
        self._up = up[:]
        self._busy = busy[:]
        self._inbox = [None if d is None else d.copy() for d in inbox]
        self._buffer = [None if d is None else d.copy() for d in buffer]
        self._rr = rr[:]
        self._seen = [None if s is None else s.copy() for s in seen]
        self._forced = dict(forced)
        self._rng.draws = draws
        del self._keys[seq - self._base :]
        del self._msgs[seq - self._base :]
        del self._dseq[details:]
        del self._dval[details:]

    def _goto(self, steps: int | None = None, seq: int | None = None) -> None:
        if steps is not None:
            i = bisect_right([s[0] for s in self._snapshots], steps) - 1
        else:
            i = bisect_right([s[1] for s in self._snapshots], seq) - 1
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
