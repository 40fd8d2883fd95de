"""Every environment variable the settings read is in README's table and in `.env.example`."""

import re

from tests.support import PROJECT_ROOT


def _variables_read() -> set[str]:
    settings = (PROJECT_ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', settings))


def test_every_variable_is_in_env_example():
    example = (PROJECT_ROOT / ".env.example").read_text()

    assert {name for name in _variables_read() if f"{name}=" not in example} == set()


def test_every_variable_is_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text()

    assert {name for name in _variables_read() if f"`{name}`" not in readme} == set()
