"""What `OPTIONS` answers on the API."""

from rest_framework.metadata import SimpleMetadata


class DescriptionOnlyMetadata(SimpleMetadata):
    """`OPTIONS` answers the view's name, description and media types; the fields of each
    action are described by the OpenAPI schema (`/api/v1/schema/`), the one reference.

    DRF's default builds serializers and looks up objects to describe actions, which fails on
    views that are not plain lists (a practice's single policy) and costs queries for nothing.
    """

    def determine_actions(self, request, view):
        return {}
