"""The Chinese catalogue: `python scripts/i18n.py check` (CI) and `python scripts/i18n.py compile`.

Uses polib so no system gettext is needed. `make messages` refreshes the .po from the sources first.
Translating a batch: `python scripts/i18n.py todo > todo.json` writes the untranslated msgids as a JSON
object {msgid: ""}; fill in the Chinese and `python scripts/i18n.py fill todo.json` (then `compile`).
"""

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "src/yingji/locale/zh_Hans/LC_MESSAGES/django.po"


def problems(po_path: Path = PO) -> list[str]:
    """Untranslated or fuzzy entries, and a .mo that differs from the .po."""
    po = polib.pofile(str(po_path))
    found = [f"fuzzy: {e.msgid!r}" for e in po if "fuzzy" in e.flags and not e.obsolete]
    for entry in po.untranslated_entries():
        found.append(f"untranslated: {entry.msgid!r}")
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return [*found, f"missing {mo_path.name}: run `python scripts/i18n.py compile`"]
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in polib.mofile(str(mo_path))
    }
    for entry in po.translated_entries():
        key = (entry.msgctxt, entry.msgid)
        if compiled.get(key) != (entry.msgstr, tuple(sorted(entry.msgstr_plural.items()))):
            found.append(f"stale .mo for {entry.msgid!r}: run `python scripts/i18n.py compile`")
            break
    return found


def compile_catalogue(po_path: Path = PO) -> None:
    polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


def todo(po_path: Path = PO) -> dict[str, str]:
    po = polib.pofile(str(po_path))
    return {e.msgid: "" for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)}


def fill(translations: dict[str, str], po_path: Path = PO) -> int:
    """Set msgstr of the given msgids (non-empty values only); returns how many were set."""
    po = polib.pofile(str(po_path))
    done = 0
    for entry in po:
        value = translations.get(entry.msgid)
        if value and not entry.obsolete:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: value}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            done += 1
    po.save()
    return done


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "compile":
        compile_catalogue()
    elif command == "todo":
        print(json.dumps(todo(), ensure_ascii=False, indent=1))
    elif command == "fill":
        with open(sys.argv[2], encoding="utf-8") as f:
            print(f"{fill(json.load(f))} entries translated")
    else:
        issues = problems()
        for issue in issues:
            print(issue)
        sys.exit(1 if issues else 0)
