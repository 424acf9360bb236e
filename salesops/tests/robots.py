"""A loopback group-robot server for tests: answers like DingTalk, WeCom and Feishu and
checks each platform's signature with the secret it was given (127.0.0.1 only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SECRET = "SEC-test-0123456789abcdef"  # noqa: S105 - a test robot's secret


@dataclass
class RobotServer:
    """Received messages per path (``/dingtalk``, ``/wecom?key=...``, ``/feishu``);
    ``fail_next`` answers that many requests with HTTP 500 first."""

    url: str
    received: list[dict[str, object]] = field(default_factory=list)
    fail_next: int = 0

    def texts(self, platform: str) -> list[str]:
        """The texts the robot of ``platform`` accepted (a valid signature)."""
        return [str(m["text"]) for m in self.received if m["platform"] == platform and m["ok"]]


def _dingtalk_ok(query: dict[str, list[str]]) -> bool:
    ts, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
    if not ts or abs(int(ts) - time.time() * 1000) > 3_600_000:
        return False
    digest = hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
    # parse_qs has URL-decoded the parameter once, as DingTalk's server does
    return hmac.compare_digest(sign, base64.b64encode(digest).decode())


def _feishu_ok(body: dict[str, object]) -> bool:
    ts, sign = str(body.get("timestamp", "")), str(body.get("sign", ""))
    if not ts or abs(int(ts) - time.time()) > 3600:
        return False
    digest = hmac.new(f"{ts}\n{SECRET}".encode(), b"", hashlib.sha256).digest()
    return hmac.compare_digest(sign, base64.b64encode(digest).decode())


def start_robot_server() -> tuple[RobotServer, ThreadingHTTPServer]:
    """Start the server on 127.0.0.1 and a free port, in a daemon thread."""
    state = RobotServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            platform = parts.path.strip("/")
            if state.fail_next > 0:
                state.fail_next -= 1
                self._answer(500, {"errcode": -1})
                return
            if platform == "dingtalk":
                ok = _dingtalk_ok(query)
                text = body.get("text", {}).get("content", "")
                answer = {
                    "errcode": 0 if ok else 310000,
                    "errmsg": "ok" if ok else "sign not match",
                }
            elif platform == "wecom":
                ok = query.get("key", [""])[0] == SECRET
                text = body.get("text", {}).get("content", "")
                answer = {"errcode": 0 if ok else 93000, "errmsg": "ok" if ok else "invalid key"}
            else:
                ok = _feishu_ok(body)
                text = body.get("content", {}).get("text", "")
                answer = {"code": 0 if ok else 19021, "msg": "success" if ok else "sign match fail"}
            state.received.append({"platform": platform, "ok": ok, "text": text})
            self._answer(200, answer)

        def _answer(self, status: int, payload: Mapping[str, object]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
