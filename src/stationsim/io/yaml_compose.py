"""YAML text to PyYAML's node tree (safe loader, marks kept), with every way the reading can
fail turned into the caller's own error type, naming the line and column where PyYAML knows
them: a syntax error, a character YAML does not allow, anything else PyYAML raises, and
nesting too deep for the reader's recursion."""

from __future__ import annotations

import yaml

from stationsim.errors import InputError

__all__ = ["compose_yaml"]


def compose_yaml(text: str, source: str, error: type[InputError]) -> yaml.Node | None:
    """The node tree of ``text`` (``None`` for an empty document); failures raise ``error``."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise error(f"not valid YAML: {exc.problem or exc.context}", source=source,
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow; no mark
        before = (text[:exc.position] + "^").splitlines()
        raise error("not valid YAML: a character YAML does not allow",
                    source=source, line=len(before), column=len(before[-1]),
                    expected="printable characters",
                    found=f"U+{exc.character:04X}" if isinstance(exc.character, int)
                    else repr(exc.character)) from None
    except yaml.YAMLError as exc:
        raise error(f"not valid YAML: {exc}", source=source) from None
    except RecursionError:
        raise error("not valid YAML: nested too deeply", source=source) from None
