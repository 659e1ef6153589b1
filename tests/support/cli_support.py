"""Runner helpers shared by the CLI tests (tests/*/cli_test.py): run a command, record checks,
report and give the exit status.

A script imports it after putting this folder on sys.path (bytecode writing off, so the source
tree stays clean), calls check() for every assertion and ends with `return report()`.
"""
import subprocess

problems = []
checks = 0


def run(args, data=None):
    """Runs `args` with `data` (bytes) on standard input: (exit code, stdout, stderr) as text."""
    p = subprocess.run(args, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check(what, ok, detail=""):
    global checks
    checks += 1
    if not ok:
        problems.append("%s %s" % (what, detail))


def report():
    """Prints every failed check and the counts; 1 when a check failed, else 0."""
    for p in problems:
        print("FAIL:", p)
    print("%d checks, %d problems" % (checks, len(problems)))
    return 1 if problems else 0
