"""CoinW spot signing (reference sheet 2.2): an upper-case MD5 over the sorted parameters and the secret."""

from __future__ import annotations

from collections.abc import Iterable

from toolkit.core.client import Signer
from toolkit.core.http import Call, param_text
from toolkit.core.signing import md5_upper


def sign(params: Iterable[tuple[str, str]], secret: str) -> str:
    """CoinW's spot signature of ``params`` (which include ``api_key``, not ``command`` or ``sign``).

    The pairs are sorted by name and joined as ``k=v&...``; ``&secret_key=<secret>`` is appended
    and the MD5 is given in upper-case hex. The joined text holds the secret: it is never kept.
    """
    text = "&".join(f"{k}={v}" for k, v in sorted(params, key=lambda kv: kv[0]))
    return md5_upper(f"{text}&secret_key={secret}")


class CoinWAuth(Signer):
    """``api_key`` and ``sign`` in the query string; CoinW's spot signing carries no timestamp."""

    secret_params = ("api_key", "sign", "secret_key", "subAccount_apiKey")

    def sign(self, call: Call, timestamp_ms: int) -> None:
        creds = self.credentials
        command = [(k, v) for k, v in call.params if k == "command"]
        signed = sorted([*((k, param_text(v)) for k, v in call.params if k != "command"), ("api_key", creds.api_key)])
        # CoinW's own examples: command first, the signed parameters, then sign; empty body.
        call.params = [*command, *signed, ("sign", sign(signed, creds.api_secret))]
