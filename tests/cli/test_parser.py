"""The window's start parses ``gui`` with a parser that has only that command (cli.build_parser(gui_only=True));
it must read every ``gui`` command line exactly as the whole parser does, errors included."""

from __future__ import annotations

import argparse

import pytest

from ecfmg_desk import cli
from ecfmg_desk.errors import UsageError

GUI_LINES = [
    ["gui"],
    ["gui", "--vault", "/tmp/v"],
    ["--vault", "/tmp/v", "gui"],
    ["gui", "packet.ecfmgpkt"],
    ["gui", "--screenshot", "out.png", "--verbose"],
    ["--verbose", "gui", "b.ecfmgpkt", "--vault", "v", "--screenshot", "s.png"],
]


@pytest.mark.parametrize("words", GUI_LINES, ids=" ".join)
def test_gui_only_parser_reads_gui_lines_as_the_whole_one(words: list[str]) -> None:
    assert vars(cli.build_parser(gui_only=True).parse_args(words)) == vars(cli.build_parser().parse_args(words))


@pytest.mark.parametrize("words", [["gui", "--bogus"], ["gui", "a", "b"], ["gui", "--screenshot"]], ids=" ".join)
def test_gui_only_parser_refuses_what_the_whole_one_refuses(words: list[str]) -> None:
    messages = []
    for parser in (cli.build_parser(gui_only=True), cli.build_parser()):
        with pytest.raises(UsageError) as refused:
            parser.parse_args(words)
        messages.append(refused.value.message)
    assert messages[0] == messages[1]


def test_run_refuses_a_bad_gui_line_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["gui", "--bogus"]) == 2
    assert capsys.readouterr().err == "error: unrecognized arguments: --bogus (see `ecfmg-desk --help`)\n"


def test_the_whole_parser_still_knows_every_command() -> None:
    sub = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(cli.COMMANDS) <= set(sub.choices)
