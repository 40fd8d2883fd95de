from django.contrib import admin
from django_otp import user_has_device
from django_otp.admin import OTPAdminAuthenticationForm, _admin_template_for_django_version

from practice.tenancy import across_practices_unsafe

PLATFORM_ADMIN_PERMISSION = "practice.administer_platform"


class TOTPWhereSetUpAuthenticationForm(OTPAdminAuthenticationForm):
    """The admin sign-in: a password, and the TOTP code of a platform admin who has set up a
    device (in admin, "TOTP devices"); one who has not yet signs in with the password alone."""

    def clean_otp(self, user):
        if user is not None and user_has_device(user):
            super().clean_otp(user)


class PlatformAdminSite(admin.AdminSite):
    """Django admin for platform admins, who look across practices.

    Each view, including the rendering of its page, runs inside `across_practices_unsafe()`;
    writes still enter the practice scope of the row they change.
    """

    site_header = "Alliance platform admin"
    site_title = "Alliance admin"
    login_form = TOTPWhereSetUpAuthenticationForm
    login_template = _admin_template_for_django_version()

    def has_permission(self, request) -> bool:
        """Platform admins only: a superuser, or staff given `practice.administer_platform`.

        Django's default admits any staff user, whose model permissions would then show them
        every practice's rows; a practice's own staff must see none of them. A user with a
        TOTP device is admitted only once verified by it in this session.
        """
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (user.is_superuser or user.has_perm(PLATFORM_ADMIN_PERMISSION))
            and (user.is_verified() or not user_has_device(user))
        )

    def admin_view(self, view, cacheable=False):
        protected = super().admin_view(view, cacheable)

        def view_across_practices(request, *args, **kwargs):
            with across_practices_unsafe():
                response = protected(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                return response

        return view_across_practices
