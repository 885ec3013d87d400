"""Photo evidence: receive, check, decode, watermark and store uploaded photos (issue 5).

The router calls `ingest_photo()`; start-up and the health check call `require_cjk_font()`.
Modules: errors (PhotoRejected codes), storage (content-addressed files), processing (decode and
derive), evidence (EXIF fields), watermark (the stamp and its CJK font), service (ingest_photo).
"""

from backend.photos.errors import CJKFontMissing, InvalidPhotoId, PhotoRejected
from backend.photos.evidence import Evidence
from backend.photos.processing import PhotoLimits
from backend.photos.service import IngestedPhoto, ingest_photo
from backend.photos.storage import PhotoPaths, PhotoStore
from backend.photos.watermark import FontRef, WatermarkInfo, find_cjk_font, require_cjk_font

__all__ = [
    "CJKFontMissing", "Evidence", "FontRef", "IngestedPhoto", "InvalidPhotoId", "PhotoLimits",
    "PhotoPaths", "PhotoRejected", "PhotoStore", "WatermarkInfo", "find_cjk_font",
    "ingest_photo", "require_cjk_font",
]
