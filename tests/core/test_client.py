"""The shared requester: what every client gets without writing it, shown on a new endpoint."""

from __future__ import annotations

import pytest

from toolkit.core.endpoint import Endpoint, Param, new_client_order_id, positive
from toolkit.core.frames import STR
from toolkit.core.http import Reply
from toolkit.errors import ConfigurationError, ConfirmationRequired, ExchangeUnavailable
from toolkit.exchanges.bitget.client import BitgetClient

# A made-up state-changing endpoint, declared the way every real one is: no guard code anywhere.
GIFT = Endpoint(
    "POST",
    "/api/v2/spot/wallet/gift",
    {"giftId": STR},
    params={
        "asset": Param("coin", required=True),
        "quantity": Param("size", positive, required=True),
        "client_order_id": Param("clientOid", default=new_client_order_id),
    },
    one=True,
    changes_state=True,
)


class GiftingClient(BitgetClient):
    def gift(self, asset, quantity, *, confirm=False):
        return self.request(GIFT, {"asset": asset, "quantity": quantity}, confirm=confirm)


class CountingTransport:
    def __init__(self, status: int, body: bytes) -> None:
        self.calls = []
        self.status, self.body = status, body

    def send(self, call):
        self.calls.append(call)
        return Reply(self.status, {}, self.body)


@pytest.fixture
def client(fake_credentials):
    return GiftingClient(fake_credentials, sync_clock=False)


def test_a_new_state_changing_endpoint_is_refused_without_confirm(client, no_network):
    transport = CountingTransport(200, b"{}")
    client.transport = transport
    with pytest.raises(ConfirmationRequired) as caught:
        client.gift("USDT", 5)
    assert transport.calls == []
    shown = caught.value.request
    assert shown["path"] == "/api/v2/spot/wallet/gift" and shown["body"]["coin"] == "USDT"
    assert shown["body"]["clientOid"].startswith("tk")
    assert "confirm=True" in str(caught.value)


def test_confirm_must_be_true_itself(client):
    client.transport = transport = CountingTransport(200, b"{}")
    for almost in (1, "yes", [True]):
        with pytest.raises(ConfirmationRequired):
            client.gift("USDT", 5, confirm=almost)
    assert transport.calls == []


def test_bad_arguments_are_refused_before_the_guard(client):
    client.transport = transport = CountingTransport(200, b"{}")
    with pytest.raises(ConfigurationError, match="quantity must be a positive number"):
        client.gift("USDT", -1)
    assert transport.calls == []


def test_a_confirmed_call_is_sent_once_and_never_retried(client):
    client.transport = transport = CountingTransport(503, b'{"code":"40015","msg":"system busy"}')
    client._sleep = lambda seconds: pytest.fail("a state-changing call must not wait for a retry")
    with pytest.raises(ExchangeUnavailable):
        client.gift("USDT", 5, confirm=True)
    assert len(transport.calls) == 1
    assert '"coin":"USDT"' in transport.calls[0].body and "ACCESS-SIGN" in transport.calls[0].headers


def test_a_confirmed_call_returns_the_answer_as_a_frame(client):
    body = b'{"code":"00000","msg":"success","data":{"giftId":"g-1"}}'
    client.transport = CountingTransport(200, body)
    frame = client.gift("USDT", "0.5", confirm=True)
    assert frame.to_dict("records") == [{"gift_id": "g-1"}]
    assert frame.attrs["endpoint"] == "POST /api/v2/spot/wallet/gift"


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    ("exchange", "url", "expected"),
    [("bitget", "127.0.0.1:9", "https://host:port"), ("kucoin", "ftp://x", "https://host:port"),
     ("binance", "http://127.0.0.1:9", "wss://host:port")],
)  # fmt: skip
def test_a_base_url_without_its_scheme_is_refused_at_once(fake_credentials, exchange, url, expected):
    import toolkit as tk
    from toolkit.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=f"base_url must be a URL such as {expected}, got '{url}'"):
        tk.connect(exchange, fake_credentials, base_url=url, sync_clock=False, progress=False)


def test_a_start_in_the_future_says_it_is_after_now(make_client, no_network):
    from toolkit.errors import ConfigurationError

    client, _ = make_client("bitget")
    with pytest.raises(ConfigurationError, match=r"start_time \(2030-01-01 00:00:00\+00:00\) is after now \(20"):
        client.get_bills(start_time="2030-01-01")
    with pytest.raises(ConfigurationError, match=r"is after end_time \(2024-01-01 00:00:00\+00:00\)"):
        client.get_bills(start_time="2024-02-01", end_time="2024-01-01")


def test_a_refused_port_names_the_host_and_says_refused(fake_credentials):
    import toolkit as tk
    from toolkit.errors import NetworkError

    client = tk.connect("bitget", fake_credentials, base_url="http://127.0.0.1:9", sync_clock=False, progress=False,
                        max_retries=0)  # fmt: skip
    with pytest.raises(NetworkError, match=r"connection refused \(127\.0\.0\.1:9\)"):
        client.get_balances()
