#!/usr/bin/env python3
"""packaging/mailauth-milter.conf.example against the parameter table that `mailauth-milter
--help` prints from the code: every parameter is there, commented out, with its default, and
nothing else is; uncommenting the defaults changes nothing.

Usage: example_config_test.py PATH/TO/mailauth-milter PATH/TO/mailauth-milter.conf.example
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

MILTER = EXAMPLE = None

# A parameter's block ends with "# Default: TEXT" and then "#name = value".
SETTING = re.compile(r"^#(\w+) = (.*)$")
DEFAULT = re.compile(r"^# Default: (.*)$")


def help_table():
    """{name: default text} from --help: fixed columns, "  " name (20) default (20) meaning."""
    r = subprocess.run([MILTER, "--help"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    rows = r.stdout.split("\n  name ", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    return {row[2:22].strip(): row[22:42].strip() for row in rows}


def example_settings():
    """[(name, value, default text or None, line number)] of the example's commented settings."""
    with open(EXAMPLE, encoding="utf-8") as f:
        lines = f.read().splitlines()
    out = []
    for number, line in enumerate(lines, 1):
        match = SETTING.match(line)
        if not match:
            continue
        default = DEFAULT.match(lines[number - 2]) if number >= 2 else None
        out.append((match.group(1), match.group(2), default.group(1) if default else None, number))
    return lines, out


def print_config(*args):
    r = subprocess.run([MILTER, *args, "--print-config"], capture_output=True, text=True,
                       timeout=10)
    return r.returncode, r.stdout, r.stderr


class ExampleConfigTest(unittest.TestCase):
    def test_every_parameter_with_its_default(self):
        table = help_table()
        self.assertGreater(len(table), 20, table)
        _, settings = example_settings()
        first = {}
        for name, value, default, number in settings:
            self.assertIn(name, table, "line %d names a parameter --help does not know" % number)
            first.setdefault(name, (value, default, number))
        self.assertEqual(sorted(set(table) - set(first)), [], "parameters missing from the example")
        for name, text in table.items():
            value, default, number = first[name]
            self.assertEqual(default, text, "line %d: '# Default:' of %s" % (number - 1, name))
            if not text.startswith("("):
                self.assertEqual(value, text, "line %d: the commented %s is not its default"
                                 % (number, name))

    def test_order_follows_the_table(self):
        table = list(help_table())
        _, settings = example_settings()
        seen = []
        for name, _, _, _ in settings:
            if name not in seen:
                seen.append(name)
        self.assertEqual(seen, table)

    def test_example_is_a_valid_configuration(self):
        code, as_shipped, err = print_config("--config", EXAMPLE)
        self.assertEqual(code, 0, err)
        _, built_in, _ = print_config()
        self.assertEqual(as_shipped, built_in, "the example as shipped sets nothing")

    def test_uncommented_defaults_change_nothing(self):
        lines, settings = example_settings()
        table = help_table()
        concrete = {number for name, value, default, number in settings
                    if default is not None and not default.startswith("(")}
        self.assertTrue(concrete)
        text = "\n".join(line[1:] if i in concrete else line
                         for i, line in enumerate(lines, 1)) + "\n"
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write(text)
        self.addCleanup(os.unlink, f.name)
        code, uncommented, err = print_config("--config", f.name)
        self.assertEqual(code, 0, err)
        _, built_in, _ = print_config()
        self.assertEqual(uncommented, built_in)
        # And each uncommented line was read: the values --print-config shows are the table's.
        for name, default in table.items():
            if not default.startswith("("):
                self.assertIn("%s = %s\n" % (name, default), uncommented)


if __name__ == "__main__":
    MILTER, EXAMPLE = sys.argv[1:3]
    del sys.argv[1:3]
    unittest.main(verbosity=2)
