"""The statistics tables as files: CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese) and
XLSX, with Chinese headers as the centres file them.

Each table is ``engine.stats.summary`` (one row) or ``engine.stats_breakdown.breakdown`` (a row per
group) for the same filters, so a file carries the numbers the dashboard and the API show.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from . import stats, stats_breakdown
from .errors import BadRequest
from .models import User

TABLES = ("summary", *stats_breakdown.BY)
FORMATS = ("csv", "xlsx")

# The figures' columns, in the order the centres report them: key → Chinese header.
FIGURES = [
    ("received", "受理数"),
    ("resolved", "化解数"),
    ("resolution_rate", "化解率(%)"),
    ("grassroots", "基层化解数"),
    ("grassroots_share", "基层化解率(%)"),
    ("with_deadline", "有期限的化解数"),
    ("on_time", "按期化解数"),
    ("on_time_rate", "按期化解率(%)"),
    ("visited", "回访数"),
    ("satisfied", "满意数"),
    ("satisfaction_rate", "满意率(%)"),
    ("average_days_to_resolve", "平均化解天数"),
    ("orders_dispatched", "派单数"),
    ("orders_closed", "派单办结数"),
    ("order_closure_rate", "派单办结率(%)"),
    ("litigation", "导入诉讼/仲裁数"),
    ("judicial_confirmations", "司法确认数"),
    ("repeat_petitions", "重复信访数"),
]
# The columns that name each row of a table.
KEYS = {
    "summary": [("from", "起始日期"), ("to", "截止日期")],
    "month": [("key", "月份")],
    "unit": [("key", "单位代码"), ("label", "单位名称")],
    "dispute_type": [("key", "纠纷类型")],
    "tier": [("key", "化解层级")],
    "channel": [("key", "受理渠道")],
}
TITLES = {"summary": "矛盾纠纷统计汇总", "month": "按月份统计", "unit": "按受理单位统计",
          "dispute_type": "按纠纷类型统计", "tier": "按化解层级统计", "channel": "按受理渠道统计"}
TIER_NAMES = {"grid": "网格", "village": "村(社区)", "town": "镇(街道)", "county": "县"}
NONE = {"tier": "未化解", "dispute_type": "未填写", "channel": "未填写", "unit": "", "month": ""}
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Export:
    filename: str
    mimetype: str
    content: bytes


def table(session: Session, user: User, name: str, **filters) -> tuple[list[str], list[list], dict]:
    """Headers, rows and period of one table (``TABLES``) for the filters ``engine.stats.scope`` takes."""
    if name not in TABLES:
        raise BadRequest(f"table must be one of {', '.join(TABLES)}, not {name!r}",
                         fields={"table": "one of " + ", ".join(TABLES)})
    columns = KEYS[name] + FIGURES
    if name == "summary":
        out = stats.summary(session, user, **filters)
        items, period = [out | out["period"]], out["period"]
    else:
        out = stats_breakdown.breakdown(session, user, name, **filters)
        items, period = out["items"], out["period"]
    rows = [[_cell(name, key, item.get(key)) for key, _ in columns] for item in items]
    return [header for _, header in columns], rows, period


def _cell(table_name: str, key: str, value):
    if key == "key" and value is None:
        return NONE[table_name]
    if key == "key" and table_name == "tier":
        return TIER_NAMES.get(value, value)
    return value


def export(session: Session, user: User, name: str, fmt: str, **filters) -> Export:
    """One table as a CSV or XLSX file named after the table and the period."""
    if fmt not in FORMATS:
        raise BadRequest(f"format must be csv or xlsx, not {fmt!r}", fields={"format": "csv or xlsx"})
    headers, rows, period = table(session, user, name, **filters)
    filename = f"{TITLES.get(name, name)}_{period['from']}_{period['to']}.{fmt}"
    content = csv_bytes(headers, rows) if fmt == "csv" else xlsx_bytes(TITLES[name], headers, rows)
    return Export(filename, MIMETYPES[fmt], content)


def csv_bytes(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a byte-order mark; an empty cell for a rate with nothing to divide by."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _safe(value):
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is quoted with an apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def xlsx_bytes(title: str, headers: list[str], rows: list[list]) -> bytes:
    """One sheet: bold headers, numbers as numbers, an empty cell for a rate with nothing to divide by."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(v) for v in row])
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(10, len(header) * 2 + 2)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
