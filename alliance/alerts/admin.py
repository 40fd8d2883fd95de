"""Django admin for alerts and alert rules."""

import json

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers

from alliance.alerts import services
from alliance.alerts.defaults import validated_overrides
from alliance.models import Alert, AlertRules
from practice.admin import PracticeOwnedAdmin, PracticeOwnedAdminForm
from practice.errors import InvalidInput
from practice.tenancy import practice_scope


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


class AlertRulesForm(PracticeOwnedAdminForm):
    """The practice's own settings, as JSON, checked by the same bounds as the API."""

    preview_days = forms.IntegerField(
        initial=services.PREVIEW_DAYS,
        min_value=services.PREVIEW_DAYS_BOUNDS[0],
        max_value=services.PREVIEW_DAYS_BOUNDS[1],
        help_text="How many days of the practice's answers “Preview” replays.",
    )

    class Meta:
        model = AlertRules
        fields = ["practice", "settings"]
        help_texts = {
            "settings": "Only what differs from the defaults, rule by rule, e.g. "
            '{"drop": {"alert_at": 3.0}}. Empty: the validated defaults.',
        }

    def clean_settings(self):
        settings = self.cleaned_data["settings"] or {}
        try:
            return validated_overrides(settings)
        except InvalidInput as error:
            raise forms.ValidationError(
                [f"{field}: {' '.join(messages)}" for field, messages in error.errors.items()]
            ) from error


@admin.register(AlertRules)
class AlertRulesAdmin(PracticeOwnedAdmin):
    """Saving goes through the service; "Preview" shows what the settings would have raised on
    the practice's own answers, next to what the saved ones did, and saves nothing."""

    form = AlertRulesForm
    list_display = ["practice", "updated_at"]
    change_form_template = "admin/alliance/alertrules/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return ["practice"] if obj else []

    def save_model(self, request, obj, form, change):
        with practice_scope(obj.practice):
            services.alert_rules_update(settings=obj.settings, replace=True)
            saved = AlertRules.objects.get()
        obj.pk, obj.updated_at = saved.pk, saved.updated_at

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST" or "_preview" not in request.POST:
            return super().changeform_view(request, object_id, form_url, extra_context)
        return self._preview(request, object_id, form_url)

    def _preview(self, request, object_id, form_url):
        obj = self.get_object(request, object_id) if object_id else None
        form = self.get_form(request, obj, change=obj is not None)(request.POST, instance=obj)
        preview = None
        if form.is_valid():
            practice = obj.practice if obj else form.cleaned_data["practice"]
            with practice_scope(practice):
                preview = services.alert_rules_preview(
                    settings=form.cleaned_data["settings"],
                    days=form.cleaned_data["preview_days"],
                    replace=True,
                )
        fieldsets = self.get_fieldsets(request, obj)
        context = {
            **self.admin_site.each_context(request),
            "title": "Preview alert rules",
            "adminform": helpers.AdminForm(
                form, list(fieldsets), {}, self.get_readonly_fields(request, obj), self
            ),
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": self.media + form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "preview": preview,
            "preview_json": json.dumps(preview, indent=2) if preview else "",
        }
        return self.render_change_form(
            request, context, add=obj is None, change=obj is not None, obj=obj, form_url=form_url
        )
