"""The schema's default rendering, YAML, answers like its JSON one."""

import yaml


def test_the_openapi_schema_renders_as_yaml(client):
    response = client.get("/api/v1/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert "/api/v1/instruments/" in schema["paths"]
