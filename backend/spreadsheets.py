"""Reading the tables officials upload: CSV (UTF-8 or GBK, as Chinese Excel saves it) or Excel
.xlsx, told apart by their bytes. Used by the organisation import and the hotline import.

Rows come with their line number in the file (a CSV's record, an Excel sheet's row), so that
every error can name the line an official sees in the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the Excel 97-2003 (.xls) compound file


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (its message says what to do)."""


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030 (a superset of GBK), what Chinese Excel saves."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV")


def is_excel(raw: bytes, filename: str | None = None) -> bool:
    """True for .xlsx, False for CSV; an old .xls is refused with the way out."""
    name = (filename or "").lower()
    if raw.startswith(XLS_MAGIC) or name.endswith(".xls"):
        raise UnreadableFile("这是旧版 Excel（.xls）文件：请在 Excel 中“另存为”.xlsx 或 CSV 后再导入")
    return raw.startswith(XLSX_MAGIC) or name.endswith(".xlsx")


def csv_rows(raw: bytes) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each CSV record; a quoted cell may span lines, the record keeps the
    line it starts on."""
    reader = csv.reader(io.StringIO(decode(raw)))
    line = 1
    try:
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1
    except csv.Error as exc:
        raise UnreadableFile(f"第 {line} 行：CSV 格式错误（{exc}）") from None


def xlsx_rows(raw: bytes, *, fill_merged: bool = False) -> Iterator[tuple[int, list[Any]]]:
    """(row number, values) of the first sheet: cells as openpyxl reads them (a date cell is a
    datetime; a number is a number, which may be an Excel serial date). `fill_merged` gives
    every cell of a merged range the range's value, as it looks on screen (this reads the
    whole sheet into memory: the read-only reader knows nothing of merges)."""
    from openpyxl import load_workbook  # only an Excel import pays for loading it
    try:
        book = load_workbook(io.BytesIO(raw), read_only=not fill_merged, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise UnreadableFile("无法读取该 Excel 文件，请另存为 .xlsx 后重试") from None
    sheet = book.worksheets[0]
    merged: dict[tuple[int, int], Any] = {}
    if fill_merged:
        for cells in sheet.merged_cells.ranges:
            value = sheet.cell(cells.min_row, cells.min_col).value
            for row in range(cells.min_row, cells.max_row + 1):
                for col in range(cells.min_col, cells.max_col + 1):
                    merged[(row, col)] = value
    for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
        if merged:
            values = tuple(merged.get((number, col), v) for col, v in enumerate(values, start=1))
        yield number, list(values)
    book.close()
