from rest_framework.pagination import CursorPagination


class CreatedCursorPagination(CursorPagination):
    """`{"results", "next", "previous"}`, newest first, stable under concurrent inserts."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200
