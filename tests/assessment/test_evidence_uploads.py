"""Upload validation (assessment.uploads) and the evidence services: type from content, size and pixel
caps, re-encoded images, safe names, private storage, draft removal and supersede after submission."""
import hashlib
import io
import struct
import zipfile
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assessment.models import Evidence, ItemResponse
from assessment.services.evidence import evidence_add, evidence_remove, evidence_supersede
from assessment.services.self_assessment import assessment_return, assessment_submit, response_save
from assessment.uploads import (
    DOCUMENT,
    EVIDENCE_KINDS,
    IMAGE,
    OLE2_MAGIC,
    PHOTO_KINDS,
    clean_original_name,
    validate_upload,
)
from tests.assessment.conftest import PDF_BYTES, jpeg_bytes, pdf_file, png_bytes, png_file

MB = 1024 * 1024


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def ooxml_bytes(main_part="word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


def plain_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


def ole2_bytes() -> bytes:
    return OLE2_MAGIC + b"\x00" * 504


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200


def png_with_header_size(width, height) -> bytes:
    """A tiny real PNG whose IHDR claims width × height: cheap to make, a bomb to decode."""
    data = bytearray(png_bytes(size=(1, 1)))
    # IHDR starts at byte 8: length(4) "IHDR"(4) width(4) height(4) depth colour ... then CRC.
    data[16:24] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)


class FakeHugeUpload(SimpleUploadedFile):
    """Declares 200 MB without holding it: the size check must refuse it before reading anything."""

    def __init__(self, name, declared_size):
        super().__init__(name, b"%PDF-1.4 tiny", content_type="application/pdf")
        self.size = declared_size

    def read(self, *args, **kwargs):  # pragma: no cover - reaching this is the failure
        raise AssertionError("a file over the limit must not be read")


# -- validate_upload ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, content, kind, extension", [
    ("照片.png", png_bytes(), IMAGE, ".png"),
    ("照片.JPG", jpeg_bytes(), IMAGE, ".jpg"),
    ("方案.pdf", PDF_BYTES, "pdf", ".pdf"),
    ("制度汇编.docx", ooxml_bytes("word/document.xml"), DOCUMENT, ".docx"),
    ("台账.xlsx", ooxml_bytes("xl/workbook.xml"), DOCUMENT, ".xlsx"),
    ("课件.pptx", ooxml_bytes("ppt/presentation.xml"), DOCUMENT, ".pptx"),
    ("旧台账.xls", ole2_bytes(), DOCUMENT, ".xls"),
    ("通知.doc", ole2_bytes(), DOCUMENT, ".doc"),
    ("通知.wps", ole2_bytes(), DOCUMENT, ".wps"),
    ("表格.et", ole2_bytes(), DOCUMENT, ".et"),
])
def test_validate_upload_accepts_the_evidence_types(settings, name, content, kind, extension):
    result = validate_upload(upload(name, content), allowed_kinds=EVIDENCE_KINDS)
    assert (result.kind, result.extension) == (kind, extension)
    result.content.seek(0)
    stored = result.content.read()
    assert result.sha256 == hashlib.sha256(stored).hexdigest()
    assert result.size == len(stored)


def test_validate_upload_refuses_an_exe_renamed_jpg():
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("照片.jpg", exe_bytes()), allowed_kinds=EVIDENCE_KINDS)
    assert exc.value.messages == ["文件“照片.jpg”的内容是可执行程序,与扩展名.jpg不符,不能上传"]


@pytest.mark.parametrize("name, content, found", [
    ("方案.docx", PDF_BYTES, "PDF"),
    ("制度.docx", plain_zip_bytes(), "压缩包"),
    ("照片.png", jpeg_bytes(), "JPG图片"),
    ("表格.xlsx", ooxml_bytes("word/document.xml"), "Word文档(.docx)"),
    ("文件.pdf", ole2_bytes(), "旧版Office或WPS文档"),
])
def test_validate_upload_refuses_an_extension_that_disagrees_with_the_content(name, content, found):
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload(name, content), allowed_kinds=EVIDENCE_KINDS)
    assert f"的内容是{found}" in exc.value.messages[0]


def test_validate_upload_refuses_unknown_extensions_and_garbage():
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("脚本.html", b"<html></html>"), allowed_kinds=EVIDENCE_KINDS)
    assert "类型不支持" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("方案.pdf", b"just text, not a pdf"), allowed_kinds=EVIDENCE_KINDS)
    assert "无法识别" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("空.pdf", b""), allowed_kinds=EVIDENCE_KINDS)
    assert "空文件" in exc.value.messages[0]


def test_validate_upload_refuses_a_200_mb_file_without_reading_it():
    with pytest.raises(ValidationError) as exc:
        validate_upload(FakeHugeUpload("大文件.pdf", 200 * MB), allowed_kinds=EVIDENCE_KINDS)
    assert exc.value.messages == ["文件“大文件.pdf”大小为200.0\xa0MB,超过了20.0\xa0MB的上限,请压缩或拆分后再上传"]


def test_validate_upload_refuses_a_30000_by_30000_png_before_decoding():
    content = png_with_header_size(30000, 30000)
    assert len(content) < 200
    assert struct.unpack(">II", content[16:24]) == (30000, 30000)
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("巨图.png", content), allowed_kinds=EVIDENCE_KINDS)
    assert exc.value.messages == ["图片“巨图.png”的像素过多(超过4,000万像素),请缩小后再上传"]


@pytest.mark.parametrize("width, height", [(8000, 6000), (15000, 9000)])
def test_validate_upload_pixel_cap_is_ours_not_pillows(width, height):
    # 48 M pixels is under Pillow's own warning threshold (~89 M); 135 M is between its warning and its
    # error. Both are over our 40 M cap and must be refused from the header, without decoding.
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("大图.png", png_with_header_size(width, height)), allowed_kinds=EVIDENCE_KINDS)
    assert "像素过多" in exc.value.messages[0]


def test_validate_upload_applies_the_configured_pixel_cap(settings):
    settings.GREENOFFICE_MAX_IMAGE_PIXELS = 50
    with pytest.raises(ValidationError):
        validate_upload(upload("照片.jpg", jpeg_bytes(size=(8, 8))), allowed_kinds=EVIDENCE_KINDS)
    assert validate_upload(upload("小图.jpg", jpeg_bytes(size=(5, 5))), allowed_kinds=EVIDENCE_KINDS)


def test_validate_upload_reencodes_a_png_html_polyglot():
    payload = b"<html><script>alert(document.cookie)</script></html>"
    result = validate_upload(upload("照片.png", png_bytes() + payload), allowed_kinds=EVIDENCE_KINDS)
    result.content.seek(0)
    stored = result.content.read()
    assert b"<script" not in stored and b"<html" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "PNG" and image.size == (8, 8)


def test_validate_upload_photo_kinds_refuse_documents():
    with pytest.raises(ValidationError) as exc:
        validate_upload(upload("方案.pdf", PDF_BYTES), allowed_kinds=PHOTO_KINDS)
    assert "只能上传图片" in exc.value.messages[0]


@pytest.mark.parametrize("raw, clean", [
    ("../../x.pdf", "x.pdf"),
    ("..\\..\\windows\\x.pdf", "x.pdf"),
    ("/etc/passwd.pdf", "passwd.pdf"),
    ("a\x00b\r\n\u202ec.pdf", "abc.pdf"),
    ("..", "未命名文件"),
    ("", "未命名文件"),
])
def test_clean_original_name_strips_paths_and_control_characters(raw, clean):
    assert clean_original_name(raw) == clean


# -- evidence services ---------------------------------------------------------------------------------

@pytest.fixture
def response_a(assessment_a, director_a, items):
    return response_save(actor=director_a, assessment=assessment_a, item=items["1.1"], full_marks=True)


@pytest.mark.django_db
def test_evidence_add_stores_privately_under_a_hash_name(response_a, director_a, settings):
    evidence = evidence_add(actor=director_a, response=response_a, uploaded_file=pdf_file("../../x.pdf"))
    assert evidence.original_name == "x.pdf"
    assert evidence.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert evidence.file.name == (
        f"evidence/{response_a.assessment_id}/{evidence.sha256[:2]}/{evidence.sha256}.pdf"
    )
    path = default_storage.path(evidence.file.name)
    assert path.startswith(str(settings.MEDIA_ROOT))
    assert ".." not in evidence.file.name
    with default_storage.open(evidence.file.name, "rb") as handle:
        assert handle.read() == PDF_BYTES


@pytest.mark.django_db
def test_evidence_add_refuses_the_same_content_twice_on_an_item(response_a, director_a):
    evidence_add(actor=director_a, response=response_a, uploaded_file=pdf_file("a.pdf"))
    with pytest.raises(ValidationError) as exc:
        evidence_add(actor=director_a, response=response_a, uploaded_file=pdf_file("b.pdf"))
    assert "内容相同" in exc.value.messages[0]


@pytest.mark.django_db
def test_evidence_add_by_others_is_refused(response_a, inspector_a, director_b, admin_user):
    for actor in (inspector_a, director_b, admin_user):
        with pytest.raises(PermissionDenied):
            evidence_add(actor=actor, response=response_a, uploaded_file=pdf_file())
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_evidence_remove_deletes_a_draft_file(response_a, director_a, django_capture_on_commit_callbacks):
    evidence = evidence_add(actor=director_a, response=response_a, uploaded_file=png_file())
    name = evidence.file.name
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(actor=director_a, evidence=evidence)
    assert not Evidence.objects.exists()
    assert not default_storage.exists(name)


@pytest.mark.django_db
def test_submitted_evidence_cannot_be_removed_only_superseded(answered_a, director_a, inspector_a, items):
    response = ItemResponse.objects.get(assessment=answered_a, item=items["1.1"])
    old = evidence_add(actor=director_a, response=response, uploaded_file=pdf_file("旧文件.pdf"))
    assessment_submit(actor=director_a, assessment=answered_a)
    old.refresh_from_db()
    assert old.submitted_in_round == 1
    with pytest.raises(ValidationError):  # locked while under review
        evidence_supersede(actor=director_a, evidence=old, uploaded_file=png_file())
    assessment_return(actor=inspector_a, assessment=answered_a, comment="请更换材料")

    with pytest.raises(ValidationError) as exc:
        evidence_remove(actor=director_a, evidence=old)
    assert "不能删除" in exc.value.messages[0]

    new = evidence_supersede(actor=director_a, evidence=old, uploaded_file=png_file("新照片.png"))
    old.refresh_from_db()
    assert old.superseded_by == new
    assert default_storage.exists(old.file.name) and default_storage.exists(new.file.name)
    assert new.submitted_in_round is None
    with pytest.raises(ValidationError):
        evidence_supersede(actor=director_a, evidence=old, uploaded_file=png_file("再次.png"))
    submission, _ = assessment_submit(actor=director_a, assessment=answered_a)
    names = [f["name"] for f in submission.snapshot["items"]["1.1"]["evidence"]]
    assert names == ["新照片.png"]


@pytest.mark.django_db
def test_evidence_upload_to_onsite_item_is_refused(assessment_a, director_a, items):
    response = ItemResponse.objects.create(assessment=assessment_a, item=items["3.1"])
    with pytest.raises(ValidationError):
        evidence_add(actor=director_a, response=response, uploaded_file=pdf_file())


@pytest.mark.django_db
def test_media_url_serves_nothing(client, response_a, director_a, settings):
    evidence = evidence_add(actor=director_a, response=response_a, uploaded_file=pdf_file())
    client.force_login(director_a)
    assert client.get(settings.MEDIA_URL + evidence.file.name).status_code == 404
