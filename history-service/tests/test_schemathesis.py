"""schemathesis against a running history-service on PostgreSQL: no 5xx, every response matches its schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from todo_testing.processes import ServiceProcess
from todo_testing.tokens import TEST_JWT_SECRET, auth_header

USER = "schemathesis"


@pytest.fixture(scope="module")
def api_schema(create_database, tmp_path_factory):
    env = {"DATABASE_URL": create_database(), "AUTH_JWT_SECRET": TEST_JWT_SECRET, "APP_ENV": "test"}
    server = ServiceProcess(
        "history_service.main", env, tmp_path_factory.mktemp("logs") / "history.log"
    ).start()
    yield schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    server.stop()


def test_every_operation_honours_its_openapi(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def honours_schema(case: schemathesis.Case) -> None:
            if "user_id" in (case.path_parameters or {}):
                case.path_parameters["user_id"] = (
                    USER  # the caller's own space, so requests reach the store
                )
            # Opaque cursors and `after` ids we never issued are rightly 422, not "valid data rejected".
            case.call_and_validate(
                headers=auth_header(USER), excluded_checks=[positive_data_acceptance]
            )

        honours_schema()
