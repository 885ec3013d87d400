"""Load rubric documents (YAML) and observation files (JSON or YAML) with line numbers.

Files are parsed with `yaml.compose` so every value keeps its source line; a malformed file is
rejected with ``SourceError`` whose message reads ``file:line: reason``. Plain scalars are resolved
here, not by PyYAML's YAML 1.1 rules: numbers become exact `Decimal`/`int` (0.1 stays 0.1, never a
binary float), only true/false are booleans (a bare ``no`` stays the string "no"), dates stay strings
for pydantic to parse. JSON is a subset of what `yaml.compose` reads, so observation files share it.

API:
    parse_source(text, filename) -> Parsed            # data + line lookup
    load_document(path) -> Rubric | Catalog | Composite | CompanyScore
    load_dir(directory, overlay) -> Library           # every rubric document in a folder,
                                                      # with the deployment's settings on top
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from backend.rubrics.models import KINDS, Catalog, CompanyScore, Composite, Document, Rubric

_INT = re.compile(r"^[-+]?\d+$")
_DEC = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")

# Files in rubrics/ owned by other parts of the product (work-time calendar), never rubric documents.
FOREIGN_FILES = {"worktime.yaml", "calendar.example.yaml", "hotline.yaml"}


class SourceError(Exception):
    """A file that cannot be used: ``file:line: reason`` (Chinese reason for officials)."""

    def __init__(self, filename: str, line: int | None, reason: str) -> None:
        self.filename, self.line, self.reason = filename, line, reason
        where = f"{filename}:{line}" if line else filename
        super().__init__(f"{where}: {reason}")


@dataclass
class Parsed:
    data: Any
    filename: str
    lines: dict[tuple, int] = field(default_factory=dict)

    def line(self, loc: tuple) -> int | None:
        """Line of the deepest known prefix of `loc` (a key path)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get(())

    def error(self, loc: tuple, reason: str) -> SourceError:
        return SourceError(self.filename, self.line(loc), reason)


def _scalar(node: yaml.ScalarNode) -> Any:
    v = node.value
    if node.style is not None:  # quoted: always a string
        return v
    if v in ("", "~", "null", "Null", "NULL"):
        return None
    if v in ("true", "True", "TRUE"):
        return True
    if v in ("false", "False", "FALSE"):
        return False
    if _INT.match(v):
        return int(v)
    if _DEC.match(v):
        return Decimal(v)
    return v


def _convert(node: yaml.Node, path: tuple, lines: dict, filename: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(n, path + (i,), lines, filename) for i, n in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                raise SourceError(filename, knode.start_mark.line + 1, "键必须是简单文本")
            key = knode.value  # keys stay text: item ids like 4.2 must not become numbers
            if key in out:
                raise SourceError(filename, knode.start_mark.line + 1, f"键“{key}”重复")
            out[key] = _convert(vnode, path + (key,), lines, filename)
            lines[path + (key,)] = knode.start_mark.line + 1
        return out
    raise SourceError(filename, node.start_mark.line + 1, "无法识别的内容")


def parse_source(text: str, filename: str) -> Parsed:
    """Parse YAML or JSON text keeping line numbers; syntax errors become SourceError."""
    if filename.endswith(".json"):
        try:  # JSON's own messages are clearer for JSON syntax errors
            json.loads(text)
        except json.JSONDecodeError as e:
            raise SourceError(filename, e.lineno, f"JSON 格式错误: {e.msg} (第{e.colno}列)") from None
    try:
        node = yaml.compose(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise SourceError(filename, mark.line + 1 if mark else None,
                          f"YAML 格式错误: {e.problem or e.context}") from None
    if node is None:
        raise SourceError(filename, None, "文件为空")
    lines: dict[tuple, int] = {}
    return Parsed(_convert(node, (), lines, filename), filename, lines)


def validation_error(parsed: Parsed, exc: ValidationError) -> SourceError:
    """First pydantic error as file:line: reason, without the union tags pydantic puts in locations."""
    err = exc.errors()[0]
    loc = tuple(p for p in err["loc"]
                if not (isinstance(p, str) and (p in _UNION_TAGS or "[" in p)))
    where = ".".join(str(p) for p in loc) or "(顶层)"
    msg = err["msg"].removeprefix("Value error, ")  # the models' own Chinese sentence
    if err["type"] == "extra_forbidden":
        msg = "未知字段（拼写错误？）"
    elif err["type"] == "missing":
        msg = "缺少必填字段"
    return parsed.error(loc, f"{where}: {msg}")


# pydantic puts discriminator tags and union member names into error locations; they are not keys.
_UNION_TAGS = set(KINDS) | {
    "per_unit", "fixed", "time_node", "rank", "tiers", "award", "veto", "catalog_findings",
    "year", "quarter", "month", "Decimal", "ConfigValue", "decimal",
    "FixedDate", "QuarterlyDate", "MonthlyDate",
}

_DOC = TypeAdapter(Document)


def _doc_from_parsed(parsed: Parsed) -> Any:
    data = parsed.data
    if not isinstance(data, dict):
        raise parsed.error((), "文件顶层必须是键值映射")
    kind = data.get("kind")
    if kind not in KINDS:
        raise parsed.error(("kind",), f"kind 必须是 {', '.join(KINDS)} 之一（现为 {kind!r}）")
    try:
        return _DOC.validate_python(data)
    except ValidationError as e:
        raise validation_error(parsed, e) from None


def load_document(path: str | Path) -> Rubric | Catalog | Composite | CompanyScore:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(str(path), None, "文件不存在") from None
    except UnicodeDecodeError:
        raise SourceError(str(path), None, "文件不是 UTF-8 编码") from None
    return _doc_from_parsed(parse_source(text, str(path)))


def load_text(text: str, filename: str = "<text>") -> Rubric | Catalog | Composite | CompanyScore:
    return _doc_from_parsed(parse_source(text, filename))


@dataclass(frozen=True)
class Overlay:
    """The deployment's settings over the files (backend/configuration): values for the
    ConfigValues the seeds leave blank, by `value_key`, and uploaded rubric files by name (one
    named like a file in rubrics/ takes its place). Version 0 is the files alone."""

    version: int = 0
    values: dict[str, str | None] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


def value_key(doc_id: str, path: tuple) -> str:
    """"town:prizes/1/amount", "E:subsidy/rates/优秀": a settable value's address."""
    return f"{doc_id}:{'/'.join(map(str, path))}"


def _apply_values(parsed: Parsed, values: dict[str, str | None]) -> None:
    """Set the configured values into the parsed data, before validation: a key whose place
    no longer holds a ConfigValue (the file changed) is left alone."""
    data = parsed.data
    if not isinstance(data, dict) or not values:
        return
    prefix = f"{data.get('id')}:"
    for key, value in values.items():
        if not key.startswith(prefix):
            continue
        node: Any = data
        for part in key[len(prefix):].split("/"):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                node = None
                break
        if isinstance(node, dict) and "needs_configuration" in node:
            node["value"] = None if value is None else Decimal(value)
        elif isinstance(node, dict) and "set_locally" in node and value is not None:
            node["value"] = Decimal(value)  # cleared: the seed's own value, as the file says


@dataclass
class Library:
    """Every rubric document of a folder, by id, with the file each came from."""

    documents: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    parsed: dict[str, Parsed] = field(default_factory=dict)
    errors: list[SourceError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def get(self, doc_id: str) -> Any:
        return self.documents[doc_id]

    def rubrics(self) -> dict[str, Rubric]:
        return {k: v for k, v in self.documents.items() if isinstance(v, Rubric)}

    def catalogs(self) -> dict[str, Catalog]:
        return {k: v for k, v in self.documents.items() if isinstance(v, Catalog)}


def rubric_files(directory: str | Path) -> list[Path]:
    """YAML files of the folder itself (not examples/ or schema/), minus other engineers' files."""
    d = Path(directory)
    return sorted(p for p in d.glob("*.y*ml") if p.name not in FOREIGN_FILES)


def load_dir(directory: str | Path, overlay: Overlay | None = None) -> Library:
    """Every rubric document of the folder, with the overlay's uploaded files and values."""
    overlay = overlay or Overlay()
    sources = {p.name: (str(p), p.read_text(encoding="utf-8")) for p in rubric_files(directory)}
    for name, text in overlay.files.items():
        sources[name] = (f"{name}（第 {overlay.version} 版设置上传）", text)
    lib = Library()
    for name in sorted(sources):
        filename, text = sources[name]
        try:
            parsed = parse_source(text, filename)
            if isinstance(parsed.data, dict) and "kind" not in parsed.data:
                lib.skipped.append(filename)  # not a rubric document (no kind:)
                continue
            _apply_values(parsed, overlay.values)
            doc = _doc_from_parsed(parsed)
        except SourceError as e:
            lib.errors.append(e)
            continue
        if doc.id in lib.documents:
            lib.errors.append(SourceError(filename, parsed.line(("id",)),
                                          f"编号“{doc.id}”与 {lib.files[doc.id]} 重复"))
            continue
        lib.documents[doc.id] = doc
        lib.files[doc.id] = filename
        lib.parsed[doc.id] = parsed
    return lib


def default_rubrics_dir() -> Path:
    """rubrics/ at the repository root (the package is installed editable from there)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "rubrics").is_dir() and (parent / "pyproject.toml").exists():
            return parent / "rubrics"
    return Path.cwd() / "rubrics"
