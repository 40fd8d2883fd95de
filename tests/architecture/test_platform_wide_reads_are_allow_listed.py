"""Reading every practice's rows is allowed only where the module's job is platform-wide: finding
a request's practice from its key or token, beat jobs that fan out per practice, admin, the
schema, and operators' counts. A new use elsewhere must be added here, deliberately."""

import re

from tests.support import PROJECT_ROOT

ALLOWED = {
    "practice/tenancy.py",  # where the unsafe scope and manager are defined
    "practice/admin_site.py",  # platform admins look across practices
    "practice/schema.py",  # the OpenAPI generator builds empty querysets of every model
    "practice/api_base.py",  # the same, for views inspected without a request
    "practice/selectors.py",  # an API key names its practice
    "practice/services.py",  # key use and idempotency pruning, by id or age only
    "practice/imports.py",  # beat: stalled imports of every practice, by age only
    "practice/sign_in.py",  # an address or a sign-in token names its practices
    "practice/pages.py",  # a member's session names their membership
    "alliance/models.py",  # built-in instruments belong to no practice
    "alliance/demo_network.py",  # seed_demo: the built-in instrument its network answers
    "alliance/surveys/selectors.py",  # a survey token names its practice
    "alliance/surveys/tasks.py",  # beat: due invitations of every practice
    "alliance/alerts/tasks.py",  # beat: missed evaluations and escalations
    "notifications/services.py",  # the outbox sweep
    "notifications/selectors.py",  # operators' outbox counts
}


def test_only_allow_listed_modules_read_across_practices():
    users = {
        str(path.relative_to(PROJECT_ROOT))
        for app in ("config", "practice", "alliance", "notifications")
        for path in (PROJECT_ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and re.search(r"\bacross_practices_unsafe\b", path.read_text())
    }
    assert users - ALLOWED == set()
