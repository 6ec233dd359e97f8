"""Accident grades by Article 3 of 国务院令第493号: boundaries, the highest criterion, the command."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yingji.incidents.rules import grade_accident


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss", "grade"),
    [
        (0, 0, 0, "general"),
        (2, 9, 9_999_999, "general"),
        (3, 0, 0, "larger"),  # "以上" includes the boundary
        (0, 10, 0, "larger"),
        (0, 0, 10_000_000, "larger"),
        (9, 49, 49_999_999, "larger"),  # "以下" excludes it
        (10, 0, 0, "major"),
        (0, 50, 0, "major"),
        (0, 0, 50_000_000, "major"),
        (29, 99, 99_999_999, "major"),
        (30, 0, 0, "especially_major"),
        (0, 100, 0, "especially_major"),
        (0, 0, 100_000_000, "especially_major"),
    ],
)
def test_each_boundary(deaths, injuries, loss, grade):
    assert grade_accident(deaths=deaths, serious_injuries=injuries, direct_loss_yuan=loss).grade == grade


def test_the_highest_criterion_decides_and_is_named():
    grading = grade_accident(deaths=1, serious_injuries=12, direct_loss_yuan=60_000_000)
    assert grading.grade == "major" and grading.label == "重大"
    assert len(grading.decided_by) == 1 and "60000000" in grading.decided_by[0]


def test_all_criteria_reaching_the_grade_are_named():
    grading = grade_accident(deaths=30, serious_injuries=100, direct_loss_yuan=0)
    assert grading.grade == "especially_major" and len(grading.decided_by) == 2


@pytest.mark.parametrize("bad", [{"deaths": -1}, {"serious_injuries": "1.5"}, {"direct_loss_yuan": "abc"}])
def test_bad_numbers_are_refused(bad):
    with pytest.raises(ValueError):
        grade_accident(**bad)


def test_command_prints_the_grade(capsys):
    call_command("assess", "accident", "--deaths", "3", "--serious-injuries", "0", "--direct-loss-yuan", "0")
    result = json.loads(capsys.readouterr().out)
    assert result["grade"] == "larger" and result["label"] == "较大" and result["decided_by"]


def test_command_exits_1_on_a_negative_count():
    with pytest.raises(CommandError) as error:
        call_command("assess", "accident", "--deaths", "-2")
    assert error.value.returncode == 1
