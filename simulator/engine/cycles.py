"""Find message cycles before running: which arrivals can cause themselves again.

A state is "a message of type T arrives at node N". A cycle of states loops forever; if some
state in it hands messages on to two or more states of the same cycle at once (a topic's
copies, a handler's emits) every round multiplies messages: a storm. The simulation uses the
result to name the culprits when it halts.
"""

from __future__ import annotations

from collections import Counter

from . import lints
from .topology import Cycle, Lint, Topology

State = tuple[int, str]


def graph(topology: Topology) -> dict[State, list[State]]:
    nodes = topology.nodes
    edges: dict[State, list[State]] = {}
    pending: list[State] = []

    def visit(state: State) -> None:
        if state not in edges:
            edges[state] = []  # pragma: no mutate (every pending state gets its list below)
            pending.append(state)

    for node in nodes:
        for send in node.sends:
            visit((send.to, send.type))
        for handler in node.handlers.values():
            visit((node.index, handler.type))
    while pending:
        index, type_name = state = pending.pop()
        node = nodes[index]
        if node.kind == "queue":
            targets = [(c, type_name) for c in node.consumers]
            # an index is below len(nodes) <= MAX_NODES, NO_NODE above it: `<=` would do as well
            if node.dead_letter < len(nodes):  # pragma: no mutate
                targets.append((node.dead_letter, type_name))
        elif node.kind == "topic":
            targets = [(s, type_name) for s in node.subscribers]
        elif node.kind == "service" and type_name in node.handlers:
            h = node.handlers[type_name]
            targets = [(e.to, e.type) for e in h.emits + h.on_failure]
        else:
            targets = []
        edges[state] = targets
        for target in targets:
            visit(target)
    return edges


def components(edges: dict[State, list[State]]) -> list[list[State]]:
    """Strongly connected components (Tarjan's algorithm, iterative)."""
    index: dict[State, int] = {}
    low: dict[State, int] = {}
    on_stack: set[State] = set()
    stack: list[State] = []
    found: list[list[State]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            state, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    break
                if child in on_stack:
                    low[state] = min(low[state], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[state])
                if low[state] == index[state]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == state:
                            break
                    found.append(component)
    return found


def analyse(topology: Topology) -> tuple[Lint, ...]:
    """Mark every handler that sits on a cycle and return one warning per cycle."""
    nodes = topology.nodes
    edges = graph(topology)
    warnings = []
    for component in components(edges):
        members = set(component)
        first = component[0]
        if len(component) == 1 and first not in edges[first]:
            continue
        multiplies = False  # pragma: no mutate (a component has a state: the loop sets it)
        for state in component:
            inside = Counter(t for t in edges[state] if t in members)
            fan_out = sum(inside.values())
            if nodes[state[0]].kind == "queue":
                fan_out = min(fan_out, 1)  # a queue hands each message to one receiver only
            multiplies = multiplies or fan_out >= 2
        ordered = sorted(members, key=lambda s: (s[0], s[1]))  # pragma: no mutate (= tuple order)
        cycle = Cycle(
            multiplies=multiplies,
            types=tuple(sorted({t for _, t in members})),
            nodes=tuple(dict.fromkeys(nodes[i].id for i, _ in ordered)),
        )
        path = nodes[ordered[0][0]].path
        for index, type_name in ordered:
            handler = nodes[index].handlers.get(type_name)
            if handler is not None:
                handler.cycle = cycle
                path = handler.path
        how = "multiply on every round (a storm)" if multiplies else "can go round forever"
        what = f"{', '.join(cycle.types)} through {' → '.join(cycle.nodes)} {how}"
        warnings.append(lints.lint(path, "message-cycle", what))
    return tuple(warnings)
