"""Benchmark driver: stationsim against its peers, same cases, same machine, one run.

Steps (all relative to the repository root, which is the working directory of ``make bench``):

1. ``benchmarks/.peers-venv``: a virtual environment holding the peer tools, installed from PyPI
   as ``../shared/bench-peers/README.md`` describes; ``benchmarks/.peers-data``: the offline data
   the peers need, prepared with that folder's ``make_*.py`` scripts and ``javac``.
2. Rounds of fresh processes, tools interleaved within each round: the peer scripts
   ``../shared/bench-peers/bench_*.py CASE`` with the peers' Python and
   ``benchmarks/bench_stationsim.py CASE`` with the project's own Python.
3. ``benchmarks/results/latest.jsonl`` (raw records) and ``docs/benchmarks.md`` (tables, ratios,
   targets).

usage: python benchmarks/run.py [--rounds N] [--cases A,B,C,D,ENS] [--quick] [--setup-only]
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
PEERS_REL = "../shared/bench-peers"          # the repository is checked out next to ``shared``
PEERS = (ROOT / PEERS_REL).resolve()
PEERS_VENV = BENCH / ".peers-venv"
PEERS_DATA = BENCH / ".peers-data"
RESULTS = BENCH / "results" / "latest.jsonl"
DOC = ROOT / "docs" / "benchmarks.md"
OWN_PY = sys.executable                      # the project's .venv python (make bench uses it)
PEER_PACKAGES = ["numpy", "scipy", "heyoka", "satkit", "satkit-data", "orekit-jpype", "sgp4", "pymsis"]


#: pymsis's cost per point (NRLMSIS 2.1), measured alike with 96, 1,000 and 20,000 points
#: per call on the benchmark machine.
PYMSIS_S_PER_POINT = 7.0e-6


def _msis_share(engine: list[dict]) -> str:
    """Where the lone member's time goes: its MSIS points against its whole time."""
    shares = [PYMSIS_S_PER_POINT * r["engine_density_samples"] / r["engine_s"]
              for r in engine if r.get("engine_density_samples") and r.get("engine_s")]
    if not shares:
        return ""
    return (f"The atmosphere model costs about {1e6 * PYMSIS_S_PER_POINT:.0f} µs a point "
            f"through pymsis: the table's points are {100 * min(shares):.0f}-"
            f"{100 * max(shares):.0f} % of the engine's time in these cases; the rest is the "
            "reference revolution (two drag-free revolutions of the full force model, about "
            "3 ms once its integrator is built), the Earth orientation of the samples and the "
            "steps.")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def peers_python() -> Path:
    return PEERS_VENV / "bin" / "python"


# --------------------------------------------------------------------------------------------
# 1. peer environment
# --------------------------------------------------------------------------------------------
def ensure_peers_venv() -> float | None:
    """Create the peers' venv when missing; returns the install time in seconds (None if present)."""
    py = peers_python()
    marker = PEERS_VENV / ".installed"
    if py.exists() and marker.exists():
        return None
    log(f"creating {PEERS_VENV.relative_to(ROOT)} and installing {' '.join(PEER_PACKAGES)} from PyPI")
    t0 = time.perf_counter()
    base = getattr(sys, "_base_executable", None) or sys.executable
    subprocess.run([base, "-m", "venv", str(PEERS_VENV)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", *PEER_PACKAGES], check=True)
    dt = time.perf_counter() - t0
    marker.write_text(json.dumps({"install_s": dt, "date": _dt.datetime.now().isoformat(timespec="seconds")}))
    log(f"peers installed in {dt:.0f} s")
    return dt


def peers_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PEERS_PYTHON"] = str(peers_python())
    env["PEERS_DATA"] = str(PEERS_DATA)
    return env


def ensure_peers_data() -> float | None:
    """Run the README's data-preparation steps into benchmarks/.peers-data (once)."""
    marker = PEERS_DATA / ".prepared"
    if marker.exists():
        return None
    t0 = time.perf_counter()
    PEERS_DATA.mkdir(parents=True, exist_ok=True)
    py, env = str(peers_python()), peers_env()
    steps = [
        [py, "make_orekit_data.py", str(PEERS_DATA / "orekit-data-min")],
        [py, "make_satkit_eop.py", str(PEERS_DATA / "satkit-data-offline")],
        [py, "make_satkit_sw.py", str(PEERS_DATA / "satkit-sw-const.txt")],
    ]
    for cmd in steps:
        log("data: " + " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd)))
        subprocess.run(cmd, cwd=PEERS, env=env, check=True, stdout=subprocess.DEVNULL)
    jars = subprocess.run([py, "-c", "import orekit_jpype, os; print(os.path.dirname(orekit_jpype.__file__))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    javac = shutil.which("javac")
    if javac is None:
        raise SystemExit("bench: javac not found; it is needed to compile the peers' Orekit helper class")
    log("data: javac ConstantMsisInputs.java")
    subprocess.run([javac, "-d", str(PEERS_DATA / "peers-java"), "-cp", os.path.join(jars, "jars", "*"),
                    "javasrc/ConstantMsisInputs.java"], cwd=PEERS, check=True)
    dt = time.perf_counter() - t0
    marker.write_text(json.dumps({"prepare_s": dt}))
    return dt


# --------------------------------------------------------------------------------------------
# 2. the jobs: fresh processes, interleaved in rounds
# --------------------------------------------------------------------------------------------
class Job:
    """One process: a peer script (run from the peers' folder with the peers' Python), a peer
    script with its span or batch size changed from outside (through ``peer_wrap.py``), or
    ``bench_stationsim.py`` with the project's Python."""

    def __init__(self, tool: str, case: str, script: str, args: str = "", *, variant: str = "",
                 span_days: float | None = None, simd: int | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.tool, self.case, self.script, self.args = tool, case, script, args
        self.variant, self.span_days, self.simd, self.env = variant, span_days, simd, env or {}

    @property
    def own(self) -> bool:
        return self.script == "bench_stationsim.py"

    @property
    def key(self) -> str:
        return f"{self.tool}|{self.case}|{self.variant}"

    def command(self) -> tuple[list[str], Path, dict[str, str]]:
        if self.own:
            return ([OWN_PY, str(BENCH / self.script), *self.args.split()], ROOT,
                    {**os.environ, **self.env})
        py = str(peers_python())
        wrap = []
        if self.span_days is not None:
            wrap += ["--days", f"{self.span_days:g}"]
        if self.simd is not None:
            wrap += ["--simd", str(self.simd)]
        if wrap:
            cmd = [py, str(BENCH / "peer_wrap.py"), *wrap, self.script, *self.args.split()]
        else:
            cmd = [py, self.script, *self.args.split()]
        return cmd, PEERS, {**peers_env(), **self.env}


def round_jobs(cases: list[str]) -> list[Job]:
    """The jobs repeated in every round, tools interleaved per case."""
    per_case = {
        "A": [Job("heyoka", "A", "bench_heyoka.py", "A"), Job("scipy", "A", "bench_scipy.py", "A"),
              Job("orekit", "A", "bench_orekit.py", "A"), Job("satkit", "A", "bench_satkit.py", "A"),
              Job("stationsim", "A", "bench_stationsim.py", "A")],
        "B": [Job("heyoka", "B", "bench_heyoka.py", "B"), Job("scipy", "B", "bench_scipy.py", "B"),
              Job("orekit", "B", "bench_orekit.py", "B"), Job("stationsim", "B", "bench_stationsim.py", "B")],
        "C": [Job("heyoka", "C", "bench_heyoka.py", "C"), Job("scipy", "C", "bench_scipy.py", "C"),
              Job("orekit", "C", "bench_orekit.py", "C"),
              Job("satkit", "C", "bench_satkit.py", "C 1e-8 sw15", variant="Ap 15"),
              Job("stationsim", "C", "bench_stationsim.py", "C"),
              Job("stationsim", "C", "bench_stationsim.py", "C2", variant="MSIS 2.1")],
        "D": [Job("heyoka", "D", "bench_heyoka.py", "D"), Job("scipy", "D", "bench_scipy.py", "D"),
              Job("orekit", "D", "bench_orekit.py", "D"),
              Job("satkit", "D", "bench_satkit.py", "D 1e-8 sw15", variant="C forces, Ap 15, chunked"),
              Job("stationsim", "D", "bench_stationsim.py", "D")],
        "ENS": [Job("heyoka", "ENS", "bench_heyoka.py", "ENS", variant="threads"),
                Job("heyoka", "ENS", "bench_heyoka.py", "ENSB", variant="SIMD batch 4", simd=4),
                Job("scipy", "ENS", "bench_scipy.py", "ENS"),
                Job("stationsim", "ENS", "bench_stationsim.py", "ENS")],
    }
    return [j for c in cases for j in per_case[c]]


def once_jobs(cases: list[str], quick: bool) -> list[Job]:
    """Run once: references, one-day runs, cold compiles, diagnostic variants, slow loops."""
    jobs: list[Job] = []
    for c in ("A", "B"):
        if c not in cases:
            continue
        jobs += [Job("heyoka", c, "bench_heyoka.py", f"{c} 1e-15", variant="tol 1e-15"),
                 Job("heyoka", c, "bench_heyoka.py", f"{c} 1e-15", variant="tol 1e-15, 1 d", span_days=1),
                 Job("heyoka", c, "bench_heyoka.py", c, variant="1 d", span_days=1),
                 Job("scipy", c, "bench_scipy.py", c, variant="1 d", span_days=1),
                 Job("orekit", c, "bench_orekit.py", c, variant="1 d", span_days=1),
                 Job("stationsim", c, "bench_stationsim.py", f"{c} --days 1", variant="1 d"),
                 Job("stationsim", c, "bench_stationsim.py", f"{c} 1e-9", variant="tol 1e-9"),
                 Job("stationsim", c, "bench_stationsim.py", f"{c} --cold", variant="cold JIT")]
    if "A" in cases or "B" in cases:
        jobs.append(Job("stationsim", "CAL", "bench_stationsim.py", "CAL"))
    if "B" in cases:
        jobs.append(Job("stationsim", "DIAG", "bench_stationsim.py", "DIAG"))
    if "C" in cases:
        jobs += [Job("stationsim", "C", "bench_stationsim.py", "C --daily-ap", variant="daily Ap"),
                 Job("stationsim", "C", "bench_stationsim.py", "C", variant="OPENBLAS_NUM_THREADS=1",
                     env={"OPENBLAS_NUM_THREADS": "1"}),
                 Job("stationsim", "C", "bench_stationsim.py", "C --cold", variant="cold JIT")]
    if "D" in cases:
        jobs += [Job("heyoka", "D", "bench_heyoka.py", "D 1e-15", variant="tol 1e-15"),
                 Job("stationsim", "D", "bench_stationsim.py", "D 1e-9", variant="tol 1e-9"),
                 Job("stationsim", "D", "bench_stationsim.py", "D --cold", variant="cold JIT")]
    if "ENS" in cases:
        # the unchanged script, whose batch size may not divide the 100 members on this machine
        jobs.append(Job("heyoka", "ENS", "bench_heyoka.py", "ENSB", variant="SIMD batch, recommended size"))
    if "ENS" in cases and not quick:
        jobs += [Job("orekit", "ENS", "bench_orekit.py", "ENS", variant="sequential loop"),
                 Job("satkit", "ENS", "bench_satkit.py", "ENS 1e-8 sw15", variant="J2 + MSIS Ap 15, loop")]
    return jobs


def _relative(text: str) -> str:
    """Machine paths out of error messages (the results file is committed)."""
    for path, name in ((str(PEERS), PEERS_REL), (str(ROOT), "."), (str(Path.home()), "~")):
        text = text.replace(path, name)
    return text


def run_job(job: Job, rep: str, out) -> list[dict]:
    cmd, cwd, env = job.command()
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        stdout, stderr, rc = p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired as exc:
        stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        stderr, rc = "timed out after 900 s", -1
    wall = time.perf_counter() - t0
    recs = [json.loads(line[7:]) for line in stdout.splitlines() if line.startswith("RESULT ")]
    if not recs:
        recs = [dict(error=_relative((stderr or stdout)[-1500:]), returncode=rc)]
    for r in recs:
        r.update(job_tool=job.tool, job_case=job.case, variant=job.variant, script=job.script,
                 args=job.args, span_days=job.span_days, rep=rep, process_wall_s=wall,
                 loadavg=open("/proc/loadavg").read().split()[:3])
        out.write(json.dumps(r) + "\n")
    out.flush()
    shown = recs[0].get("run_s")
    status = f"{shown:.4g} s" if isinstance(shown, float) else ("ERROR" if "error" in recs[0] else "ok")
    log(f"[{rep}] {job.tool:10s} {job.case:4s} {job.variant or '':28s} {status}  (process {wall:.1f} s)")
    return recs


# --------------------------------------------------------------------------------------------
# 3. machine, versions
# --------------------------------------------------------------------------------------------
def machine_info() -> dict:
    info: dict = {"cores": os.cpu_count()}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        models = [ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")]
        info["cpu"] = models[0] if models else platform.processor()
        flags = next((ln for ln in cpuinfo.splitlines() if ln.startswith("flags")), "")
        info["avx512"] = " avx512f" in flags
    except OSError:
        info["cpu"] = platform.processor()
    try:
        mem = next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
        info["memory_gib"] = round(int(mem.split()[1]) / 2 ** 20, 1)
    except (OSError, StopIteration):
        pass
    try:
        rel = dict(ln.split("=", 1) for ln in Path("/etc/os-release").read_text().splitlines() if "=" in ln)
        info["os"] = rel.get("PRETTY_NAME", "").strip('"')
    except OSError:
        info["os"] = platform.platform()
    info["kernel"] = platform.release()
    info["python"] = platform.python_version()
    java = shutil.which("java")
    if java:
        p = subprocess.run([java, "-version"], capture_output=True, text=True)
        info["java"] = (p.stderr or p.stdout).splitlines()[0] if (p.stderr or p.stdout) else "?"
    return info


_VERSION_SNIPPET = ("import json, importlib.metadata as m\n"
                    "out = {}\n"
                    "for p in %r:\n"
                    "    try: out[p] = m.version(p)\n"
                    "    except m.PackageNotFoundError: pass\n"
                    "print(json.dumps(out))")


def versions() -> dict:
    peers = [*PEER_PACKAGES, "JPype1"]
    own = ["stationsim", "heyoka", "numpy", "scipy", "pymsis", "pyerfa"]
    out = {}
    for label, py, pkgs in (("peers", str(peers_python()), peers), ("stationsim", OWN_PY, own)):
        p = subprocess.run([py, "-c", _VERSION_SNIPPET % (pkgs,)], capture_output=True, text=True)
        out[label] = json.loads(p.stdout) if p.returncode == 0 else {"error": p.stderr[-300:]}
    p = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    out["stationsim_commit"] = p.stdout.strip() if p.returncode == 0 else "?"
    p = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True)
    out["src_changes"] = [ln[3:] for ln in p.stdout.splitlines()] if p.returncode == 0 else []
    p = subprocess.run([OWN_PY, "-c", "import heyoka as h; s=h.llvm_state; "
                        "print(s.get_diskcache_enabled(), s.get_diskcache_size())"],
                       capture_output=True, text=True)
    if p.returncode == 0:
        enabled, size = p.stdout.split()
        out["heyoka_diskcache"] = dict(enabled=enabled == "True", size_mb=round(int(size) / 2 ** 20, 1))
    return out


# --------------------------------------------------------------------------------------------
# 4. the report
# --------------------------------------------------------------------------------------------
CASE_TITLES = {
    "A": "A: two-body + J2 about inertial +z, 30 days",
    "B": "B: A + drag, static exponential density over a sphere, 30 days",
    "C": "C: gravity 8×8 + NRLMSISE-00 (F10.7 = F10.7a = 150, Ap = 15), 30 days",
    "D": "D: case B forces until |r| − R < 120 km (lifetime)",
    "ENS": "ENS: 100 members of case B, A/m spread ±20 %, 30 days",
}
TOOL_NOTES = {
    ("heyoka", "C"): "EGM2008 8×8 + thermoNET (neural NRLMSISE-00)",
    ("scipy", "C"): "zonals J2..J6 + pymsis NRLMSISE-00",
    ("orekit", "C"): "EGM96 8×8 + NRLMSISE00",
    ("satkit", "C"): "EGM2008 8×8 + own NRLMSISE-00",
    ("stationsim", "C"): "EGM96 8×8 + NRLMSISE-00 by density fit",
    ("satkit", "A"): "J2 about the ITRF pole (frame differs)",
    ("satkit", "D"): "case C forces, chunked restarts",
}


class Results:
    def __init__(self, records: list[dict]) -> None:
        self.records = records
        self.groups: dict[str, list[dict]] = {}
        self.errors = [r for r in records if "error" in r]
        for r in records:
            if "error" not in r:
                self.groups.setdefault(f"{r['job_tool']}|{r['job_case']}|{r['variant']}", []).append(r)

    def get(self, tool: str, case: str, variant: str = "") -> list[dict]:
        return self.groups.get(f"{tool}|{case}|{variant}", [])

    @staticmethod
    def med(recs: list[dict], key: str) -> float | None:
        vals = [r[key] for r in recs if isinstance(r.get(key), (int, float))]
        return statistics.median(vals) if vals else None

    def run(self, tool: str, case: str, variant: str = "") -> float | None:
        return self.med(self.get(tool, case, variant), "run_s")

    def pos(self, tool: str, case: str, variant: str = "") -> np.ndarray | None:
        recs = self.get(tool, case, variant)
        return np.array(recs[0]["pos_m"]) if recs and "pos_m" in recs[0] else None


def fmt(v: float | None, spec: str = ".3g", none: str = "—") -> str:
    return none if v is None else format(v, spec)


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def result_text(recs: list[dict]) -> str:
    r0 = recs[0]
    if "lifetime_days" in r0:
        return f"lifetime {Results.med(recs, 'lifetime_days'):.2f} d"
    if "a_minus_re_km_min" in r0:
        return f"a−R {r0['a_minus_re_km_min']:.2f}–{r0['a_minus_re_km_max']:.2f} km"
    if "a_minus_re_km" in r0:
        return f"a−R {r0['a_minus_re_km']:.3f} km (alt {r0['alt_km']:.3f} km)"
    return ""


def setup_text(recs: list[dict]) -> str:
    parts = []
    for key, label in (("compile_s", "JIT"), ("warmup_s", "warm-up"), ("setup_s", "setup")):
        v = Results.med(recs, key)
        if v is not None:
            parts.append(f"{label} {v:.3g}")
    return ", ".join(parts)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**pass**" if ok else "**FAIL**")


def write_report(res: Results, meta: dict) -> str:
    L: list[str] = []
    add = L.append
    m, v = meta["machine"], meta["versions"]
    add("# Benchmarks: stationsim against its peers")
    add("")
    add(f"Generated by `make bench` (`benchmarks/run.py {meta['argv']}`) on {meta['date']}; "
        f"{meta['rounds']} round(s) of cases {', '.join(meta['cases'])}, wall time of the whole run "
        f"{meta['total_s'] / 60:.1f} min. Raw records: `benchmarks/results/latest.jsonl`. How it works: "
        "`benchmarks/README.md`.")
    add("")
    add("Every (tool, case) is a fresh process; the tools are interleaved within each round so that the "
        "machine's noise hits them alike. Times are medians over the rounds of the propagation alone "
        "(`run_s`); compilation, JVM warm-up and data loading are reported separately. The peers are the "
        f"unchanged scripts of `{PEERS_REL}` (cases: its `common.py`), installed from PyPI into their own "
        "environment; stationsim runs `benchmarks/bench_stationsim.py` in the project's `.venv`.")
    add("")
    loads = [float(r["loadavg"][0]) for r in res.records if r.get("loadavg")]
    add("## Machine")
    add("")
    add("| item | value |")
    add("|---|---|")
    add(f"| CPU | {m.get('cpu', '?')}{' (AVX-512)' if m.get('avx512') else ''} |")
    add(f"| cores | {m.get('cores')} |")
    add(f"| memory | {m.get('memory_gib', '?')} GiB |")
    add(f"| OS | {m.get('os', '?')}, kernel {m.get('kernel', '?')} |")
    add(f"| Python | {m.get('python')} |")
    add(f"| Java | {m.get('java', 'none')} |")
    if loads:
        add(f"| 1-minute load average during the run | {min(loads):.2f} – {max(loads):.2f} |")
    add("")
    add("**This machine is small, shared and noisy**: 2 cores, with other work running at the same "
        "time (see the load average). The min–max spans below show the spread between rounds; absolute "
        "times move from one `make bench` to the next with the load (stationsim's case C most, see the "
        "notes), so compare the ratios measured within one run.")
    add("")
    add("Versions:")
    add("")
    pv, ov = v.get("peers", {}), v.get("stationsim", {})
    add("| environment | packages |")
    add("|---|---|")
    add("| peers (`benchmarks/.peers-venv`) | " + ", ".join(f"{k} {x}" for k, x in pv.items()) + " |")
    add("| stationsim (`.venv`) | " + ", ".join(f"{k} {x}" for k, x in ov.items())
        + f"; commit {v.get('stationsim_commit', '?')}"
        + (f" plus uncommitted changes in {', '.join('`' + x + '`' for x in v['src_changes'])} (measured "
           "as the working tree stood)" if v.get("src_changes") else "") + " |")
    dc = v.get("heyoka_diskcache")
    if dc:
        add(f"| heyoka on-disk JIT cache (`~/.cache/heyoka`, shared by both environments) | "
            f"{'enabled' if dc['enabled'] else 'disabled'}, {dc['size_mb']} MB at the start of the run |")
    if meta.get("install_s") is not None:
        add(f"| peers' venv install | {meta['install_s']:.0f} s ({meta['install_note']}) |")
    add("")

    # ---- targets ----------------------------------------------------------------------------
    targets: list[tuple[str, str, bool | None]] = []
    speed: list[str] = []

    def timing(label: str, s: float | None, h: float | None, limit: float, short: str) -> None:
        q = ratio(s, h)
        measured = f"{fmt(q, '.3g')}{'×' if q else ''} ({fmt(s, '.3g')} s vs {fmt(h, '.3g')} s)"
        targets.append((label, measured, None if q is None else q <= limit))
        speed.append(f"{short} {fmt(q, '.3g')}× (limit {limit:g}×)")

    for c in ("A", "B", "D"):
        if c in meta["cases"]:
            timing(f"case {c}: time ≤ 1.5 × heyoka", res.run("stationsim", c), res.run("heyoka", c), 1.5,
                   f"{c} vs heyoka")
    if "ENS" in meta["cases"]:
        s = res.run("stationsim", "ENS")
        timing("case ENS: time ≤ 1.5 × heyoka (`ensemble_propagate_until`, 2 threads)", s,
               res.run("heyoka", "ENS", "threads"), 1.5, "ENS vs heyoka threads")
        timing("case ENS: time ≤ 1.5 × heyoka (SIMD batch mode, 4 lanes)", s,
               res.run("heyoka", "ENS", "SIMD batch 4"), 1.5, "ENS vs heyoka batch")
    if "C" in meta["cases"]:
        s = res.run("stationsim", "C")
        timing("case C: time ≤ heyoka-thermoNET", s, res.run("heyoka", "C"), 1.0, "C vs heyoka-thermoNET")
        timing("case C: time ≤ ½ satkit (Ap 15)", s, res.run("satkit", "C", "Ap 15"), 0.5, "C vs satkit")
    same = (("heyoka", ""), ("heyoka", "tol 1e-15"), ("scipy", ""))
    for c, span, limit, label in (("A", "1 d", 10.0, "case A, 1 day (no drag): position within 10 m"),
                                  ("B", "", 1000.0, "case B, 30 days (same exponential density): "
                                                    "position within 1 km")):
        if c not in meta["cases"]:
            continue
        ds = {}
        for tool, var in same:
            d = _diff(res.pos("stationsim", c, span), res.pos(tool, c, ", ".join(x for x in (var, span) if x)))
            if d is not None:
                ds[f"{tool} {var}".strip()] = d
        targets.append((f"{label} of heyoka (tol 1e-8 and 1e-15) and SciPy",
                        ", ".join(f"{k} {x:.3g} m" for k, x in ds.items()) or "—",
                        max(ds.values()) < limit if ds else None))
        d_or = _diff(res.pos("stationsim", c, span), res.pos("orekit", c, span))
        d_or_ref = _diff(res.pos("orekit", c, span),
                         res.pos("heyoka", c, ", ".join(x for x in ("tol 1e-15", span) if x)))
        if d_or is not None:
            why = ("its drag uses a true ITRF rather than a spin about z; " if c == "B" else "")
            targets.append((f"… and of Orekit ({why}Orekit is itself {fmt(d_or_ref, '.3g')} m from heyoka "
                            "tol 1e-15)", f"{d_or:.3g} m", d_or < limit))
    add("## Targets")
    add("")
    if targets:
        n_speed = sum(1 for t in targets if "time" in t[0])
        ok_speed = sum(1 for t in targets if "time" in t[0] and t[2])
        add(f"**stationsim meets {sum(1 for t in targets if t[2])} of {len(targets)} targets.** "
            f"Speed: {ok_speed} of {n_speed} met; measured " + "; ".join(speed) + ". "
            "Accuracy: see the rows; the tools with the identical force model are heyoka and SciPy.")
        add("")
    add("| target | measured | verdict |")
    add("|---|---|---|")
    for label, measured, ok in targets:
        add(f"| {label} | {measured} | {verdict(ok)} |")
    add("")
    add("The time targets compare medians of `run_s`. stationsim's times use tolerance 1e-8, the loosest "
        "decade whose one-day error is ≤ 1 m (the benchmark's accuracy rule, measured below), the same "
        "setting as the heyoka peer.")
    add("")

    # ---- per case ---------------------------------------------------------------------------
    add("## Speed and results per case")
    add("")
    add("n: rounds; ×heyoka: median over heyoka's median for the case (heyoka's default run at tol 1e-8; "
        "one-day rows over heyoka's one-day run; ENS over heyoka's `ensemble_propagate_until`). "
        "Setup: heyoka's JIT (`compile_s`), Orekit's JVM warm-up run, satkit's first call, stationsim's "
        "construction plus a first 60-second propagation (`setup_s`, of which `JIT` is heyoka's compile).")
    add("")
    for c in meta["cases"]:
        add(f"### {CASE_TITLES[c]}")
        add("")
        extra = c == "C"
        head = "| tool | n | median run [s] | min–max [s] | ×heyoka |"
        if extra:
            head += " ×satkit (Ap 15) | ×Orekit |"
        head += " result | setup [s] | process wall [s] |"
        add(head)
        add("|" + "---|" * (head.count("|") - 1))
        href_default = res.run("heyoka", c, "threads" if c == "ENS" else "")
        kref, oref = res.run("satkit", "C", "Ap 15"), res.run("orekit", "C")
        keys = sorted((k for k in res.groups if k.split("|")[1] == c),
                      key=lambda k: (["stationsim", "heyoka", "satkit", "orekit", "scipy"].index(k.split("|")[0])
                                     if k.split("|")[0] in ("stationsim", "heyoka", "satkit", "orekit", "scipy") else 9,
                                     k.split("|")[2]))
        for k in keys:
            tool, _, var = k.split("|")
            recs = res.groups[k]
            if "run_s" not in recs[0]:
                continue
            rt = res.med(recs, "run_s")
            href = res.run("heyoka", c, "1 d") if var.endswith("1 d") else href_default
            lo, hi = min(r["run_s"] for r in recs), max(r["run_s"] for r in recs)
            name = tool + (f" ({var})" if var else "")
            note = TOOL_NOTES.get((tool, c))
            if note and (not var or (tool, c) in (("satkit", "C"), ("satkit", "D"))):
                name += f"; {note}"
            if tool == "stationsim":
                name = f"**{name}**"
            row = f"| {name} | {len(recs)} | {rt:.4g} | {lo:.3g}–{hi:.3g} | {fmt(ratio(rt, href), '.3g')} |"
            if extra:
                row += f" {fmt(ratio(rt, kref), '.3g')} | {fmt(ratio(rt, oref), '.3g')} |"
            row += f" {result_text(recs)} | {setup_text(recs)} | {res.med(recs, 'process_wall_s'):.3g} |"
            add(row)
        add("")

    # ---- agreement --------------------------------------------------------------------------
    add("## Agreement of final positions (same force model)")
    add("")
    add("Distance between final positions. Reference: heyoka at tol 1e-15 (machine precision). One-day runs: "
        "the peers' unchanged scripts with `common.T30` set to one day (`benchmarks/peer_wrap.py --days 1`), "
        "stationsim with `--days 1`.")
    add("")
    add("| tool | A, 1 d: vs ref [m] | A, 1 d: vs stationsim [m] | B, 1 d: vs ref | B, 1 d: vs stationsim | "
        "A, 30 d: vs ref | A, 30 d: vs stationsim | B, 30 d: vs ref | B, 30 d: vs stationsim |")
    add("|---|---|---|---|---|---|---|---|---|")
    for tool, var in (("stationsim", ""), ("heyoka", ""), ("heyoka", "tol 1e-15"), ("scipy", ""), ("orekit", ""),
                      ("stationsim", "tol 1e-9")):
        cells = []
        for c, span in (("A", "1 d"), ("B", "1 d"), ("A", ""), ("B", "")):
            vv = ", ".join(x for x in (var, span) if x)
            if tool == "stationsim" and var == "tol 1e-9" and span:
                cells += ["", ""]
                continue
            p = res.pos(tool, c, vv)
            ref = res.pos("heyoka", c, ", ".join(x for x in ("tol 1e-15", span) if x))
            own = res.pos("stationsim", c, span)
            cells += [fmt(_diff(p, ref), ".3g", ""), fmt(_diff(p, own), ".3g", "")]
        label = tool + (f" ({var})" if var else "")
        add(f"| {label} | " + " | ".join(cells) + " |")
    add("")
    life = {f"{t} {v}".strip(): res.med(res.get(t, "D", v), "lifetime_days")
            for t, v in (("stationsim", ""), ("stationsim", "tol 1e-9"), ("heyoka", ""), ("heyoka", "tol 1e-15"),
                         ("scipy", ""), ("orekit", ""))}
    life = {k: x for k, x in life.items() if x is not None}
    if life:
        add("Case D lifetimes (same exponential model): " + "; ".join(f"{k} {x:.3f} d" for k, x in life.items())
            + ".")
        add("")
    cal = res.get("stationsim", "CAL")
    if cal and "cal" in cal[0]:
        add("stationsim's one-day position error against its own tol 1e-15 run (the benchmark's accuracy rule):")
        add("")
        add("| tolerance | case A [m] | case B [m] |")
        add("|---|---|---|")
        for tol in ("1e-07", "1e-08", "1e-09", "1e-10"):
            a, b = cal[0]["cal"].get(f"A_tol{tol}"), cal[0]["cal"].get(f"B_tol{tol}")
            add(f"| {tol} | {fmt(a and a['err_m'], '.3g')} | {fmt(b and b['err_m'], '.3g')} |")
        add("")

    # ---- stationsim statistics --------------------------------------------------------------
    add("## stationsim's own statistics (`PropagationResult.statistics`, medians)")
    add("")
    add("fit: sampling the atmosphere and fitting ln ρ per window; integration: inside heyoka's "
        "`propagate_until`; other: the rest of `propagate` (windows, Earth orientation, parameter updates, "
        "events). Per day: per simulated member-day.")
    add("")
    add("| case | run [s] | steps | steps/day | density fits | density samples | samples/day | fit [s] | "
        "integration [s] | other [s] | run per day [ms] |")
    add("|---|---|---|---|---|---|---|---|---|---|---|")
    for k in sorted(res.groups):
        tool, c, var = k.split("|")
        recs = res.groups[k]
        if tool != "stationsim" or "stats" not in recs[0]:
            continue
        st = recs[0]["stats"]
        add(f"| {c}{f' ({var})' if var else ''} | {res.med(recs, 'run_s'):.3g} | {st['steps']:.0f} | "
            f"{res.med(recs, 'steps_per_day'):.0f} | {st['density_fits']:.0f} | {st['density_samples']:.0f} | "
            f"{res.med(recs, 'density_evals_per_day'):.0f} | {res.med(recs, 'fit_s'):.3g} | "
            f"{res.med(recs, 'integrate_s'):.3g} | {res.med(recs, 'other_s'):.3g} | "
            f"{1e3 * res.med(recs, 's_per_sim_day'):.3g} |")
    add("")

    diag = res.get("stationsim", "DIAG")
    if diag and "diag" in diag[0]:
        hb = res.run("heyoka", "B")
        add("Where case B's integration time goes (`bench_stationsim.py DIAG`): stationsim's own equations of "
            "motion for case B (`Propagator.dynamics`) in a bare heyoka integrator, one 30-day "
            "`propagate_until`, best of 5, same process; stationsim's propagator uses the first row. "
            f"For scale: the heyoka peer's case B median is {fmt(hb, '.3g')} s.")
        add("")
        add("| configuration | time [s] | steps | ×heyoka peer B |")
        add("|---|---|---|---|")
        for label, d in diag[0]["diag"].items():
            add(f"| {label} | {d['s']:.3g} | {d['steps']} | {fmt(ratio(d['s'], hb), '.3g')} |")
        add("")

    # ---- compile / setup --------------------------------------------------------------------
    add("## Compile and setup times")
    add("")
    add("| tool | case | what | median [s] | n |")
    add("|---|---|---|---|---|")
    for k in sorted(res.groups):
        tool, c, var = k.split("|")
        recs = res.groups[k]
        if var.endswith("1 d") or c == "CAL":
            continue
        for key, what in (("compile_s", "JIT (heyoka)"), ("setup_s", "setup: construction + first 60 s run"),
                          ("warmup_s", "warm-up (Orekit: 1-day run; satkit: first call)")):
            val = res.med(recs, key)
            if val is not None:
                cache = ""
                if tool == "stationsim" and key == "compile_s":
                    cache = ", cold (disk cache off)" if var == "cold JIT" else ", disk cache on"
                add(f"| {tool}{f' ({var})' if var else ''} | {c} | {what}{cache} | {val:.3g} | {len(recs)} |")
    add("")

    # ---- notes ------------------------------------------------------------------------------
    add("## Notes")
    add("")
    for note in meta["notes"]:
        add(f"- {note}")
    rec_b = res.get("stationsim", "B")
    if rec_b and "omega_air_rad_s" in rec_b[0]:
        w, wb = rec_b[0]["omega_air_rad_s"], rec_b[0]["omega_benchmark_rad_s"]
        add(f"- The air's spin: stationsim uses ω = {w!r} rad/s (IERS 2010; the default of its `omega` "
            f"parameter, unchanged in `orientation=\"uniform\"`), the benchmark {wb!r} rad/s: a difference of "
            f"{w - wb:.3g} rad/s ({(w - wb) / wb:.2g} relative), {(w - wb) * (6378137.0 + 418e3) * 1e6:.2g} µm/s in "
            "the air's velocity at the ISS, against a relative velocity of ~7.3 km/s: negligible.")
    cd = res.get("stationsim", "C", "daily Ap")
    c0 = res.get("stationsim", "C")
    if cd and c0:
        add(f"- Case C, MSIS geomagnetic mode: stationsim's `MsisAtmosphere` runs NRLMSISE-00 in storm-time mode "
            f"(the 3-hourly ap history, all 15 here) by default; the peers pass Ap = 15 in daily mode. "
            f"Storm-time: a−R {c0[0]['a_minus_re_km']:.3f} km after 30 d; daily mode "
            f"(`--daily-ap`): {cd[0]['a_minus_re_km']:.3f} km. The difference in decay between the tools in "
            "case C is this mode, not the density fit.")
    cb = res.get("stationsim", "C", "OPENBLAS_NUM_THREADS=1")
    if cb and c0:
        add(f"- Case C and NumPy's threads: with OpenBLAS held to one thread (`OPENBLAS_NUM_THREADS=1`, one run) "
            f"stationsim took {cb[0]['run_s']:.3g} s (density fits {cb[0]['fit_s']:.3g} s, integration "
            f"{cb[0]['integrate_s']:.3g} s), against the default environment's median "
            f"{res.run('stationsim', 'C'):.3g} s "
            f"(fits {res.med(c0, 'fit_s'):.3g} s, integration {res.med(c0, 'integrate_s'):.3g} s). The fit's "
            "small least-squares products go through NumPy's multi-threaded OpenBLAS, whose threads compete with "
            "the integration for this loaded machine's two cores. The targets use the default environment.")
    if res.errors:
        add("")
        add("## Failures")
        add("")
        add("Runs that printed no result (the tail of their error output). Only a stationsim failure makes "
            "`make bench` exit non-zero.")
        add("")
        for r in res.errors:
            add(f"- {r['job_tool']} {r['script']} `{r['args']}` ({r['variant'] or 'default'}, round {r['rep']}): "
                f"exit {r.get('returncode')}:")
            add("")
            add("  ```")
            for line in r["error"].strip().splitlines()[-12:]:
                add("  " + line)
            add("  ```")
    else:
        add("- Every run completed; no failures.")
    add("")
    L.extend(reentry_text())
    return "\n".join(L)


REENTRY = BENCH / "results" / "reentry.json"


def reentry_text() -> list[str]:
    """The section of ``benchmarks/reentry_ensemble.py``'s last results (none if never run)."""
    if not REENTRY.is_file():
        return []
    data = json.loads(REENTRY.read_text())
    L = ["## Re-entry: the lifetime engine and the Monte Carlo ensembles", "",
         f"`benchmarks/reentry_ensemble.py` (`make bench` runs it first), {data['date']}. One "
         "member each, engine and numerical propagator with the same forces (zonal J2-J4 and "
         "NRLMSIS 2.1 with the observed space weather; Delfi-PQ with EGM96 8x8, Sun and Moon), "
         "both warmed up (the engine's time: the median of "
         f"{data['engine'][0].get('engine_repeats', 1)} runs; the numerical propagator's: one "
         "run); targets: lifetime within 2 %, 50x faster.", "",
         "| case | B [kg/m^2] | lifetime | engine - numerical | engine | numerical | speed-up "
         "| engine's MSIS points per day |", "|---|---|---|---|---|---|---|---|"]
    for r in data["engine"]:
        samples = r.get("engine_density_samples")
        per_day = fmt(None if samples is None else samples / r["lifetime_days"], ".0f")
        L.append(f"| {r['case']} | {r['ballistic_kg_m2']:g} | {r['lifetime_days']:.1f} d | "
                 f"{100 * r['lifetime_error']:+.2f} % | {1e3 * r['engine_s']:.1f} ms | "
                 f"{r['numerical_s']:.2f} s | {r['speedup']:.1f}x | {per_day} |")
    L += ["", "A lone member pays its density table alone (the atmosphere model at 8 points per "
          "entry, at least two 10-km height nodes per slot, filled ahead in one call for up to "
          "eight slots): it takes eight-day slots while it loses under 5 km in eight days and "
          "four-day ones after. In an ensemble the members share one table, and the cost per "
          "member is what the ensembles below show. " + _msis_share(data["engine"]),
          "",
          "| members | workers | wall | per member | window (5-95 %) | driver peak | largest "
          "worker | target |", "|---|---|---|---|---|---|---|---|"]
    usos = next(r for r in data["engine"] if r["case"].startswith("USOS"))
    for r in data["ensembles"]:
        target = ("under 60 s: **pass**" if r["wall_s"] < 60 else "under 60 s: miss") \
            if r["members"] == 1000 else "runs without exhausting memory"
        L.append(f"| {r['members']:,} | {r['workers']} | {r['wall_s']:.1f} s | "
                 f"{r['per_member_ms']:.2f} ms | {r['p05'][:10]} .. {r['p95'][:10]} | "
                 f"{r['driver_peak_mb']:.0f} MB | "
                 f"{fmt(r['worker_peak_mb'], '.0f')}{' MB' if r['worker_peak_mb'] else ''} | "
                 f"{target} |")
    L += ["", "The ensembles: a USOS-like object (B = 100 kg/m^2, log-normal with the model "
          "sigma of 12 %) from the bundled ISS element set of 2022-11-08, observed space "
          "weather until mid-2026 and the bundled forecast after it, dispersed. The numerical propagator costs "
          f"{1e3 * usos['numerical_s'] / usos['lifetime_days']:.1f} ms per simulated day here "
          f"({usos['numerical_s']:.1f} s for {usos['lifetime_days']:.0f} days), so the "
          "per-member cost of an ensemble is "
          + " and ".join(f"{1e3 * usos['numerical_s'] / r['per_member_ms']:,.0f}x"
                         for r in data["ensembles"]) + " below it.", ""]
    return L


def _diff(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    return None if a is None or b is None else float(np.linalg.norm(a - b))


NOTES = [
    "stationsim, cases A, B, D, ENS: `ForceModel(gravity=<degree-2 field from the benchmark's J2, MU, RE>, "
    "degree=2, order=0, drag=None or ExponentialDensity(3.725e-12, 400 km, 58.515 km, spherical=True), "
    "sun=False, moon=False, thrust=False, orientation=\"uniform\")`, `ConstantDrag.from_ballistic_coefficient"
    "(1/0.011)`; case D stops on an `ExpressionEvent` |r|² − (R + 120 km)² (down, `Action.STOP`); ENS is one "
    "`propagate` call with a list of 100 `ConstantDrag`.",
    "stationsim, case C: the bundled EGM96 8×8, `MsisAtmosphere(SpaceWeather.constant(150, 150, 15), "
    "model=\"nrlmsise00\")` through `drag=\"fit\"` (ln ρ fitted per UTC-day window from 300 MSIS samples), "
    "Sun and Moon off, the default `orientation=\"iau2006\"` Earth; C2 is the same with NRLMSIS 2.1.",
    "Design facts of stationsim's propagator that bear on its times: the integrator carries the "
    "mass as a 7th state and the Earth rotation as runtime parameters; compact mode only for large "
    "systems (Sun/Moon, SRP, harmonics beyond 8x8); the central term and the zonal harmonics are one "
    "fused expression; the re-entry and breakup events are compiled in only below a guard radius "
    "(130 km above the equator) or left out when no member can get there: no drag, or a static "
    "exponential density through which a lower bound on the fall time exceeds the run's span; "
    "runs with the IAU 2006 Earth or a density fit are cut into UTC-day windows with Python work "
    "between them; ensemble members run in SIMD lanes (heyoka batch mode), one thread.",
    "heyoka's case C uses its thermoNET neural approximation of NRLMSISE-00 and a uniformly rotating "
    "Earth; SciPy's uses zonals J2..J6 with pymsis called at every right-hand-side evaluation; Orekit uses "
    "EGM96 8×8 and its NRLMSISE00 with constant inputs; satkit uses EGM2008 8×8 and its own NRLMSISE-00, "
    "here with the constant F10.7 = 150 / Ap = 15 table (`sw15`), as in the peers' second pass.",
    "satkit has no exponential density, so it has no case B; its case D uses case C forces and chunked "
    "restarts (no event detection), so its lifetime is not comparable with the exponential-model ones; "
    "its case A applies J2 about the ITRF pole, so its positions are not compared.",
    "Orekit's single-run times include a JVM that is still warming up (its `warm-up` column is a 1-day "
    "run of the same force model in the same process).",
    "heyoka's SIMD batch (ENSB): the unchanged script takes `heyoka.recommended_simd_size()`, which is 8 on "
    "this AVX-512 machine; 8 does not divide the 100 members and the script fails at its last batch (it is "
    "run once to show this, see Failures). The rounds run it with 4 lanes through `peer_wrap.py --simd 4`.",
    "heyoka's JIT times here, the peer's and stationsim's alike, come mostly from heyoka's shared on-disk "
    "cache; stationsim's `cold JIT` rows switch that cache off in their process and show a first compile.",
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the interleaved runs (default 3)")
    ap.add_argument("--cases", default="A,B,C,D,ENS", help="comma-separated subset of A,B,C,D,ENS")
    ap.add_argument("--quick", action="store_true", help="1 round of cases A, B, D")
    ap.add_argument("--setup-only", action="store_true", help="create the peers' venv and data, then stop")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite docs/benchmarks.md from benchmarks/results/latest.jsonl, run nothing")
    args = ap.parse_args(argv)
    if not (PEERS / "common.py").is_file():
        print(f"bench: the peer benchmark folder {PEERS_REL} (next to the repository) is missing or has no "
              "common.py; make bench needs it. See benchmarks/README.md.", file=sys.stderr)
        return 2
    if args.report_only:
        return report_from_file()
    cases = [c.strip().upper() for c in args.cases.split(",") if c.strip()]
    rounds = args.rounds
    if args.quick:
        cases, rounds = ["A", "B", "D"], 1
    bad = [c for c in cases if c not in CASE_TITLES]
    if bad or not cases or rounds < 1:
        print(f"bench: unknown case(s) {bad} (use A,B,C,D,ENS) or rounds < 1", file=sys.stderr)
        return 2
    cases = [c for c in CASE_TITLES if c in cases]

    start = time.perf_counter()
    install_s = ensure_peers_venv()
    ensure_peers_data()
    marker = json.loads((PEERS_VENV / ".installed").read_text())
    install_note = ("measured now" if install_s is not None
                    else f"measured when it was created, {marker.get('date', '?')}")
    if args.setup_only:
        log("peers ready")
        return 0
    meta = dict(machine=machine_info(), versions=versions(), cases=cases, rounds=rounds,
                argv=" ".join(sys.argv[1:]) or "(defaults)", install_s=marker.get("install_s"),
                install_note=install_note, notes=NOTES)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    records: list[dict] = []
    rj, oj = round_jobs(cases), once_jobs(cases, args.quick)
    log(f"{rounds} round(s) × {len(rj)} jobs + {len(oj)} single jobs; cases {','.join(cases)}")
    with open(RESULTS, "w") as out:
        for rep in range(rounds):
            for job in rj:
                records += run_job(job, str(rep), out)
        for job in oj:
            records += run_job(job, "once", out)
    meta["total_s"] = time.perf_counter() - start
    meta["date"] = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    with open(RESULTS, "a") as out:      # the run's description, last line of the results file
        out.write(json.dumps({"meta": {k: x for k, x in meta.items() if k != "notes"}}) + "\n")
    return publish(Results(records), meta)


def publish(res: Results, meta: dict) -> int:
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(write_report(res, meta))
    own = [r for r in res.errors if r["job_tool"] == "stationsim"]
    log(f"wrote {DOC.relative_to(ROOT)} from {RESULTS.relative_to(ROOT)}: {len(res.errors)} failed run(s), "
        f"{len(own)} of them stationsim's")
    return 1 if own else 0


def report_from_file() -> int:
    if not RESULTS.is_file():
        print(f"bench: no {RESULTS.relative_to(ROOT)} to report from; run make bench first", file=sys.stderr)
        return 2
    rows = [json.loads(line) for line in RESULTS.read_text().splitlines() if line.strip()]
    metas = [r["meta"] for r in rows if "meta" in r]
    if not metas:
        print("bench: the results file has no run description (an interrupted run?)", file=sys.stderr)
        return 2
    meta = metas[-1]
    meta["notes"] = NOTES
    return publish(Results([r for r in rows if "meta" not in r]), meta)


if __name__ == "__main__":
    sys.exit(main())
