#!/usr/bin/env python3
"""Thread scaling measured against each core's own single-thread rate and against the machine.

  bench/core_scaling.py build-rel/bench/mailauth-bench [--rounds 5] [--min-time 0.5] [CASE...]

On a virtual machine the cores are not equal: a vCPU shares its physical core with other
tenants, so the same single-threaded case can run 1.7 times faster on one vCPU than on the other,
which one is slow changes from minute to minute, and two vCPUs busy at once may be slower each
than one alone. "2 threads / 1 thread" then says as much about the host as about the code. This
script runs, in each round and close together:
  the 1-thread case pinned to core 0, then pinned to core 1;
  two separate 1-thread processes at once, one on each core (nothing shared: what the machine
  gives two independent workers, the ceiling for any code);
  the 2-thread case in one process on both cores (one shared cache).
It prints per case the medians over rounds of:
  2 threads / 1 thread on the faster core     (the strict ratio)
  2 threads / mean of the two 1-thread rates  ("1 thread" when the cores differ)
  two processes / mean 1-thread rate          (the machine's own ceiling for that ratio)
  2 threads / two processes                   (what sharing one cache costs; 1.0 = nothing)

CASE is a benchmark family taking /real_time/threads:N (default: the issue 14 cases).
"""
import argparse
import json
import statistics
import subprocess
import sys

DEFAULT_CASES = [
    "BM_SpfTypicalWarm",
    "BM_CachingResolverHotHits",
    "BM_MessageSpfDkimThreads",
    "BM_PipelineVerdict4k",
    "BM_KeyCacheFind",
    "BM_RsaVerifySharedKey",
]


def command(bench, case, threads, cpus, min_time):
    return ["taskset", "-c", cpus, bench,
            f"--benchmark_filter=^{case}/real_time/threads:{threads}$",
            f"--benchmark_min_time={min_time}", "--benchmark_format=json"]


def parse(case, threads, out):
    runs = [b for b in json.loads(out)["benchmarks"] if "items_per_second" in b]
    if not runs:
        raise SystemExit(f"core_scaling: {case}/threads:{threads} did not run (skipped or missing)")
    return runs[0]["items_per_second"]


def rate(bench, case, threads, cpus, min_time):
    """items_per_second of one case at `threads` threads, pinned to `cpus`."""
    out = subprocess.run(command(bench, case, threads, cpus, min_time), check=True,
                         capture_output=True, text=True).stdout
    return parse(case, threads, out)


def pair_rate(bench, case, min_time):
    """Sum of two 1-thread processes running at once, one pinned to each core."""
    procs = [subprocess.Popen(command(bench, case, 1, cpu, min_time), stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True) for cpu in ("0", "1")]
    total = 0.0
    for p in procs:
        out, _ = p.communicate()
        if p.returncode != 0:
            raise SystemExit(f"core_scaling: {case} exited with {p.returncode}")
        total += parse(case, 1, out)
    return total


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("bench", help="path to mailauth-bench")
    p.add_argument("cases", nargs="*", default=DEFAULT_CASES)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--min-time", type=float, default=0.5)
    a = p.parse_args()
    for case in a.cases:
        strict, mean, ceiling, sharing = [], [], [], []
        for _ in range(a.rounds):
            c0 = rate(a.bench, case, 1, "0", a.min_time)
            c1 = rate(a.bench, case, 1, "1", a.min_time)
            pair = pair_rate(a.bench, case, a.min_time)
            both = rate(a.bench, case, 2, "0,1", a.min_time)
            strict.append(both / max(c0, c1))
            mean.append(both / ((c0 + c1) / 2))
            ceiling.append(pair / ((c0 + c1) / 2))
            sharing.append(both / pair)
            print(f"  {case}: core0 {c0:,.0f}/s core1 {c1:,.0f}/s two processes {pair:,.0f}/s "
                  f"2 threads {both:,.0f}/s", file=sys.stderr)
        m = statistics.median
        print(f"{case}: 2 threads / faster core {m(strict):.2f}, / mean core {m(mean):.2f}; "
              f"two processes / mean core {m(ceiling):.2f}; 2 threads / two processes "
              f"{m(sharing):.2f} (medians of {a.rounds} rounds)")


if __name__ == "__main__":
    main()
