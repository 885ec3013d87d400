"""Issue 2 §8: no Docker engine runs here, so check what can be checked without one: every file
the Dockerfile copies exists, every XUNJIAN_ variable the deployment files set is a real
setting, and the README's production section names them."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from backend.config import Settings

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "docker"
# Variables read by the entrypoint rather than by the settings object.
ENTRYPOINT_VARIABLES = {"XUNJIAN_WORKERS"}
# Read by scripts/ and the tests, not by the service.
SCRIPT_VARIABLES = {"XUNJIAN_VENV", "XUNJIAN_TEST_DATABASE_URL", "XUNJIAN_TEST_PG_PORT",
                    "XUNJIAN_TEST_PHOTOS", "XUNJIAN_SHARED_DIR"}


def test_every_file_the_dockerfile_copies_exists():
    for line in (DOCKER / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY"):
            for source in line.split()[1:-1]:
                assert (REPO / source).exists(), source


def test_compose_builds_from_the_dockerfile_and_mounts_a_photo_volume():
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    app = compose["services"]["app"]
    assert (DOCKER / app["build"]["context"] / app["build"]["dockerfile"]).resolve() == \
        (DOCKER / "Dockerfile").resolve()
    assert any(v.endswith(":/data") for v in app["volumes"])
    assert app["environment"]["XUNJIAN_DATA_DIR"] == "/data"
    assert app["environment"]["XUNJIAN_DATABASE_URL"].startswith("postgresql+psycopg://")
    for volume in compose["services"]["proxy"]["volumes"]:
        assert (DOCKER / volume.split(":")[0]).exists()


def test_every_variable_named_is_a_setting():
    fields = ({f"XUNJIAN_{name.upper()}" for name in Settings.model_fields}
              | ENTRYPOINT_VARIABLES | SCRIPT_VARIABLES)
    for path in (DOCKER / "Dockerfile", DOCKER / "compose.yaml", DOCKER / "entrypoint.sh",
                 DOCKER / "env.example", REPO / "README.md"):
        for variable in set(re.findall(r"XUNJIAN_[A-Z0-9_]+", path.read_text())):
            assert variable in fields, f"{path.name}: {variable} is not a setting"


def test_the_readme_production_section_names_the_deployment():
    readme = (REPO / "README.md").read_text()
    for needle in ("docker/compose.yaml", "XUNJIAN_DATABASE_URL", "XUNJIAN_SECRET_KEY",
                   "--workers", "xunjian db upgrade"):
        assert needle in readme, needle


def test_only_the_proxy_is_believed_about_the_client_address():
    """Issue 12 §5: nginx overwrites X-Forwarded-For with the client's own address, and the
    service believes that header only from the proxy's address, never from anyone ('*')."""
    nginx = (DOCKER / "nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "$proxy_add_x_forwarded_for" not in nginx
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    trusted = compose["services"]["app"]["environment"]["XUNJIAN_FORWARDED_ALLOW_IPS"]
    proxy = compose["services"]["proxy"]["networks"]["internal"]["ipv4_address"]
    assert trusted == proxy != "*"
    assert "forwarded-allow-ips" not in (DOCKER / "entrypoint.sh").read_text()
    assert Settings().forwarded_allow_ips == "127.0.0.1"
