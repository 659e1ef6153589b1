#!/usr/bin/env python3
"""Issue 14's goals as ratios from one mailauth-bench run.

  mailauth-bench --benchmark_filter='Typical|Shared|KeyCache|HotHits|Threads' \
      --benchmark_format=json > run.json
  bench/ratios.py run.json

Each ratio compares items_per_second of two cases of the same run; a case that was skipped or
not built (the libspf2 ones) is reported as missing. On a machine busy with other work the
wall-clock rates say more about the scheduler than about the code, so each ratio also comes
from CPU time per item; for threaded cases that is an estimate: with C cores free, N threads reach min(N, C) / (CPU time per
item at N threads), against 1 / (CPU time per item at 1 thread).
"""
import json
import os
import sys


def rates(path):
    """items_per_second and CPU time per item, by case name."""
    with open(path) as f:
        run = json.load(f)
    out, cpu = {}, {}
    for b in run["benchmarks"]:
        if b.get("error_occurred") or "items_per_second" not in b:
            continue
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b.get("run_name", b["name"])
        out[name] = b["items_per_second"]
        # cpu_time is per iteration; items per iteration = rate x real time per iteration.
        items_per_iteration = b["items_per_second"] * b["real_time"] / 1e9 if b["real_time"] else 1
        cpu[name] = b["cpu_time"] / max(items_per_iteration, 1e-12)
    return out, cpu


def main():
    r, cpu = rates(sys.argv[1])
    cores = int(os.environ.get("CORES", os.cpu_count() or 1))
    warm = "BM_SpfTypicalWarm/real_time/threads:"
    goals = [
        ("warm SPF, 2 threads / 1 thread (goal >= 1.6)", warm + "2", warm + "1"),
        ("warm SPF, 1 thread / libspf2 cached (goal >= 3)", warm + "1",
         "BM_Libspf2TypicalCached/real_time"),
        ("uncached SPF / libspf2 uncached (goal >= 1)", "BM_SpfTypicalUncached/real_time",
         "BM_Libspf2TypicalUncached/real_time"),
    ]
    for case in ["BM_KeyCacheFind", "BM_RsaVerifySharedKey", "BM_CachingResolverHotHits",
                 "BM_MessageSpfDkimThreads"]:
        for threads in (2, 4, 16):
            goals.append((f"{case}, {threads} threads / 1 thread",
                          f"{case}/real_time/threads:{threads}", f"{case}/real_time/threads:1"))
    for label, top, bottom in goals:
        if top in r and bottom in r:
            line = f"{label}: {r[top] / r[bottom]:.2f}  ({r[top]:.0f} / {r[bottom]:.0f} per s)"
            if "/threads:" in top and "/threads:" in bottom:
                n = int(top.rsplit(":", 1)[1])
                estimate = min(n, cores) * cpu[bottom] / cpu[top]
                line += f"; from CPU time on {cores} free cores: {estimate:.2f}"
            else:
                line += f"; CPU time per item: {cpu[bottom] / cpu[top]:.2f}"
            print(line)
        else:
            missing = [n for n in (top, bottom) if n not in r]
            print(f"{label}: missing {', '.join(missing)}")


if __name__ == "__main__":
    main()
