"""Units, mediators, leaders and courts in the library's forms are references to real rows of the
county: a reference the process could not handle is refused with a message on its field, before
anything is written, instead of sending the case into an incident later."""

import pytest
from sqlalchemy import func, select

from engine import cases, demo, orgs
from engine.errors import FormInvalid
from engine.models import Case, Mediator, TaskItem

from . import steps

OTHER_GRID = f"{demo.COUNTY}-02-001-01"


def _refused(run, spec_id, **data) -> dict:
    before = run.session.scalar(select(func.count()).select_from(TaskItem))
    with pytest.raises(FormInvalid) as err:
        run.complete(spec_id, **data)
    run.session.rollback()
    assert run.ready() == [spec_id]
    assert run.session.scalar(select(func.count()).select_from(TaskItem)) == before
    return err.value.fields


def test_the_location_is_a_grid_of_the_county(run_case, county):
    run = run_case()
    elsewhere = orgs.add_unit(county, "990000", "邻县", "county")
    orgs.add_unit(county, "990000-01-001-01", "邻县网格", "grid", elsewhere)
    county.commit()
    for code, message in [
        ("0", "发生地网格:找不到代码为“0”的单位 Grid where it happened: no unit has the code “0”"),
        (demo.VILLAGE_1, "发生地网格只能选择网格 Grid where it happened must be a grid"),
        ("990000-01-001-01", "发生地网格:邻县网格不在示范县综治中心 Grid where it happened: 邻县网格 is outside 示范县综治中心"),
    ]:
        fields = _refused(run, "register", **_register(location_unit_code=code))
        assert fields == {"location_unit_code": message}
    steps.register(run, location_unit_code=OTHER_GRID)
    assert run.ready() == ["assess"]


def _register(**over):
    return {"intake_channel": "窗口", "dispute_type": "合同债务", "summary": "双方因两千元货款拖欠发生纠纷",
            "parties": steps.PARTIES, "amount": 2000, "risk_flags": [], "location_unit_code": steps.GRID} | over


def test_a_redispatch_goes_to_a_unit_that_can_take_an_order(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000)
    steps.route(run)
    steps.accept(run, accepted=False, reason="不属本村管辖")
    assert _refused(run, "choose_unit", target_unit_code=steps.GRID, redispatch_note="") == {
        "target_unit_code": "改派单位只能选择村(社区)、镇(街道)、县(市)、职能部门 "
                            "Unit to re-dispatch to must be a village or a town or a county or a department"}
    run.complete("choose_unit", target_unit_code=f"{demo.COUNTY}-RS", redispatch_note="劳动报酬争议")
    assert run.where() == ("village", f"{demo.COUNTY}-RS")


def test_the_partys_mediator_is_an_active_mediator_of_the_pool(run_case):
    run = run_case()
    steps.intake(run, dispute_type="合同债务", amount=2000)
    retired = run.session.scalar(select(Mediator).where(Mediator.name == "王德明"))
    retired.active = False
    run.session.commit()
    assert _refused(run, "route", tier="village", mediation_type="人民调解", preferred_mediator_id=retired.id) == {
        "preferred_mediator_id": "当事人选择的调解员:调解员王德明已停用 "
                                 "Mediator chosen by the party: mediator 王德明 is no longer active"}
    chosen = run.session.scalar(select(Mediator.id).where(Mediator.name == "李建国"))
    steps.route(run, preferred_mediator_id=chosen)
    steps.accept(run)
    assert run.value("mediator_id") == chosen


def test_the_owning_leader_is_a_leader_and_gets_the_leaders_tasks(run_case):
    run = run_case()
    steps.register(run, dispute_type="征地拆迁", amount=3000000, parties=steps.parties(35), risk_flags=["群体性"])
    steps.assess(run)
    assert _refused(run, "accept_ownership", owning_leader="county_staff", leader_position="副县长",
                    accepted=True) == {"owning_leader": "包案领导只能选择领导 Leader must be a leader"}
    run.complete("accept_ownership", owning_leader="leader", leader_position="副县长", accepted=True)
    assert run.value("leader_username") == "leader"
    fields = _refused(run, "file_plan", special_team=[{"name": "刘科长", "unit_code": "自然资源局"}],
                      plan="逐户走访", target_date="2031-06-01")
    assert fields == {"special_team.0.unit_code": "单位:找不到代码为“自然资源局”的单位 Unit: no unit has the code “自然资源局”"}


def test_a_court_is_a_department_of_the_county(run_case):
    run = run_case()
    steps.intake(run)
    steps.route(run)
    run.complete("grid_handle", grid_resolved=True, handling_notes="")
    fields = _refused(run, "grid_agreement", agreement_summary="三日内疏通", agreement_form="书面协议",
                      performance_deadline="2031-03-10", request_judicial_confirmation=True,
                      confirmation_court_code=demo.TOWN_1)
    assert fields == {"confirmation_court_code": "确认法院只能选择职能部门 Court must be a department"}
    steps.agreement(run, confirm=True, task="grid_agreement")
    assert run.ready() == ["record_confirmation"]


def test_opening_data_is_checked_like_the_form_it_prefills(county):
    staff = county.scalar(select(demo.User).where(demo.User.username == "town_staff"))
    with pytest.raises(FormInvalid) as err:
        cases.open_case(county, staff, "dispute_case", {"location_unit_code": "0", "amount": -5, "note": "x"})
    assert err.value.fields == {
        "data.location_unit_code": "发生地网格:找不到代码为“0”的单位 Grid where it happened: no unit has the code “0”",
        "data.amount": "涉及金额(元)不能小于0 Amount involved (yuan) must be at least 0"}
    county.rollback()
    assert county.scalar(select(func.count()).select_from(Case)) == 0
    case = cases.open_case(county, staff, "dispute_case", {"location_unit_code": steps.GRID})
    county.commit()
    assert case.status == "open"


def test_the_api_answers_422_naming_each_field(http):
    res = http("town_staff", "POST", "/api/v1/cases",
               json={"process_id": "dispute_case", "data": {"location_unit_code": demo.VILLAGE_1}})
    assert res.status_code == 422
    assert res.json["error"]["fields"] == {
        "data.location_unit_code": "发生地网格只能选择网格 Grid where it happened must be a grid"}
    task = http("town_staff", "POST", "/api/v1/cases", json={"process_id": "dispute_case", "data": {}}).json[
        "open_tasks"][0]
    res = http("town_staff", "POST", f"/api/v1/tasks/{task['id']}/complete", json={"data": _register(
        parties=[{"name": "张三", "role": "申请人", "phone": "12345"}], location_unit_code="0", colour="red")})
    assert res.status_code == 422
    assert res.json["error"]["fields"] == {
        "parties.0.phone": "请填写11位手机号或带区号的固定电话 "
                           "Enter an 11-digit mobile number or a landline number with its area code",
        "colour": "表单中没有这一项 This field is not part of the form",
        "location_unit_code": "发生地网格:找不到代码为“0”的单位 Grid where it happened: no unit has the code “0”"}
