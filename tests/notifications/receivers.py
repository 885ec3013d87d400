"""Real receivers on 127.0.0.1, started by the tests: a group-robot endpoint that checks what
WeCom and DingTalk check, and an SMTP server speaking STARTTLS with a throwaway certificate."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import trustme
from aiosmtpd.controller import Controller


@dataclass
class Received:
    path: str
    key: str | None
    payload: dict
    text: str
    mobiles: list[str]


@dataclass
class RobotState:
    """What the endpoint received, and how it answers. `secrets`: DingTalk token → secret."""

    secrets: dict[str, str] = field(default_factory=dict)
    messages: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    limit_after: int | None = None    # answer "too fast" once this many were taken
    hold_seconds: float = 0.0         # keep the sender waiting before answering, until released
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def texts(self, path: str | None = None) -> list[str]:
        return [m.text for m in self.messages if path is None or m.path == path]


def verify_dingtalk(query: dict[str, list[str]], secrets: dict[str, str]) -> str | None:
    """DingTalk's own check of a signed robot request: the token's secret, a timestamp within
    an hour, and sign = base64(HMAC-SHA256(secret, timestamp + "\\n" + secret)). None when good."""
    token = query.get("access_token", [None])[0]
    if token not in secrets:
        return "token"
    try:
        timestamp = int(query["timestamp"][0])
        sign = query["sign"][0]  # parse_qs has URL-decoded it, as DingTalk's server does
    except (KeyError, ValueError):
        return "unsigned"
    if abs(time.time() * 1000 - timestamp) > 3600 * 1000:
        return "timestamp"
    secret = secrets[token]
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    return None if hmac.compare_digest(sign, expected) else "sign"


def _handler(state: RobotState) -> type[BaseHTTPRequestHandler]:
    class Robot(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

        def _answer(self, body: dict, status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            query = parse_qs(url.query)
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if url.path.startswith("/dingtalk"):
                bad = verify_dingtalk(query, state.secrets)
                if bad:
                    state.refused.append(bad)
                    return self._answer({"errcode": 310000, "errmsg": f"sign not match ({bad})"})
                assert payload["msgtype"] == "text" and set(payload) == {"msgtype", "text", "at"}
                text, mobiles = payload["text"]["content"], payload["at"]["atMobiles"]
                key = query["access_token"][0]
            else:  # WeCom: /cgi-bin/webhook/send?key=…
                assert url.path.endswith("/cgi-bin/webhook/send") and "key" in query
                assert payload["msgtype"] == "text" and set(payload["text"]) <= {
                    "content", "mentioned_list", "mentioned_mobile_list"}
                text, mobiles = payload["text"]["content"], payload["text"]["mentioned_mobile_list"]
                key = query["key"][0]
            with state.lock:
                if state.limit_after is not None and len(state.messages) >= state.limit_after:
                    code = 130101 if url.path.startswith("/dingtalk") else 45009
                    return self._answer({"errcode": code, "errmsg": "api freq out of limit"})
                state.messages.append(Received(url.path, key, payload, text, mobiles))
            if state.hold_seconds:  # received, but the sender hears nothing yet
                state.released.wait(state.hold_seconds)
            self._answer({"errcode": 0, "errmsg": "ok"})

    return Robot


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        """A sender gone (a worker killed mid-send) is what the tests do: not an error to print
        into whatever the next test captures."""


class RobotEndpoint:
    """Stands in for qyapi.weixin.qq.com and oapi.dingtalk.com; stop() and start() again keep
    the port (the receiver down for a while)."""

    def __init__(self, state: RobotState | None = None) -> None:
        self.state = state or RobotState()
        self.port = 0
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> "RobotEndpoint":
        self.server = _Server(("127.0.0.1", self.port), _handler(self.state))
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.state.released.set()  # a held answer goes now (to whoever still listens)
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def wecom(self, key: str) -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin/webhook/send?key={key}"

    def dingtalk(self, token: str, secret: str) -> str:
        self.state.secrets[token] = secret
        return f"http://127.0.0.1:{self.port}/dingtalk/robot/send?access_token={token}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Mailbox:
    def __init__(self) -> None:
        self.mails: list = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        mail = message_from_bytes(envelope.content, policy=default_policy)
        self.mails.append((envelope.rcpt_tos, mail, session.ssl is not None))
        return "250 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 that requires STARTTLS before it takes a message; `ca_file` is the
    throwaway CA a client must trust."""

    def __init__(self, tmp_path) -> None:  # noqa: ANN001
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = str(tmp_path / "ca.pem")
        ca.cert_pem.write_to_path(self.ca_file)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self.mailbox = _Mailbox()
        self.port = _free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port,
                                     tls_context=context, require_starttls=True,
                                     server_hostname="127.0.0.1")

    def start(self) -> "SmtpServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def mails(self) -> list:
        return self.mailbox.mails

