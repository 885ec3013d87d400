"""Offset pagination shared by the list endpoints."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

T = TypeVar("T")


# Beyond any list the product holds; a larger number is a malformed request, not a page.
MAX_OFFSET = 10_000_000


class PageParams(BaseModel):
    limit: int = 50
    offset: int = 0


# async: no I/O, so FastAPI runs it on the event loop, not in a worker thread (a hop per page)
async def page_params(
        limit: Annotated[int, Query(ge=1, le=500, description="每页条数")] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="跳过条数")] = 0
        ) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
