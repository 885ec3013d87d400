"""Photo errors: why an upload was refused, as a stable code and a Chinese message.

`PhotoRejected` is a `DomainError`, so the app's one handler renders it as
`{"error": {"code": ..., "message": ...}}` with the status below. The codes are API contract:
the phone decides from them whether a retry can help (it cannot for any of these).
"""

from __future__ import annotations

from typing import Any

from backend.errors import DomainError, Refusals

# code -> (HTTP status, message shown to the inspector or manager)
REJECTIONS: dict[str, tuple[int, str]] = {
    "file_too_large": (413, "照片文件过大，请压缩后重新上传"),
    "image_too_large": (413, "照片像素过多，无法处理"),
    "not_an_image": (422, "文件不是可识别的图片"),
    "unsupported_format": (415, "仅支持 JPEG、PNG、WebP 和 HEIC 格式的照片"),
    "image_truncated": (422, "照片文件不完整，可能上传中断，请重新上传"),
    "image_corrupt": (422, "照片数据已损坏，无法解码"),
    # The bytes' SHA-256 is not one the caller declared (ingest_photo(allowed_sha256=...)).
    "photo_not_declared": (422, "该照片未在问题记录中登记（内容与登记的 SHA-256 不符）"),
    # An after-photo taken before the ticket was dispatched cannot show the repair.
    "photo_before_dispatch": (422, "这张照片的拍摄时间早于派单时间，不能证明已整改：请整改后重新拍摄"),
}


class PhotoRejected(DomainError):
    """An upload that is not an acceptable photo. Nothing has been stored when this is raised."""

    status_code = 422
    code = "not_an_image"
    message = REJECTIONS["not_an_image"][1]

    def __init__(self, code: str, detail: Any = None) -> None:
        status, message = REJECTIONS[code]
        super().__init__(message, code=code, status_code=status, detail=detail)


class CJKFontMissing(RuntimeError):
    """No font that can draw Chinese is installed: watermarks would show tofu boxes."""


class InvalidPhotoId(ValueError):
    """A string that is not a lowercase hex SHA-256 was used as a photo id (e.g. a crafted URL)."""


# Refusals of a photo's reading, not of an upload.
REFUSALS = Refusals({
    "photo_not_found": (404, "照片不存在或不在您的管辖范围内"),
    "photo_owner_required": (422, "请指明照片所属的问题（finding_id）或检查（inspection_id）"),
})
