"""The Docker image holds every folder and file the app loads: its packages (templates and
static files inside them), the compiled translations, manage.py and gunicorn's settings.

No container engine runs here or in CI, so the Dockerfile's COPY steps are read instead.
"""

import ast
import gettext
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings

from tests.support import PROJECT_ROOT


def _copied() -> set[str]:
    copied = set()
    for line in (PROJECT_ROOT / "Dockerfile").read_text().splitlines():
        words = line.split()
        if words and words[0] == "COPY" and not any(w.startswith("--from") for w in words):
            copied |= {Path(source).parts[0] for source in words[1:-1] if source != "."}
            if "." in words[1:-1]:
                copied.add(".")
    return copied


def _top_level(path) -> str | None:
    """The project's own top-level folder holding `path`; None for installed packages."""
    path = Path(path).resolve()
    if PROJECT_ROOT not in path.parents or Path(sys.prefix).resolve() in path.parents:
        return None
    return path.relative_to(PROJECT_ROOT).parts[0]


def _loaded_by_the_app() -> set[str]:
    needed = {"manage.py", "gunicorn.conf.py", "pyproject.toml"}
    needed |= {_top_level(config.path) for config in apps.get_app_configs()}
    needed |= {_top_level(folder) for folder in settings.LOCALE_PATHS}
    for engine in settings.TEMPLATES:
        needed |= {_top_level(folder) for folder in engine["DIRS"]}
    needed.add(settings.ROOT_URLCONF.split(".")[0])
    return needed - {None}


def test_every_folder_and_file_the_app_loads_is_copied_into_the_image():
    copied = _copied()

    missing = {name for name in _loaded_by_the_app() if name not in copied and "." not in copied}
    assert missing == set()


def _message_ids(catalog: Path) -> set[str]:
    """The singular messages of a .po file that have a translation."""
    ids, current, field = set(), {}, None
    for line in [*catalog.read_text().splitlines(), ""]:
        if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
            field = line.split(" ", 1)[0]
            current[field] = ast.literal_eval(line.split(" ", 1)[1])
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
        elif not line.strip():
            if current.get("msgid") and current.get("msgstr") and "msgid_plural" not in current:
                ids.add(current["msgid"])
            current, field = {}, None
    return ids


def test_every_translation_is_compiled_for_the_image():
    for catalog in PROJECT_ROOT.glob("locale/*/LC_MESSAGES/*.po"):
        with catalog.with_suffix(".mo").open("rb") as compiled:
            translated = gettext.GNUTranslations(compiled)._catalog
        assert _message_ids(catalog) - set(translated) == set(), catalog
