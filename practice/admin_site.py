from django.contrib import admin

from practice.tenancy import across_practices_unsafe

PLATFORM_ADMIN_PERMISSION = "practice.administer_platform"


class PlatformAdminSite(admin.AdminSite):
    """Django admin for platform admins, who look across practices.

    Each view, including the rendering of its page, runs inside `across_practices_unsafe()`;
    writes still enter the practice scope of the row they change.
    """

    site_header = "Alliance platform admin"
    site_title = "Alliance admin"

    def has_permission(self, request) -> bool:
        """Platform admins only: a superuser, or staff given `practice.administer_platform`.

        Django's default admits any staff user, whose model permissions would then show them
        every practice's rows; a practice's own staff must see none of them.
        """
        user = request.user
        return (
            user.is_active
            and user.is_staff
            and (user.is_superuser or user.has_perm(PLATFORM_ADMIN_PERMISSION))
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
