"""Django admin for platform admins, who look across practices (see `admin_site`).

Every write runs inside the practice scope of the row being written, through the same services
as the API where there are any.
"""

from django import forms
from django.contrib import admin, messages

from practice import services
from practice.errors import ApplicationError
from practice.models import APIKey, Client, Clinician, Membership, Practice, Session
from practice.tenancy import PracticeOwnedModel, practice_scope


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "created_at"]
    fields = ["name", "slug", "timezone", "alert_url_template"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class PracticeOwnedAdminForm(forms.ModelForm):
    """Refuses to link a row to a record of another practice."""

    def clean(self):
        cleaned = super().clean()
        practice = cleaned.get("practice") or getattr(self.instance, "practice", None)
        for name, value in cleaned.items():
            if (
                isinstance(value, PracticeOwnedModel)
                and practice
                and value.practice_id != practice.pk
            ):
                self.add_error(name, "This belongs to another practice.")
        return cleaned


class SavesThroughServices:
    """For admin pages that save through the services the API uses: what a service refuses
    (an `ApplicationError`) is rolled back with the page's transaction and shown on the form
    again, by the field it names, with what was typed kept."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as refusal:
            request.service_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "service_refusal", None)
        return form if refusal is None else _form_refused_by(form, refusal)

    @staticmethod
    def changes(form) -> dict:
        """What the form changed, for an update service (the row's practice never changes)."""
        return {name: form.cleaned_data[name] for name in form.changed_data if name != "practice"}


def _form_refused_by(form_class, refusal: ApplicationError):
    class RefusedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            for name, problems in (refusal.errors or {"": [refusal.detail]}).items():
                if name in self.fields:
                    self.add_error(name, problems)
                else:
                    self.add_error(None, [f"{name}: {m}" if name else m for m in problems])
            return cleaned

    return RefusedForm


class PracticeOwnedAdmin(SavesThroughServices, admin.ModelAdmin):
    """A practice's rows, looked at across practices; each write enters the row's practice.
    A page whose model has services overrides `save_model` to call them."""

    form = PracticeOwnedAdminForm
    list_select_related = ["practice"]
    list_filter = ["practice"]

    def get_readonly_fields(self, request, obj=None):
        # A row stays in its practice.
        fixed = ["practice"] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *fixed]

    def save_model(self, request, obj, form, change):
        with practice_scope(obj.practice):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with practice_scope(obj.practice):
            super().delete_model(request, obj)


class MembershipAdminForm(PracticeOwnedAdminForm):
    """Checks a membership with the same rules as the API and the members' pages."""

    def clean(self):
        cleaned = super().clean()
        practice = cleaned.get("practice") or getattr(self.instance, "practice", None)
        if practice is None or self.errors:
            return cleaned
        candidate = Membership(
            pk=self.instance.pk,
            practice=practice,
            **{field: cleaned.get(field) for field in services.MEMBER_FIELDS},
        )
        with practice_scope(practice):
            try:
                services.member_check(candidate)
            except ApplicationError as refused:
                for field, messages_ in (refused.errors or {}).items():
                    self.add_error(field, messages_)
        return cleaned


@admin.register(Membership)
class MembershipAdmin(PracticeOwnedAdmin):
    form = MembershipAdminForm
    list_display = ["email", "practice", "role", "clinician", "active", "created_at"]
    list_filter = ["role", "active", "practice"]
    search_fields = ["=email", "practice__name"]
    list_select_related = ["practice", "clinician"]
    raw_id_fields = ["clinician"]

    def get_readonly_fields(self, request, obj=None):
        return ["practice"] if obj else []

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in services.MEMBER_FIELDS}
        with practice_scope(obj.practice):
            if change:
                services.member_update(member=obj, **data)
            else:
                obj.pk = services.member_create(**data).pk


@admin.register(APIKey)
class APIKeyAdmin(PracticeOwnedAdmin):
    list_display = ["name", "prefix", "practice", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "practice"]
    search_fields = ["name", "prefix", "practice__name"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["practice", "name"]
        return ["practice", "name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        with practice_scope(obj.practice):
            created, raw_key = services.api_key_create(name=obj.name)
        obj.pk = created.pk
        self.message_user(
            request,
            f"API key: {raw_key} — copy it now: it is shown only this once.",
            level=messages.WARNING,
        )

    @admin.action(description="Revoke the selected API keys")
    def revoke(self, request, queryset):
        for api_key in queryset:
            with practice_scope(api_key.practice):
                services.api_key_revoke(api_key=api_key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")


@admin.register(Clinician)
class ClinicianAdmin(PracticeOwnedAdmin):
    list_display = ["name", "practice", "active", "created_at"]
    list_filter = ["active", "practice"]
    search_fields = ["name", "=email"]
    fields = ["practice", "external_id", "name", "email", "active"]

    def save_model(self, request, obj, form, change):
        with practice_scope(obj.practice):
            if change:
                services.clinician_update(
                    clinician=Clinician.objects.get(pk=obj.pk), **self.changes(form)
                )
                return
            created = services.clinician_create(
                **{name: form.cleaned_data[name] for name in services.CLINICIAN_UPDATABLE}
            )
        obj.pk = created.pk


@admin.register(Client)
class ClientAdmin(PracticeOwnedAdmin):
    # Platform admins rarely need a client's name: the list shows ids and states only.
    list_display = ["id", "practice", "clinician", "status", "survey_consent", "created_at"]
    list_filter = ["status", "survey_consent", "language", "practice"]
    search_fields = ["=id", "=email"]
    raw_id_fields = ["clinician"]
    readonly_fields = ["id", "episode_started_at", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        with practice_scope(obj.practice):
            if change:
                services.client_update(client=Client.objects.get(pk=obj.pk), **self.changes(form))
                return
            fields = {name: form.cleaned_data[name] for name in services.CLIENT_UPDATABLE}
            created = services.client_create(timezone_name=fields.pop("timezone"), **fields)
        obj.pk = created.pk


@admin.register(Session)
class SessionAdmin(PracticeOwnedAdmin):
    list_display = ["id", "practice", "clinician", "starts_at", "status", "sequence"]
    list_filter = ["status", "practice"]
    search_fields = ["=id", "=client__id"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["client", "clinician"]
    readonly_fields = [
        "id",
        "client",
        "status",
        "completed_at",
        "sequence",
        "created_at",
        "updated_at",
    ]
    actions = ["mark_completed"]

    def save_model(self, request, obj, form, change):
        with practice_scope(obj.practice):
            services.session_update(session=Session.objects.get(pk=obj.pk), **self.changes(form))

    def has_add_permission(self, request):
        # Sessions are booked by the practice's own systems over the API.
        return False

    @admin.action(description="Mark the selected sessions completed")
    def mark_completed(self, request, queryset):
        completed = 0
        for session in queryset:
            with practice_scope(session.practice):
                _, changed = services.session_complete(session=session)
            completed += changed
        self.message_user(request, f"Marked {completed} session(s) completed.")
