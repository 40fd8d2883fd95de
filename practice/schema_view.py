from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView


class APISchemaView(SpectacularAPIView):
    """The OpenAPI document (generated across practices by `practice.schema`), itself left out
    of the document."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
