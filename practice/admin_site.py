from django.contrib import admin

from practice.tenancy import across_practices_unsafe


class PlatformAdminSite(admin.AdminSite):
    """Django admin for platform admins, who look across practices.

    Each view, including the rendering of its page, runs inside `across_practices_unsafe()`;
    writes still enter the practice scope of the row they change.
    """

    site_header = "Alliance platform admin"
    site_title = "Alliance admin"

    def admin_view(self, view, cacheable=False):
        protected = super().admin_view(view, cacheable)

        def view_across_practices(request, *args, **kwargs):
            with across_practices_unsafe():
                response = protected(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                return response

        return view_across_practices
