"""Run every fuzz target (``fuzz/fuzz_*.py``) for a set time, one after the other, and print
what each did: executions, coverage, and the crashes it found.

Each target runs in its own process (libFuzzer through atheris), from its seed corpus
(``fuzz/corpus/<target>``) plus a work corpus that grows as the fuzzer finds new paths. An
input that raises anything but a ``StationsimError``, runs longer than ``--input-timeout``
seconds or takes more than ``--rss-limit-mb`` of memory is a crash: libFuzzer writes it to
``<work>/<target>/crashes/`` (``crash-*``, ``timeout-*``, ``oom-*``) and stops, and the target
is started again for the rest of its time, unless the same crash came back
``--same-crash-limit`` times. Crashes are told apart by exception type and the last
stationsim frame of their traceback.

The work folder (default: ``stationsim-fuzz`` in the system's temporary folder) keeps the
corpora, crash inputs, logs and ``summary.json``; it is never inside the repository.

Usage: ``python fuzz/run_all.py [--seconds 120] [--targets tle,omm] [--work DIR]``.
Exit status 1 if any target crashed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
DICTIONARY = HERE / "fuzz.dict"
_ARTIFACTS = ("crash-", "timeout-", "oom-", "leak-")


@dataclass
class Crash:
    """One distinct crash: what it was, where, how often it came back, and an input."""

    kind: str  # exception type, or libFuzzer's "timeout" / "out-of-memory"
    where: str  # file:line of the last stationsim frame, or "" if none
    message: str
    input_file: str
    times: int = 1


@dataclass
class Result:
    """The record of one target's run."""

    target: str
    seconds: float = 0.0
    runs: int = 0
    starts: int = 0
    coverage: int = 0  # libFuzzer's "cov": instrumented edges reached
    features: int = 0  # libFuzzer's "ft"
    corpus: int = 0
    crashes: list[Crash] = field(default_factory=list)


def targets() -> list[str]:
    return sorted(path.stem.removeprefix("fuzz_") for path in HERE.glob("fuzz_*.py"))


def _max_len(target: str) -> int:
    """Room for inputs twice the largest seed (at least 8 KiB), at most 64 KiB."""
    sizes = [path.stat().st_size for path in (CORPUS / target).iterdir()]
    return min(max(8192, 2 * max(sizes, default=0)), 65536)


def _signature(log: str) -> tuple[str, str, str] | None:
    """(kind, where, message) of the crash a libFuzzer log reports, or None."""
    if "=== Uncaught Python exception: ===" in log:
        tail = log.split("=== Uncaught Python exception: ===", 1)[1].strip().splitlines()
        message = tail[0] if tail else "?"
        frames = re.findall(r'File "([^"]*stationsim[^"]*)", line (\d+)', "\n".join(tail))
        frames = [f for f in frames if "/fuzz/" not in f[0]]
        where = f"{Path(frames[-1][0]).name}:{frames[-1][1]}" if frames else ""
        return message.split(":", 1)[0], where, message[:200]
    if "ERROR: libFuzzer: timeout" in log:
        return "timeout", "", "an input ran longer than the time limit"
    if "ERROR: libFuzzer: out-of-memory" in log:
        return "out-of-memory", "", "an input used more memory than the limit"
    if "ERROR: libFuzzer" in log:
        match = re.search(r"ERROR: libFuzzer: (.*)", log)
        return "libFuzzer", "", match.group(1) if match else "?"
    return None


def _numbers(log: str, result: Result) -> int:
    """Add a log's figures to ``result``; the runs it reports."""
    runs = [int(n) for n in re.findall(r"stat::number_of_executed_units: (\d+)", log)]
    runs = runs or [int(n) for n in re.findall(r"^#(\d+)\s", log, re.MULTILINE)][-1:]
    for cov, ft, corp in re.findall(r"cov: (\d+) ft: (\d+) corp: (\d+)", log):
        result.coverage = max(result.coverage, int(cov))
        result.features = max(result.features, int(ft))
        result.corpus = max(result.corpus, int(corp))
    return runs[-1] if runs else 0


def run_target(target: str, seconds: float, work: Path, *, input_timeout: int,
               rss_limit_mb: int, same_crash_limit: int) -> Result:
    """Fuzz one target for ``seconds`` in all (restarting it after each crash)."""
    folder = work / target
    corpus, crashes, logs = folder / "corpus", folder / "crashes", folder / "logs"
    for path in (corpus, crashes, logs):
        path.mkdir(parents=True, exist_ok=True)
    result = Result(target)
    started = time.monotonic()
    while (left := seconds - (time.monotonic() - started)) >= 2.0:
        before = {p.name for p in crashes.iterdir()}
        command = [sys.executable, str(HERE / f"fuzz_{target}.py"), str(corpus),
                   str(CORPUS / target), f"-max_total_time={int(left)}",
                   f"-artifact_prefix={crashes}/", f"-timeout={input_timeout}",
                   f"-rss_limit_mb={rss_limit_mb}", f"-max_len={_max_len(target)}",
                   "-print_final_stats=1"]
        if DICTIONARY.exists():
            command.append(f"-dict={DICTIONARY}")
        result.starts += 1
        log_file = logs / f"run-{result.starts}.log"
        try:
            done = subprocess.run(command, cwd=folder, capture_output=True, text=True,
                                  errors="replace", timeout=left + 120, check=False)
            log = done.stdout + done.stderr
        except subprocess.TimeoutExpired as exc:
            log = f"{exc.stdout or ''}{exc.stderr or ''}\nrun_all: the target did not stop"
        log_file.write_text(log, encoding="utf-8")
        result.runs += _numbers(log, result)
        new = sorted(p for p in crashes.iterdir()
                     if p.name not in before and p.name.startswith(_ARTIFACTS))
        signature = _signature(log)
        if signature is None and not new:
            break  # ran its time out
        kind, where, message = signature or ("unknown", "", f"see {log_file}")
        known = next((c for c in result.crashes if (c.kind, c.where) == (kind, where)), None)
        if known is not None:
            known.times += 1
            if known.times >= same_crash_limit:
                break
        else:
            result.crashes.append(Crash(kind, where, message, str(new[0]) if new else ""))
    result.seconds = round(time.monotonic() - started, 1)
    return result


def table(results: list[Result]) -> str:
    head = f"{'target':<15}{'runs':>11}{'seconds':>9}{'cov':>7}{'ft':>7}{'corpus':>8}{'crashes':>9}"
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(f"{r.target:<15}{r.runs:>11}{r.seconds:>9.0f}{r.coverage:>7}"
                     f"{r.features:>7}{r.corpus:>8}{len(r.crashes):>9}")
    for r in results:
        for c in r.crashes:
            lines.append(f"  {r.target}: {c.kind} at {c.where or '?'} (x{c.times}): "
                         f"{c.message}\n    input: {c.input_file}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0,
                        help="time per target (default 120)")
    parser.add_argument("--targets", default="",
                        help="comma-separated targets (default all: " + ", ".join(targets())
                        + ")")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "stationsim-fuzz",
                        help="folder for corpora, crash inputs and logs")
    parser.add_argument("--input-timeout", type=int, default=10,
                        help="seconds one input may take before it counts as a hang")
    parser.add_argument("--rss-limit-mb", type=int, default=2048,
                        help="memory a target may use before it counts as a crash")
    parser.add_argument("--same-crash-limit", type=int, default=3,
                        help="stop restarting a target when one crash came back this often")
    args = parser.parse_args(argv)
    chosen = [t.strip() for t in args.targets.split(",") if t.strip()] or targets()
    unknown = sorted(set(chosen) - set(targets()))
    if unknown:
        parser.error(f"unknown targets: {', '.join(unknown)}")
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    for target in chosen:
        print(f"fuzzing {target} for {args.seconds:g} s ...", flush=True)
        results.append(run_target(target, args.seconds, args.work,
                                  input_timeout=args.input_timeout,
                                  rss_limit_mb=args.rss_limit_mb,
                                  same_crash_limit=args.same_crash_limit))
    (args.work / "summary.json").write_text(
        json.dumps([asdict(r) for r in results], indent=1) + "\n", encoding="utf-8")
    print(table(results))
    print(f"work folder: {args.work}")
    return 1 if any(r.crashes for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
