"""The timestamp window: both sides of the receiver's clock, edges included."""

from __future__ import annotations

import pytest

from contract_tests.client import ContractClient
from mock_rimo.examples import published

# Requests take time and clocks tick between signing and checking; staying this far
# inside (or outside) the edge keeps the cases about the window, not about latency.
MARGIN_SECONDS = 5


@pytest.mark.parametrize("direction", [-1, 1], ids=["past", "future"])
def test_timestamp_just_inside_window_is_accepted(client: ContractClient, direction: int) -> None:
    """A delivery signed just inside the tolerance, past or future, is processed"""
    offset = direction * (client.target.tolerance_seconds - MARGIN_SECONDS)
    answer = client.deliver(
        client.unique(published("treatment.created")), timestamp=client.now() + offset
    )
    assert (answer.status, answer.outcome) == (200, "processed"), answer


@pytest.mark.parametrize("direction", [-1, 1], ids=["past", "future"])
def test_timestamp_just_outside_window_is_rejected(client: ContractClient, direction: int) -> None:
    """A delivery signed just outside the tolerance, past or future, gets 401"""
    offset = direction * (client.target.tolerance_seconds + MARGIN_SECONDS)
    answer = client.deliver(
        client.unique(published("treatment.created")), timestamp=client.now() + offset
    )
    assert answer.status == 401, answer


def test_millisecond_timestamp_is_rejected(client: ContractClient) -> None:
    """A timestamp in milliseconds (a unit mix-up) is far in the future: 401"""
    answer = client.deliver(
        client.unique(published("charge.captured")), timestamp=client.now() * 1000
    )
    assert answer.status == 401, answer


def test_rejected_stale_delivery_does_not_burn_the_id(client: ContractClient) -> None:
    """A stale delivery is rejected without recording its id: a fresh one is then processed"""
    event = client.unique(published("treatment.approved"))
    stale = client.deliver(event, timestamp=client.now() - 3600)
    fresh = client.deliver(event)
    assert stale.status == 401, stale
    assert (fresh.status, fresh.outcome) == (200, "processed"), fresh
