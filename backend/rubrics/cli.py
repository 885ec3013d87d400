"""`xunjian rubrics check` and `xunjian score RUBRIC OBSERVATIONS`.

Errors print as ``file:line: reason`` on stderr with exit code 1 and no traceback.
RUBRIC is a path to a rubric document or the id of one in rubrics/ (X, S, E, D, P, L, town, company).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import typer

from backend.rubrics.loader import SourceError, default_rubrics_dir, load_dir, load_document
from backend.rubrics.models import CompanyScore, Composite, Rubric
from backend.rubrics.validate import check_library

rubrics_app = typer.Typer(help="评分标准文件（rubrics/）", no_args_is_help=True)


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(1)


@rubrics_app.command("check")
def check(directory: Optional[Path] = typer.Argument(None, help="评分标准目录，默认 rubrics/"),
          quiet: bool = typer.Option(False, "--quiet", "-q", help="不显示说明（notes）")) -> None:
    """校验目录下所有评分标准文件：分值合计、引用、需要配置的值。"""
    d = directory or default_rubrics_dir()
    if not d.is_dir():
        _fail(f"{d}: 目录不存在")
    lib = load_dir(d)
    issues = check_library(lib)
    for i in issues:
        if i.level == "note" and quiet:
            continue
        typer.echo(str(i), err=i.level == "error")
    errors = sum(1 for i in issues if i.level == "error")
    warnings = sum(1 for i in issues if i.level == "warning")
    typer.echo(f"{len(lib.documents)} 个文件已加载，{errors} 个错误，{warnings} 个需要配置的值")
    if errors:
        raise typer.Exit(1)


@rubrics_app.command("schema")
def schema(directory: Optional[Path] = typer.Argument(None, help="评分标准目录，默认 rubrics/")) -> None:
    """由 backend/rubrics/models.py 重新生成 rubrics/schema/*.schema.json。"""
    from backend.rubrics.models import schemas

    out = (directory or default_rubrics_dir()) / "schema"
    out.mkdir(parents=True, exist_ok=True)
    for name, s in schemas().items():
        (out / name).write_text(json.dumps(s, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        typer.echo(str(out / name))


def _resolve(rubric: str):
    p = Path(rubric)
    if p.exists():
        return load_document(p), None
    lib = load_dir(default_rubrics_dir())
    if rubric not in lib.documents:
        raise SourceError(rubric, None, f"找不到评分标准文件或编号（已有: {', '.join(sorted(lib.documents))}）")
    return lib.documents[rubric], lib


def score_command(rubric: str = typer.Argument(..., help="评分标准文件路径或编号"),
                  observations: Path = typer.Argument(..., help="观测文件（JSON 或 YAML）"),
                  table: bool = typer.Option(False, "--table", help="以表格显示")) -> None:
    """按评分标准对观测数据评分，输出 JSON（或 --table 表格）。"""
    from backend.scoring import report

    try:
        doc, lib = _resolve(rubric)
        lib = lib or load_dir(default_rubrics_dir())
        if isinstance(doc, Rubric):
            out = report.score_file(doc, str(observations), lib)
        elif isinstance(doc, Composite):
            out = report.town_file(doc, str(observations), lib)
        elif isinstance(doc, CompanyScore):
            out = report.company_file(doc, str(observations))
        else:
            raise SourceError(rubric, None, "问题目录不能直接评分；请使用引用它的评分标准（如 L）")
    except SourceError as e:
        _fail(str(e))
        return
    if table:
        typer.echo(report.table(out))
    else:
        typer.echo(json.dumps(_jsonable(out), ensure_ascii=False, indent=2))


def _jsonable(out: Any) -> Any:
    return out.to_dict() if hasattr(out, "to_dict") else {k: v.to_dict() for k, v in out.items()}


def register(app: typer.Typer) -> None:
    app.add_typer(rubrics_app, name="rubrics")
    app.command("score")(score_command)
