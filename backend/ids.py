"""Time-ordered primary keys. UUIDv7 keeps B-tree inserts append-only (see performance.md)."""

import uuid

import uuid_utils


def new_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)
