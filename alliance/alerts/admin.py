"""Django admin for alerts and alert rules."""

from django.contrib import admin

from alliance.models import Alert, AlertRules
from practice.admin import PracticeOwnedAdmin


@admin.register(Alert)
class AlertAdmin(PracticeOwnedAdmin):
    # The evidence holds scores: the list shows states only.
    list_display = ["id", "practice", "kind", "severity", "status", "created_at", "escalated_at"]
    list_filter = ["kind", "severity", "status", "practice"]
    search_fields = ["=id", "=client__id"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        # Alerts change through acknowledgement and resolution, over the API: never by hand.
        return [field.name for field in Alert._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AlertRules)
class AlertRulesAdmin(PracticeOwnedAdmin):
    list_display = ["practice", "updated_at"]
