"""`yingji cap validate`: the official schema plus the CAP 1.2 rules it cannot express."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yingji.alerts import cap

SAMPLES = Path(__file__).parent / "samples"


@pytest.mark.parametrize("name", ["red_rainstorm_zh.xml", "update_prefixed.xml", "cancel_without_info.xml"])
def test_real_world_shapes_are_valid(name):
    assert cap.validate((SAMPLES / name).read_bytes()) == []


def test_every_problem_is_reported_with_its_line():
    problems = cap.validate((SAMPLES / "broken.xml").read_bytes())
    lines = {p.line for p in problems}
    assert {2, 3, 5, 10, 17, 20, 21} <= lines
    assert len(problems) == 8


def test_a_wrong_namespace_is_named():
    problems = cap.validate((SAMPLES / "wrong_namespace.xml").read_bytes())
    assert len(problems) == 1 and "cap:1.1" in problems[0].message


def test_not_xml_at_all():
    problems = cap.validate(b"<alert><identifier>")
    assert len(problems) == 1 and problems[0].line == 1


def test_entities_are_not_expanded():
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxx">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&x;</alert>'
    assert cap.validate(bomb)  # invalid, and no expansion happened


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("1,1 1,2 2,2 1,1", True),
        ("1,1 1,2 2,2", False),  # three points
        ("1,1 1,2 2,2 2,1", False),  # not closed
        ("91,1 1,2 2,2 91,1", False),  # latitude out of range
    ],
)
def test_polygon_rules(text, ok):
    assert (cap.polygon_problems(text) == []) is ok


def test_command_exit_codes(capsys):
    call_command("cap", "validate", str(SAMPLES / "red_rainstorm_zh.xml"))
    assert "red_rainstorm_zh.xml" in capsys.readouterr().out
    with pytest.raises(CommandError) as error:
        call_command("cap", "validate", str(SAMPLES / "broken.xml"))
    assert error.value.returncode == 1
    assert capsys.readouterr().out.count("broken.xml:") == 8
