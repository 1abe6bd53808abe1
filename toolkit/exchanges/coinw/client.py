"""The CoinW spot account client: thin methods over the commands in ``endpoints``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd

from toolkit.core.client import RestClient
from toolkit.core.credentials import Credentials
from toolkit.core.http import Reply, retry_after_seconds
from toolkit.core.paging import Record
from toolkit.core.timeutil import TimeLike
from toolkit.core.vocabulary import key_summary
from toolkit.errors import ConfigurationError
from toolkit.exchanges.coinw import endpoints as ep
from toolkit.exchanges.coinw.auth import CoinWAuth
from toolkit.exchanges.coinw.errors import ERRORS, RATE_LIMIT_CODE, RATE_LIMIT_PAUSE_SECONDS

ACCOUNT_TYPES = {"spot": "SPOT", "funding": "WEALTH", "wealth": "WEALTH"}
INNER_TO_TYPES = {"uid": 1, "mobile": 2, "email": 3}


class CoinWClient(RestClient):
    """CoinW spot account. Every method returns a ``pandas.DataFrame``.

    CoinW sends some amounts as JSON numbers; they are always parsed without binary floats, so
    ``exact=True`` gives ``decimal.Decimal`` values with every digit sent, and large ids stay exact.
    """

    exchange = "coinw"
    default_base_url = "https://api.coinw.com"
    candles = ep.CANDLES
    auth = CoinWAuth
    envelope = ep.ENVELOPE
    errors = ERRORS
    # Spot signing carries no timestamp and CoinW documents no server-time command.
    server_time = None
    global_limits = (ep.IP_LIMIT, ep.UID_LIMIT)
    exact_numbers = True
    # Every retried failure risks another 29001 strike on the way to a ban: one retry by default.
    default_retries = 1

    def __init__(self, credentials: Credentials | None = None, **options: Any) -> None:
        super().__init__(credentials, **options)
        self._currencies: pd.DataFrame | None = None

    def _retry_after(self, reply: Reply, payload: Any, code: str | None) -> float | None:
        retry_after = retry_after_seconds(reply)
        if code == RATE_LIMIT_CODE:
            retry_after = max(retry_after or 0.0, RATE_LIMIT_PAUSE_SECONDS)
            # Pause every CoinW request, not only this command's: the limits counted are per user.
            for limit in self.global_limits:
                self.limiter.block(limit.key, retry_after)
        return retry_after

    # ----------------------------------------------------------------- account

    def get_balances(self, *, exact: bool = False) -> pd.DataFrame:
        """Available spot balances (``returnBalances``): one row per asset, ``asset``, ``available``.

        An account that holds nothing gives an empty frame with the same columns.
        """
        return self.request(ep.BALANCES, exact=exact)

    def get_complete_balances(self, *, exact: bool = False) -> pd.DataFrame:
        """Spot balances with the part frozen by open orders (``returnCompleteBalances``).

        Columns ``asset``, ``available``, ``on_orders``.
        """
        return self.request(ep.COMPLETE_BALANCES, exact=exact)

    def describe_key(self) -> pd.DataFrame:
        """What this key reaches and may do, in the toolkit's cross-exchange shape (one row).

        CoinW has no command that describes the caller's key. A ``returnBalances`` call proves
        the key can read; account, trade and withdraw permissions and the IP whitelist are None.
        """
        self.call(ep.BALANCES)
        return key_summary(
            self.exchange, account=None, permissions=["read"], can_trade=None, can_withdraw=None, ip_whitelist=None
        )

    def get_currencies(self, *, exact: bool = False) -> pd.DataFrame:
        """CoinW's coins (public ``returnCurrencies``): ``symbol``, ``symbol_id`` (CoinW's numeric
        coin id), ``with_draw``/``recharge`` (withdrawals/deposits open), ``max_qty``, ``min_qty``,
        ``tx_fee`` (CoinW says to ignore it), ``chain`` (``@``-separated chain names).
        """
        return self.request(ep.CURRENCIES, exact=exact)

    # ----------------------------------------------------------------- wallet

    def get_deposit_addresses(self, asset: str, network: str | None = None, *, exact: bool = False) -> pd.DataFrame:
        """Deposit addresses for ``asset`` (``returnDepositAddresses``), one row per chain.

        CoinW wants its numeric coin id and a chain: both are looked up by name in the public
        ``returnCurrencies`` (fetched once per client). ``network`` picks one chain (e.g.
        ``"TRC20"``); without it every chain CoinW lists for the coin is asked, one request each.
        Columns ``asset``, ``chain_name``, ``address``, ``memo``, ``min_recharge_amount``.
        """
        symbol_id, chains = self._coin(asset)
        records: list[Record] = []
        for chain in [network] if network else chains:
            data = self.call(ep.DEPOSIT_ADDRESSES, {"symbol_id": symbol_id, "network": chain}, exact=exact)
            records.extend(self.records(ep.DEPOSIT_ADDRESSES, data))
        frame = self.to_frame(ep.DEPOSIT_ADDRESSES, records, exact=exact, attrs={"symbol_id": symbol_id})
        frame.insert(0, "asset", pd.Series([asset.upper()] * len(frame), index=frame.index, dtype="str"))
        return frame

    def _coin(self, asset: str) -> tuple[str, list[str]]:
        """CoinW's coin id and chain names for ``asset``, from ``returnCurrencies``."""
        if self._currencies is None:
            self._currencies = self.get_currencies()
        found = self._currencies[self._currencies["symbol"].str.upper() == asset.upper()]
        if found.empty:
            raise ConfigurationError(f"coinw lists no coin {asset!r} in returnCurrencies.")
        row = found.iloc[0]
        chains = [c for c in str(row["chain"] if pd.notna(row["chain"]) else "").split("@") if c]
        if not chains:
            raise ConfigurationError(f"coinw lists no chain for {asset!r}; pass network=... explicitly.")
        return str(row["symbol_id"]), chains

    def get_deposit_withdrawal_history(
        self,
        asset: str | Sequence[str] | None = None,
        deposit_number: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Deposits and withdrawals (``returnDepositsWithdrawals``), oldest first.

        ``side`` is 1 for a deposit and 2 for a withdrawal; ``deposit_number`` is the record id
        (also the withdrawal id for ``cancel_withdrawal``). CoinW asks for one coin per request
        and documents no paging or time range: ``asset`` may be a coin, a list of coins, or None
        for every coin in ``get_complete_balances()`` (a coin no longer held is then not asked
        for). ``start_time``/``end_time`` filter what CoinW returned. ``df.attrs["coverage"]``
        lists the assets asked; ``complete`` is None because CoinW does not say whether it caps
        the number of records.
        """
        assets = self.get_complete_balances()["asset"].tolist() if asset is None else asset
        args = {"asset": assets, "deposit_number": deposit_number, "start_time": start_time, "end_time": end_time}
        return self.history(ep.DEPOSITS_WITHDRAWALS, args, exact=exact)

    def get_user_trades(
        self,
        symbol: str | Sequence[str] | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Your fills (``getUserTrades``), oldest first: ``trade_id``, ``order_id``, ``price``,
        ``size`` (in the base coin), ``side`` (BUY / SELL), ``order_type``, ``time``, ``fee``, and
        ``symbol`` (``BTC_USDT``: the market asked, which CoinW's rows do not name).

        CoinW's rows do not name their market, so each market is asked on its own: ``symbol`` is a
        market, a list of them, or None for every coin held against USDT (a market no longer held
        is then not asked for). Each 30-day window is one request; CoinW sends at most 100 fills a
        request, so a full answer is asked again in halves. The fee's currency is not documented
        (see ``toolkit.exchanges.coinw.unified``). Default range: the last 30 days.
        """
        if symbol is None:
            held = self.get_complete_balances()["asset"].str.upper()
            symbol = [f"{asset}_USDT" for asset in held if asset != "USDT"]
        return self.history(ep.USER_TRADES, {"symbol": symbol, "start_time": start_time, "end_time": end_time},
                            exact=exact)  # fmt: skip

    # ----------------------------------------------------------------- money-moving

    def withdraw(
        self,
        asset: str,
        address: str,
        network: str,
        quantity: Any,
        memo: str | None = None,
        to_type: Literal["uid", "mobile", "email"] | None = None,
        *,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Withdraw ``quantity`` of ``asset`` on chain ``network`` (``doWithdraw``).

        With ``to_type`` it is an internal transfer to another CoinW user and ``address`` is
        their UID, mobile number or email. Returns ``deposit_number``, the withdrawal id.
        Sends nothing unless ``confirm=True``. CoinW takes no client order id, so a failed or
        timed-out call is never repeated: look in ``get_deposit_withdrawal_history`` first.
        """
        if to_type is not None and to_type not in INNER_TO_TYPES:
            raise ConfigurationError(f"to_type must be one of {', '.join(INNER_TO_TYPES)}, got {to_type!r}.")
        args = {
            "asset": asset, "quantity": quantity, "address": address, "network": network, "memo": memo,
            "kind": "internal_transfer" if to_type else "ordinary_withdraw",
            "inner_to_type": INNER_TO_TYPES[to_type] if to_type else None,
        }  # fmt: skip
        return self.request(ep.WITHDRAW, args, confirm=confirm)

    def cancel_withdrawal(self, withdrawal_id: str, *, confirm: bool = False) -> pd.DataFrame:
        """Cancel a pending withdrawal (``cancelWithdraw``); ``withdrawal_id`` is its ``deposit_number``.

        Needs ``confirm=True``. Returns ``id`` and ``success`` (CoinW answers with no data).
        """
        self.call(ep.CANCEL_WITHDRAW, {"withdrawal_id": withdrawal_id}, confirm=confirm)
        return self.to_frame(ep.CANCEL_WITHDRAW, [{"id": str(withdrawal_id), "success": True}])

    def transfer(
        self,
        asset: str,
        quantity: Any,
        from_type: Literal["spot", "funding"],
        to_type: Literal["spot", "funding"],
        *,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Move ``quantity`` of ``asset`` between spot and funding (CoinW "WEALTH"), ``spotWealthTransfer``.

        Needs ``confirm=True``. Returns what was moved (``biz_type``, ``coin_code``, ``amount``)
        and ``success`` (CoinW's ``data``). CoinW takes no client order id: never repeat blindly.
        """
        try:
            source, target = ACCOUNT_TYPES[from_type.lower()], ACCOUNT_TYPES[to_type.lower()]
        except (KeyError, AttributeError):
            raise ConfigurationError("from_type and to_type are 'spot' or 'funding'.") from None
        if source == target:
            raise ConfigurationError("from_type and to_type must differ.")
        biz_type = f"{source}_TO_{target}"
        args = {"source": source, "target": target, "biz_type": biz_type, "asset": asset, "quantity": quantity}
        data = self.call(ep.WEALTH_TRANSFER, args, confirm=confirm)
        # The envelope said success; CoinW's data (documented as true) only ever says otherwise.
        record = {"bizType": biz_type, "coinCode": asset, "amount": quantity, "success": data is not False}
        return self.to_frame(ep.WEALTH_TRANSFER, [record])
