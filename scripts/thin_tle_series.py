"""Thin a Space-Track GP history (CSV, or the JSON list of the same records; ``TLE_LINE0..2``
columns) to one element set a day.

Writes the three-line sets, sorted by epoch, keeping a set only when it is at least
``--hours`` (default 20) after the last one kept, so that a year and a half of a decaying
object fits in the test data. Usage::

    python scripts/thin_tle_series.py SOURCE.csv|SOURCE.json OUTPUT.tle [--hours H]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", type=Path)
    ap.add_argument("output", type=Path)
    ap.add_argument("--hours", type=float, default=20.0)
    args = ap.parse_args()
    if args.source.suffix.lower() == ".json":
        rows = json.loads(args.source.read_text())
    else:
        with args.source.open(newline="") as f:
            rows = list(csv.DictReader(f))
    sets = []
    for row in rows:
        when = dt.datetime.fromisoformat(row["EPOCH"]) + dt.timedelta(
            microseconds=int(row.get("EPOCH_MICROSECONDS") or 0))
        sets.append((when, row["TLE_LINE0"][2:].strip(), row["TLE_LINE1"].strip(),
                     row["TLE_LINE2"].strip()))
    sets.sort()
    kept: list[tuple[dt.datetime, str, str, str]] = []
    for s in sets:
        if not kept or (s[0] - kept[-1][0]).total_seconds() >= args.hours * 3600.0:
            kept.append(s)
    args.output.write_text("".join(f"{name}\n{one}\n{two}\n" for _, name, one, two in kept))
    print(f"{args.output}: {len(kept)} of {len(sets)} sets, "
          f"{kept[0][0]:%Y-%m-%d} to {kept[-1][0]:%Y-%m-%d}")


if __name__ == "__main__":
    main()
