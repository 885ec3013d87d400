"""Benchmark: 10,000 12345 work orders imported and matched against 10,000 compounds (issue 18:
≤ 10 s).

Run:  .venv/bin/python tests/bench/bench_hotline.py [--pg URL] [--format csv|xlsx|both]
                                                    [--runs 3] [--write-results]

A fresh database (SQLite in a temporary folder, or the PostgreSQL database `--pg` names, which is
emptied) gets a district of 20 streets, 200 communities and 10,000 compounds with generated
names ("锦绣春华苑"), each with its property company. The export is generated like a city's
month: 10,000 orders over November, addresses mostly "XX街道<name>N号楼M单元", a tenth in the
usual variants (N栋, 三号楼, the name with 小区, a city prefix), one in twenty matching no
compound; contents carry the hotline rules' keywords; some replied late, most on time, most
closed. Timed: `service.import_file` from the file's bytes to the commit (reading, matching,
creating the cases with their tickets and events), each run on an emptied set of orders.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

SECTION = "## The hotline import (issue 18)"
TARGET_S = 10.0
N = 10_000
ZONE = ZoneInfo("Asia/Shanghai")
FIRST = ["锦绣", "翠竹", "金桂", "银杏", "丹枫", "紫荆", "碧水", "阳光", "幸福", "和平", "春华",
         "秋实", "东方", "西湖", "南山", "北辰", "海棠", "梧桐", "玉兰", "香樟", "明珠", "华府",
         "世纪", "新城", "怡景", "泰和", "龙湖", "滨江", "望江", "翠湖", "锦江", "书香", "御景",
         "康乐", "长安", "建业", "富春", "天河", "白云", "清风"]
SECOND = ["春华", "秋月", "雅园", "嘉和", "景苑", "丽都", "名门", "新天", "凤凰", "祥和", "荣华",
          "盛世", "文华", "瑞景", "兰亭", "金色", "翡翠", "水岸", "绿洲", "星河", "林语", "听涛",
          "观澜", "铂悦", "云顶"]
SUFFIX = ["花园", "苑", "家园", "公寓", "新村", "名都", "雅居", "嘉园", "府", "城", "园"]
CONTENTS = [("小区{b}井盖破损，存在安全隐患", "JC04"), ("{b}楼道堆放杂物，影响通行", "HJ03"),
            ("{b}门前消防通道被车辆占用", "HJ15"), ("{b}旁垃圾桶满溢无人清理，环境卫生差", "HJ01"),
            ("{b}单元门张贴小广告", "HJ07"), ("{b}绿化带杂草丛生", "LH01"),
            ("{b}附近有居民违章搭建", "WJ01"), ("{b}消火栓箱门损坏", "JC05")]
UNMATCHED = ["人民路{n}号沿街商铺", "农贸市场东门", "解放大道{n}号公交站", "高速出口匝道",
             "工业园区{n}号厂房"]
HEADER_TOP = ["工单编号", "时间", "", "诉求内容", "诉求地址", "诉求分类", "承办单位", "办理时限",
              "工单状态", "回访情况", "", "级别"]
HEADER_BOTTOM = ["", "受理时间", "回复时间", "", "", "", "", "", "", "回访结果", "满意度", ""]
CN = "零一二三四五六七八九"


def names(n: int) -> list[str]:
    out = [a + b + c for c in SUFFIX for b in SECOND for a in FIRST if a != b]
    random.Random(7).shuffle(out)
    assert len(out) >= n
    return out[:n]


def build_org(engine, n: int) -> list[tuple]:  # noqa: ANN001
    """A district of 20 streets × 10 communities × 50 compounds; returns (street, name) pairs."""
    from sqlmodel import Session

    from backend.auth import users
    from backend.auth.models import Role, UserCreate
    from backend.ids import new_id
    from backend.organisation.models import Company, Compound, OrgUnit, UnitLevel

    compounds_names = names(n)
    with Session(engine) as session:
        district = OrgUnit(id=new_id(), name="基准区", level=UnitLevel.district)
        session.add(district)
        session.flush()
        placed, k = [], 0
        for s in range(20):
            street = OrgUnit(id=new_id(), name=f"第{s + 1}街道", level=UnitLevel.street,
                             parent_id=district.id)
            session.add(street)
            session.flush()
            for c in range(10):
                community = OrgUnit(id=new_id(), name=f"第{s + 1}街道第{c + 1}社区",
                                    level=UnitLevel.community, parent_id=street.id)
                session.add(community)
                session.flush()
                for _ in range(n // 200):
                    name = compounds_names[k]
                    company = Company(id=new_id(), name=f"{name}物业服务有限公司")
                    session.add(company)
                    session.add(Compound(id=new_id(), name=name, address=f"{street.name}{name}",
                                         community_id=community.id, street_id=street.id,
                                         district_id=district.id, company_id=company.id))
                    placed.append((street.name, name))
                    k += 1
            session.flush()
        users.create_user(session, UserCreate(username="bench", display_name="基准督查",
                                              role=Role.admin, password="bench-password-1"),
                          actor_id=None)
        session.commit()
    return placed


def cn_building(n: int) -> str:
    return (CN[n] if n < 10 else ("十" + (CN[n % 10] if n % 10 else "")) if n < 20 else str(n))


def orders(placed: list[tuple], n: int, seed: int = 18) -> list[list]:
    rnd = random.Random(seed)
    start = datetime(2026, 11, 2, 8, 30, tzinfo=ZONE)
    rows = []
    for i in range(n):
        street, name = rnd.choice(placed)
        b = rnd.randrange(1, 19)
        unit = rnd.randrange(1, 5)
        roll = rnd.random()
        if roll < 0.05:
            address = rnd.choice(UNMATCHED).format(n=rnd.randrange(1, 300))
        elif roll < 0.15:
            address = rnd.choice([f"{street}{name}{b}栋{unit}单元", f"{name}{cn_building(b)}号楼",
                                  f"{name}小区{b}幢", f"某市基准区{street}{name}{b}号楼"])
        else:
            address = f"{street}{name}{b}号楼{unit}单元"
        content, _ = rnd.choice(CONTENTS)
        accepted = start + timedelta(days=rnd.randrange(0, 25), minutes=rnd.randrange(0, 540))
        limit = accepted + timedelta(days=3)
        replied = accepted + timedelta(hours=rnd.uniform(2, 110)) if rnd.random() < 0.85 else None
        status = "办结" if replied and rnd.random() < 0.9 else "处理中"
        fmt = "%Y-%m-%d %H:%M"
        rows.append([f"2026{i + 1:07d}", accepted.strftime(fmt), replied.strftime(fmt) if replied else "",
                     content.format(b=f"{b}号楼"), address, "城市管理", street,
                     limit.strftime(fmt) if rnd.random() < 0.7 else "", status,
                     "不满意" if rnd.random() < 0.05 else "满意", "", rnd.choice(["市级", "区级"])])
    return rows


def as_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER_TOP, HEADER_BOTTOM, *rows])
    return out.getvalue().encode("gb18030")


def as_xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["基准区12345热线工单明细（2026年11月）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER_TOP))
    sheet.append(HEADER_TOP)
    sheet.append(HEADER_BOTTOM)
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:C2")
    sheet.merge_cells("J2:K2")
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def reset_orders(engine) -> None:  # noqa: ANN001
    """Empty what an import writes, so that each run imports afresh."""
    from sqlalchemy import text

    with engine.begin() as conn:
        for table in ("hotline_conflict", "hotline_order", "hotline_import", "photo_ref",
                      "notification", "ticket_event", "ticket", "finding", "audit_event"):
            conn.execute(text(f"DELETE FROM {table}"))


def run(engine, raw: bytes, filename: str) -> tuple[float, dict]:  # noqa: ANN001
    from sqlalchemy import select
    from sqlmodel import Session

    from backend.auth.models import User
    from backend.auth.scope import scope_for
    from backend.hotline import service

    reset_orders(engine)
    with Session(engine) as session:
        user = session.execute(select(User).where(User.username == "bench")).scalar_one()
        scope = scope_for(session, user)
        start = time.perf_counter()
        report = service.import_file(session, user, raw, filename=filename, mapping=None,
                                     scope=scope, now=datetime(2026, 12, 1, 9, tzinfo=ZONE))
        session.commit()
        elapsed = time.perf_counter() - start
    return elapsed, report.summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="a PostgreSQL URL (its database is emptied)")
    parser.add_argument("--format", choices=("csv", "xlsx", "both"), default="both")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="xunjian-bench-hotline-"))
    os.environ["XUNJIAN_DATA_DIR"] = str(folder)
    os.environ["XUNJIAN_DATABASE_URL"] = args.pg or f"sqlite:///{folder / 'bench.db'}"
    from sqlalchemy import text

    from backend.db import get_engine
    from backend.migrate import upgrade

    engine = get_engine()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade("head", os.environ["XUNJIAN_DATABASE_URL"])
    placed = build_org(engine, N)
    rows = orders(placed, N)
    files = {"csv": ("工单.csv", as_csv(rows)), "xlsx": ("工单.xlsx", as_xlsx(rows))}
    label = engine.dialect.name
    results = []
    for fmt in (["csv", "xlsx"] if args.format == "both" else [args.format]):
        name, raw = files[fmt]
        times, summary = [], {}
        for _ in range(args.runs):
            elapsed, summary = run(engine, raw, name)
            times.append(elapsed)
            print(f"[{label}] {fmt} ({len(raw) / 1e6:.1f} MB): {elapsed:.2f} s  {summary}", flush=True)
        results.append((fmt, len(raw), sorted(times), summary))
        assert summary["created"] + summary["review"] == N, summary
    if args.write_results:
        write_results(results, label, args)


def write_results(results: list, label: str, args) -> None:  # noqa: ANN001
    import platform

    import bench_sync

    lines = [SECTION, "",
             f"`.venv/bin/python tests/bench/bench_hotline.py --runs {args.runs}"
             + (" --pg …" if args.pg else "") + f"` on {label}: {N:,} work orders against "
             f"{N:,} compounds, from the file's bytes to the commit; {time.strftime('%Y-%m-%d')}, "
             f"{platform.machine()}, {os.cpu_count()} CPUs. Target ≤ {TARGET_S:.0f} s.", "",
             "| file | size | median | max | cases created | to review |", "|---|---:|---:|---:|---:|---:|"]
    for fmt, size, times, summary in results:
        lines.append(f"| {fmt} | {size / 1e6:.1f} MB | {times[len(times) // 2]:.2f} s | "
                     f"{times[-1]:.2f} s | {summary['created']:,} | {summary['review']:,} |")
    bench_sync.write_section("\n".join(lines) + "\n", SECTION)


if __name__ == "__main__":
    main()
