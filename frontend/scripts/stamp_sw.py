"""Set VERSION in sw.js to a hash of the shell files, so phones pick up every change.

Run after editing anything under frontend/: `python frontend/scripts/stamp_sw.py`.
tests/frontend/test_shell.py fails when the stamp is stale or a shell file is missing from SHELL.
"""

import hashlib
import re
import sys
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent.parent
SW = FRONTEND / "sw.js"


def shell_files(sw_text: str, name: str = "SHELL") -> list[str]:
    """The files of a precache list of sw.js: SHELL (the app shell) or MODULES."""
    block = re.search(rf"const {name} = \[(.*?)\];", sw_text, re.S).group(1)
    return [p for p in re.findall(r"'\./([^']*)'", block) if p]


def precached(sw_text: str) -> list[str]:
    return shell_files(sw_text) + shell_files(sw_text, "MODULES")


def shell_hash(sw_text: str) -> str:
    digest = hashlib.sha256()
    for rel in sorted(precached(sw_text)):
        digest.update(rel.encode() + b"\0" + (FRONTEND / rel).read_bytes())
    # the worker's own code counts too, minus the stamp itself
    digest.update(re.sub(r"const VERSION = '[^']*';", "", sw_text).encode())
    return digest.hexdigest()[:12]


def main() -> int:
    text = SW.read_text()
    new = re.sub(r"const VERSION = '[^']*';", f"const VERSION = '{shell_hash(text)}';", text)
    SW.write_text(new)
    print(f"sw.js VERSION = {shell_hash(new)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
