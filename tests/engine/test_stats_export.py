"""The statistics tables as files: Chinese headers, the engine's numbers in each cell, numbers stored as
numbers in XLSX, an empty cell for a rate with nothing to divide by, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from engine import stats_export
from engine.errors import BadRequest
from tests.engine.test_stats import YEAR, add_cases, org, resolved  # noqa: F401


def _sheet(content: bytes) -> list[list]:
    return [list(r) for r in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def test_the_tier_table_names_tiers_in_chinese_and_counts_unresolved_cases(session, org):  # noqa: F811
    units, users = org
    add_cases(session, units["grid"], 3, **resolved("grid"))
    add_cases(session, units["town"], 2, **resolved("town", met_deadline=True))
    add_cases(session, units["town"], 1)
    headers, rows, period = stats_export.table(session, users["staff"], "tier", **YEAR)
    assert headers[:4] == ["化解层级", "受理数", "化解数", "化解率(%)"]
    assert [r[:3] for r in rows] == [["网格", 3, 3], ["镇(街道)", 2, 2], ["未化解", 1, 0]]
    on_time = headers.index("按期化解率(%)")
    assert [r[on_time] for r in rows] == [None, 100.0, None]  # no deadline recorded: nothing to divide by
    assert period == {"from": "2031-01-01", "to": "2031-12-31"}


def test_the_xlsx_file_holds_numbers_and_the_csv_file_text_excel_reads(session, org):  # noqa: F811
    units, users = org
    add_cases(session, units["village"], 1635, **resolved())
    add_cases(session, units["village"], 90)
    sheet = _sheet(stats_export.export(session, users["staff"], "summary", "xlsx", **YEAR).content)
    assert sheet[0][:5] == ["起始日期", "截止日期", "受理数", "化解数", "化解率(%)"]
    assert sheet[1][:5] == ["2031-01-01", "2031-12-31", 1725, 1635, 94.78]
    out = stats_export.export(session, users["staff"], "summary", "csv", **YEAR)
    assert out.filename == "矛盾纠纷统计汇总_2031-01-01_2031-12-31.csv" and out.mimetype.startswith("text/csv")
    assert out.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(out.content.decode("utf-8-sig"))))
    assert rows[1][:5] == ["2031-01-01", "2031-12-31", "1725", "1635", "94.78"]


def test_text_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(session, org):  # noqa: F811
    units, users = org
    add_cases(session, units["village"], dispute_type="=HYPERLINK(\"http://x\")", channel="@SUM(1)")
    for name in ("dispute_type", "channel"):
        sheet = _sheet(stats_export.export(session, users["staff"], name, "xlsx", **YEAR).content)
        assert sheet[1][0].startswith("'")
        text = stats_export.export(session, users["staff"], name, "csv", **YEAR).content.decode("utf-8-sig")
        assert list(csv.reader(io.StringIO(text)))[1][0].startswith("'")


def test_an_unknown_table_or_format_is_refused_naming_it(session, org):  # noqa: F811
    _, users = org
    with pytest.raises(BadRequest) as table:
        stats_export.export(session, users["staff"], "cases", "csv", **YEAR)
    with pytest.raises(BadRequest) as fmt:
        stats_export.export(session, users["staff"], "month", "pdf", **YEAR)
    assert "table" in table.value.fields and "format" in fmt.value.fields
