"""Validation of uploaded files (evidence now, inspection photos later): the one place that decides
whether bytes from a browser may be stored.

The rules, and why:
- the size is checked per file before anything is read (FILE_UPLOAD_MAX_MEMORY_SIZE is no limit);
- the type comes from the content (magic numbers via `filetype`, zip directories, OLE2 headers), and
  the name's extension must agree with it, so an .exe renamed .jpg is refused;
- images are checked against a pixel cap from their header BEFORE decoding (Pillow itself only raises
  past 2× its own MAX_IMAGE_PIXELS), then decoded and re-encoded, which drops anything appended after
  the image data (a PNG header followed by HTML passes Pillow's check) and the EXIF metadata;
- the stored name never comes from the user (the caller names the file by its SHA-256); the original
  name is only kept, cleaned of path parts and control characters, for display.

Nothing here touches the database or the storage: callers store `ValidatedUpload.content`.
"""
import hashlib
import io
import os
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE = "image"
PDF = "pdf"
DOCUMENT = "document"  # Word / Excel / PowerPoint, and WPS Office's own formats

#: What a self-assessment item accepts as evidence.
EVIDENCE_KINDS = frozenset({IMAGE, PDF, DOCUMENT})
#: What a finding photo may be.
PHOTO_KINDS = frozenset({IMAGE})

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# How each accepted extension is recognised. "format" is the content family the bytes must show.
_EXTENSIONS = {
    ".jpg": (IMAGE, "jpeg", "image/jpeg"),
    ".jpeg": (IMAGE, "jpeg", "image/jpeg"),
    ".png": (IMAGE, "png", "image/png"),
    ".webp": (IMAGE, "webp", "image/webp"),
    ".gif": (IMAGE, "gif", "image/gif"),
    ".pdf": (PDF, "pdf", "application/pdf"),
    ".docx": (DOCUMENT, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": (DOCUMENT, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pptx": (DOCUMENT, "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ".doc": (DOCUMENT, "ole2", "application/msword"),
    ".xls": (DOCUMENT, "ole2", "application/vnd.ms-excel"),
    ".ppt": (DOCUMENT, "ole2", "application/vnd.ms-powerpoint"),
    # WPS Office writes OLE2 compound files under its own extensions.
    ".wps": (DOCUMENT, "ole2", "application/vnd.ms-works"),
    ".et": (DOCUMENT, "ole2", "application/vnd.ms-excel"),
    ".dps": (DOCUMENT, "ole2", "application/vnd.ms-powerpoint"),
}

# The main part each OOXML package must contain, so a renamed zip archive is not taken for a document.
_OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}

# Pillow format name → our format family.
_PILLOW_FORMATS = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

_KIND_LABELS = {IMAGE: "图片(JPG、PNG、WEBP、GIF)", PDF: "PDF", DOCUMENT: "Word、Excel、PPT或WPS文档"}

_HEAD_BYTES = 8192
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ValidatedUpload:
    kind: str
    extension: str  # lower case, with the dot: ".jpg"
    content_type: str
    size: int  # of `content`, the bytes to store
    sha256: str  # of `content`
    content: ContentFile | object  # re-encoded bytes for images, the upload itself otherwise
    original_name: str  # cleaned, for display only


def clean_original_name(name: str) -> str:
    """The file's own name without any directory part or control character, for display only."""
    name = str(name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".").strip()
    if not name:
        return _("未命名文件")
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext[:20])] + ext[:20]
    return name


def allowed_extensions(allowed_kinds) -> list[str]:
    return [ext for ext, (kind, _fmt, _ct) in _EXTENSIONS.items() if kind in allowed_kinds]


def accept_attribute(allowed_kinds) -> str:
    """The <input accept="..."> value: a hint for the browser; the server still checks content."""
    return ",".join(allowed_extensions(allowed_kinds))


def validate_upload(file, *, allowed_kinds=EVIDENCE_KINDS, max_bytes=None, max_pixels=None) -> ValidatedUpload:
    """Check one uploaded file; raise ValidationError with a Chinese message naming the file."""
    max_bytes = settings.GREENOFFICE_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    max_pixels = settings.GREENOFFICE_MAX_IMAGE_PIXELS if max_pixels is None else max_pixels
    display = clean_original_name(getattr(file, "name", ""))

    size = getattr(file, "size", None)
    if size is None:
        raise ValidationError(_("文件“%(name)s”无法读取,请重新选择") % {"name": display}, code="unreadable")
    if size > max_bytes:
        raise ValidationError(
            _("文件“%(name)s”大小为%(size)s,超过了%(limit)s的上限,请压缩或拆分后再上传")
            % {"name": display, "size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件") % {"name": display}, code="empty")

    extension = os.path.splitext(display)[1].lower()
    allowed = allowed_extensions(allowed_kinds)
    if extension not in allowed or _EXTENSIONS[extension][0] not in allowed_kinds:
        kinds = "、".join(_KIND_LABELS[k] for k in (IMAGE, PDF, DOCUMENT) if k in allowed_kinds)
        raise ValidationError(
            _("文件“%(name)s”的类型不支持,只能上传%(kinds)s") % {"name": display, "kinds": kinds},
            code="extension",
        )
    kind, expected_format, content_type = _EXTENSIONS[extension]

    file.seek(0)
    head = file.read(_HEAD_BYTES)
    file.seek(0)
    found = _detect_format(file, head)
    if found != expected_format:
        raise ValidationError(_mismatch_message(display, extension, found, head), code="mismatch")

    if expected_format in _OOXML_PARTS:
        _refuse_zip_bomb(file, display, max_bytes)
    if kind == IMAGE:
        content = _reencode_image(file, display, expected_format, max_pixels)
    else:
        content = file
    digest, stored_size = _sha256(content, max_bytes, display)
    return ValidatedUpload(
        kind=kind, extension=extension, content_type=content_type, size=stored_size, sha256=digest,
        content=content, original_name=display,
    )


def _detect_format(file, head: bytes) -> str | None:
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    guess = filetype.guess(head)
    name = guess.extension if guess else None
    if name in ("jpg", "jpeg"):
        return "jpeg"
    if name in ("png", "webp", "gif", "pdf"):
        return name
    if head.startswith(b"PK\x03\x04") or name in ("zip", "docx", "xlsx", "pptx"):
        return _ooxml_format(file)
    return name or None


def _ooxml_format(file) -> str | None:
    """docx/xlsx/pptx when the zip is an OOXML package, "zip" for any other archive."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "zip"
    finally:
        file.seek(0)
    if "[Content_Types].xml" not in names:
        return "zip"
    for fmt, prefix in _OOXML_PARTS.items():
        if any(n.startswith(prefix) for n in names):
            return fmt
    return "zip"


# A Word/Excel/PPT package inflates to a few times its size; a "zip bomb" inflates a thousandfold.
OOXML_MAX_INFLATE_FACTOR = 10


def _refuse_zip_bomb(file, display: str, max_bytes: int) -> None:
    """Refuse an OOXML package whose parts would inflate past OOXML_MAX_INFLATE_FACTOR × the upload
    limit, judged from the archive's directory alone (nothing is inflated). A directory that lies about
    the sizes is harmless: zipfile stops each part at its declared size."""
    limit = max_bytes * OOXML_MAX_INFLATE_FACTOR
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        inflated = 0  # _ooxml_format already read this directory; nothing more to learn here
    finally:
        file.seek(0)
    if inflated > limit:
        raise ValidationError(
            _("文件“%(name)s”解压后超过%(limit)s,可能是恶意构造的压缩文件,不能上传")
            % {"name": display, "limit": filesizeformat(limit)},
            code="zip_bomb",
        )


_FORMAT_LABELS = {
    "jpeg": "JPG图片", "png": "PNG图片", "webp": "WEBP图片", "gif": "GIF图片", "pdf": "PDF",
    "docx": "Word文档(.docx)", "xlsx": "Excel表格(.xlsx)", "pptx": "PPT演示文稿(.pptx)",
    "ole2": "旧版Office或WPS文档", "zip": "压缩包", "exe": "可执行程序",
}


def _mismatch_message(display: str, extension: str, found: str | None, head: bytes) -> str:
    if found is None and head.startswith(b"MZ"):
        found = "exe"
    if found is None:
        return _("无法识别文件“%(name)s”的内容,它不是有效的%(ext)s文件,请检查文件是否损坏") % {
            "name": display, "ext": extension,
        }
    return _("文件“%(name)s”的内容是%(found)s,与扩展名%(ext)s不符,不能上传") % {
        "name": display, "found": _FORMAT_LABELS.get(found, found), "ext": extension,
    }


def _reencode_image(file, display: str, expected_format: str, max_pixels: int) -> ContentFile:
    bomb = _("图片“%(name)s”的像素过多(超过%(limit)s万像素),请缩小后再上传") % {
        "name": display, "limit": f"{max_pixels // 10000:,}",
    }
    broken = _("图片“%(name)s”已损坏或无法打开") % {"name": display}
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Image.open reads only the header: the size is known before any pixel is decoded.
            with Image.open(file) as image:
                width, height = image.size
                if width * height > max_pixels or width <= 0 or height <= 0:
                    raise ValidationError(bomb, code="too_many_pixels")
                if _PILLOW_FORMATS.get(image.format) != expected_format:
                    raise ValidationError(broken, code="mismatch")
                animated = getattr(image, "is_animated", False) and expected_format in ("gif", "webp")
                if animated and width * height * getattr(image, "n_frames", 1) > max_pixels:
                    raise ValidationError(bomb, code="too_many_pixels")
                image.load()
                out = io.BytesIO()
                if animated:
                    image.save(out, format=image.format, save_all=True)
                else:
                    _save_still(image, out, expected_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(bomb, code="too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(broken, code="broken") from None
    finally:
        file.seek(0)
    return ContentFile(out.getvalue())


def _save_still(image: Image.Image, out, fmt: str):
    # Keep the picture the right way up once its EXIF (with the orientation flag) is dropped.
    image = ImageOps.exif_transpose(image)
    if fmt == "jpeg":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(out, format="JPEG", quality=90, optimize=True)
    elif fmt == "png":
        image.save(out, format="PNG", optimize=False)
    elif fmt == "webp":
        image.save(out, format="WEBP", quality=90)
    else:
        image.save(out, format="GIF")


def _sha256(content, max_bytes: int, display: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    total = 0
    content.seek(0)
    while True:
        chunk = content.read(_CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            # The declared size lied: stop reading rather than trust it.
            raise ValidationError(
                _("文件“%(name)s”超过了%(limit)s的上限") % {"name": display, "limit": filesizeformat(max_bytes)},
                code="too_large",
            )
        digest.update(chunk)
    content.seek(0)
    return digest.hexdigest(), total
