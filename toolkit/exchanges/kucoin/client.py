"""The KuCoin spot account client: thin public methods over the endpoints in ``endpoints``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

import pandas as pd

from toolkit.core import covered
from toolkit.core.client import RestClient, either
from toolkit.core.credentials import Credentials
from toolkit.core.endpoint import Endpoint, new_client_order_id
from toolkit.core.http import Call, Reply, bounded_wait, param_text, retry_after_seconds
from toolkit.core.paging import MAX_IN_FLIGHT, PageNumber
from toolkit.core.redact import get_logger
from toolkit.core.timeutil import DAY_MS, TimeLike, ms_to_timestamp, now_ms, to_ms
from toolkit.core.vocabulary import key_summary
from toolkit.errors import ConfigurationError, InvalidRequest, MalformedResponse, OutOfReach, PermissionDenied
from toolkit.exchanges.kucoin import endpoints as ep
from toolkit.exchanges.kucoin.auth import KEY_VERSIONS, KucoinAuth
from toolkit.exchanges.kucoin.errors import ERRORS

log = get_logger(__name__)

# Permissions that let a key place orders (the key's information, ``permission``).
TRADE_PERMISSIONS = frozenset({"Spot", "Margin", "Futures", "Unified"})

AccountType = Literal["main", "trade", "margin", "isolated", "margin_v2", "isolated_v2", "option", "contract"]


class KucoinClient(RestClient):
    """KuCoin spot account. Every method returns a ``pandas.DataFrame``.

    Amounts are ``float64``; pass ``exact=True`` to get ``decimal.Decimal`` values with every
    digit KuCoin sent. ``key_version`` is the API key's version shown in KuCoin's API
    management (2 or 3; KuCoin's own SDK sends 3); both sign the passphrase with the secret.
    ``hf``: whether the account trades in a high-frequency (HF) trade account, whose ledger is
    another endpoint; None asks KuCoin once (``is_hf_account``). ``uta``: whether the key's account
    is a unified trading account (UTA), read through KuCoin's UA API; None asks KuCoin once
    (``is_uta``), True or False says so.
    """

    exchange = "kucoin"
    default_base_url = "https://api.kucoin.com"
    candles = ep.CANDLES
    auth = KucoinAuth
    envelope = ep.ENVELOPE
    errors = ERRORS
    server_time = ep.SERVER_TIME
    server_time_field = None

    def __init__(
        self, credentials: Credentials | None = None, *, key_version: int | str = 3, hf: bool | None = None,
        uta: bool | None = None, **options: Any,
    ) -> None:  # fmt: skip
        if str(key_version) not in KEY_VERSIONS:
            raise ConfigurationError(
                f"KuCoin key_version must be 2 or 3, got {key_version!r} (version 1 keys sent the passphrase "
                "in plain text and are no longer accepted: create a version 3 key)."
            )
        super().__init__(credentials, **options)
        self.key_version = str(key_version)
        self.hf = hf
        self.uta = uta

    # ----------------------------------------------------------------- hooks

    def _auth_options(self) -> dict[str, Any]:
        return {"key_version": self.key_version}

    def _encode_body(self, body: Mapping[str, Any]) -> str:
        # Numbers go as strings (KuCoin: "to preserve the full precision"); flags stay JSON booleans.
        encoded = {k: v if isinstance(v, (bool, list, dict)) else param_text(v) for k, v in body.items()}
        return json.dumps(encoded, separators=(",", ":"))

    def _observe(self, call: Call, endpoint: Endpoint, reply: Reply, payload: Any) -> None:
        """Hold the pool until its reset when the quota left would not cover the requests in flight."""
        remaining = _int_header(reply, "gw-ratelimit-remaining")
        reset_ms = _int_header(reply, "gw-ratelimit-reset")
        if remaining is None or reset_ms is None or not endpoint.limits:
            return
        limit = endpoint.limits[0]
        # Room for every request a history of this endpoint may have in flight.
        if remaining < limit.weight * endpoint.in_flight(MAX_IN_FLIGHT):
            seconds = bounded_wait(reset_ms / 1000) or 0.0
            log.info("kucoin %s quota low (%d left); holding it %.1f s until the reset", limit.key, remaining, seconds)
            self.limiter.block(limit.key, seconds)

    def _retry_after(self, reply: Reply, payload: Any, code: str | None) -> float | None:
        reset_ms = _int_header(reply, "gw-ratelimit-reset")
        return reset_ms / 1000 if reset_ms is not None else retry_after_seconds(reply)

    # ----------------------------------------------------------------- helpers

    def _paged_history(
        self,
        endpoint: Endpoint,
        args: dict[str, Any],
        current_page: int | None,
        page_size: int | None,
        exact: bool,
    ) -> pd.DataFrame:
        """Every page of every window, or with ``current_page`` exactly that one page as KuCoin sends it."""
        if page_size is not None:
            if not ep.PAGE_SIZE_MIN <= page_size <= ep.PAGE_SIZE_MAX:
                raise ConfigurationError(
                    f"page_size must be {ep.PAGE_SIZE_MIN} to {ep.PAGE_SIZE_MAX}, got {page_size}."
                )
            assert isinstance(endpoint.paging, PageNumber)
            endpoint = replace(endpoint, paging=replace(endpoint.paging, size=page_size))
        if current_page is None:
            return self.history(endpoint, args, exact=exact)
        if current_page < 1:
            raise ConfigurationError("current_page starts at 1.")
        data = self.call(endpoint, args, extra={"currentPage": current_page, "pageSize": page_size}, exact=exact)
        page = {k: data.get(k) for k in ("currentPage", "pageSize", "totalNum", "totalPage")} if data else {}
        return self.to_frame(endpoint, self.records(endpoint, data), exact=exact, attrs={"page": page})

    # ----------------------------------------------------------------- account

    def get_server_time(self) -> pd.DataFrame:
        """KuCoin's clock: one row, column ``server_time``."""
        return self.to_frame(ep.SERVER_TIME, [{"serverTime": self._server_time_ms()}])

    def get_account_summary(self) -> pd.DataFrame:
        """VIP ``level`` and sub-account counts and maxima (``GET /api/v2/user-info``), one row."""
        return self.request(ep.USER_SUMMARY)

    def get_api_key_info(self) -> pd.DataFrame:
        """The key's own information (``GET /api/v1/user/api-key``, or the UA API's on a unified
        account): ``uid``, ``permission`` (comma-separated: General, Spot, Margin, Futures, ...),
        ``ip_whitelist``, ``is_master``, ``sub_name``, ``created_at``, ... The key itself is left out:
        a frame is shown in notebooks, and notebooks are saved."""
        return self.request(ep.UA_API_KEY if self.uta else ep.API_KEY).drop(columns="api_key", errors="ignore")

    def describe_key(self) -> pd.DataFrame:
        """What this key reaches and may do, in the toolkit's cross-exchange shape (one row), with
        ``account_model`` (``classic``, ``hf`` or ``unified``, asked once).

        From the key's information: ``permissions`` are KuCoin's, ``can_trade`` is whether any trade
        permission (Spot, Margin, Futures, Unified) is held. KuCoin lists the permissions a key's
        information may show as General, Spot, Margin, Futures, InnerTransfer, Transfer, Earn (and
        Unified): Withdrawal is not among them, so ``can_withdraw`` is True where it shows and None
        (not said) otherwise. ``attrs["hf_trade_account"]`` as before.
        """
        model = self.account_model()
        info = self.get_api_key_info().iloc[0]
        permissions = [p.strip() for p in str(info["permission"] or "").split(",") if p.strip()]
        summary = key_summary(
            self.exchange,
            account=None if pd.isna(info["uid"]) else info["uid"],
            permissions=permissions,
            can_trade=any(p in TRADE_PERMISSIONS for p in permissions),
            can_withdraw=True if "Withdrawal" in permissions else None,
            ip_whitelist=None if pd.isna(info["ip_whitelist"]) else info["ip_whitelist"] or None,
            account_model=model,
        )
        summary.attrs["hf_trade_account"] = model == "hf"
        return summary

    def is_uta(self) -> bool:
        """Whether the key's account is a unified trading account (``GET /api/ua/v2/account/mode``
        says ``UNIFIED``); asked once per client, or as ``uta=`` said. An account KuCoin's UA API
        refuses (no UA API for it) is a classic one."""
        if self.uta is None:
            try:
                mode = self.request(ep.ACCOUNT_MODE).iloc[0]["self_account_mode"]
            except (InvalidRequest, PermissionDenied) as err:
                log.info("kucoin: the UA API refused the account mode (%s): a classic account", err.code)
                self.uta = False
            else:
                if mode not in ("CLASSIC", "UNIFIED"):
                    raise MalformedResponse(self.exchange, ep.ACCOUNT_MODE.name, message=f"account mode {mode!r}")
                self.uta = mode == "UNIFIED"
        return self.uta

    def account_model(self) -> str:
        """``unified`` (a unified trading account), ``hf`` (classic accounts with a high-frequency
        trade account) or ``classic``."""
        if self.is_uta():
            return "unified"
        return "hf" if self.is_hf_account() else "classic"

    def _classic_only(self, method: str, instead: str) -> None:
        """Refuse, before anything is sent, a classic-account call on a client known to hold a UTA."""
        if self.uta:
            raise ConfigurationError(
                f"kucoin: this key's account is a unified trading account (UTA), which {method} does not "
                f"read; use {instead} (tk.unified reads it for you)."
            )

    # ----------------------------------------------------------------- unified trading account (UA API)

    def get_account_mode(self) -> pd.DataFrame:
        """The key's account mode (``GET /api/ua/v2/account/mode``): ``self_account_mode`` (CLASSIC
        or UNIFIED), ``unified_sub_account``, ``classic_sub_account`` (lists of sub-account uids)."""
        return self.request(ep.ACCOUNT_MODE)

    def get_uta_balances(self, *, exact: bool = False) -> pd.DataFrame:
        """A unified account's balances (``GET /api/ua/v2/unified/account/balance``): one row per
        currency, ``account_type`` (UNIFIED), ``ts``, ``currency``, ``equity``, ``balance``,
        ``available``, ``hold``, ``liability``, ``potential_borrow``, ``collateral_status``."""
        return self.request(ep.UA_BALANCES, exact=exact)

    def get_uta_classic_balances(
        self,
        account_type: Literal["FUNDING", "SPOT", "FUTURES", "CROSS", "ISOLATED"] = "FUNDING",
        asset: str | Sequence[str] | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """A classic account type through the UA API (``GET /api/ua/v2/account/balance``): the same
        columns as ``get_uta_balances``, ``locked`` where the unified account says ``hold``. KuCoin
        renamed ``TRADING`` to ``SPOT`` on 2026-01-17: either is taken."""
        kind = "SPOT" if str(account_type).upper() == "TRADING" else account_type
        return self.request(ep.UA_CLASSIC_BALANCES, {"account_type": kind, "asset": asset}, exact=exact)

    def get_uta_ledger(
        self,
        account_type: Literal["UNIFIED", "FUNDING", "SPOT", "FUTURES", "CROSS", "ISOLATED"] = "UNIFIED",
        asset: str | Sequence[str] | None = None,
        direction: Literal["IN", "OUT", "in", "out"] | None = None,
        business_type: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """The UA ledger of one account type (``GET /api/ua/v2/account/ledger``): ``id``,
        ``account_type``, ``currency``, ``direction`` (IN/OUT; the lower-case spellings of before
        2026-01-17 are read too), ``business_type`` (TRADE_EXCHANGE, TRANSFER, DEDUCTION_FEES, ...),
        ``amount``, ``fee``, ``tax``, ``balance`` (after), ``remark``, ``ts`` (nanoseconds since
        2026-01-12, milliseconds before: both become UTC times). Every page (``lastId``) of every
        24-hour window in ``[start_time, end_time]`` (default: the last 24 hours), oldest first."""
        kind = "SPOT" if str(account_type).upper() == "TRADING" else str(account_type).upper()
        args = {"account_type": kind, "asset": asset, "direction": direction, "business_type": business_type,
                "start_time": start_time, "end_time": end_time}  # fmt: skip
        # The account type read is the one asked for: the coverage names it.
        return self.history(replace(ep.UA_LEDGER, accounts=(kind.lower(),)), args, exact=exact)

    def get_uta_fills(
        self,
        trade_type: Literal["SPOT", "FUTURES", "MARGIN"] = "SPOT",
        symbol: str | None = None,
        side: Literal["BUY", "SELL", "buy", "sell"] | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """A unified account's fills (``GET /api/ua/v2/unified/order/execution``): ``symbol``,
        ``order_id``, ``trade_id``, ``side``, ``size``, ``price``, ``value``, ``fee``, ``fee_currency``,
        ``liquidity_role``, ``execution_time``, ... Every page (``lastId``) of every 7-day window
        (default: the last 7 days), oldest first."""
        args = {"trade_type": trade_type, "symbol": symbol, "side": side, "start_time": start_time,
                "end_time": end_time}  # fmt: skip
        return self.history(ep.UA_FILLS, args, exact=exact)

    def get_accounts(
        self,
        asset: str | None = None,
        account_type: Literal["main", "trade", "option"] | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Accounts and balances: ``id``, ``type``, ``currency``, ``balance``, ``available``, ``holds``.

        ``account_type`` is ``"main"`` (funding), ``"trade"`` (spot) or ``"option"``; margin
        balances are in ``get_margin_account`` / ``get_isolated_margin_accounts``.
        """
        self._classic_only("get_accounts", "get_uta_balances() and get_uta_classic_balances('FUNDING')")
        return self.request(ep.ACCOUNTS, {"asset": asset, "account_type": account_type}, exact=exact)

    def get_account(self, account_id: str, *, exact: bool = False) -> pd.DataFrame:
        """One account: ``id`` (the one asked for), ``currency``, ``balance``, ``available``, ``holds``."""
        self._classic_only("get_account", "get_uta_balances()")
        frame = self.request(ep.ACCOUNT, {"account_id": account_id}, exact=exact)
        frame.insert(0, "id", pd.Series([account_id] * len(frame), dtype="str"))
        return frame

    def get_account_ledgers(
        self,
        asset: str | Sequence[str] | None = None,
        direction: Literal["in", "out"] | None = None,
        biz_type: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        current_page: int | None = None,
        page_size: int | None = None,
        *,
        clip: bool = False,
        exact: bool = False,
    ) -> pd.DataFrame:
        """The spot and margin ledger: ``id``, ``currency``, ``amount`` (fees included), ``fee``,
        ``balance`` (KuCoin: no longer used), ``account_type``, ``biz_type``, ``direction``,
        ``created_at``, ``context`` (JSON text).

        Fetches every page (500 a request) of every 24-hour window in ``[start_time, end_time]``
        (default: the last 24 hours), several windows at once within the rate limit, oldest
        first, each record once. KuCoin keeps one year of ledger. An account with a
        high-frequency (HF) trade account gets that ledger too (``/api/v1/hf/accounts/ledgers``,
        whose ``balance`` is real), in the same frame; KuCoin serves it for the last 3 days only, so
        an older range raises ``OutOfReach`` rather than leaving it out, or with ``clip=True`` reads
        the HF ledger from where KuCoin serves it, the coverage saying it is not complete and from
        where (``coverage["unreachable"]``). ``attrs["coverage"]`` says which account types it covers.
        ``asset`` is one currency or up to ten; ``biz_type`` is e.g. ``"DEPOSIT"``,
        ``"TRADE_EXCHANGE"``, ``"TRANSFER"``. ``current_page`` fetches only that page, in one
        request, as KuCoin sends it (newest first; ``df.attrs["page"]`` has KuCoin's totals);
        ``page_size`` is 10 to 500.
        ``df.attrs["coverage"]`` reports the range, windows and pages fetched.
        """
        self._classic_only("get_account_ledgers", "get_uta_ledger('UNIFIED') and get_uta_ledger('FUNDING')")
        if start_time is not None and to_ms(start_time, "start_time") < now_ms() - ep.LEDGER_HISTORY_MS:
            log.warning("kucoin keeps one year of ledger; older windows come back empty or are refused")
        args = {"asset": asset, "direction": direction, "biz_type": biz_type, "start_time": start_time,
                "end_time": end_time}  # fmt: skip
        if current_page is not None:  # one page of the classic ledger, as KuCoin sends it
            return self._paged_history(ep.LEDGERS, args, current_page, page_size, exact)
        hf = self.is_hf_account()
        gap: dict[str, Any] | None = None
        if hf:
            reach = now_ms() - ep.HF_LEDGER_REACH_MS
            end_ms = to_ms(end_time, "end_time") if end_time is not None else now_ms()
            start_ms = to_ms(start_time, "start_time") if start_time is not None else end_ms - DAY_MS
            if start_ms < reach and clip:
                gap = covered.unreachable(
                    self.exchange, ep.HF_LEDGERS, ms_to_timestamp(start_ms), ms_to_timestamp(reach)
                )
            elif start_ms < reach:
                raise OutOfReach(
                    f"kucoin: this account trades in a high-frequency (HF) trade account, whose ledger KuCoin "
                    f"serves for the last 3 days only (from {ms_to_timestamp(reach)}); the range starts at "
                    f"{ms_to_timestamp(start_ms)}. Ask for the last 3 days, or pass hf=False to tk.connect for the "
                    "classic accounts alone; tk.sync keeps the HF ledger as it goes."
                )
        classic = self._paged_history(ep.LEDGERS, args, current_page, page_size, exact)
        coverage = classic.attrs["coverage"]
        if not hf:
            return classic
        reached = {**args, "start_time": gap["end"]} if gap else args
        fast = self.history(ep.HF_LEDGERS, reached, exact=exact)
        merged = pd.concat([classic, fast], ignore_index=True).sort_values("created_at", kind="stable")
        merged = merged.reset_index(drop=True)
        both = fast.attrs["coverage"]
        merged.attrs = {**classic.attrs, "coverage": {
            **coverage, "account_types": [*coverage["account_types"], *both["account_types"]],
            "pages": coverage["pages"] + both["pages"],
            "complete": bool(coverage["complete"] and both["complete"] and not gap),
            "reach_start": max(coverage["reach_start"], both["reach_start"])}}  # fmt: skip
        if gap:
            merged.attrs["coverage"]["unreachable"] = {"trade_hf": (gap["start"], gap["end"])}
        return merged

    def is_hf_account(self) -> bool:
        """Whether the account trades in a high-frequency (HF) trade account (``GET
        /api/v1/hf/accounts/opened``); asked once per client, or as ``hf=`` said."""
        if self.hf is None:
            opened = self.call(ep.HF_OPENED)
            if not isinstance(opened, bool):
                raise MalformedResponse(self.exchange, ep.HF_OPENED.name, message=f"not true or false: {opened!r}")
            self.hf = opened
        return self.hf

    def get_account_ledger(
        self,
        account_id: str,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        current_page: int | None = None,
        page_size: int | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """The ledger of one account, via the current ledgers endpoint.

        KuCoin retired the per-account ledger (``/api/v1/accounts/{accountId}/ledgers``). This
        looks the account up in ``get_accounts`` (its currency and type), fetches the ledgers of
        that currency (``get_account_ledgers``: every page and 24-hour window, or one page with
        ``current_page``) and keeps the rows whose ``account_type`` is that account's type.
        """
        self._classic_only("get_account_ledger", "get_uta_ledger()")
        accounts = self.get_accounts()
        match = accounts[accounts["id"] == account_id]
        if match.empty:
            raise ConfigurationError(f"kucoin has no account {account_id!r} for this key (see get_accounts()).")
        currency, account_type = match.iloc[0]["currency"], str(match.iloc[0]["type"]).upper()
        ledger = self.get_account_ledgers(
            currency,
            start_time=start_time,
            end_time=end_time,
            current_page=current_page,
            page_size=page_size,
            exact=exact,
        )
        frame = ledger[ledger["account_type"] == account_type].reset_index(drop=True)
        frame.attrs = {**ledger.attrs, "account_id": account_id}
        return frame

    def get_basic_user_fee(
        self, asset_type: Literal["crypto", "fiat"] | None = None, *, exact: bool = False
    ) -> pd.DataFrame:
        """Basic ``taker_fee_rate`` and ``maker_fee_rate`` (fractions) for crypto (default) or fiat."""
        return self.request(ep.BASE_FEE, {"asset_type": asset_type}, exact=exact)

    def get_symbol_trading_fees(self, symbols: str | Sequence[str], *, exact: bool = False) -> pd.DataFrame:
        """Actual fee rates per symbol (``"BTC-USDT"`` or a list): ``symbol``, ``taker_fee_rate``, ...

        KuCoin answers at most ten symbols a request; longer lists are split and concatenated.
        """
        names = [symbols] if isinstance(symbols, str) else list(symbols)
        if not names:
            raise ConfigurationError("get_symbol_trading_fees needs at least one symbol.")
        return self.history(ep.TRADE_FEES, {"symbols": names}, exact=exact)

    def get_transferable(
        self, asset: str, account_type: str, tag: str | None = None, *, exact: bool = False
    ) -> pd.DataFrame:
        """What can be transferred out of an account: ``currency``, ``balance``, ..., ``transferable``.

        ``account_type`` is ``main``, ``trade``, ``margin``, ``isolated``, ``option``, ``margin_v2``
        or ``isolated_v2``; ``tag`` (the symbol) is needed for isolated accounts.
        """
        return self.request(ep.TRANSFERABLE, {"asset": asset, "account_type": account_type, "tag": tag}, exact=exact)

    def get_user_info(self) -> pd.DataFrame:
        """The sub-accounts (``GET /api/v2/sub/user``, every page; v1 is deprecated): ``user_id``,
        ``uid``, ``sub_name``, ``status`` (2 enabled, 3 frozen), ``type``, ``access``, ``created_at``, ...
        """
        return self.history(ep.SUB_USERS)

    # ----------------------------------------------------------------- margin

    def get_margin_account(self, *, exact: bool = False) -> pd.DataFrame:
        """Cross margin (``GET /api/v3/margin/accounts``): one row per currency with the account's
        totals in USDT (``total_asset_of_quote_currency``, ``debt_ratio``, ``status``) repeated.
        """
        return self.request(ep.MARGIN_ACCOUNTS, exact=exact)

    def get_isolated_margin_accounts(self, *, exact: bool = False) -> pd.DataFrame:
        """Isolated margin (``GET /api/v3/isolated/accounts``): one row per symbol, its
        ``base_asset_*`` and ``quote_asset_*`` balances, and the totals in USDT repeated.
        """
        return self.request(ep.ISOLATED_ACCOUNTS, exact=exact)

    def get_isolated_margin_account(self, symbol: str, *, exact: bool = False) -> pd.DataFrame:
        """One isolated margin symbol (e.g. ``"BTC-USDT"``), same columns as ``get_isolated_margin_accounts``."""
        return self.request(ep.ISOLATED_ACCOUNTS, {"symbol": symbol}, exact=exact)

    def get_risk_limit_cross_margin(self, *, exact: bool = False) -> pd.DataFrame:
        """Cross-margin risk limits per currency (``GET /api/v3/margin/currencies?isIsolated=false``)."""
        return self.request(ep.RISK_LIMIT_CROSS, exact=exact)

    def get_risk_limit_isolated_margin(self, *, exact: bool = False) -> pd.DataFrame:
        """Isolated-margin risk limits per symbol (``GET /api/v3/margin/currencies?isIsolated=true``)."""
        return self.request(ep.RISK_LIMIT_ISOLATED, exact=exact)

    # ----------------------------------------------------------------- wallet

    def get_deposit_address(self, asset: str, network: str | None = None) -> pd.DataFrame:
        """Deposit addresses of ``asset`` on ``network`` (KuCoin's chain id, e.g. ``"trx"``), via v3.

        Empty when none exists yet: ``create_deposit_address`` makes one.
        """
        return self.request(ep.DEPOSIT_ADDRESSES, {"asset": asset, "network": network})

    def get_deposit_addresses(self, asset: str) -> pd.DataFrame:
        """Every deposit address of ``asset`` on every chain (v3; replaces the deprecated v2)."""
        return self.request(ep.DEPOSIT_ADDRESSES, {"asset": asset})

    def create_deposit_address(self, asset: str, network: str | None = None, *, confirm: bool = False) -> pd.DataFrame:
        """Create a deposit address (``POST /api/v3/deposit-address/create``). Needs ``confirm=True``.

        ``network`` is the chain id (``"eth"``, ``"trx"``, ``"btc"``, ...); KuCoin's default is ``eth``.
        """
        return self.request(ep.CREATE_DEPOSIT_ADDRESS, {"asset": asset, "network": network}, confirm=confirm)

    def get_deposits(
        self,
        asset: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        status: Literal["PROCESSING", "SUCCESS", "FAILURE"] | None = None,
        current_page: int | None = None,
        page_size: int | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Deposits: ``currency``, ``chain``, ``status``, ``address``, ``amount``, ``fee``, ``wallet_tx_id``,
        ``created_at``, ...

        Every page of every 30-day window in ``[start_time, end_time]`` (default: the last 30
        days), oldest first; ``current_page``/``page_size`` as in ``get_account_ledgers``.
        KuCoin's spec marks ``asset`` (``currency``) as required; pass it if KuCoin refuses.
        """
        args = {"asset": asset, "status": status, "start_time": start_time, "end_time": end_time}
        return self._paged_history(ep.DEPOSITS, args, current_page, page_size, exact)

    def get_historical_deposits(
        self,
        asset: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        status: Literal["PROCESSING", "SUCCESS", "FAILURE"] | None = None,
        current_page: int | None = None,
        page_size: int | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Deposits of KuCoin's V1 system (``/api/v1/hist-deposits``, deprecated, no successor).

        Columns ``currency``, ``create_at``, ``amount``, ``wallet_tx_id``, ``is_inner``, ``status``;
        paging and windows as in ``get_deposits``.
        """
        args = {"asset": asset, "status": status, "start_time": start_time, "end_time": end_time}
        return self._paged_history(ep.HIST_DEPOSITS, args, current_page, page_size, exact)

    def get_withdrawals(
        self,
        asset: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        status: Literal["PROCESSING", "REVIEW", "WALLET_PROCESSING", "SUCCESS", "FAILURE"] | None = None,
        current_page: int | None = None,
        page_size: int | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Withdrawals: ``id``, ``currency``, ``chain``, ``status``, ``address``, ``amount``, ``fee``,
        ``wallet_tx_id``, ``created_at``, ...; paging and windows as in ``get_deposits``.
        """
        args = {"asset": asset, "status": status, "start_time": start_time, "end_time": end_time}
        return self._paged_history(ep.WITHDRAWALS, args, current_page, page_size, exact)

    def get_historical_withdrawals(
        self,
        asset: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        status: Literal["PROCESSING", "SUCCESS", "FAILURE"] | None = None,
        current_page: int | None = None,
        page_size: int | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Withdrawals of KuCoin's V1 system (``/api/v1/hist-withdrawals``, deprecated, no successor)."""
        args = {"asset": asset, "status": status, "start_time": start_time, "end_time": end_time}
        return self._paged_history(ep.HIST_WITHDRAWALS, args, current_page, page_size, exact)

    def get_withdrawal_quotas(self, asset: str, network: str | None = None, *, exact: bool = False) -> pd.DataFrame:
        """Withdrawal limits, fees and minimums of ``asset`` (on chain ``network``), one row."""
        return self.request(ep.WITHDRAWAL_QUOTAS, {"asset": asset, "network": network}, exact=exact)

    # ----------------------------------------------------------------- money-moving

    def withdraw(
        self,
        asset: str,
        to_address: str,
        quantity: Any,
        memo: str | None = None,
        is_inner: bool = False,
        remark: str | None = None,
        chain: str | None = None,
        fee_deduct_type: Literal["INTERNAL", "EXTERNAL"] | None = None,
        *,
        withdraw_type: Literal["ADDRESS", "UID", "MAIL", "PHONE"] = "ADDRESS",
        network: str | None = None,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Withdraw ``quantity`` of ``asset`` to ``to_address`` (``POST /api/v3/withdrawals``) on
        ``chain`` (or ``network=``, as on every client).

        Sends nothing unless ``confirm=True``; raises ``ConfirmationRequired`` showing the request.
        KuCoin documents no client id for withdrawals, so a repeat is not recognised as one: the
        request is never retried, and after a network failure check ``get_withdrawals`` before
        sending it again. Returns ``withdrawal_id``.
        """
        args = {"asset": asset, "to_address": to_address, "quantity": quantity, "withdraw_type": withdraw_type,
                "chain": either(("chain", chain), ("network", network)), "memo": memo, "is_inner": is_inner,
                "remark": remark, "fee_deduct_type": fee_deduct_type}  # fmt: skip
        return self.request(ep.WITHDRAW, args, confirm=confirm)

    def cancel_withdrawal(self, withdrawal_id: str, *, confirm: bool = False) -> pd.DataFrame:
        """Cancel a withdrawal still ``PROCESSING``. Needs ``confirm=True``.

        KuCoin answers with no data; the frame holds the ``withdrawal_id`` that was cancelled.
        """
        self.call(ep.CANCEL_WITHDRAWAL, {"withdrawal_id": withdrawal_id}, confirm=confirm)
        return self.to_frame(ep.CANCEL_WITHDRAWAL, [{"withdrawalId": withdrawal_id}])

    def inner_transfer(
        self,
        asset: str,
        from_: AccountType,
        to: AccountType,
        quantity: Any,
        from_tag: str | None = None,
        to_tag: str | None = None,
        client_order_id: str | None = None,
        *,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Move funds between your own accounts (universal transfer, type ``INTERNAL``; replaces the
        deprecated v2 inner-transfer). Needs ``confirm=True`` and a key with FlexTransfers permission.

        ``from_tag``/``to_tag`` (the symbol) are needed for isolated accounts. A client order id
        is generated when none is given. Returns ``order_id`` and ``client_oid``.
        """
        for side, tag in ((from_, from_tag), (to, to_tag)):
            if side.startswith("isolated") and not tag:
                raise ConfigurationError("A transfer to or from an isolated account needs its symbol as tag.")
        client_oid = client_order_id or new_client_order_id()
        args = {"client_order_id": client_oid, "asset": asset, "quantity": quantity, "from_": from_, "to": to,
                "from_tag": from_tag, "to_tag": to_tag}  # fmt: skip
        data = self.call(ep.UNIVERSAL_TRANSFER, args, confirm=confirm)
        records = [{**r, "clientOid": client_oid} for r in self.records(ep.UNIVERSAL_TRANSFER, data)]
        return self.to_frame(ep.UNIVERSAL_TRANSFER, records)


def _int_header(reply: Reply, name: str) -> int | None:
    try:
        return int(reply.headers[name])
    except (KeyError, ValueError):
        return None
