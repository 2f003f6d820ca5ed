"""A small, safe XML reader for the CCSDS messages (OMM, OEM): text to a tree of elements.

The standard library's expat parser does the reading. Document type declarations (and so
entity definitions) are refused, which rules out entity-expansion and external-entity attacks.
The text is decoded already, so a declared encoding is ignored. Element names lose their
namespace prefix; each element keeps its attributes, its text and its line in the source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.parsers import expat

from stationsim.errors import InputError

__all__ = ["XmlNode", "read_xml_tree", "walk"]


@dataclass
class XmlNode:
    """One element: local name (no namespace prefix), attributes, line, text, children."""

    tag: str
    attrs: dict[str, str]
    line: int
    text: str = ""
    children: list[XmlNode] = field(default_factory=list)


def read_xml_tree(text: str, source: str, offset: int, error: type[InputError]) -> XmlNode:
    """The root element of ``text``; lines are counted from ``offset + 1``. Malformed XML and
    a document type declaration raise ``error`` with the line, column and what was found."""
    parser = expat.ParserCreate("utf-8")  # the text is decoded already: ignore its declaration
    stack: list[XmlNode] = []
    root: list[XmlNode] = []

    def refuse(*_args: object) -> None:
        raise error("XML with a document type declaration (DOCTYPE) is refused",
                    source=source, line=parser.CurrentLineNumber + offset,
                    expected="plain XML without <!DOCTYPE> or entities", found="<!DOCTYPE")

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = XmlNode(tag.rsplit(":", 1)[-1], attrs, parser.CurrentLineNumber + offset)
        (stack[-1].children if stack else root).append(node)
        stack.append(node)

    def end(_tag: str) -> None:
        stack.pop()

    def chars(data: str) -> None:
        if stack:
            stack[-1].text += data

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(text.encode("utf-8", "surrogatepass"), True)
    except expat.ExpatError as exc:
        lines = text.splitlines() or [""]
        line = lines[max(min(exc.lineno, len(lines)), 1) - 1]
        raise error(f"malformed XML ({expat.ErrorString(exc.code)})", source=source,
                    line=exc.lineno + offset, column=exc.offset + 1,
                    expected="well-formed XML", found=repr(line[exc.offset:][:30])) from None
    return root[0]


def walk(node: XmlNode) -> Iterable[XmlNode]:
    """The node and all below it, in document order; a loop, not recursion, so that deeply
    nested XML cannot exhaust the stack."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))
