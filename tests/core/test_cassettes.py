from __future__ import annotations

from vcr.request import Request

from toolkit.cassettes import InlineFilteredYaml, scrub_request


def test_recorded_requests_keep_no_secret_and_write_masks_inline():
    request = Request(
        "GET",
        "https://api.kucoin.com/api/v1/accounts?currency=USDT&signature=abc123&timestamp=1",
        None,
        {
            "KC-API-KEY": "real-key-123456",
            "KC-API-SIGN": "c2lnbmF0dXJl",
            "KC-API-TIMESTAMP": "1700000000000",
            "Accept": "*/*",
        },
    )
    scrubbed = scrub_request(request)
    assert scrubbed.uri == "https://api.kucoin.com/api/v1/accounts?currency=USDT&signature=FILTERED&timestamp=FILTERED"
    text = InlineFilteredYaml.serialize(
        {
            "interactions": [
                {
                    "request": scrubbed._to_dict(),
                    "response": {"status": {"code": 200, "message": "OK"}, "headers": {}, "body": {"string": "{}"}},
                }
            ],
            "version": 1,
        }
    )
    assert "KC-API-KEY: [FILTERED]" in text and "KC-API-SIGN: [FILTERED]" in text
    assert "real-key-123456" not in text and "c2lnbmF0dXJl" not in text and "1700000000000" not in text
    assert InlineFilteredYaml.deserialize(text)["interactions"][0]["request"]["headers"]["KC-API-KEY"] == ["FILTERED"]
