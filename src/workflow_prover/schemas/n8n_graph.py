"""The graph of an n8n export: which node feeds which, along `connections`.

The graph is the workflow: steps follow the `main` connections from the nodes nothing feeds
(the triggers). A node's last output is its error output when it sets `onError:
continueErrorOutput`. A disabled node does nothing but passes its items on (n8n runs through
it), so it is a link of the graph and not a step. Connections that are empty (with several
nodes) or that name nodes the export does not have are reported (`problems`): then the nodes
not reached are read in the order they are listed, and nothing is assumed about what follows
what.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from workflow_prover.schemas.model import pointer

Node = dict[str, object]


def suffix(node_type: str) -> str:
    return node_type.rsplit(".", 1)[-1]


class Graph:
    def __init__(self, workflow: dict[str, object]) -> None:
        self.nodes: dict[str, tuple[int, Node]] = {}  # every named node, disabled ones too
        raw = workflow.get("nodes")
        for i, node in enumerate(raw if isinstance(raw, list) else []):
            if (
                isinstance(node, dict)
                and isinstance(node.get("name"), str)
                and isinstance(node.get("type"), str)
            ):
                self.nodes.setdefault(str(node["name"]), (i, node))
        connections = workflow.get("connections")
        self.connections = connections if isinstance(connections, dict) else {}
        self._regular: dict[str, list[str]] = {}
        self._incoming: dict[str, list[str]] | None = None
        self._upstream: dict[str, list[str]] = {}

    def enabled(self, name: str) -> bool:
        return self.nodes[name][1].get("disabled") is not True

    def node(self, name: str) -> Node:
        return self.nodes[name][1]

    def here(self, name: str) -> str:
        return pointer("nodes", self.nodes[name][0])

    # ---- edges --------------------------------------------------------------------------

    def outputs(self, name: str) -> list[list[str]]:
        entry = self.connections.get(name)
        main = entry.get("main") if isinstance(entry, dict) else None
        out: list[list[str]] = []
        for port in main if isinstance(main, list) else []:
            targets = port if isinstance(port, list) else []
            out.append(
                [
                    str(t["node"])
                    for t in targets
                    if isinstance(t, dict) and t.get("node") in self.nodes
                ]
            )
        return out

    def error_output(self, name: str) -> bool:
        return self.node(name).get("onError") == "continueErrorOutput"

    def regular(self, name: str) -> list[str]:
        if name not in self._regular:
            ports = self.outputs(name)
            if self.error_output(name) and len(ports) >= 2:
                ports = ports[:-1]
            self._regular[name] = [t for port in ports for t in port]
        return self._regular[name]

    def error_targets(self, name: str) -> list[str]:
        ports = self.outputs(name)
        return ports[-1] if self.error_output(name) and len(ports) >= 2 else []

    def upstream(self, name: str) -> list[str]:
        """Nodes whose regular outputs lead to `name`, nearest first."""
        if name not in self._upstream:
            self._upstream[name] = self._climb(name)
        return self._upstream[name]

    def _climb(self, name: str) -> list[str]:
        if self._incoming is None:
            self._incoming = {n: [] for n in self.nodes}
            for other in self.nodes:
                for target in dict.fromkeys(self.regular(other)):
                    self._incoming[target].append(other)
        order: list[str] = []
        seen = {name}
        queue = deque([name])
        while queue:
            for other in self._incoming.get(queue.popleft(), []):
                if other not in seen:
                    seen.add(other)
                    order.append(other)
                    queue.append(other)
        return order

    def downstream(self, name: str) -> list[str]:
        return self.bfs(self.regular(name), {name}, errors=False)

    # ---- order --------------------------------------------------------------------------

    def order(self) -> tuple[list[str], set[str]]:
        """Nodes along the regular connections from the starting nodes; the error-path nodes."""
        incoming = {t for name in self.nodes for t in self.regular(name)}
        errors = {t for name in self.nodes for t in self.error_targets(name)}
        starts = sorted(
            (n for n in self.nodes if n not in incoming and n not in errors),
            key=lambda n: (_position(self.node(n)), self.nodes[n][0]),
        )
        main = self.bfs(starts, set(), errors=False)
        error_path = set(self.bfs(sorted(errors), set(main)))
        loose = [n for n in self.nodes if n not in main and n not in error_path]
        return main + self.bfs(loose, set(main) | error_path, errors=False), error_path

    def bfs(self, roots: list[str], stop: set[str], errors: bool = True) -> list[str]:
        """Nodes reached from `roots` (through error outputs too, when `errors`)."""
        order: list[str] = []
        seen = set(stop)
        queue = deque(roots)
        while queue:
            name = queue.popleft()
            if name in seen:
                continue
            seen.add(name)
            order.append(name)
            queue.extend(self.regular(name) + (self.error_targets(name) if errors else []))
        return order

    # ---- what is wrong with it ----------------------------------------------------------

    def problems(self, working: list[str]) -> Iterator[tuple[str, str]]:
        """(pointer, message) for connections that are empty or name no node of the export.

        `working`: the nodes that do work (steps); empty connections matter only with two.
        """
        if not self.connections and len(working) > 1:
            yield (
                "/connections",
                "the export's connections are empty: the order of its steps is not known",
            )
            return
        for source, entry in self.connections.items():
            at = pointer("connections", source)
            if source not in self.nodes:
                yield at, f"connections name a node {source[:60]!r} the export does not have"
                continue
            for port, targets in _ports(entry):
                for k, target in enumerate(targets):
                    name = target.get("node") if isinstance(target, dict) else None
                    if isinstance(name, str) and name not in self.nodes:
                        where = f"{at}/main/{port}/{k}/node"
                        yield (
                            where,
                            f"a connection leads to a node {name[:60]!r} the export does not have",
                        )


def _ports(entry: object) -> Iterator[tuple[int, list[object]]]:
    main = entry.get("main") if isinstance(entry, dict) else None
    for port, targets in enumerate(main if isinstance(main, list) else []):
        if isinstance(targets, list):
            yield port, targets


def _position(node: Node) -> tuple[float, float]:
    position = node.get("position")
    if isinstance(position, list) and len(position) == 2:
        x, y = position
        if isinstance(x, int | float) and isinstance(y, int | float):
            return float(x), float(y)
    return 0.0, 0.0
