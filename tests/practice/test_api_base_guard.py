import pytest

from practice.api_base import PracticeScopedViewSet


@pytest.mark.parametrize("method", ["dispatch", "initial", "get_queryset"])
def test_a_view_that_overrides_where_the_practice_scope_is_entered_is_refused(method):
    with pytest.raises(TypeError, match=method):
        type("CarelessViewSet", (PracticeScopedViewSet,), {method: lambda self, *a, **k: None})


def test_a_view_that_selects_its_records_is_accepted():
    view = type("CarefulViewSet", (PracticeScopedViewSet,), {"select_records": lambda self: []})
    assert issubclass(view, PracticeScopedViewSet)
