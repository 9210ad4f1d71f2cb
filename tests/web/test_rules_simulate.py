"""The what-if panel of /admin/rules/<decision_id>: administrators only, CSRF, 422 naming the field, the figures."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from engine import deploy, simulation, simulation_mix, simulation_report
from engine.config import ROOT
from web import views

from .conftest import engine_session

CASE_DEADLINE = (ROOT / "processes" / "case_deadline.dmn").read_text(encoding="utf-8")
# Ordinary disputes must be resolved within 1 day instead of 3.
SHORTER = CASE_DEADLINE.replace('<outputEntry id="case_deadline_r3_o0"><text>\'P3D\'</text>',
                                '<outputEntry id="case_deadline_r3_o0"><text>\'P1D\'</text>')
BASE = "/admin/rules/case_deadline"
ON_TIME = "on-time rate (resolved by the case deadline)"


def _text(res) -> str:
    return res.get_data(as_text=True)


def _row(page: str, figure: str) -> str:
    found = re.search(r'<tr class="([^"]*)" data-figure="' + re.escape(figure) + r'">(.*?)</tr>', page, re.S)
    assert found, figure
    return found.group(1) + found.group(2)


@pytest.fixture
def admin(county, browser):
    browser.sign_in("admin")
    return browser


def test_the_panel_offers_cases_seed_and_shows_the_mix(admin):
    page = _text(admin.get(BASE))
    assert 'id="simulate-form"' in page and 'hx-post="/admin/rules/case_deadline/simulate"' in page
    assert 'name="cases"' in page and 'max="300"' in page and 'value="60"' in page and 'name="seed"' in page
    assert "邻里纠纷 (30)" in page and "40 件" in page  # the default mix: dispute weights, cases a day
    other = _text(admin.get("/admin/rules/analysis_flags"))  # asked by the monthly analysis, not by a diagram
    assert 'id="simulate-form"' not in other and "流程图不使用此表" in other


def test_a_shorter_case_deadline_changes_the_on_time_rate_alone(admin):
    res = admin.post(f"{BASE}/simulate", {"xml": SHORTER, "cases": "40", "seed": "3"}, htmx=True)
    assert res.status_code == 200
    page = _text(res)
    on_time = _row(page, ON_TIME)
    assert "sim-changed" in on_time and "按期化解率" in on_time
    live, draft = re.findall(r'<td class="text-end sim-(?:live|draft)">([\d.]+)%', on_time)
    assert float(draft) < float(live)
    for figure in ("resolution rate", "town: load (cases reached)", "leader workload: cases owned by leaders"):
        assert "sim-changed" not in _row(page, figure)
    assert "40" in page and "case_deadline" in page
    unchanged = admin.post(f"{BASE}/simulate", {"xml": CASE_DEADLINE, "cases": "10"}, htmx=True)
    assert unchanged.status_code == 200 and "sim-changed" not in _text(unchanged)


def test_in_english_every_label_is_english(admin):
    admin.get("/language/en?next=/inbox")
    page = _text(admin.post(f"{BASE}/simulate", {"xml": SHORTER, "cases": "10"}, htmx=True))
    assert "On-time rate (resolved by the case deadline)" in page and "Tier: Town" in page
    assert not re.search(r"[\u4e00-\u9fff]", page)


@pytest.mark.parametrize(("form", "field"), [({"cases": "0"}, "cases"), ({"cases": "301"}, "cases"),
                                             ({"cases": "many"}, "cases"), ({"seed": "-1"}, "seed"),
                                             ({"seed": "1.5"}, "seed")])
def test_bad_numbers_are_refused_naming_the_field(admin, form, field):
    res = admin.post(f"{BASE}/simulate", {"xml": SHORTER, **form}, htmx=True)
    assert res.status_code == 422 and f"{field}:" in _text(res)


def test_a_refused_draft_lists_its_problems(admin):
    bad = SHORTER.replace("<text>'P1D'</text>", "<text>open('/etc/passwd').read()</text>")
    res = admin.post(f"{BASE}/simulate", {"xml": bad, "cases": "10"}, htmx=True)
    assert res.status_code == 422 and "rules-refused" in _text(res) and "<li>" in _text(res)


def test_a_draft_failing_on_simulated_cases_shows_where_they_stop(admin):
    no_default = (CASE_DEADLINE.replace("<inputEntry id=\"case_deadline_r4_i0\"><text>-</text>",
                                        "<inputEntry id=\"case_deadline_r4_i0\"><text>'never'</text>")
                  .replace("<text>'ordinary'</text>", "<text>'never'</text>"))  # ordinary cases match no rule
    res = admin.post(f"{BASE}/simulate", {"xml": no_default, "cases": "5"}, htmx=True)
    # The draft's cases stop where the engine would stop them: counted as incidents and named.
    assert res.status_code == 200 and "sim-changed" in _row(_text(res), "incidents (a step failed)")
    assert "simulate-failures" in _text(res) and "case_deadline" in _text(res)


def test_without_the_csrf_token_it_is_refused(admin):
    assert admin.post(f"{BASE}/simulate", {"xml": SHORTER, "cases": "5"}, token=False).status_code == 400


@pytest.mark.parametrize("username", ["designer", "town_staff", "leader"])
def test_other_roles_are_refused(county, browser, username):
    browser.sign_in(username)
    assert browser.post(f"{BASE}/simulate", {"xml": SHORTER, "cases": "0"}).status_code == 403


def test_every_figure_and_tier_of_a_run_is_translated_in_the_chinese_catalog(county):
    with (ROOT / "web" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    with engine_session(county) as session:
        comparison = simulation.what_if(session, [deploy.SourceFile("case_deadline.dmn", SHORTER.encode())],
                                        simulation_mix.load(), cases=12, seed=1)
    rows = simulation_report.split_rows(comparison)
    assert len(rows) == len(simulation_report.rows(comparison))
    assert {tier for tier, *_ in rows} == {None, "grid", "village", "town", "county"}
    for tier, figure, _, _ in rows:
        assert figure in views.SIMULATION_FIGURES  # keyed by its msgid
        assert catalog.get(figure) is not None and catalog.get(figure).string, figure
        if tier is not None:
            assert tier in views.TIERS and catalog.get(tier.capitalize()).string, tier
