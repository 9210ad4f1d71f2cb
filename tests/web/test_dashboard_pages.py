"""The statistics dashboard and its exports: who may open them (403), what the filters narrow, whose
units are counted, and files that open in openpyxl and csv with the numbers ``engine.stats`` gives."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import insert, select

from engine import demo, orgs, stats, stats_breakdown
from engine.models import Case, ProcessVersion, User
from engine.stats_export import FIGURES, KEYS

from .conftest import engine_session

OTHER_TOWN = "441581-02"
MARCH = datetime(2031, 3, 3, 2, 0, tzinfo=UTC)
YEAR = {"from": "2031-01-01", "to": "2031-12-31"}


def add_cases(session, unit_code: str, count: int = 1, received: datetime = MARCH, **columns) -> None:
    """``count`` cases received at the unit, with the given outcome columns."""
    unit = orgs.unit_by_code(session, unit_code)
    county = orgs.unit_by_code(session, demo.COUNTY)
    pv = session.scalar(select(ProcessVersion.id).limit(1))
    first = session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0
    session.execute(insert(Case), [
        {"code": f"T-{first + n + 1}", "process_id": "p", "process_version_id": pv, "status": "open",
         "org_unit_id": unit.id, "title": "", "opened_by": "x", "opened_at": received, "received_at": received,
         "received_unit_id": unit.id, "county_id": county.id, "repeat_petition": False, "dispute_type": "邻里纠纷",
         "channel": "窗口"} | columns
        for n in range(count)])


def resolved(tier: str, **more) -> dict:
    return {"status": "closed", "outcome": "mediated", "resolved_at": MARCH + timedelta(days=2),
            "resolved_tier": tier, "resolve_seconds": 2 * 86400, "met_deadline": True, "rating": "满意"} | more


def sample(app) -> None:
    """Cases at the first town, its village and grid, and at another town, in March and May 2031."""
    with engine_session(app) as session:
        add_cases(session, demo.GRID_1, 3, **resolved("grid"))
        add_cases(session, demo.VILLAGE_1, 2, **resolved("village", met_deadline=False, rating="不满意"))
        add_cases(session, demo.TOWN_1, 1, **resolved("town", dispute_type="合同债务"))
        add_cases(session, demo.TOWN_1, 2, dispute_type="合同债务")
        add_cases(session, OTHER_TOWN, 4, received=MARCH + timedelta(days=60), **resolved("town", channel="12345热线"))
        session.commit()


@pytest.fixture
def figures(county):
    sample(county)
    return county


def _text(res) -> str:
    return res.get_data(as_text=True)


def _engine(app, username: str, by: str | None = None, **filters):
    """What ``engine.stats`` answers the same user for the same filters."""
    args = {"date_from": filters.get("from"), "date_to": filters.get("to"), "unit_code": filters.get("unit"),
            "dispute_type": filters.get("dispute_type")}
    with engine_session(app) as session:
        user = session.scalar(select(User).where(User.username == username))
        if by is None:
            return stats.summary(session, user, **args)
        return stats_breakdown.breakdown(session, user, by, **args)


@pytest.mark.parametrize("who", ["grid_worker", "village_mediator", "town_mediator", "designer", "department"])
def test_other_roles_get_403_and_no_nav_entry(county, browser, who):
    browser.sign_in(who)
    assert "/dashboard" not in _text(browser.get("/inbox"))
    assert browser.get("/dashboard").status_code == 403
    assert browser.get("/dashboard/export.csv?table=month").status_code == 403
    assert browser.get("/dashboard/export.xlsx?table=summary").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(county, browser):
    assert browser.get("/dashboard").headers["Location"] == "/login?next=/dashboard"
    assert browser.get("/dashboard/export.csv").status_code == 302


@pytest.mark.parametrize("who", ["county_staff", "leader", "admin", "town_staff"])
def test_readers_open_it_from_the_menu_in_chinese_and_english(county, browser, who):
    browser.sign_in(who)
    assert 'href="/dashboard"' in _text(browser.get("/inbox"))
    page = _text(browser.get("/dashboard"))
    assert "<h1 class=\"h4 mb-0\">统计</h1>" in page and 'aria-current="page"' in page
    assert 'id="dashboard-data"' in page and "/vendor/echarts/echarts.min.js" in page
    assert "/risks" in page and "/analysis/" in page
    browser.get("/language/en?next=/inbox")
    assert "Resolution rate" in _text(browser.get("/dashboard"))


def test_the_figures_are_the_engines_for_the_whole_county(figures, browser):
    browser.sign_in("county_staff")
    page = _text(browser.get("/dashboard?from=2031-01-01&to=2031-12-31"))
    want = _engine(figures, "county_staff", **YEAR)
    assert want["received"] == 12 and want["resolved"] == 10
    assert f'{want["resolution_rate"]:.2f}%' in page  # 83.33%
    assert "2031-03" in page and "2031-05" in page  # both months in the month table
    assert "县人社局" not in page.split('id="unit"')[1].split("</select>")[0]  # departments are not offered


def test_town_staff_see_only_their_town(figures, browser):
    browser.sign_in("town_staff")
    page = _text(browser.get("/dashboard?from=2031-01-01&to=2031-12-31"))
    mine = _engine(figures, "town_staff", **YEAR)
    assert (mine["received"], mine["resolved"]) == (8, 6)
    assert "2031-05" not in page and "12345热线" not in page  # the other town's cases
    assert OTHER_TOWN + '"' not in page  # nor its unit among the choices
    assert browser.get(f"/dashboard?unit={OTHER_TOWN}").status_code == 403
    assert browser.get(f"/dashboard/export.csv?table=unit&unit={OTHER_TOWN}").status_code == 403


def test_filters_narrow_the_cases(figures, browser):
    browser.sign_in("county_staff")
    by_type = _text(browser.get("/dashboard?from=2031-01-01&to=2031-12-31&dispute_type=合同债务"))
    assert '<option value="合同债务" selected>' in by_type and '<option value="邻里纠纷">' in by_type
    assert _engine(figures, "county_staff", **YEAR, dispute_type="合同债务")["received"] == 3
    rows = _csv(browser.get("/dashboard/export.csv?table=summary&from=2031-03-01&to=2031-03-31"))
    assert rows[1][2] == "8"  # 受理数: March only, not the other town's May cases
    rows = _csv(browser.get(f"/dashboard/export.csv?table=summary&from=2031-01-01&to=2031-12-31&unit={demo.VILLAGE_1}"))
    assert rows[1][2] == "5"  # the village and its grid


@pytest.mark.parametrize("query, field", [("from=2031-13-01", "first day"), ("to=yesterday", "last day"), ("from=2031-01-01T00", "first day"),
                                          ("from=2031-05-01&to=2031-01-01", "first day"),
                                          ("unit=no-such-unit", "no such unit")])
def test_a_bad_filter_is_named_on_the_page(county, browser, query, field):
    browser.sign_in("county_staff")
    browser.get("/language/en?next=/inbox")
    res = browser.get("/dashboard?" + query)
    assert res.status_code in (404, 422) and field in _text(res)
    assert browser.get("/dashboard/export.csv?" + query).status_code in (404, 422)


def test_an_unknown_table_or_format_is_400(county, browser):
    browser.sign_in("county_staff")
    assert browser.get("/dashboard/export.csv?table=cases").status_code == 400
    assert browser.get("/dashboard/export.pdf?table=month").status_code == 400


def _csv(res) -> list[list[str]]:
    assert res.status_code == 200 and res.mimetype == "text/csv"
    body = res.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(res) -> list[list]:
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in res.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(res.get_data())).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("table", ["summary", "month", "unit", "dispute_type", "tier", "channel"])
@pytest.mark.parametrize("who", ["county_staff", "town_staff"])
def test_every_export_carries_the_engines_numbers_under_chinese_headers(figures, browser, table, who):
    browser.sign_in(who)
    browser.get("/language/en?next=/inbox")  # the headers stay Chinese in English too
    query = f"table={table}&from=2031-01-01&to=2031-12-31"
    sheet, text = _xlsx(browser.get("/dashboard/export.xlsx?" + query)), _csv(browser.get("/dashboard/export.csv?" + query))
    headers = [h for _, h in KEYS[table] + FIGURES]
    assert sheet[0] == headers and text[0] == headers
    want = _engine(figures, who, None if table == "summary" else table, **YEAR)
    items = [want] if table == "summary" else want["items"]
    assert len(sheet) - 1 == len(items) == len(text) - 1 > 0
    first = len(KEYS[table])
    for item, row, line in zip(items, sheet[1:], text[1:], strict=True):
        for (key, _), cell, field in zip(FIGURES, row[first:], line[first:], strict=True):
            assert cell == item[key], (table, key)
            assert field == ("" if item[key] is None else str(item[key])), (table, key)
    if table == "tier":
        assert {r[0] for r in sheet[1:]} <= {"网格", "村(社区)", "镇(街道)", "县", "未化解"}
    if table == "unit":
        assert all(r[1] for r in sheet[1:])  # the unit's name beside its code


def test_the_risk_list_and_the_ledger_are_on_the_dashboard(county, browser):
    from .conftest import waiting_order
    from .test_analysis_pages import seed_month

    codes = [waiting_order(county).case_code for _ in range(3)]  # the same parties thrice: a repeat party
    seed_month(county)  # a ledger entry at each of two towns
    browser.sign_in("county_staff")
    page = _text(browser.get("/dashboard"))
    risks = page[page.index('id="risk-title"'):page.index('id="ledger-title"')]
    assert "重复当事人" in risks and "同一当事人" in risks and 'href="/risks?unit="' in risks
    assert not any(code in risks for code in codes)  # the list links on; no case, no party here
    ledger = page[page.index('id="ledger-title"'):]
    assert "未销号 2 条" in ledger and "物业纠纷" in ledger
    browser.client.post("/logout", data={"csrf_token": browser.token("/inbox")})
    browser.sign_in("staff_02")
    ledger = _text(browser.get("/dashboard"))
    assert "未销号 1 条" in ledger[ledger.index('id="ledger-title"'):]
