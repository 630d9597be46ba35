"""``waferlab COMMAND ...`` builds only the parser of the plug-in that adds COMMAND
(cli._COMMANDS; a fixed cost of every run, bench/results/startup_s15.md).  The table
must name, for every sub-command, the plug-in that adds it, and the sub-command's parser
must be the same either way."""
from __future__ import annotations

import argparse
import importlib

import pytest

from waferlab import cli


def _choices(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_command_table_names_each_plugins_commands():
    owner = {}
    for name in cli._PLUGINS:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers(dest="command")
        importlib.import_module(name).add_cli(sub)
        owner.update(dict.fromkeys(sub.choices, name))
    assert owner == cli._COMMANDS


@pytest.mark.parametrize("command", sorted(cli._COMMANDS))
def test_one_commands_parser_equals_the_full_ones(command):
    full, one = _choices(cli.build_parser()), _choices(cli.build_parser(command))
    assert list(one) == [c for c in full if cli._COMMANDS[c] == cli._COMMANDS[command]]
    assert one[command].format_help() == full[command].format_help()


def test_unknown_command_gets_the_full_parser(capsys):
    assert cli.main(["bogus"]) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert "invalid choice: 'bogus'" in err and "validate" in err and "run" in err
