"""Django admin of the alliance app: surveys' and alerts' pages, each beside its code."""

from alliance.alerts import admin as alerts_admin  # noqa: F401 - registers alert pages
from alliance.surveys import admin as surveys_admin  # noqa: F401 - registers survey pages
