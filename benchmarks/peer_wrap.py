"""Run one of the peers' unchanged scripts with one of its settings changed from outside.

usage (from ../shared/bench-peers, with the peers' Python):
    python <repo>/benchmarks/peer_wrap.py [--days D] [--simd N] bench_heyoka.py A [args...]

--days D  the span of the 30-day cases: the scripts take it from ``common.T30``; ``common`` is
          imported first and ``T30`` set to D days, and the script's ``from common import *``
          then picks up the new value (used for the one-day position comparison).
--simd N  heyoka's batch size: ``heyoka.recommended_simd_size`` is made to return N (the heyoka
          script's ENSB case needs a size that divides the 100 members).

The script then runs as ``__main__``, its code untouched.
"""
import os
import runpy
import sys

args = sys.argv[1:]
days = simd = None
while args and args[0].startswith("--"):
    flag, value, args = args[0], args[1], args[2:]
    if flag == "--days":
        days = float(value)
    elif flag == "--simd":
        simd = int(value)
    else:
        sys.exit(f"peer_wrap: unknown option {flag}")
script = args[0]
sys.path.insert(0, os.getcwd())
import common  # noqa: E402  (the peers' case definitions)

if days is not None:
    common.T30 = days * 86400.0
if simd is not None:
    import heyoka

    heyoka.recommended_simd_size = lambda *a, **k: simd
sys.argv = [script] + args[1:]
runpy.run_path(script, run_name="__main__")
