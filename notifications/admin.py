from django.contrib import admin
from django.db import models

from notifications import services
from notifications.models import OutboxMessage, WebhookEndpoint
from practice.admin import PracticeOwnedAdmin
from practice.tenancy import practice_scope


@admin.register(OutboxMessage)
class OutboxMessageAdmin(PracticeOwnedAdmin):
    list_display = ["id", "practice", "kind", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "kind", "channel", "practice"]
    search_fields = ["=id", "=provider_message_id"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "id",
        "practice",
        "kind",
        "channel",
        "recipient",
        "context",
        "status",
        "attempts",
        "due_at",
        "next_attempt_at",
        "claimed_at",
        "queued_at",
        "sent_at",
        "last_error",
        "provider_message_id",
        "created_at",
        "updated_at",
    ]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Retry the selected failed messages")
    def retry(self, request, queryset):
        retried = 0
        for message in queryset.filter(status=OutboxMessage.Status.FAILED):
            with practice_scope(message.practice):
                services.message_retry(message=message)
            retried += 1
        self.message_user(request, f"Queued {retried} failed message(s) for another try.")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(PracticeOwnedAdmin):
    list_display = ["url", "practice", "active", "disabled_reason", "created_at"]
    list_filter = ["active", "practice"]
    search_fields = ["url"]
    # The signing secret is never shown again after the API returned it once.
    exclude = ["secret", "previous_secret"]
    # An address typed without a scheme is taken as https, as Django 6 will.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["previous_secret_expires_at", "disabled_reason", "created_at", "updated_at"]

    def has_add_permission(self, request):
        # Endpoints are made over the API, which shows their secret once.
        return False

    def save_model(self, request, obj, form, change):
        with practice_scope(obj.practice):
            services.webhook_endpoint_update(
                endpoint=WebhookEndpoint.objects.get(pk=obj.pk), **self.changes(form)
            )
