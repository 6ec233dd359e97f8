"""Every YINGJI_* variable the code reads is documented in docs/configuration.md."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def variables_read_by_code() -> set[str]:
    names = set()
    for path in (ROOT / "src" / "yingji").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names |= {
            f"YINGJI_{m}" for m in re.findall(r"env_(?:str|bool|int|list|path)\(\s*\"([A-Z_]+)\"", text)
        }
        names |= set(re.findall(r"\"(YINGJI_[A-Z_]+)\"", text))
    return names


def test_every_setting_is_documented():
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = sorted(name for name in variables_read_by_code() if f"`{name}`" not in documented)
    assert missing == []


def test_the_scan_finds_the_settings():
    assert {"YINGJI_DATABASE_URL", "YINGJI_SESSION_IDLE_MINUTES"} <= variables_read_by_code()
