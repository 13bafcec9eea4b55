"""The health check."""

from __future__ import annotations

from contract_tests.client import ContractClient


def test_health_answers_ok(client: ContractClient) -> None:
    """GET /webhooks/rimo/health answers 200 {"status": "ok"}"""
    answer = client.health()
    assert answer.status == 200, answer
    assert answer.body == {"status": "ok"}
