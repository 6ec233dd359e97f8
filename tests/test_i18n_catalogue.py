"""The Chinese catalogue is complete: every source string has a translation, none fuzzy, .mo fresh."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "src/yingji/locale/zh_Hans/LC_MESSAGES/django.po"


def _i18n_script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalogue_has_no_untranslated_or_fuzzy_entries_and_the_mo_is_fresh():
    assert _i18n_script().problems() == []


def test_every_string_in_the_sources_is_in_the_catalogue(tmp_path):
    if shutil.which("xgettext") is None:
        if os.environ.get("YINGJI_REQUIRE_SERVICES") == "1":
            pytest.fail("GNU gettext (xgettext) is needed to check the catalogue: apt-get install -y gettext")
        pytest.skip("GNU gettext (xgettext) not installed: apt-get install -y gettext")
    copy = tmp_path / "yingji"
    shutil.copytree(ROOT / "src/yingji", copy, ignore=shutil.ignore_patterns("static", "__pycache__", "*.mo"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "yingji.cli",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in polib.pofile(str(PO)) if e.translated()}
    assert sorted(fresh - known) == [], "run `make messages` and translate the new entries"
