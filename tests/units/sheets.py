"""Helpers of the units tests: valid credit codes and .xlsx files built in memory."""
import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from units.credit_code import ALPHABET, credit_code_complete
from units.spreadsheets import UNIT_COLUMNS, XLSX_CONTENT_TYPE

HEADERS = [column.header for column in UNIT_COLUMNS]
_codes = itertools.count(1)


def valid_credit_code(n: int | None = None) -> str:
    """A unique credit code with a correct check character (the shared factory's codes have none)."""
    n = next(_codes) if n is None else n
    tail = ""
    for _ in range(9):
        n, r = divmod(n, len(ALPHABET))
        tail = ALPHABET[r] + tail
    return credit_code_complete("12" + "330200" + tail)


def unit_row(code, *, name=None, credit_code=None, district="甲区", category="政府", **extra) -> dict:
    row = {
        "单位编号": code, "单位名称": name or f"导入单位{code}", "简称": "",
        "统一社会信用代码": credit_code or valid_credit_code(),
        "所属区域": district, "单位类别": category, "地址": "人民路1号", "编制人数": 50,
        "建筑面积(平方米)": 3200.5, "联系人": "张三", "联系电话": "0571-88888888",
    }
    row.update(extra)
    return row


def xlsx_bytes(rows: list[dict], headers: list[str] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "创建单位"
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "units.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX_CONTENT_TYPE)


def read_xlsx(data: bytes) -> list[dict]:
    """The data rows of a units sheet as dicts keyed by header."""
    sheet = load_workbook(io.BytesIO(data), read_only=True)["创建单位"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]
