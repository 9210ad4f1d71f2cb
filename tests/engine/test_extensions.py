import pytest
from lxml import etree

from engine import deploy, extensions
from engine.errors import DeploymentRejected
from tests.helpers import FIXTURES, fixture_file

CAMUNDA = b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '


def _with_camunda(xml: bytes, *replacements) -> bytes:
    xml = xml.replace(b"<bpmn:definitions ", b"<bpmn:definitions " + CAMUNDA, 1)
    for old, new in replacements:
        assert old in xml
        xml = xml.replace(old, new, 1)
    return xml


def test_attributes_and_elements_are_named_with_their_element():
    xml = _with_camunda(fixture_file("simple.bpmn").content,
                        (b'<bpmn:userTask id="register"', b'<bpmn:userTask id="register" camunda:assignee="x"'),
                        (b'<bpmn:userTask id="mediate" name="\xe7\xbb\x84\xe7\xbb\x87\xe8\xb0\x83\xe8\xa7\xa3">'
                         b'\n      <bpmn:extensionElements>',
                         b'<bpmn:userTask id="mediate"><bpmn:extensionElements><camunda:inputOutput>'
                         b'<camunda:inputParameter name="a">1</camunda:inputParameter></camunda:inputOutput>'))
    assert extensions.foreign_extensions(etree.fromstring(xml)) == [
        ("register", "camunda:assignee"), ("mediate", "camunda:inputOutput")]


def test_diagram_metadata_is_accepted():
    xml = _with_camunda(fixture_file("simple.bpmn").content,
                        (b'<bpmn:process id="simple"',
                         b'<bpmn:process id="simple" camunda:historyTimeToLive="180" camunda:versionTag="v1"'))
    assert extensions.foreign_extensions(etree.fromstring(xml)) == []


def test_deploy_refuses_a_diagram_with_camunda_extensions(session, echo_handler):
    xml = _with_camunda(fixture_file("simple.bpmn").content,
                        (b'<bpmn:serviceTask id="stamp"', b'<bpmn:serviceTask id="stamp" camunda:class="a.B"'))
    with pytest.raises(DeploymentRejected) as err:
        deploy.deploy(session, [deploy.SourceFile("simple.bpmn", xml)], "test", max_bytes=100_000,
                      forms_dir=FIXTURES / "forms")
    assert "element 'stamp' uses camunda:class" in err.value.message
    assert err.value.details == [{"file": "simple.bpmn", "element": "stamp",
                                  "message": "camunda:class is a Camunda extension Mediate does not read"}]
