"""Schema-based fuzzing (schemathesis) of the OpenAPI spec against the app with a real tiny bundle.

Valid and invalid requests for every operation, sent with an admin key: zero 5xx allowed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from service_helpers import issue_keys

from api.app import create_app

schemathesis = pytest.importorskip("schemathesis", reason="install the dev extra (schemathesis)")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402

pytestmark = pytest.mark.slow


def _deliberate_503(response) -> bool:  # type: ignore[no-untyped-def]
    """A documented 503 problem (no model / no retrieval index in this bundle), not a crash."""
    return response.status_code == 503 and response.json().get("type", "").endswith("/not-ready")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_fuzz_no_server_errors(
    make_settings, bundle_v1: Path, mode: GenerationMode, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # A copy: POST /v1/admin/erase (fuzzed with an admin key) rewrites the served bundle's index.
    bundle = Path(shutil.copytree(bundle_v1, tmp_path / "bundle"))
    app = create_app(make_settings(bundle_dir=bundle))
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = issue_keys(client)["admin"]
        # from the running client: `from_asgi` would run the lifespan a second time
        schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
        failures: list[str] = []
        for result in schema.get_all_operations():
            operation = result.ok()

            @settings(
                max_examples=30,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case) -> None:  # type: ignore[no-untyped-def]
                kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
                response = client.request(**kwargs)
                if response.status_code >= 500 and not _deliberate_503(response):
                    failures.append(
                        f"{case.operation.label}: {response.status_code} {response.text[:200]}"
                    )

            try:
                check()
            except Unsatisfiable:  # no invalid input exists for this operation (no parameters)
                assert mode is GenerationMode.NEGATIVE
    assert failures == []
