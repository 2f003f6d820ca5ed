"""The built-in scenarios: TOML files in ``bundled/scenarios/`` (see its README), found here and
parsed by :func:`stationsim.scenario.parse_scenario`.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache

from stationsim.data.loader import bundled_file
from stationsim.errors import InputError

__all__ = ["SCENARIO_DIR", "builtin_scenario_text", "builtin_scenarios"]

#: The folder of the built-in scenario files, relative to ``bundled/``.
SCENARIO_DIR = "scenarios"


@lru_cache(maxsize=1)
def _files() -> dict[str, str]:
    """Name (file stem) -> file name of every built-in scenario, sorted by name."""
    folder = bundled_file(SCENARIO_DIR)
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".toml"))
    return {name.removesuffix(".toml"): name for name in names}


def builtin_scenarios() -> dict[str, str]:
    """Name -> one-line title of every built-in scenario."""
    out = {}
    for name in _files():
        text, _ = builtin_scenario_text(name)
        title = tomllib.loads(text).get("title", "")
        out[name] = title if isinstance(title, str) else ""
    return out


def builtin_scenario_text(name: str) -> tuple[str, str]:
    """The text of the built-in scenario ``name`` and its source name for messages
    (``scenarios/<name>.toml``).

    Raises:
        InputError: no built-in scenario of that name (the message lists them).
    """
    files = _files()
    if name not in files:
        raise InputError(f"no built-in scenario named {name!r}",
                         expected="one of " + ", ".join(files), found=repr(name))
    source = f"{SCENARIO_DIR}/{files[name]}"
    return bundled_file(source).read_text(encoding="utf-8"), source
