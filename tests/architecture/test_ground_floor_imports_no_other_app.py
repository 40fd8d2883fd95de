"""`practice/` is the ground floor: authenticating a request must not import the domain above it,
and an import the other way must never meet a circle. What happens elsewhere when a session
completes or a client is erased is registered through `practice.hooks`."""

import ast

from tests.support import PROJECT_ROOT

UPPER_APPS = ("alliance", "notifications")


def _imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def test_no_module_of_practice_imports_alliance_or_notifications():
    offenders = {
        str(path.relative_to(PROJECT_ROOT)): sorted(
            module for module in _imported_modules(path) if module.split(".")[0] in UPPER_APPS
        )
        for path in (PROJECT_ROOT / "practice").rglob("*.py")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_notifications_never_imports_alliance():
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "notifications").rglob("*.py")
        if any(module.split(".")[0] == "alliance" for module in _imported_modules(path))
    ]
    assert offenders == []


def test_surveys_never_write_through_alert_services():
    # Surveys hand answers to alerts by task name; only reads of alerts may be imported.
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "alliance" / "surveys").rglob("*.py")
        if any(
            module.startswith(("alliance.alerts.services", "alliance.alerts.tasks"))
            for module in _imported_modules(path)
        )
    ]
    assert offenders == []
