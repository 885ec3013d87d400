"""The three outside channels: what each one is sent, and how its answer is read.

- WeCom group robot (企业微信): `POST <webhook>?key=…` with a text message; people are mentioned
  by mobile number (`mentioned_mobile_list`). errcode 45009 means the robot's 20 a minute ran out.
- DingTalk group robot (钉钉): the same, signed: `timestamp` (ms) and `sign` = base64 of
  HMAC-SHA256(secret, timestamp + "\\n" + secret), URL-encoded, added to the webhook address;
  people are mentioned by `at.atMobiles` and by "@mobile" in the text. errcode 130101: too fast.
- E-mail over SMTP: STARTTLS (or TLS from the start on port 465), optionally authenticated.

A channel's `config` holds its address and secrets; `masked` is what leaves the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import smtplib
import ssl
import urllib.parse
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

import httpx

from backend.notifications.models import ChannelKind

# What each kind's config holds: (field, secret?, required?)
CONFIG_FIELDS: dict[str, tuple[tuple[str, bool, bool], ...]] = {
    ChannelKind.wecom: (("webhook", True, True),),
    ChannelKind.dingtalk: (("webhook", True, True), ("secret", True, False)),
    ChannelKind.email: (("host", False, True), ("port", False, True), ("security", False, True),
                        ("username", False, False), ("password", True, False),
                        ("sender", False, True), ("ca_file", False, False)),
}
RATE_LIMITED = {45009, 130101}  # WeCom: api freq out of limit; DingTalk: send too fast
TIMEOUT = 10.0


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    rate_limited: bool = False


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    mobiles: tuple[str, ...] = ()
    email: str | None = None


_SECRET_PARAMS = re.compile(r"((?:key|access_token|sign|secret|token)=)([^&#\s]+)", re.IGNORECASE)


def mask(value: str) -> str:
    """A secret as an admin may see it: enough to tell two apart, never enough to use. In a
    webhook address, every key, token or signature in the query is masked."""
    value = str(value)
    if "://" in value:
        return _SECRET_PARAMS.sub(lambda m: m[1] + mask(m[2]), value)
    return "••••" if len(value) <= 8 else f"{value[:3]}••••{value[-3:]}"


def masked(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    return {name: (mask(config[name]) if secret and config.get(name) else config.get(name))
            for name, secret, _ in CONFIG_FIELDS[kind]}


def scrub(text: str, config: dict[str, Any]) -> str:
    """An error message with every secret of the channel taken out (they are never logged)."""
    for value in config.values():
        if isinstance(value, str) and len(value) > 8 and value in text:
            text = text.replace(value, mask(value))
    text = _SECRET_PARAMS.sub(lambda m: m[1] + mask(m[2]), text)  # a key quoted on its own
    return text[:500]


# ------------------------------------------------------------------ WeCom


def wecom_payload(message: Message) -> dict[str, Any]:
    return {"msgtype": "text", "text": {"content": message.body,
                                        "mentioned_mobile_list": list(message.mobiles)}}


# ------------------------------------------------------------------ DingTalk


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature, URL-encoded as it goes into the address."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def dingtalk_url(webhook: str, secret: str | None, timestamp_ms: int) -> str:
    if not secret:
        return webhook
    joiner = "&" if "?" in webhook else "?"
    return f"{webhook}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def dingtalk_payload(message: Message) -> dict[str, Any]:
    mentions = "".join(f" @{m}" for m in message.mobiles)
    return {"msgtype": "text", "text": {"content": message.body + mentions},
            "at": {"atMobiles": list(message.mobiles), "isAtAll": False}}


# ------------------------------------------------------------------ sending


def _robot(url: str, payload: dict[str, Any], client: httpx.Client) -> Outcome:
    try:
        answer = client.post(url, json=payload, timeout=TIMEOUT)
    except httpx.HTTPError as e:
        return Outcome(False, None, f"无法连接：{type(e).__name__}")
    if answer.status_code == 429:
        return Outcome(False, 429, "对方限流（HTTP 429）", rate_limited=True)
    if answer.status_code >= 400:
        return Outcome(False, answer.status_code, f"对方答复 HTTP {answer.status_code}")
    try:
        body = answer.json()
        code = int(body.get("errcode", 0))
    except (ValueError, AttributeError, TypeError):
        return Outcome(False, answer.status_code, "对方答复不是 JSON")
    if code == 0:
        return Outcome(True, answer.status_code)
    return Outcome(False, answer.status_code, f"errcode {code}：{str(body.get('errmsg', ''))[:200]}",
                   rate_limited=code in RATE_LIMITED)


def send_email(config: dict[str, Any], message: Message) -> Outcome:
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = formataddr(("巡检系统", config["sender"]))
    mail["To"] = message.email
    mail["Message-ID"] = make_msgid(domain="xunjian")
    mail.set_content(message.body)
    context = ssl.create_default_context(cafile=config.get("ca_file") or None)
    host, port, security = config["host"], int(config["port"]), config.get("security", "starttls")
    try:
        if security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=TIMEOUT)
        with smtp:
            if security == "starttls":
                smtp.starttls(context=context)
            if config.get("username"):
                smtp.login(config["username"], config.get("password") or "")
            smtp.send_message(mail)
    except smtplib.SMTPResponseException as e:
        return Outcome(False, e.smtp_code, f"邮件服务器答复 {e.smtp_code}")
    except (smtplib.SMTPException, OSError, ssl.SSLError) as e:
        return Outcome(False, None, f"无法发送邮件：{type(e).__name__}")
    return Outcome(True, 250)


def send(kind: str, config: dict[str, Any], message: Message, *, now_ms: int,
         client: httpx.Client) -> Outcome:
    """Send, and say how it went: whatever goes wrong (a bad address, a missing CA file) is an
    outcome recorded against the delivery, never an exception that stalls the outbox."""
    try:
        return _send(kind, config, message, now_ms=now_ms, client=client)
    except Exception as e:  # noqa: BLE001 - its type only: a message may quote a secret
        return Outcome(False, None, f"发送出错：{type(e).__name__}")


def _send(kind: str, config: dict[str, Any], message: Message, *, now_ms: int,
          client: httpx.Client) -> Outcome:
    if kind == ChannelKind.wecom:
        return _robot(config["webhook"], wecom_payload(message), client)
    if kind == ChannelKind.dingtalk:
        return _robot(dingtalk_url(config["webhook"], config.get("secret"), now_ms),
                      dingtalk_payload(message), client)
    if not message.email:
        return Outcome(False, None, "收件人没有电子邮件地址")
    return send_email(config, message)
