"""The weekly digest page (/analysis/weekly): who may open it, the units it counts, weeks it refuses (4xx naming
the week), the ledger entries to chase, and its files carrying the page's numbers."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from engine import analysis_weekly, clock
from engine.models import LedgerEntry

from .conftest import engine_session
from .test_analysis_pages import seed_month

WEEK = "/analysis/weekly/2031-W10"  # 3–9 March 2031: the seeded cases were received on the 3rd


@pytest.fixture
def month(county):
    return seed_month(county)


def _text(res) -> str:
    return res.get_data(as_text=True)


def _figures(text: str) -> dict[str, str]:
    """The headline cards: figure key → the value shown."""
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', text))


def _type_rows(text: str) -> dict[str, list[str]]:
    """The by-type table: dispute type → the cells after it."""
    body = text.split('id="by-type"')[1].split("</table>")[0].split("<tbody>")[1]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_town_staff_see_their_towns_week_in_chinese_and_english(month, browser):
    browser.sign_in("town_staff")
    res = browser.get(WEEK)
    assert res.status_code == 200
    text = _text(res)
    assert "周研判" in text and "2031-03-03" in text and "2031-03-09" in text
    # 城关镇's five 物业纠纷 and its grid's resolved 邻里纠纷; 河口镇's five are not theirs.
    assert _figures(text) == {"received": "6", "resolved": "1", "resolution_rate": "16.67%",
                              "grassroots_share": "100.00%", "on_time_rate": "—", "satisfaction_rate": "—",
                              "average_days_to_resolve": "—"}
    assert _type_rows(text)["物业纠纷"][:3] == ["5", "0", "0.00%"]
    assert 'href="/analysis/weekly/2031-W09"' in text and 'href="/analysis/weekly/2031-W11"' in text
    assert 'href="/analysis/2031-03"' in text  # the month's analysis
    browser.get("/language/en?next=/inbox")
    english = _text(browser.get(WEEK))
    assert "Weekly digest" in english and "Grassroots share" in english and "Three-level ledger" in english


@pytest.mark.parametrize("who", ["county_staff", "leader", "admin"])
def test_county_staff_leaders_and_administrators_see_the_whole_county(month, browser, who):
    browser.sign_in(who)
    text = _text(browser.get(WEEK))
    assert _figures(text)["received"] == "11"
    assert _type_rows(text)["物业纠纷"][0] == "10"


@pytest.mark.parametrize("who", ["grid_worker", "village_mediator", "designer", "department"])
def test_other_roles_get_403(month, browser, who):
    browser.sign_in(who)
    assert browser.get(WEEK).status_code == 403
    assert browser.get("/analysis/weekly").status_code == 403
    assert browser.get(f"{WEEK}/export.xlsx?table=summary").status_code == 403


@pytest.mark.parametrize("week", ["2031-W54", "2031-10", "2031-W1", "next-week"])
def test_a_week_that_does_not_exist_gets_a_422_page_naming_it(month, browser, week):
    browser.sign_in("town_staff")
    res = browser.get(f"/analysis/weekly/{week}")
    assert res.status_code == 422 and week in _text(res) and "没有这一周" in _text(res)
    assert browser.get(f"/analysis/weekly/{week}/export.csv").status_code == 422
    picked = browser.get(f"/analysis/weekly?week={week}")
    assert picked.status_code == 302 and picked.headers["Location"] == f"/analysis/weekly/{week}"


def test_bad_export_tables_and_formats_are_400(month, browser):
    browser.sign_in("town_staff")
    assert browser.get(f"{WEEK}/export.csv?table=unit").status_code == 400
    assert browser.get(f"{WEEK}/export.pdf?table=summary").status_code == 400


def test_without_a_week_the_page_shows_this_week(month, browser):
    browser.sign_in("town_staff")
    with clock.frozen_at(datetime(2031, 3, 8, 12, 0, tzinfo=UTC)):
        text = _text(browser.get("/analysis/weekly"))
    assert "周研判 · 2031-W10" in text and _figures(text)["received"] == "6"


def test_the_ledger_lists_entries_due_by_the_next_week_with_links_to_them(county, month, browser):
    with engine_session(county) as session:
        entry = session.get(LedgerEntry, month["441581-01"])
        due_week = analysis_weekly.week_of(entry.due_date)
        other = session.get(LedgerEntry, month["441581-02"])
        assert {e.due_date for e in session.scalars(select(LedgerEntry))} == {entry.due_date}
    browser.sign_in("town_staff")
    text = _text(browser.get(f"/analysis/weekly/{due_week}"))
    assert f'href="/analysis/2031-03#entry-{entry.id}"' in text and f"#entry-{other.id}" not in text
    assert f"#entry-{entry.id}" not in _text(browser.get(WEEK))  # due in April, not by mid-March
    browser.post("/logout")
    browser.sign_in("county_staff")
    assert f"#entry-{other.id}" in _text(browser.get(f"/analysis/weekly/{due_week}"))


def test_the_files_carry_the_numbers_the_page_shows(month, browser):
    browser.sign_in("town_staff")
    text = _text(browser.get(WEEK))
    shown, rows = _figures(text), _type_rows(text)
    book = load_workbook(io.BytesIO(browser.get(f"{WEEK}/export.xlsx?table=summary").data))
    sheet = [list(r) for r in book.active.iter_rows(values_only=True)]
    summary = dict(zip(sheet[0], sheet[1], strict=True))
    assert (summary["起始日期"], summary["截止日期"]) == ("2031-03-03", "2031-03-09")
    assert str(summary["受理数"]) == shown["received"] and str(summary["化解数"]) == shown["resolved"]
    assert f"{summary['化解率(%)']:.2f}%" == shown["resolution_rate"]
    assert f"{summary['基层化解率(%)']:.2f}%" == shown["grassroots_share"]
    res = browser.get(f"{WEEK}/export.csv?table=dispute_type")
    assert res.status_code == 200 and res.mimetype == "text/csv"
    assert "filename*=UTF-8''" in res.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(res.data.decode("utf-8-sig"))))
    assert {r["纠纷类型"]: [r["受理数"], r["化解数"]] for r in table} == {k: v[:2] for k, v in rows.items()}
    by_type = load_workbook(io.BytesIO(browser.get(f"{WEEK}/export.xlsx?table=dispute_type").data)).active
    assert [c.value for c in by_type[1]][:3] == ["纠纷类型", "受理数", "化解数"]
    assert {r[0]: r[1] for r in by_type.iter_rows(min_row=2, values_only=True)} == {"物业纠纷": 5, "邻里纠纷": 1}


def test_the_monthly_page_and_the_dashboard_link_to_the_digest(month, browser):
    browser.sign_in("town_staff")
    assert 'href="/analysis/weekly"' in _text(browser.get("/analysis/2031-03"))
    assert 'href="/analysis/weekly"' in _text(browser.get("/dashboard"))
