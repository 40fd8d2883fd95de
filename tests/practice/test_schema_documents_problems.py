"""Every operation of the schema documents its error answers as problem documents."""

import pytest

pytestmark = pytest.mark.django_db

PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture
def schema(client):
    return client.get("/api/v1/schema/", {"format": "json"}).json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_operation_documents_its_common_problems(schema):
    for path, method, operation in _operations(schema):
        for status in ("400", "401", "429", "503"):
            content = operation["responses"][status]["content"]
            assert content["application/problem+json"]["schema"] == PROBLEM, (path, method)


def test_operations_with_a_body_document_413_and_posts_422(schema):
    for path, method, operation in _operations(schema):
        if method in ("post", "put", "patch"):
            assert "413" in operation["responses"], (path, method)
        if method == "post":
            assert "422" in operation["responses"], (path, method)


def test_operations_on_one_record_document_404(schema):
    for path, method, operation in _operations(schema):
        if "{" in path:
            assert "404" in operation["responses"], (path, method)
