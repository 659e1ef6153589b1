#!/usr/bin/env python3
"""Issue 14's goals as ratios from one mailauth-bench run.

  mailauth-bench --benchmark_filter='Typical|Shared|KeyCache|HotHits|Threads' \
      --benchmark_format=json > run.json
  bench/ratios.py run.json

Each ratio compares items_per_second of two cases of the same run; a case that was skipped or
not built (the libspf2 ones) is reported as missing.
"""
import json
import sys


def rates(path):
    with open(path) as f:
        run = json.load(f)
    out = {}
    for b in run["benchmarks"]:
        if b.get("error_occurred") or "items_per_second" not in b:
            continue
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b.get("run_name", b["name"])
        out[name] = b["items_per_second"]
    return out


def main():
    r = rates(sys.argv[1])
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
            print(f"{label}: {r[top] / r[bottom]:.2f}  ({r[top]:.0f} / {r[bottom]:.0f} per s)")
        else:
            missing = [n for n in (top, bottom) if n not in r]
            print(f"{label}: missing {', '.join(missing)}")


if __name__ == "__main__":
    main()
