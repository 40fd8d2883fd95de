"""Django admin for instruments, survey policies, invitations and responses, and the
alliance chart on a client's page."""

from django import forms
from django.contrib import admin
from django.utils.safestring import mark_safe

from alliance.models import Instrument, SurveyInvitation, SurveyPolicy, SurveyResponse
from alliance.surveys import services
from alliance.surveys.charts import client_alliance_chart
from practice.admin import ClientAdmin, PracticeOwnedAdmin, SavesThroughServices
from practice.models import Client
from practice.tenancy import practice_scope


class InstrumentAdminForm(forms.ModelForm):
    def clean_practice(self):
        practice = self.cleaned_data.get("practice")
        if practice is None:
            raise forms.ValidationError("Instruments made here belong to a practice.")
        return practice


@admin.register(Instrument)
class InstrumentAdmin(SavesThroughServices, admin.ModelAdmin):
    form = InstrumentAdminForm
    list_display = ["code", "version", "name", "practice", "is_current", "created_at"]
    list_filter = ["is_current", "code", "practice"]
    search_fields = ["code", "name"]
    readonly_fields = ["version", "is_current", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # A version belongs to its practice and code for ever.
        fixed = ["practice", "code"] if obj is not None else []
        return [*self.readonly_fields, *fixed]

    def has_change_permission(self, request, obj=None):
        # Built-in instruments ship with the service and change only in a new release.
        return obj is None or not obj.is_built_in

    def save_model(self, request, obj, form, change):
        with practice_scope(obj.practice):
            if change:
                saved = services.instrument_update(
                    instrument=Instrument.objects.get(pk=obj.pk), **self.changes(form)
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

    def save_model(self, request, obj, form, change):
        with practice_scope(obj.practice):
            saved = services.survey_policy_update(**self.changes(form))
        obj.pk = saved.pk


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


# The client's page shows their alliance: `practice/` knows nothing of surveys, so this app
# registers the client's admin again with the chart added.
admin.site.unregister(Client)


@admin.register(Client)
class ClientWithAllianceAdmin(ClientAdmin):
    readonly_fields = [*ClientAdmin.readonly_fields, "alliance_over_time"]

    @admin.display(description="Alliance over time")
    def alliance_over_time(self, client: Client) -> str:
        if client.pk is None:
            return "-"
        with practice_scope(client.practice):
            return mark_safe(client_alliance_chart(client))  # noqa: S308 - built with escaping
