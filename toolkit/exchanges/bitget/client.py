"""The Bitget spot account client (API v2): thin methods over the endpoints in ``endpoints``.

Docs: https://www.bitget.com/api-doc/spot/account/Get-Account-Info and siblings.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

from toolkit.core import covered
from toolkit.core.client import RestClient, either
from toolkit.core.credentials import Credentials
from toolkit.core.endpoint import Endpoint, Envelope
from toolkit.core.http import Reply
from toolkit.core.timeutil import TimeLike, ms_to_timestamp, now_ms, to_ms
from toolkit.core.vocabulary import key_summary
from toolkit.errors import ConfigurationError, ExchangeError, InvalidRequest, OutOfReach
from toolkit.exchanges.bitget import endpoints as ep
from toolkit.exchanges.bitget.auth import BitgetAuth
from toolkit.exchanges.bitget.errors import CLASSIC_ACCOUNT, ERRORS, UNIFIED_ACCOUNT

# Authority codes (Get-Account-Info): "*ow" codes are read/write; "wwow" is withdrawal write.
TRADE_AUTHORITIES = frozenset({"trade", "stow", "smow", "coow", "cpow"})
WITHDRAW_AUTHORITIES = frozenset({"withdraw", "wwow"})

# UTA permissions (v3 account info) that let a key trade, and withdraw.
UTA_TRADE, UTA_WITHDRAW = "uta_trade", "withdraw"
# The classic (v2) calls a unified trading account answers with 40085, and what to call instead.
UTA_INSTEAD = {
    ep.ACCOUNT_INFO.name: "get_uta_account_info() (describe_key() reads it for you)",
    ep.ASSETS.name: "get_uta_assets()",
    ep.BILLS.name: "get_financial_records()",
    ep.TRANSFER_RECORDS.name: "get_financial_records() (its TRANSFER_IN and TRANSFER_OUT records)",
    ep.DEPOSIT_RECORDS.name: "get_uta_deposit_records()",
    ep.WITHDRAWAL_RECORDS.name: "get_uta_withdrawal_records()",
    ep.TRADE_RATE.name: "get_uta_fee_rate()",
}

AccountType = Literal[
    "spot", "p2p", "coin_futures", "usdt_futures", "usdc_futures", "crossed_margin", "isolated_margin"
]


class BitgetClient(RestClient):
    """Bitget spot account (API v2). Every method returns a ``pandas.DataFrame``.

    Amounts are ``float64``; pass ``exact=True`` to get ``decimal.Decimal`` values with every
    digit Bitget sent. RSA keys: pass the PEM private key as ``api_secret``. ``uta``: whether the
    key's account is a unified trading account (UTA, API v3), whose balances and records are other
    endpoints; None asks Bitget once (``is_uta``), True or False says so.
    """

    exchange = "bitget"
    default_base_url = "https://api.bitget.com"
    candles = ep.CANDLES
    auth = BitgetAuth
    envelope = ep.ENVELOPE
    errors = ERRORS
    server_time = ep.SERVER_TIME

    def __init__(self, credentials: Credentials | None = None, *, uta: bool | None = None, **options: Any) -> None:
        super().__init__(credentials, **options)
        self.uta = uta

    def call(self, endpoint: Endpoint, args: Any = None, **options: Any) -> Any:
        # A classic call on a client known to hold a UTA is refused before it is sent.
        instead = UTA_INSTEAD.get(endpoint.name)
        if self.uta and instead:
            raise ConfigurationError(
                f"bitget: this key's account is a unified trading account (UTA), which {endpoint.name} does "
                f"not serve (Bitget answers 40085); use {instead}."
            )
        return super().call(endpoint, args, **options)

    def error(self, endpoint: str, payload: Any, reply: Reply, envelope: Envelope | None = None) -> ExchangeError:
        err = super().error(endpoint, payload, reply, envelope)
        if err.code == UNIFIED_ACCOUNT:  # learnt from the answer: the next classic call is refused at once
            self.uta = True
            instead = UTA_INSTEAD.get(endpoint)
            err.add_note("This key's account is a unified trading account (UTA)" + (f": use {instead}." if instead
                                                                                      else "."))  # fmt: skip
        return err

    def is_uta(self) -> bool:
        """Whether the account is a unified trading account: a v3 read succeeds (Bitget answers a
        classic account's key there with 40084); asked once per client, or as ``uta=`` said."""
        if self.uta is None:
            try:
                self.call(ep.UTA_ASSETS)
            except InvalidRequest as err:
                if err.code != CLASSIC_ACCOUNT:
                    raise
                self.uta = False
            else:
                self.uta = True
        return self.uta

    # ----------------------------------------------------------------- unified trading account (v3)

    def get_uta_account_info(self) -> pd.DataFrame:
        """A UTA key's account and permissions (``GET /api/v3/account/info``): ``user_id`` (or ``uid``),
        ``ips`` (whitelist), ``perm_type`` (read-only / read-and-write), ``permissions`` (``uta_mgt``,
        ``uta_trade``, ``withdraw``, ...), ``parent_id``, ``regis_time``, ..."""
        return self.request(ep.UTA_ACCOUNT_INFO)

    def get_uta_fee_rate(
        self,
        symbol: str,
        category: Literal["SPOT", "MARGIN", "USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES"] = "SPOT",
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """A UTA's maker and taker fee rates for ``symbol`` (``GET /api/v3/account/fee-rate``; fractions)."""
        frame = self.request(ep.UTA_FEE_RATE, {"symbol": symbol, "category": category}, exact=exact)
        frame.insert(0, "symbol", pd.Series([symbol] * len(frame), dtype="str"))
        return frame

    def get_uta_assets(self, *, exact: bool = False) -> pd.DataFrame:
        """A UTA's assets (``GET /api/v3/account/assets``, non-zero only): ``coin``, ``equity``,
        ``usd_value``, ``balance``, ``available``, ``debt``, ``locked``, and the account's totals
        repeated on each row (``account_equity``, ``usdt_equity``, ``btc_equity``, ``eff_equity``,
        ``unrealised_pnl``, ``mmr``, ``imr``, ``mgn_ratio``, ...)."""
        return self.request(ep.UTA_ASSETS, exact=exact)

    def get_financial_records(
        self,
        category: Literal["SPOT", "MARGIN", "USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES"] = "SPOT",
        asset: str | None = None,
        kind: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        clip: bool = False,
        exact: bool = False,
    ) -> pd.DataFrame:
        """A UTA's ledger (``GET /api/v3/account/financial-records``): ``id``, ``category``, ``symbol``,
        ``coin``, ``type`` (``kind`` filters it: ``ORDER_DEALT_IN``, ``TRANSFER_IN``, ...),
        ``amount``, ``fee``, ``balance`` (after), ``ts``. Every page (``cursor``) of every 30-day
        window; Bitget serves the last 90 days only, so an older range raises ``OutOfReach``, or with
        ``clip=True`` is read from 90 days back, its coverage not complete and saying from where."""
        reach = now_ms() - ep.UTA_RECORDS_REACH_MS
        gap: dict[str, Any] | None = None
        if start_time is not None and to_ms(start_time, "start_time") < reach and clip:
            gap = covered.unreachable(
                self.exchange,
                ep.FINANCIAL_RECORDS,
                ms_to_timestamp(to_ms(start_time, "start_time")),
                ms_to_timestamp(reach),
            )
            start_time = reach
        elif start_time is not None and to_ms(start_time, "start_time") < reach:
            raise OutOfReach(
                f"bitget: a unified trading account's financial records go back 90 days (to "
                f"{ms_to_timestamp(reach)}); the range starts at {start_time}. Ask for the last 90 days; "
                "tk.sync keeps them as it goes."
            )
        args = {"category": category, "asset": asset, "kind": kind, "start_time": start_time, "end_time": end_time}
        frame = self.history(ep.FINANCIAL_RECORDS, args, exact=exact)
        if gap:
            frame.attrs["coverage"].update(complete=False, unreachable=(gap["start"], gap["end"]))
        return frame

    def get_uta_deposit_records(
        self,
        asset: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """A UTA's deposits (``GET /api/v3/account/deposit-records``): ``order_id``, ``record_id``,
        ``coin``, ``size``, ``status``, ``chain``, ``to_address``, ``created_time``, ... every page of
        every 30-day window (default: the last 30 days)."""
        return self.history(ep.UTA_DEPOSIT_RECORDS, {"asset": asset, "start_time": start_time, "end_time": end_time},
                            exact=exact)  # fmt: skip

    def get_uta_withdrawal_records(
        self,
        asset: str | None = None,
        client_order_id: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """A UTA's withdrawals (``GET /api/v3/account/withdrawal-records``): as deposits, with ``fee``
        and ``client_oid``."""
        args = {"asset": asset, "client_order_id": client_order_id, "start_time": start_time, "end_time": end_time}
        return self.history(ep.UTA_WITHDRAWAL_RECORDS, args, exact=exact)

    # ----------------------------------------------------------------- account

    def get_server_time(self) -> pd.DataFrame:
        """Bitget's clock: one row, column ``server_time``."""
        return self.request(ep.SERVER_TIME)

    def get_api_key_info(self) -> pd.DataFrame:
        """The key's account: ``user_id``, ``ips`` (whitelist), ``authorities`` (permissions), ...

        Replaces v1 ``account/getInfo`` with ``GET /api/v2/spot/account/info``.
        """
        return self.request(ep.ACCOUNT_INFO)

    def describe_key(self) -> pd.DataFrame:
        """What this key reaches and may do, in the toolkit's cross-exchange shape (one row).

        Columns: ``exchange``, ``account``, ``account_model`` (``classic`` or ``unified``, asked once),
        ``permissions`` (Bitget's authority codes, or a UTA's permissions), ``can_read``,
        ``can_trade``, ``can_withdraw``, ``ip_whitelist``.
        """
        if self.is_uta():
            uta = self.get_uta_account_info().iloc[0]
            permissions = [str(p) for p in (uta["permissions"] or [])]
            user = uta["user_id"] if not pd.isna(uta.get("user_id")) else uta.get("uid")
            return key_summary(
                self.exchange,
                account=None if pd.isna(user) else str(user),
                permissions=permissions,
                can_trade=UTA_TRADE in permissions,
                can_withdraw=UTA_WITHDRAW in permissions,
                ip_whitelist=uta["ips"] or None,
                account_model="unified",
            )
        info = self.get_api_key_info().iloc[0]
        authorities = [str(a) for a in (info["authorities"] or [])]
        return key_summary(
            self.exchange,
            account=info["user_id"],
            permissions=authorities,
            can_trade=any(a in TRADE_AUTHORITIES for a in authorities),
            can_withdraw=any(a in WITHDRAW_AUTHORITIES for a in authorities),
            ip_whitelist=info["ips"] or None,
        )

    def get_balances(
        self, asset: str | None = None, asset_type: Literal["hold_only", "all"] | None = None, *, exact: bool = False
    ) -> pd.DataFrame:
        """Spot balances: ``coin``, ``available``, ``frozen``, ``locked``, ``limit_available``, ``u_time``.

        ``asset`` asks for one coin; ``asset_type`` is ``"hold_only"`` (Bitget's default: coins
        held) or ``"all"``. When both are given Bitget lets ``asset`` win.
        """
        return self.request(ep.ASSETS, {"asset": asset, "asset_type": asset_type}, exact=exact)

    def get_balances_lite(self, asset: str | None = None, *, exact: bool = False) -> pd.DataFrame:
        """Balances of coins held only (v1 ``assets-lite``; v2 ``assets`` with ``assetType=hold_only``)."""
        return self.get_balances(asset, "hold_only", exact=exact)

    def get_sub_account_balances(self, *, exact: bool = False) -> pd.DataFrame:
        """Balances of every sub-account with assets: one row per sub-account and coin (``user_id``, ...)."""
        return self.request(ep.SUBACCOUNT_ASSETS, exact=exact)

    def get_bills(
        self,
        asset_id: str | None = None,
        group_type: str | None = None,
        biz_type: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        limit: int | None = None,
        *,
        asset: str | None = None,
        exact: bool = False,
    ) -> pd.DataFrame:
        """The spot ledger: ``bill_id``, ``c_time``, ``coin``, ``group_type``, ``business_type``,
        ``size`` (signed change), ``balance`` (after it), ``fees``.

        Fetches every page (500 a request, ``idLessThan`` cursor) of every 90-day window in
        ``[start_time, end_time]`` (default: the last 90 days), oldest first. ``asset_id`` is the
        coin name in v2 (e.g. ``"USDT"``; ``asset=`` as on every client); ``group_type`` and
        ``biz_type`` filter as Bitget's ``groupType`` / ``businessType``. ``limit`` keeps the most
        recent ``limit`` records. ``df.attrs["coverage"]`` reports the range, windows and pages fetched.
        """
        args = {"asset_id": either(("asset_id", asset_id), ("asset", asset)), "group_type": group_type,
                "biz_type": biz_type, "start_time": start_time, "end_time": end_time}  # fmt: skip
        return self.history(ep.BILLS, args, exact=exact, limit=limit)

    def get_transfer_history(
        self,
        asset_id: str | None = None,
        from_type: AccountType | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        client_order_id: str | None = None,
        limit: int | None = None,
        *,
        asset: str | None = None,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Transfers out of ``from_type`` for coin ``asset_id`` (or ``asset=``): every page of every
        90-day window."""
        if from_type is None:
            raise ConfigurationError("from_type is required: the account the transfers left (spot, ...).")
        asset_id = either(("asset_id", asset_id), ("asset", asset), required=True)
        args = {"asset_id": asset_id, "from_type": from_type, "client_order_id": client_order_id,
                "start_time": start_time, "end_time": end_time}  # fmt: skip
        return self.history(ep.TRANSFER_RECORDS, args, exact=exact, limit=limit)

    def get_user_fee_ratio(
        self, symbol: str, business_type: Literal["spot", "margin", "mix"] = "spot", *, exact: bool = False
    ) -> pd.DataFrame:
        """Maker and taker fee rates for ``symbol`` (fractions: 0.001 is 0.1 %)."""
        frame = self.request(ep.TRADE_RATE, {"symbol": symbol, "business_type": business_type}, exact=exact)
        frame.insert(0, "symbol", pd.Series([symbol] * len(frame), dtype="str"))
        return frame

    # ----------------------------------------------------------------- wallet

    def get_deposit_address(self, asset: str, network: str | None = None) -> pd.DataFrame:
        """Deposit address for ``asset`` on ``network`` (Bitget's ``chain``, e.g. ``"trc20"``)."""
        return self.request(ep.DEPOSIT_ADDRESS, {"asset": asset, "network": network})

    def get_deposit_history(
        self,
        asset: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        page: int | None = None,
        page_size: int | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Deposits in ``[start_time, end_time]`` (default: the last 90 days), every page, oldest first.

        v2 replaced page numbers with a cursor; ``page``/``page_size`` select the ``page``-th
        block of ``page_size`` records counted from the newest, as v1 did.
        """
        args = {"asset": asset, "start_time": start_time, "end_time": end_time}
        return _page_slice(self.history(ep.DEPOSIT_RECORDS, args, exact=exact), page, page_size)

    def get_withdrawal_history(
        self,
        asset: str | None = None,
        client_order_id: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        page: int | None = None,
        page_size: int | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Withdrawals in ``[start_time, end_time]`` (default: the last 90 days), every page, oldest first.

        ``fee`` is as Bitget sends it (negative). ``page``/``page_size`` as in ``get_deposit_history``.
        """
        args = {"asset": asset, "client_order_id": client_order_id, "start_time": start_time, "end_time": end_time}
        return _page_slice(self.history(ep.WITHDRAWAL_RECORDS, args, exact=exact), page, page_size)

    # ----------------------------------------------------------------- money-moving

    def withdraw(
        self,
        asset: str,
        address: str,
        network: str,
        quantity: Any,
        tag: str | None = None,
        remark: str | None = None,
        client_order_id: str | None = None,
        *,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Withdraw ``quantity`` of ``asset`` on chain ``network`` to ``address`` (in the address book).

        Sends nothing unless ``confirm=True``; raises ``ConfirmationRequired`` showing the request.
        A client order id is generated when none is given, so a repeat cannot pay twice.
        """
        args = {"asset": asset, "address": address, "network": network, "quantity": quantity, "tag": tag,
                "remark": remark, "client_order_id": client_order_id}  # fmt: skip
        return self.request(ep.WITHDRAWAL, args, confirm=confirm)

    def inner_withdraw(
        self,
        asset: str,
        to_user_id: str,
        quantity: Any,
        to_type: Literal["uid", "email", "mobile"] | None = None,
        area_code: str | None = None,
        client_order_id: str | None = None,
        *,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Internal transfer to another Bitget user (v2 withdrawal with ``transferType=internal_transfer``).

        ``to_user_id`` is the UID, email or mobile number according to ``to_type`` (default uid);
        ``area_code`` is required for mobile. Needs ``confirm=True``.
        """
        if to_type == "mobile" and not area_code:
            raise ConfigurationError("inner_withdraw to a mobile number needs area_code.")
        args = {"asset": asset, "to_user_id": to_user_id, "quantity": quantity, "to_type": to_type,
                "area_code": area_code, "client_order_id": client_order_id}  # fmt: skip
        return self.request(ep.INNER_WITHDRAWAL, args, confirm=confirm)

    def cancel_withdrawal(self, order_id: str, *, confirm: bool = False) -> pd.DataFrame:
        """Cancel a withdrawal still in its one-minute regret period or in review. Needs ``confirm=True``."""
        result = self.call(ep.CANCEL_WITHDRAWAL, {"order_id": order_id}, confirm=confirm)
        return self.to_frame(ep.CANCEL_WITHDRAWAL, [{"result": result}])

    def transfer(
        self,
        asset: str,
        quantity: Any,
        from_type: AccountType,
        to_type: AccountType,
        symbol: str | None = None,
        client_order_id: str | None = None,
        *,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Move funds between your own account types. ``symbol`` is needed for isolated margin.

        Needs ``confirm=True``; a repeated ``client_order_id`` returns the existing transfer.
        """
        if "isolated_margin" in (from_type, to_type) and not symbol:
            raise ConfigurationError("A transfer to or from isolated_margin needs symbol (e.g. 'BTCUSDT').")
        args = {"from_type": from_type, "to_type": to_type, "quantity": quantity, "asset": asset, "symbol": symbol,
                "client_order_id": client_order_id}  # fmt: skip
        return self.request(ep.TRANSFER, args, confirm=confirm)

    def sub_transfer(
        self,
        asset: str,
        quantity: Any,
        from_type: AccountType,
        to_type: AccountType,
        client_order_id: str | None,
        from_user_id: str,
        to_user_id: str,
        *,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Transfer between main and sub-accounts (main-account key, IP-bound). Needs ``confirm=True``."""
        args = {"from_type": from_type, "to_type": to_type, "quantity": quantity, "asset": asset,
                "client_order_id": client_order_id, "from_user_id": from_user_id, "to_user_id": to_user_id}  # fmt: skip
        return self.request(ep.SUBACCOUNT_TRANSFER, args, confirm=confirm)


def _page_slice(frame: pd.DataFrame, page: int | None, page_size: int | None) -> pd.DataFrame:
    if page is None and page_size is None:
        return frame
    size = page_size or 20
    number = page or 1
    if size < 1 or number < 1:
        raise ConfigurationError("page and page_size start at 1.")
    newest_first = frame.iloc[::-1]
    chunk = newest_first.iloc[(number - 1) * size : number * size].iloc[::-1].reset_index(drop=True)
    chunk.attrs = {**frame.attrs, "page": number, "page_size": size}
    return chunk
