"""Fuzzing: schemathesis throws generated requests at every API endpoint of a served app.

It runs as a logged-in coordinator (session cookie plus the x-csrftoken header), for a bounded
time per engine, and fails on any server error or any answer the OpenAPI schema does not describe.
Deselect it locally with ``pytest -m "not fuzz"``; it runs by default and in CI.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.served import LiveUser, run_coop, served_app

SECONDS_PER_ENGINE = int(os.environ.get("COOP_FUZZ_SECONDS", "60"))
MAX_EXAMPLES = int(os.environ.get("COOP_FUZZ_EXAMPLES", "40"))
# Closing the account would end the coordinator's login for the rest of the run.
EXCLUDED = ["DELETE /api/me"]


def schemathesis(base_url: str, maria: LiveUser, report: Path) -> subprocess.CompletedProcess:
    cookies = "; ".join(f"{name}={value}" for name, value in maria.http.cookies.items())
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{base_url}/schema/openapi.json",
        "--header",
        f"Cookie: {cookies}",
        "--header",
        f"x-csrftoken: {maria.csrf_token}",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-time",
        str(SECONDS_PER_ENGINE),
        # One worker: schemathesis compiles code in its threads, and CPython 3.11.7 can then
        # fail with "AST constructor recursion depth mismatch" (fixed in later releases).
        "--workers",
        "1",
        "--seed",
        os.environ.get("COOP_FUZZ_SEED", "7"),
        "--report",
        "junit",
        "--report-dir",
        str(report),
        *(arg for name in EXCLUDED for arg in ("--exclude-name", name)),
    ]
    return subprocess.run(
        command,
        cwd=report.parent,  # its cache goes to the test's own directory, not the repository
        capture_output=True,
        text=True,
        timeout=SECONDS_PER_ENGINE + 60,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.mark.fuzz
def test_the_api_survives_fuzzing_and_matches_its_schema(database_url, tmp_path):
    run_coop("demo", database_url=database_url)
    with served_app(database_url) as base_url:
        maria = LiveUser(base_url)
        assert maria.log_in("maria").status_code == 200
        operations = [
            f"{method.upper()} {path}"
            for path, methods in maria.get("/schema/openapi.json").json()["paths"].items()
            for method in methods
        ]
        result = schemathesis(base_url, maria, tmp_path / "report")
        assert maria.get("/api/me").status_code == 200  # still logged in: the run was real

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    tested = len(set(operations) - set(EXCLUDED))
    assert f"Tested: {tested}" in result.stdout, result.stdout[-3000:]
    # The summary's case line ("3352 generated, 3352 passed") names failures when there are any;
    # warnings such as "Authentication failed" for coordinator-only data are not failures.
    cases = re.search(r"Test cases:\s*\n\s*(.+)\n", result.stdout)
    assert cases is not None, result.stdout[-3000:]
    assert "failed" not in cases.group(1) and "error" not in cases.group(1), cases.group(1)


async def test_a_nul_character_gets_a_kind_answer_on_both_engines(garden):
    """PostgreSQL cannot store NUL (SQLite can); it used to answer 500 there."""
    maria = await garden.first_coordinator()

    changed = await maria.patch("/api/me", json={"contact": "555\x000100"})
    assert changed.status_code == 400
    assert changed.json()["detail"] == (
        "Something in that request has an invisible NUL character. Please remove it."
    )

    stranger = garden.anonymous()
    refused = await stranger.post("/api/session", json={"username": "ma\x00ria", "password": "x"})
    assert refused.status_code == 400
    assert (await maria.get("/api/me")).json()["contact"] == ""
