"""The case list, the case page, public reporting and tracking, through the Flask test client."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from api import create_app
from engine.models import AuditEvent, Case, TaskItem
from tests.conftest import settings_for
from tests.processes import steps

from .conftest import OTHER_VILLAGE, Browser, engine_session, waiting_order

PHONE = "13912345678"
CODE = re.compile(r'id="case-code">([^<]+)<')


def _text(res) -> str:
    return res.get_data(as_text=True)


def _report_form(browser: Browser, **over) -> dict:
    data = {"csrf_token": browser.token("/report"), "dispute_type": "邻里纠纷", "summary": "邻居堆放杂物堵住通道",
            "parties-0-name": "王五", "parties-0-role": "申请人", "parties-0-phone": PHONE,
            "contact_phone": PHONE, "county": "441581", "town": "441581-01", "village": steps.VILLAGE,
            "grid": steps.GRID, "website": ""}
    return data | over


def _cases(app) -> int:
    with engine_session(app) as session:
        return session.scalar(select(func.count(Case.id)))


# -- the case list ---------------------------------------------------------------------------------
def test_the_case_list_finds_a_case_by_its_typed_code_and_filters(county, browser):
    waiting = waiting_order(county)
    other = waiting_order(county, OTHER_VILLAGE)
    browser.sign_in("town_staff")
    page = _text(browser.get("/cases"))
    assert waiting.case_code in page and other.case_code in page
    typed = waiting.case_code.lower().replace("-", " ")
    page = _text(browser.get("/cases", query_string={"q": typed}))
    assert waiting.case_code in page and other.case_code not in page
    page = _text(browser.get("/cases", query_string={"unit": OTHER_VILLAGE}))
    assert other.case_code in page and waiting.case_code not in page
    assert waiting.case_code not in _text(browser.get("/cases", query_string={"status": "closed"}))
    page = _text(browser.get("/cases", query_string={"reported": "1"}))
    assert waiting.case_code in page  # the town centre registered both
    assert "张*" in page and "张三" not in page  # lists show masked names only


def test_the_case_list_finds_a_party_by_name_only_for_readers_who_work_the_case(county, browser):
    waiting = waiting_order(county)
    browser.sign_in("town_staff")  # registered it
    for typed in ("张三", "  张 三 ", "张　三"):
        page = _text(browser.get("/cases", query_string={"q": typed}))
        assert waiting.case_code in page and "张*" in page  # found, still listed masked
    assert waiting.case_code not in _text(browser.get("/cases", query_string={"q": "张"}))
    browser.post("/logout")
    browser.sign_in("town_mediator")  # sees the town's cases, works none of this one's tasks
    assert waiting.case_code in _text(browser.get("/cases", query_string={"q": waiting.case_code}))
    assert waiting.case_code not in _text(browser.get("/cases", query_string={"q": "张三"}))


def test_the_case_list_keeps_to_the_users_units(county, browser):
    other = waiting_order(county, OTHER_VILLAGE)
    browser.sign_in("village_mediator")
    assert other.case_code not in _text(browser.get("/cases"))
    assert browser.get("/cases", query_string={"unit": OTHER_VILLAGE}).status_code == 403
    assert browser.get("/cases", query_string={"q": "\x00"}).status_code == 400


def test_the_case_list_needs_a_sign_in(county, browser):
    assert browser.get("/cases").headers["Location"] == "/login?next=/cases"


# -- one case --------------------------------------------------------------------------------------
def test_the_case_page_shows_summary_parties_orders_timeline_tasks_and_diagram(county, browser):
    waiting = waiting_order(county)
    browser.sign_in("town_staff")  # registered the case: works it, sees the parties in full
    res = browser.get(f"/cases/{waiting.case_code}")
    page = _text(res)
    assert res.status_code == 200
    assert waiting.case_code in page and "合同债务" in page and "窗口" in page
    assert "张三" in page and "13800138000" in page
    assert f'href="/tasks/{waiting.task_id}">接单</a>' in page  # the task's name in the page's language
    assert "接单 Accept" not in page and "Marriage" not in page
    assert "已派单" in page  # the order's state
    assert "立案受理" in page and "生成任务" in page  # the timeline, its events named
    assert f'data-xml="/cases/{waiting.case_code}/diagram.xml"' in page
    assert "accept_order" in page or "dispatch_round" in page  # its marks reach the sub-process
    with engine_session(county) as session:
        viewed = session.scalars(select(AuditEvent).where(AuditEvent.kind == "personal_data_viewed")).all()
    assert viewed and viewed[-1].actor == "town_staff"


def test_opening_the_same_case_page_again_is_not_audited_again_within_the_window(county, browser):
    waiting = waiting_order(county)
    browser.sign_in("town_staff")
    for _ in range(3):
        assert "张三" in _text(browser.get(f"/cases/{waiting.case_code}"))  # in full, each time
    with engine_session(county) as session:
        viewed = session.scalars(select(AuditEvent).where(AuditEvent.kind == "personal_data_viewed")).all()
    assert [(e.actor, e.detail["fields"]) for e in viewed] == [("town_staff", ["data.parties.0.id_number"])]


def test_english_pages_show_choices_and_task_names_in_english(county, browser):
    waiting = waiting_order(county)
    browser.sign_in("town_staff")
    browser.get("/language/en")
    page = _text(browser.get(f"/cases/{waiting.case_code}"))
    assert "Contracts and debts" in page and "合同债务" not in page  # the dispute type as its form titles it
    assert "Walk-in window" in page and "窗口来访" not in page  # the channel
    assert "Applicant" in page and "申请人" not in page  # a party's role
    assert f'href="/tasks/{waiting.task_id}">Accept</a>' in page
    assert "Registration" in page and "受理登记" not in page  # the timeline's tasks, English from their forms
    listed = _text(browser.get("/cases"))
    assert "Contracts and debts" in listed and "合同债务" not in listed
    inbox = _text(browser.get("/inbox", query_string={"scope": "unit"}))
    assert "接单" not in inbox


def test_a_reader_who_does_not_work_the_case_sees_parties_masked(county, browser):
    waiting = waiting_order(county)
    browser.sign_in("town_mediator")  # sees the town's cases, works none of this one's tasks
    page = _text(browser.get(f"/cases/{waiting.case_code}"))
    assert "张三" not in page and "13800138000" not in page and "张*" in page


def test_a_village_mediator_may_not_open_another_villages_case(county, browser):
    other = waiting_order(county, OTHER_VILLAGE)
    browser.sign_in("village_mediator")
    assert browser.get(f"/cases/{other.case_code}").status_code == 403
    assert browser.get(f"/cases/{other.case_code}/diagram.xml").status_code == 403
    assert browser.get("/cases/NO-SUCH-CODE").status_code == 404


def test_the_diagram_of_the_case_and_of_a_sub_process_it_ran(county, browser):
    waiting = waiting_order(county)
    browser.sign_in("town_staff")
    res = browser.get(f"/cases/{waiting.case_code}/diagram.xml")
    assert res.status_code == 200 and res.mimetype == "application/xml" and 'id="dispute_case"' in _text(res)
    sub = browser.get(f"/cases/{waiting.case_code}/diagram.xml", query_string={"process": "dispatch_round"})
    assert 'id="dispatch_round"' in _text(sub)
    page = _text(browser.get(f"/cases/{waiting.case_code}", query_string={"process": "dispatch_round"}))
    assert "process=dispatch_round" in page and "accept_order" in page
    assert browser.get(f"/cases/{waiting.case_code}", query_string={"process": "nothing"}).status_code == 404


# -- reporting -------------------------------------------------------------------------------------
def test_the_report_form_needs_no_sign_in_and_lists_the_counties(county, browser):
    res = browser.get("/report")
    assert res.status_code == 200 and 'name="website"' in _text(res) and "441581" in _text(res)
    places = _text(browser.get("/report/places", query_string={"county": "441581", "town": "441581-01"}))
    assert steps.VILLAGE in places and 'name="grid"' in places
    deeper = _text(browser.get("/report/places", query_string={"county": "441581", "town": "441581-01",
                                                               "village": steps.VILLAGE}))
    assert steps.GRID in deeper


def test_a_report_opens_a_case_and_shows_its_code(county, browser):
    before = _cases(county)
    res = browser.client.post("/report", data=_report_form(browser))
    assert res.status_code == 200
    code = CODE.search(_text(res)).group(1)
    assert _cases(county) == before + 1
    with engine_session(county) as session:
        case = session.scalar(select(Case).where(Case.code == code))
        assert case.opened_by == "online_report"


def test_a_report_without_the_csrf_token_is_refused(county, browser):
    before = _cases(county)
    res = browser.client.post("/report", data=_report_form(browser) | {"csrf_token": ""})
    assert res.status_code == 400 and _cases(county) == before


def test_a_report_filling_the_honeypot_opens_nothing(county, browser):
    before = _cases(county)
    res = browser.client.post("/report", data=_report_form(browser, website="http://spam.example"))
    assert res.status_code == 400 and _cases(county) == before


def test_a_bad_report_names_its_fields_and_opens_nothing(county, browser):
    before = _cases(county)
    res = browser.client.post("/report", data=_report_form(browser, summary="短", grid="", contact_phone="12",
                                                           **{"parties-0-role": ""}))
    page = _text(res)
    assert res.status_code == 422 and _cases(county) == before
    assert 'id="summary-error"' in page and 'id="place-error"' in page and 'id="parties-0-role-error"' in page
    res = browser.client.post("/report", data=_report_form(browser, contact_phone="12"))
    assert res.status_code == 422 and 'id="contact_phone-error"' in _text(res) and _cases(county) == before
    res = browser.client.post("/report", data=_report_form(browser, summary="长" * 2001))
    assert res.status_code == 422 and _cases(county) == before
    assert browser.client.post("/report", data=_report_form(browser, summary="x" * 40_000)).status_code == 413


def test_reports_and_lookups_are_throttled_per_address(county, database_url):
    app = create_app(settings_for(database_url, public_limit="2 per minute"))
    browser = Browser(app.test_client())
    codes = [browser.client.post("/report", data=_report_form(browser)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    looks = [browser.client.post("/track", data={"csrf_token": browser.token("/track"), "code": "X",
                                                 "digits": "1234"}).status_code for _ in range(3)]
    assert looks == [404, 404, 429]


# -- tracking --------------------------------------------------------------------------------------
def test_tracking_shows_progress_for_the_right_pair_and_only_not_found_otherwise(county, browser):
    code = CODE.search(_text(browser.client.post("/report", data=_report_form(browser)))).group(1)
    token = browser.token("/track")
    res = browser.client.post("/track", data={"csrf_token": token, "code": code.lower(), "digits": PHONE[-4:]})
    page = _text(res)
    assert res.status_code == 200 and code in page and "受理登记" in page
    assert "王五" not in page and PHONE not in page
    wrong = browser.client.post("/track", data={"csrf_token": token, "code": code, "digits": "0000"})
    unknown = browser.client.post("/track", data={"csrf_token": token, "code": "441581-20310303-0001X",
                                                  "digits": PHONE[-4:]})
    assert wrong.status_code == unknown.status_code == 404
    result = re.compile(r'<div class="alert[^"]*" role="alert" id="track-result">([^<]+)<')
    assert result.search(_text(wrong)).group(1) == result.search(_text(unknown)).group(1)
    assert browser.client.post("/track", data={"code": code, "digits": PHONE[-4:]}).status_code == 400


def test_staff_open_a_new_dispute_and_land_on_its_registration(county, browser):
    browser.sign_in("grid_worker")
    assert "登记新纠纷" in browser.get("/inbox").get_data(as_text=True)
    res = browser.post("/cases/new")
    assert res.status_code == 302 and res.location.startswith("/tasks/")
    page = browser.get(res.location).get_data(as_text=True)
    assert "受理登记" in page and 'name="intake_channel"' in page
    with engine_session(county) as session:
        case = session.scalars(select(Case).order_by(Case.id.desc())).first()
        assert case.opened_by == "grid_worker" and case.org_unit.code == steps.GRID
        # The registration is named for the grid worker who reported it, at the town centre above.
        (task,) = session.scalars(select(TaskItem).where(TaskItem.case_id == case.id)).all()
        assert (task.spec_id, task.assignee.username, task.org_unit.code) == ("register", "grid_worker", "441581-01")


def test_opening_a_new_dispute_needs_the_page_token(county, browser):
    browser.sign_in("grid_worker")
    before = _cases(county)
    assert browser.post("/cases/new", token=False).status_code == 400
    assert _cases(county) == before
