"""Domain errors: an HTTP status, a stable machine code and a Chinese message, in one JSON shape.

    {"error": {"code": "compound_not_found", "message": "小区不存在或不在您的管辖范围内", "detail": ...}}

Services raise these; one handler renders them. The codes are part of the API contract.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException


_log = logging.getLogger("xunjian")


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


_BY_STATUS: dict[int, type[DomainError]] = {
    cls.status_code: cls for cls in (NotFound, Forbidden, Unauthorized, Conflict, Invalid, TooMany)}


class Refusals:
    """A domain's refusals, declared once in its errors.py: code → (HTTP status, Chinese message,
    with `{field}` places filled in when raised). The codes are API contract (the phone and the
    desk decide from them); calling the table builds the error to raise:

        raise REFUSALS("unit_exists", name=data.name)
    """

    def __init__(self, table: dict[str, tuple[int, str]]) -> None:
        self.table = table

    def __call__(self, code: str, /, *, detail: Any = None, **fields: Any) -> DomainError:
        status, template = self.table[code]
        return _BY_STATUS.get(status, DomainError)(
            template.format(**fields) if fields else template, code=code, status_code=status,
            detail=detail)

    def __contains__(self, code: str) -> bool:
        return code in self.table


class ErrorBody(BaseModel):
    code: str
    message: str
    detail: Any = None


class ErrorResponse(BaseModel):
    """The one error shape, declared in OpenAPI `responses=`."""

    error: ErrorBody


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ErrorResponse} for s in statuses}


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def file_responses(*media_types: str, errors: tuple[int, ...] = ()) -> dict[int | str, dict[str, Any]]:
    """A download's documented answers: the file in one of `media_types`, or an error."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": "文件", "content": {m: binary for m in media_types}},
            **error_responses(*errors)}


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


# pydantic's error types in the words of the people who read them
_REASONS = {
    "missing": "缺少", "uuid_parsing": "编号格式不正确", "uuid_type": "编号格式不正确",
    "datetime_from_date_parsing": "时间格式不正确", "datetime_parsing": "时间格式不正确",
    "datetime_type": "时间格式不正确", "date_from_datetime_parsing": "日期格式不正确",
    "string_too_long": "过长", "string_too_short": "过短", "string_pattern_mismatch": "格式不正确",
    "string_type": "应为文字", "int_parsing": "应为整数", "int_type": "应为整数",
    "int_from_float": "应为整数", "float_parsing": "应为数字", "float_type": "应为数字",
    "finite_number": "应为有限的数字", "bool_parsing": "应为是或否", "bool_type": "应为是或否",
    "greater_than_equal": "超出允许范围", "less_than_equal": "超出允许范围",
    "greater_than": "超出允许范围", "less_than": "超出允许范围", "enum": "不是可选的值",
    "literal_error": "不是可选的值", "too_long": "条目过多", "too_short": "条目过少",
    "list_type": "应为列表", "dict_type": "应为对象", "model_type": "应为对象",
    "model_attributes_type": "应为对象", "extra_forbidden": "不是可用的字段",
    "value_error": "不符合要求", "json_invalid": "不是合法的 JSON", "decimal_parsing": "应为数字",
    "decimal_type": "应为数字", "date_parsing": "日期格式不正确",
}


def validation_errors(errors: list[dict]) -> list[dict]:
    """pydantic's errors as the API reports them: field path, Chinese reason, type."""
    out = []
    for e in errors:
        reason = _REASONS.get(e.get("type"), "不符合要求")
        if e.get("type") == "value_error" and "/" in str(e.get("msg", "")):
            reason = str(e["msg"]).removeprefix("Value error, ").split(" / ")[0]
        out.append({"field": ".".join(str(p) for p in e.get("loc", ())), "reason": reason,
                    "type": e.get("type")})
    return out


def validation_message(errors: list[dict]) -> str:
    """One line for a person: 提交的数据不完整或格式不正确：observed_at 时间格式不正确."""
    parts = [f"{e['field'] or '数据'} {e['reason']}" for e in validation_errors(errors)[:3]]
    return "提交的数据不完整或格式不正确：" + "；".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(_body(exc.code, exc.message, exc.detail), status_code=exc.status_code,
                            headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc.errors())
        malformed = any(e["type"] == "json_invalid" for e in errors)
        if malformed:
            return JSONResponse(_body("malformed_json", "请求不是合法的 JSON", errors), status_code=400)
        return JSONResponse(_body("validation_error", validation_message(exc.errors()), errors),
                            status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input: logged with its traceback; the client gets the common shape.
        _log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(_body("internal_error", "服务器内部错误，请稍后重试；如反复出现请联系管理员"),
                            status_code=500)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求失败"))
        return JSONResponse(_body(code, message, exc.detail if exc.detail else None),
                            status_code=exc.status_code, headers=getattr(exc, "headers", None))
