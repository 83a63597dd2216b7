"""The OpenAPI schema tells clients the truth about refusals: every operation names its 4xx."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from coop.app import create_app
from coop.settings import Settings

# An operation with no guard, no parameter and no body can refuse nothing; it must stay so.
CANNOT_REFUSE = {("get", "/api/kinds")}
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict:
    path = tmp_path_factory.mktemp("openapi") / "coop.sqlite3"
    with TestClient(create_app(Settings(database_url=f"sqlite:///{path}"))) as client:
        return client.get("/schema/openapi.json").json()


def operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_every_operation_documents_its_4xx_answers(schema):
    undocumented = [
        (method, path)
        for method, path, operation in operations(schema)
        if not any(code.startswith("4") for code in operation["responses"])
    ]
    assert sorted(undocumented) == sorted(CANNOT_REFUSE)
    assert len(operations(schema)) > 50


def test_what_cannot_refuse_takes_nothing_that_could_be_refused(schema):
    for method, path in CANNOT_REFUSE:
        operation = schema["paths"][path][method]
        assert "{" not in path
        assert not operation.get("parameters") and "requestBody" not in operation


@pytest.mark.parametrize(
    ("method", "path", "codes"),
    [
        ("get", "/api/me/placements", {"401"}),  # a guard for members
        ("post", "/api/kinds", {"400", "401", "403", "409", "413", "415"}),  # coordinators
        ("get", "/api/shifts/{shift_id}", {"404"}),  # an id in the path
        ("delete", "/api/placements/{placement_id}", {"401", "403", "404", "409"}),
        ("post", "/api/shifts", {"422"}),  # the planner's rules
        ("post", "/api/session", {"401", "429"}),  # named by the handler itself
    ],
)
def test_guards_methods_paths_and_handlers_each_add_their_answers(schema, method, path, codes):
    documented = set(schema["paths"][path][method]["responses"])
    assert codes <= documented
    error = schema["paths"][path][method]["responses"][max(codes)]
    assert error["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
