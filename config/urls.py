from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularRedocView

from config.health import healthz, outbox_counts, readyz
from practice.problems import api_not_found
from practice.schema_view import APISchemaView

api_v1 = [
    path("", include("practice.urls")),
    path("", include("alliance.surveys.api_urls")),
    path("", include("alliance.alerts.api_urls")),
    path("", include("notifications.urls")),
    path("schema/", APISchemaView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    re_path(r"^api/", api_not_found),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/outbox-counts/", admin.site.admin_view(outbox_counts), name="outbox-counts"),
    path("admin/", admin.site.urls),
    path("app/language/", set_language, name="set-language"),
    path("app/", include("practice.page_urls")),
    path("app/", include("alliance.alerts.page_urls")),
    path("email-events/", include("notifications.email_event_urls")),
    path("", include("alliance.surveys.urls")),
]
