import json

from engine import form_labels
from engine.config import ROOT
from engine.models import ProcessVersion

REGISTER = "dispute_case/register.schema.json"


def _version(content_hash: str) -> ProcessVersion:
    forms = {REGISTER: json.loads((ROOT / "forms" / REGISTER).read_text(encoding="utf-8")),
             "x/plain.schema.json": {"properties": {"kind": {"enum": ["a", "b"]}}}}
    return ProcessVersion(content_hash=content_hash, forms=forms)


def test_a_stored_choice_gets_its_title_and_an_unknown_one_stays_as_stored():
    version = _version("labels-1")
    assert form_labels.choice(version, "dispute_type", "邻里纠纷") == "邻里纠纷 Neighbours"
    assert form_labels.choice(version, "intake_channel", "窗口") == "窗口来访 Walk-in window"
    assert form_labels.choice(version, "role", "申请人") == "申请人 Applicant"  # inside the parties' rows
    assert form_labels.choice(version, "risk_flags", "极端") == "极端 Extreme-risk person"  # an array's items
    assert form_labels.choice(version, "dispute_type", "外星人") == "外星人"
    assert form_labels.choice(version, "kind", "a") == "a"  # a plain enum has no titles
    assert form_labels.choice(None, "dispute_type", "邻里纠纷") == "邻里纠纷"
    assert form_labels.choice(version, "dispute_type", None) == ""


def test_a_task_named_in_chinese_alone_takes_the_english_of_its_form_title():
    version = _version("labels-2")
    assert form_labels.task_title("受理登记", version, REGISTER) == "受理登记 Registration"
    assert form_labels.task_title("接单 Accept", version, REGISTER) == "接单 Accept"  # has its own
    assert form_labels.task_title("受理登记", version, None) == "受理登记"
    assert form_labels.task_title("受理登记", version, "x/plain.schema.json") == "受理登记"  # the form has no title
