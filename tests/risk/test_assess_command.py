"""`yingji assess lec|ls`: one JSON object on stdout; bad values on stderr with exit code 1."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yingji.risk import services


def assess(*args) -> dict:
    out = StringIO()
    call_command("assess", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


@pytest.mark.django_db
def test_lec_prints_d_band_level_and_colour():
    assert assess("lec", "--l", "3", "--e", "6", "--c", "7") == {
        "D": 126,
        "band": "显著危险，需要整改",
        "level": "general",
        "colour": "yellow",
    }
    assert assess("lec", "--l", "0.5", "--e", "3", "--c", "1")["D"] == 1.5


@pytest.mark.django_db
def test_ls_prints_r_band_level_and_colour():
    assert assess("ls", "--l", "3", "--s", "3") == {
        "R": 9,
        "band": "9–12",
        "level": "general",
        "colour": "yellow",
    }
    assert assess("ls", "--l", "5", "--s", "4")["colour"] == "red"


def test_output_is_not_escaped(db, capsys):
    out = StringIO()
    call_command("assess", "lec", "--l", "1", "--e", "1", "--c", "1", stdout=out)
    assert "稍有危险" in out.getvalue()


def test_the_divisions_mapping_is_used(county, admin_user):
    services.set_method_config(actor=admin_user, division=county, method="ls", bands={"edges": [10, 15, 20]})
    assert assess("ls", "--l", "3", "--s", "3", "--division", "329901001001")["level"] == "low"
    assert assess("ls", "--l", "3", "--s", "3", "--division", "329901")["level"] == "low"
    assert assess("ls", "--l", "3", "--s", "3")["level"] == "general"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "factor", "allowed"),
    [
        (["lec", "--l", "2", "--e", "1", "--c", "7"], "L", "10, 6, 3, 1, 0.5, 0.2, 0.1"),
        (["lec", "--l", "1", "--e", "4", "--c", "7"], "E", "10, 6, 3, 2, 1, 0.5"),
        (["lec", "--l", "1", "--e", "1", "--c", "8"], "C", "100, 40, 15, 7, 3, 1"),
        (["ls", "--l", "1", "--s", "6"], "S", "1, 2, 3, 4, 5"),
    ],
)
def test_a_bad_value_is_an_error_naming_the_factor(args, factor, allowed):
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("assess", *args, stdout=out)
    assert error.value.returncode == 1
    assert str(error.value).startswith(f"{factor} = ")
    assert allowed in str(error.value)
    assert out.getvalue() == ""


def test_an_unknown_division_is_an_error(county):
    with pytest.raises(CommandError) as error:
        call_command("assess", "lec", "--l", "1", "--e", "1", "--c", "1", "--division", "999999")
    assert error.value.returncode == 1


@pytest.mark.django_db
def test_bad_value_exits_1_with_the_message_on_stderr(capsys):
    command = __import__("yingji.core.management.commands.assess", fromlist=["Command"]).Command()
    with pytest.raises(SystemExit) as exit_info:
        command.run_from_argv(["yingji", "assess", "lec", "--l", "7", "--e", "1", "--c", "1"])
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "L = 7" in captured.err and "0.5" in captured.err


def test_missing_factor_is_a_usage_error():
    with pytest.raises(CommandError):
        call_command("assess", "ls", "--l", "3")
