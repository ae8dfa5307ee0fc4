"""schemathesis against the running gateway's OpenAPI: the REST chat turn and /chatkit, with a
valid token, never answer with a 5xx and answer as documented."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from tests.security.conftest import Stack, bearer, hs256

USER = "schemathesis-gateway"
OPERATIONS = {("POST", "/api/{user_id}/chat"), ("POST", "/chatkit")}


def test_the_gateway_honours_its_openapi(stack: Stack):
    schema = schemathesis.openapi.from_url(f"{stack.gateway.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    chosen = [op for op in operations if (op.method.upper(), op.path) in OPERATIONS]
    assert len(chosen) == len(OPERATIONS), [(op.method, op.path) for op in operations]
    headers = bearer(hs256(USER))
    for operation in chosen:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def honours_schema(case: schemathesis.Case) -> None:
            if "user_id" in (case.path_parameters or {}):
                case.path_parameters["user_id"] = USER  # the caller's own turn, so it runs
            # /chatkit's body is documented as any object, so most of what is generated is rightly
            # a 422 "not a ChatKit request", and the bearer header makes "no token" cases valid:
            # the two data-acceptance checks would judge the wrong request.
            case.call_and_validate(
                headers=headers,
                excluded_checks=[positive_data_acceptance, negative_data_rejection],
            )

        honours_schema()
