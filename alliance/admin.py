"""Django admin for instruments, survey policies, invitations and responses."""

from django import forms
from django.contrib import admin

from alliance import services
from alliance.models import (
    Alert,
    AlertRules,
    Instrument,
    SurveyInvitation,
    SurveyPolicy,
    SurveyResponse,
)
from practice.admin import PracticeOwnedAdmin
from practice.tenancy import practice_scope


class InstrumentAdminForm(forms.ModelForm):
    def clean_practice(self):
        practice = self.cleaned_data.get("practice")
        if practice is None:
            raise forms.ValidationError("Instruments made here belong to a practice.")
        return practice


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    form = InstrumentAdminForm
    list_display = ["code", "version", "name", "practice", "is_current", "created_at"]
    list_filter = ["is_current", "code", "practice"]
    search_fields = ["code", "name"]
    readonly_fields = ["version", "is_current", "created_at"]

    def has_change_permission(self, request, obj=None):
        # Built-in instruments ship with the service and change only in a new release.
        return obj is None or not obj.is_built_in

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "practice"}
        with practice_scope(obj.practice):
            if change:
                saved = services.instrument_update(
                    instrument=Instrument.objects.get(pk=obj.pk), **fields
                )
            else:
                saved = services.instrument_create(
                    code=obj.code,
                    name=obj.name,
                    items=obj.items,
                    scoring=obj.scoring,
                    threshold=obj.threshold,
                    item_threshold=obj.item_threshold,
                    standard_deviation=obj.standard_deviation,
                    reliability=obj.reliability,
                )
        obj.pk = saved.pk


@admin.register(SurveyPolicy)
class SurveyPolicyAdmin(PracticeOwnedAdmin):
    list_display = [
        "practice",
        "instrument_code",
        "send_delay_minutes",
        "every_nth_session",
        "expires_after_hours",
        "updated_at",
    ]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(PracticeOwnedAdmin):
    list_display = ["id", "practice", "status", "send_at", "sent_at", "completed_at"]
    list_filter = ["status", "practice"]
    search_fields = ["=id", "=client__id", "=session__id"]
    date_hierarchy = "send_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(PracticeOwnedAdmin):
    # Scores and comments belong to the client and their clinician; the list shows no more
    # than platform support needs.
    list_display = ["id", "practice", "instrument", "answered_at"]
    list_filter = ["practice"]
    search_fields = ["=id", "=client__id"]
    date_hierarchy = "answered_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
