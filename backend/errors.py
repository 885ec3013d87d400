"""Domain errors: an HTTP status, a stable machine code and a Chinese message, in one JSON shape.

    {"error": {"code": "compound_not_found", "message": "小区不存在或不在您的管辖范围内", "detail": ...}}

Services raise these; one handler renders them. The codes are part of the API contract.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException


class DomainError(Exception):
    status_code: int = 400
    code: str = "bad_request"
    message: str = "请求无效"
    # True for refusals that must still keep what was written (e.g. a failed-login record).
    keep_changes: bool = False

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 status_code: int | None = None, detail: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.status_code = status_code or self.status_code
        self.detail = detail
        self.headers = headers
        super().__init__(f"{self.code}: {self.message}")


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    message = "对象不存在或不在您的管辖范围内"


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"
    message = "您的角色无权执行此操作"


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"
    message = "请先登录"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    message = "数据冲突"


class Invalid(DomainError):
    status_code = 422
    code = "invalid"
    message = "数据不符合要求"


class TooMany(DomainError):
    status_code = 429
    code = "too_many_requests"
    message = "请求过于频繁，请稍后再试"


class ErrorBody(BaseModel):
    code: str
    message: str
    detail: Any = None


class ErrorResponse(BaseModel):
    """The one error shape, declared in OpenAPI `responses=`."""

    error: ErrorBody


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ErrorResponse} for s in statuses}


def _body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": jsonable_encoder(detail)}}


_HTTP_MESSAGES = {
    400: ("bad_request", "请求无效"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "无权访问"),
    404: ("not_found", "地址不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("too_large", "上传内容过大"),
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(_body(exc.code, exc.message, exc.detail), status_code=exc.status_code,
                            headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "reason": e.get("msg"),
             "type": e.get("type")}
            for e in exc.errors()
        ]
        malformed = any(e["type"] == "json_invalid" for e in errors)
        if malformed:
            return JSONResponse(_body("malformed_json", "请求不是合法的 JSON", errors), status_code=400)
        return JSONResponse(_body("validation_error", "提交的数据不完整或格式不正确", errors),
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求失败"))
        return JSONResponse(_body(code, message, exc.detail if exc.detail else None),
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))
