"""Group-robot webhooks of DingTalk, WeCom (企业微信) and Feishu: the address check, each
platform's signature and message body. Pure functions over plain values (no Django), so
the signatures are tested against the platforms' documented examples.

- DingTalk (custom robot, "加签"): ``sign = urlencode(base64(HMAC-SHA256(key=secret,
  msg="<timestamp>\\n<secret>")))`` with the timestamp in milliseconds, both sent as the
  query parameters ``timestamp`` and ``sign``; body ``{"msgtype": "text", "text":
  {"content": ...}}``; success ``{"errcode": 0}``.
- Feishu (custom bot, "签名校验"): ``sign = base64(HMAC-SHA256(key="<timestamp>\\n<secret>",
  msg=""))`` with the timestamp in seconds, both in the JSON body; body ``{"msg_type":
  "text", "content": {"text": ...}}``; success ``{"code": 0}``.
- WeCom (群机器人): no signature, the ``key`` query parameter of the URL is the secret;
  body as DingTalk's ``{"msgtype": "text", "text": {"content": ...}}``; success
  ``{"errcode": 0}``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
from typing import Any
from urllib.parse import quote_plus, urlsplit

DINGTALK, WECOM, FEISHU = "dingtalk", "wecom", "feishu"

#: The hosts each platform's robot webhooks live on (the default of the
#: ``ROBOT_WEBHOOK_HOSTS`` setting).
DEFAULT_HOSTS = ("oapi.dingtalk.com", "qyapi.weixin.qq.com", "open.feishu.cn", "open.larksuite.com")


def url_problem(url: str, *, allowed_hosts: tuple[str, ...], allow_loopback: bool) -> str:
    """Why ``url`` may not be used as a webhook ('' when it may).

    Only ``https://`` addresses on one of ``allowed_hosts`` (exact host names, default
    port) are accepted, so a supervisor cannot make the server call an internal address
    (SSRF). ``allow_loopback`` (tests only) also accepts ``http://127.0.0.1:<port>``.
    No user name or password in the address. Returns an English reason for the form.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return "not a valid address"
    host = (parts.hostname or "").lower()
    if parts.username or parts.password:
        return "no user name or password in the address"
    if allow_loopback and parts.scheme in ("http", "https") and _is_loopback(host):
        return ""
    if parts.scheme != "https":
        return "the address must start with https://"
    if host not in allowed_hosts:
        return "the host must be one of " + ", ".join(allowed_hosts)
    if port not in (None, 443):
        return "no port other than 443"
    return ""


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` parameter, already URL-encoded (see the module docstring)."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's ``sign`` field (see the module docstring)."""
    key = f"{timestamp_s}\n{secret}".encode()
    digest = hmac.new(key, b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def request_for(
    platform: str, url: str, secret: str, text: str, *, now_ms: int
) -> tuple[str, dict[str, Any]]:
    """The (URL, JSON body) to POST for ``text`` on ``platform`` at ``now_ms`` (epoch
    milliseconds). ValueError for an unknown platform."""
    if platform == DINGTALK:
        body: dict[str, Any] = {"msgtype": "text", "text": {"content": text}}
        if secret:
            sep = "&" if "?" in url else "?"
            url = f"{url}{sep}timestamp={now_ms}&sign={dingtalk_sign(secret, now_ms)}"
        return url, body
    if platform == WECOM:
        return url, {"msgtype": "text", "text": {"content": text}}
    if platform == FEISHU:
        body = {"msg_type": "text", "content": {"text": text}}
        if secret:
            seconds = now_ms // 1000
            body.update(timestamp=str(seconds), sign=feishu_sign(secret, seconds))
        return url, body
    raise ValueError(f"unknown platform {platform!r}")


def response_problem(platform: str, status: int, payload: object) -> str:
    """Why the platform refused the message ('' when it took it): a non-2xx status, or
    the platform's error code in the JSON answer (``errcode`` / ``code`` not 0)."""
    if not 200 <= status < 300:
        return f"HTTP {status}"
    if not isinstance(payload, dict):
        return "not a JSON answer"
    field = "code" if platform == FEISHU else "errcode"
    code = payload.get(field, payload.get("StatusCode", 0))
    if code not in (0, "0", None):
        message = payload.get("msg") or payload.get("errmsg") or ""
        return f"{field} {code} {message}".strip()
    return ""
