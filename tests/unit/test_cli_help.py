"""`govproj --help` in both languages (issue 18)."""

import argparse
import re

from shared.cli import build_parser


def test_every_help_line_of_the_cli_is_in_both_languages():
    """Issue 18: `--help` in both languages — argparse's own words and every option's text
    (the schemas' field descriptions translated through shared.i18n)."""
    cjk, english_only = re.compile(r"[\u4e00-\u9fff]"), []

    def walk(parser, name):
        for action in parser._actions:
            if action.help and action.help != argparse.SUPPRESS and not cjk.search(action.help):
                english_only.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
            if isinstance(getattr(action, "choices", None), dict) and name != "govproj simulate":
                for sub, subparser in action.choices.items():
                    if sub != "simulate":  # issue 19's, in its own words
                        walk(subparser, f"{name} {sub}")

    parser = build_parser()
    walk(parser, "govproj")
    assert english_only == [], (
        f"every option's help reads 'English / 中文' (issue 18); English only: {english_only}"
    )
    help_text = parser.format_help()
    assert "用法" in help_text and "显示帮助并退出" in help_text


def test_a_reader_that_goes_away_gets_no_traceback():
    """`govproj … --json | head`: the pipe closes under govproj — quiet, the shell's code."""
    import subprocess
    import sys

    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from shared.cli import main; sys.exit(main(['token', '--role', 'office']))",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    child.stdout.close()
    errors = child.stderr.read().decode()
    assert child.wait(60) in (0, 141) and "Traceback" not in errors, errors
