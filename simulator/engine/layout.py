"""Where the diagram draws each node: the authored position, or a layered layout.

Messages flow left to right, so a node's column is the length of the longest path that
reaches it from a client (cycles are cut where a depth-first walk meets them again). Within a
column, nodes are ordered by the mean row of their predecessors, which untangles most edges
of the small systems msglab draws.
"""

from __future__ import annotations

from collections.abc import Iterator

from .topology import NO_NODE, Node, Topology

WIDTH, HEIGHT = 1000, 600  # the canvas the format promises (docs/topology.md)
MARGIN_X, MARGIN_Y = 60, 80
MAX_COLUMN_GAP, MAX_ROW_GAP = 150, 120


def routes(node: Node) -> Iterator[int]:
    """The nodes that messages from ``node`` can go to next."""
    for send in node.sends:
        yield send.to
    yield from node.consumers
    yield from node.subscribers
    for handler in node.handlers.values():
        for emit in (*handler.emits, *handler.on_failure):
            yield emit.to
    if node.dead_letter != NO_NODE:
        yield node.dead_letter


def layout(topology: Topology) -> dict[str, dict[str, float]]:
    """Every node's ``{"x", "y"}``: authored where given, computed for the rest."""
    nodes = topology.nodes
    authored = [spec.position for spec in topology.spec.nodes]  # same order as the nodes
    # computing a layout nobody reads only costs time, and the two lists always match in length
    computed = _layered(nodes) if None in authored else {}  # pragma: no mutate
    out: dict[str, dict[str, float]] = {}
    for n, position in zip(nodes, authored, strict=True):  # pragma: no mutate
        if position is not None:
            out[n.id] = {"x": position.x, "y": position.y}
        else:
            x, y = computed[n.index]
            out[n.id] = {"x": x, "y": y}
    return out


def _layered(nodes: tuple[Node, ...]) -> dict[int, tuple[float, float]]:
    nexts = [sorted(set(routes(n))) for n in nodes]
    column = _columns(nodes, nexts)
    columns: dict[int, list[int]] = {}
    for i in range(len(nodes)):
        columns.setdefault(column[i], []).append(i)

    preds: list[list[int]] = [[] for _ in nodes]
    for i, targets in enumerate(nexts):
        for j in targets:
            preds[j].append(i)

    count = max(columns) + 1
    # with two columns (or rows) or fewer the gap is the largest anyway
    # pragma: no mutate start
    gap_x = min(MAX_COLUMN_GAP, (WIDTH - 2 * MARGIN_X) / max(1, count - 1))
    # pragma: no mutate end
    row: dict[int, float] = {}
    placed: dict[int, tuple[float, float]] = {}
    for c in range(count):
        # no column is empty: a node in column c > 0 has a predecessor in column c - 1
        members = columns.get(c, [])  # pragma: no mutate
        members.sort(key=lambda i: (_mean(row.get(p) for p in preds[i]), i))
        # pragma: no mutate start (as for gap_x)
        gap_y = min(MAX_ROW_GAP, (HEIGHT - 2 * MARGIN_Y) / max(1, len(members) - 1))
        # pragma: no mutate end
        top = HEIGHT / 2 - gap_y * (len(members) - 1) / 2
        for k, i in enumerate(members):
            row[i] = top + k * gap_y
            placed[i] = (MARGIN_X + c * gap_x, round(row[i], 1))
    return placed


def _columns(nodes: tuple[Node, ...], nexts: list[list[int]]) -> list[int]:
    """Longest-path column of each node over the graph with its back edges cut."""
    order: list[int] = []  # reverse post-order: a topological order of the acyclic part
    state = [0] * len(nodes)  # 0 unseen, 1 on the walk's path, 2 done
    back: set[tuple[int, int]] = set()
    starts = [n.index for n in nodes if n.kind == "client"] + [n.index for n in nodes]
    for start in starts:
        if state[start]:
            continue
        stack = [(start, iter(nexts[start]))]
        state[start] = 1
        while stack:
            i, it = stack[-1]
            j = next(it, None)
            if j is None:
                stack.pop()
                state[i] = 2  # pragma: no mutate (any value but 0 and 1 means done)
                order.append(i)
            elif state[j] == 1:
                back.add((i, j))
            elif state[j] == 0:
                state[j] = 1
                stack.append((j, iter(nexts[j])))
    column = [0] * len(nodes)
    for i in reversed(order):
        for j in nexts[i]:
            if (i, j) not in back:
                column[j] = max(column[j], column[i] + 1)
    return column


def _mean(values: Iterator[float | None]) -> float:
    known = [v for v in values if v is not None]
    # Only column 0 has nodes with no row known before them, all of them alike: the default's
    # value never changes an order.
    return sum(known) / len(known) if known else HEIGHT / 2  # pragma: no mutate
