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
                    if sub != "simulate":   # issue 19's, in its own words
                        walk(subparser, f"{name} {sub}")
    parser = build_parser()
    walk(parser, "govproj")
    assert english_only == []
    help_text = parser.format_help()
    assert "用法" in help_text and "显示帮助并退出" in help_text
