"""The attachment graph: which part hangs at which port of which other part.

A station is a tree: one root part, and every other part attached by exactly one link
``(parent, port) -> child``. A port holds at most one part. Cutting one link splits the tree
into two trees, which is what undocking a vehicle or separating a segment does. The functions
here work on names and links only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from stationsim.station.parts import ConfigurationError

__all__ = ["Link", "TreeError", "components", "descendants", "path_between", "validate_tree"]


class TreeError(ConfigurationError):
    """Links that do not form a tree; ``part`` names the part where it shows."""

    def __init__(self, message: str, *, part: str, expected: str | None = None,
                 found: str | None = None) -> None:
        self.part = part
        super().__init__(message, expected=expected, found=found)


@dataclass(frozen=True)
class Link:
    """``child`` is attached at port ``port`` of ``parent``."""

    parent: str
    port: str
    child: str

    @property
    def where(self) -> str:
        """``"Parent.port"``: the port's full name."""
        return f"{self.parent}.{self.port}"


def validate_tree(names: Sequence[str], links: Iterable[Link], *,
                  one_per_port: bool = True) -> str:
    """Check that the links join the named parts into one tree; return the root's name.

    ``one_per_port=False`` lets several parts share a port (a record of different times).

    Raises:
        TreeError: a link to an unknown part, a part with two parents, a port used twice, a
            cycle, or parts not joined to the rest.
    """
    known = set(names)
    parent_of: dict[str, Link] = {}
    used: dict[tuple[str, str], str] = {}
    for link in links:
        for end in (link.parent, link.child):
            if end not in known:
                raise TreeError(f"link {link.where} -> {link.child} names an unknown part",
                                part=link.child, found=repr(end))
        if link.child == link.parent:
            raise TreeError(f"{link.child} is attached to itself", part=link.child)
        if link.child in parent_of:
            raise TreeError(f"{link.child} is attached twice",
                            part=link.child, expected="one parent",
                            found=f"{parent_of[link.child].where} and {link.where}")
        key = (link.parent, link.port)
        if one_per_port and key in used:
            raise TreeError(f"port {link.where} holds two parts", part=link.child,
                            expected="one part per port", found=f"{used[key]} and {link.child}")
        parent_of[link.child] = link
        used[key] = link.child
    for name in names:  # follow parents upward; a cycle never reaches a root
        seen = [name]
        current = name
        while current in parent_of:
            current = parent_of[current].parent
            if current in seen:
                loop = [*seen[seen.index(current):], current]
                raise TreeError("the attachments form a cycle: " + " -> ".join(loop),
                                part=name, expected="a tree (no part attached, through "
                                "others, to itself)")
            seen.append(current)
    roots = [name for name in names if name not in parent_of]
    if len(roots) != 1:
        raise TreeError("the parts do not form one station", part=roots[-1] if roots else "",
                        expected="exactly one part attached to nothing",
                        found=", ".join(roots) if roots else "none")
    return roots[0]


def descendants(links: Iterable[Link], name: str) -> set[str]:
    """``name`` and every part attached below it."""
    below: dict[str, list[str]] = {}
    for link in links:
        below.setdefault(link.parent, []).append(link.child)
    out = {name}
    stack = [name]
    while stack:
        for child in below.get(stack.pop(), []):
            if child not in out:
                out.add(child)
                stack.append(child)
    return out


def components(names: Iterable[str], links: Iterable[Link]) -> list[set[str]]:
    """The connected pieces (links taken both ways), largest first."""
    neighbours: dict[str, set[str]] = {name: set() for name in names}
    for link in links:
        if link.parent in neighbours and link.child in neighbours:
            neighbours[link.parent].add(link.child)
            neighbours[link.child].add(link.parent)
    left = set(neighbours)
    out: list[set[str]] = []
    while left:
        start = min(left)
        piece = {start}
        stack = [start]
        while stack:
            for other in neighbours[stack.pop()]:
                if other not in piece:
                    piece.add(other)
                    stack.append(other)
        out.append(piece)
        left -= piece
    out.sort(key=lambda piece: (-len(piece), min(piece)))
    return out


def path_between(links: Iterable[Link], start: str, end: str) -> list[str]:
    """The parts from ``start`` to ``end`` along the tree (empty when not joined)."""
    neighbours: dict[str, set[str]] = {}
    for link in links:
        neighbours.setdefault(link.parent, set()).add(link.child)
        neighbours.setdefault(link.child, set()).add(link.parent)
    previous: dict[str, str | None] = {start: None}
    queue = [start]
    while queue:
        current = queue.pop(0)
        if current == end:
            out = [current]
            while (step := previous[out[-1]]) is not None:
                out.append(step)
            return out[::-1]
        for other in sorted(neighbours.get(current, ())):
            if other not in previous:
                previous[other] = current
                queue.append(other)
    return []
