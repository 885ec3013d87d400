"""Photo processing benchmark (issue 5): photos per second per core, peak RSS, bare baseline.

    .venv/bin/python tests/bench/bench_photos.py [--rounds 3] [--count 40] [--write-results]

Inputs are made from a real phone photo in ../shared/photos (or $XUNJIAN_TEST_PHOTOS): a 12-MP
4000 x 3000 JPEG (~3.8 MB: upscaled with noise added so it compresses like a real photo, with
the original's EXIF) and a 1600 x 1200 JPEG like those the PWA sends.

Each measurement runs in a fresh child process (one core, one thread), so that its peak RSS
(VmHWM) is its own:
- product:  backend.photos.ingest_photo() from an in-memory stream: receive + SHA-256 + checks +
            EXIF evidence + draft decode + resize + rotate + watermark + two JPEGs + durable
            (fsync'd) content-addressed store. Every upload gets unique bytes (a trailer after
            the JPEG end marker) so none is skipped as a duplicate.
- baseline: bare Pillow, no product logic: open, draft("RGB", 1600x1200), resize to 1600 px
            and 320 px (BICUBIC), save both as JPEG q80 into memory.
photos/s/core = photos / CPU seconds of the child (user+sys); wall rate is shown too. Rounds
alternate baseline and product; the median round is reported, with product/baseline ratios.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "tests" / "bench" / "RESULTS.md"
HEADING = "## Photo processing (issue 5)"
COMMAND = ".venv/bin/python tests/bench/bench_photos.py --write-results"


def photos_dir() -> Path:
    return Path(os.environ.get("XUNJIAN_TEST_PHOTOS") or REPO.parent / "shared" / "photos")


def make_inputs(folder: Path) -> dict[str, Path]:
    from PIL import Image, ImageChops

    source = photos_dir() / "hdr_iphone_hdr_NO.jpg"
    if not source.is_file():
        sys.exit(f"{source} not found: the benchmark needs the shared real-photo folder")
    with Image.open(source) as src:
        exif = src.info.get("exif", b"")
        big = src.convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC)
    noise = Image.effect_noise(big.size, 6).convert("RGB")
    big = ImageChops.add(big, noise, scale=1.0, offset=-128)
    paths = {"12mp": folder / "12mp.jpg", "1600px": folder / "1600px.jpg"}
    big.save(paths["12mp"], "JPEG", quality=90, exif=exif)
    big.resize((1600, 1200), Image.Resampling.BICUBIC).save(paths["1600px"], "JPEG",
                                                             quality=88, exif=exif)
    return paths


# -- children -----------------------------------------------------------------------------

def run_baseline(data: bytes, count: int) -> None:
    from PIL import Image

    for _ in range(count):
        with Image.open(io.BytesIO(data)) as img:
            img.draft("RGB", (1600, 1200))
            display = img.resize(_fit(img.size, 1600), Image.Resampling.BICUBIC)
        thumb = display.resize(_fit(display.size, 320), Image.Resampling.BICUBIC)
        for copy in (display, thumb):
            copy.save(io.BytesIO(), "JPEG", quality=80)


def run_product(data: bytes, count: int, root: Path) -> None:
    from backend.photos import PhotoLimits, PhotoStore, WatermarkInfo, ingest_photo

    store = PhotoStore(root, durable=True)
    limits = PhotoLimits()
    info = WatermarkInfo("阳光花园小区", "张巡查", datetime.now(timezone.utc))
    for i in range(count):
        stream = io.BytesIO(data + b"bench%08d" % i)  # unique bytes: never a duplicate
        result = ingest_photo(stream, store=store, limits=limits, watermark=info)
        assert not result.already_stored and result.display_width == 1600


def _fit(size: tuple[int, int], edge: int) -> tuple[int, int]:
    scale = min(1.0, edge / max(size))
    return round(size[0] * scale), round(size[1] * scale)


def child(kind: str, path: str, count: int) -> None:
    data = Path(path).read_bytes()
    with tempfile.TemporaryDirectory(dir=REPO / "tests" / "bench") as root:
        warm = run_product if kind == "product" else run_baseline
        args = (Path(root) / "warm",) if kind == "product" else ()
        warm(data, 2, *args)  # imports, font cache, first-call costs
        cpu0, wall0 = time.process_time(), time.perf_counter()
        args = (Path(root) / "run",) if kind == "product" else ()
        warm(data, count, *args)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(json.dumps({"cpu": cpu, "wall": wall, "count": count, "rss_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """VmHWM: peak RSS of this process since exec. (ru_maxrss would also count the pages
    inherited from the parent at fork, which holds the decoded test images.)"""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, path: Path, count: int) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path), str(count)],
                         capture_output=True, text=True, env=env, cwd=REPO, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["per_core"] = result["count"] / result["cpu"]
    result["per_wall"] = result["count"] / result["wall"]
    return result


# -- report -------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--count", type=int, default=40, help="12-MP photos per round")
    parser.add_argument("--write-results", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "PATH", "COUNT"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        inputs = make_inputs(Path(tmp))
        for name, count in (("12mp", args.count), ("1600px", args.count * 4)):
            runs: dict[str, list[dict]] = {"baseline": [], "product": []}
            for _ in range(args.rounds):
                for kind in ("baseline", "product"):
                    runs[kind].append(measure(kind, inputs[name], count))
            med = {k: sorted(v, key=lambda r: r["per_core"])[len(v) // 2] for k, v in runs.items()}
            rows.append((name, inputs[name].stat().st_size, count, med, runs))
    lines = render(rows, args)
    print("\n".join(lines))
    if args.write_results:
        write_section(lines)


def render(rows, args) -> list[str]:
    targets = {"12mp": 6, "1600px": 30}
    labels = {"12mp": "12 MP JPEG 4000×3000", "1600px": "1600 px JPEG 1600×1200 (PWA)"}
    out = [
        f"Command: `{COMMAND}` ({args.rounds} rounds alternating baseline/product, each in a "
        "fresh child process on one core; median round shown).",
        f"Measured {datetime.now().strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}.",
        "",
        "| input | photos/round | baseline photos/s/core | product photos/s/core | "
        "product/baseline | product wall photos/s | target | peak RSS baseline / product |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, size, count, med, runs in rows:
        b, p = med["baseline"], med["product"]
        out.append(
            f"| {labels[name]}, {size / 1e6:.1f} MB | {count} | {b['per_core']:.1f} | "
            f"{p['per_core']:.1f} | {p['per_core'] / b['per_core']:.2f} | {p['per_wall']:.1f} | "
            f"≥ {targets[name]}/s {'✓' if p['per_core'] >= targets[name] else '✗'} | "
            f"{b['rss_mb']:.0f} MB / {max(r['rss_mb'] for r in runs['product']):.0f} MB |")
    out += [
        "",
        "Product = `backend.photos.ingest_photo()`: streamed receive with SHA-256 and byte cap, "
        "format sniffing, pixel cap from the header, EXIF evidence, `draft()` decode, BICUBIC "
        "resize, rotation after shrinking, CJK watermark, display + thumbnail JPEG q80 without "
        "metadata, fsync'd content-addressed store. Baseline = bare Pillow draft + resize + "
        "two saves into memory. Peak RSS is the child's VmHWM (worst round for the "
        "product); the target is < 200 MB per worker. All rounds (photos/s/core):",
        "",
    ]
    for name, _size, _count, _med, runs in rows:
        for kind in ("baseline", "product"):
            figures = ", ".join(f"{r['per_core']:.1f}" for r in runs[kind])
            out.append(f"- {labels[name]}, {kind}: {figures}")
    return out


def write_section(lines: list[str]) -> None:
    text = RESULTS.read_text()
    start = text.index(HEADING) + len(HEADING)
    nxt = re.search(r"^## ", text[start:], flags=re.M)
    end = start + nxt.start() if nxt else len(text)
    RESULTS.write_text(text[:start] + "\n\n" + "\n".join(lines) + "\n\n" + text[end:])
    print(f"wrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
