from tests.findings.conftest import Api, Clock, api, clock, real_photo, sha  # noqa: F401
