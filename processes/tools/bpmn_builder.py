"""Write a flat BPMN process (one pool, horizontal lanes) with complete DI.

Bootstrap helper only: the generated ``processes/*.bpmn`` files are the source of
truth and are edited in the modeler afterwards.  Elements sit on a grid of columns
and lane rows; sequence flows are routed orthogonally so bpmn-js draws them legibly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

COL_W, ROW_H, POOL_X, POOL_Y, HEAD_W = 160, 130, 160, 80, 30
SIZES = {"event": (36, 36), "gateway": (50, 50), "task": (110, 80)}
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
EVENTS = {"startEvent", "endEvent", "boundaryEvent", "intermediateCatchEvent"}


@dataclass
class Node:
    id: str
    tag: str
    name: str
    col: float
    lane: str
    row: int = 0
    attrs: dict = field(default_factory=dict)
    body: list = field(default_factory=list)  # inner XML after extensionElements/incoming/outgoing
    ext: list = field(default_factory=list)  # extensionElements children
    doc: str = ""
    attached: str | None = None
    slot: int = 0
    bounds: tuple = (0, 0, 0, 0)


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str | None = None
    label_on: int = 0  # the segment whose middle carries the name (-1: the last, clear of a shared trunk)


def _properties(props: dict) -> str:
    """``spiffworkflow:properties`` holding the given name/value pairs (None values left out)."""
    inner = "".join(f'<spiffworkflow:property name="{k}" value={quoteattr(v)} />'
                    for k, v in props.items() if v is not None)
    return f"<spiffworkflow:properties>{inner}</spiffworkflow:properties>"


def _expr(tag: str, text: str) -> str:
    return f'<bpmn:{tag} xsi:type="bpmn:tFormalExpression">{escape(text)}</bpmn:{tag}>'


class Process:
    """A process in its own pool; call the element methods, then ``to_xml()``.

    ``startable`` marks a process people open cases of (property ``startable``); the others are
    only called from another process.
    """

    def __init__(self, pid: str, name: str, lanes: list[str], doc: str = "", rows: dict | None = None,
                 startable: bool = False):
        self.pid, self.name, self.lanes, self.doc = pid, name, lanes, doc
        self.startable = startable
        self.rows = {lane: 1 for lane in lanes} | (rows or {})
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        self.defaults: dict[str, str] = {}
        self.extension_ids: set[str] = set()
        # Added to the column of every node placed from now on: a part of the diagram that grows
        # moves the parts drawn after it without their definitions changing.
        self.col_offset = 0

    # -- elements -------------------------------------------------------------
    def _add(self, node: Node) -> Node:
        assert node.id not in self.nodes, node.id
        assert node.lane in self.lanes, node.lane
        if node.attached is None:
            node.col += self.col_offset
        self.nodes[node.id] = node
        return node

    def start(self, nid, name, col, lane, row=0):
        return self._add(Node(nid, "startEvent", name, col, lane, row))

    def end(self, nid, name, col, lane, row=0, doc="", terminate=False):
        """An end event; ``terminate`` ends the whole process, withdrawing its other open paths."""
        body = ["<bpmn:terminateEventDefinition />"] if terminate else []
        return self._add(Node(nid, "endEvent", name, col, lane, row, doc=doc, body=body))

    def gateway(self, nid, name, col, lane, row=0, doc=""):
        return self._add(Node(nid, "exclusiveGateway", name, col, lane, row, doc=doc))

    def user(self, nid, name, col, lane, form, row=0, doc="", pre=None, post=None, unit=None,
             assignee=None, claimable=None):
        """A user task: its form, the unit rule that places it and who it names (see engine.assignment)."""
        props = {"formJsonSchemaFilename": form, "unit": unit, "assignee": assignee,
                 "claimable": None if claimable is None else str(claimable).lower()}
        node = Node(nid, "userTask", name, col, lane, row, doc=doc, ext=[_properties(props)])
        self._scripts(node, pre, post)
        return self._add(node)

    def script(self, nid, name, col, lane, code, row=0, doc=""):
        body = [f"<bpmn:script>{escape(code)}</bpmn:script>"]
        node = Node(nid, "scriptTask", name, col, lane, row, doc=doc, body=body,
                    attrs={"scriptFormat": "python"})
        return self._add(node)

    def service(self, nid, name, col, lane, operator, params, result, row=0, doc="", post=None):
        self.extension_ids |= {operator, *params}
        ps = "".join(f'<spiffworkflow:parameter id="{k}" type="any" value={quoteattr(v)} />'
                     for k, v in params.items())
        ext = [f'<spiffworkflow:serviceTaskOperator id="{operator}" resultVariable="{result}">'
               f"<spiffworkflow:parameters>{ps}</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>"]
        node = Node(nid, "serviceTask", name, col, lane, row, doc=doc, ext=ext)
        self._scripts(node, None, post)
        return self._add(node)

    def rule(self, nid, name, col, lane, decision, row=0, doc="", post=None):
        ext = [f"<spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>"]
        node = Node(nid, "businessRuleTask", name, col, lane, row, doc=doc, ext=ext)
        self._scripts(node, None, post)
        return self._add(node)

    def call(self, nid, name, col, lane, called, row=0, doc="", loop=None, loop_max=None, pre=None,
             post=None, each=None):
        """A call activity; ``loop`` repeats it (standard loop), ``each`` runs it once per item.

        ``each=(items, item, results, result)`` draws a parallel multi-instance: one instance per
        element of the list ``items``, which sees it as ``item``; each instance's ``result`` is
        collected into the list ``results``. ``pre``/``post`` then run on every instance. The two
        lists are declared as the activity's properties, which the loop's references name.
        """
        node = Node(nid, "callActivity", name, col, lane, row, doc=doc, attrs={"calledElement": called})
        if loop:
            mx = f' loopMaximum="{loop_max}"' if loop_max else ""
            node.body.append(f"<bpmn:standardLoopCharacteristics{mx}>{_expr('loopCondition', loop)}"
                             "</bpmn:standardLoopCharacteristics>")
        if each:
            items, item, results, result = each
            node.body += [f'<bpmn:property id="{ref}" name="{ref}" />' for ref in (items, results)]
            node.body.append(
                '<bpmn:multiInstanceLoopCharacteristics spiffworkflow:scriptsOnInstances="true">'
                f"<bpmn:loopDataInputRef>{items}</bpmn:loopDataInputRef>"
                f"<bpmn:loopDataOutputRef>{results}</bpmn:loopDataOutputRef>"
                f'<bpmn:inputDataItem id="{item}" name="{item}" />'
                f'<bpmn:outputDataItem id="{result}" name="{result}" />'
                "</bpmn:multiInstanceLoopCharacteristics>")
        self._scripts(node, pre, post)
        return self._add(node)

    def timer(self, nid, name, host, kind, expr, interrupting=True, slot=0, doc="", timer_kind=None):
        """A boundary timer on ``host``; kind is timeDuration, timeCycle or timeDate.

        ``timer_kind`` names what the engine records it as (``timerKind``: reminder, supervision, …).
        """
        h = self.nodes[host]
        attrs = {"attachedToRef": host, "cancelActivity": "true" if interrupting else "false"}
        body = [f"<bpmn:timerEventDefinition>{_expr(kind, expr)}</bpmn:timerEventDefinition>"]
        ext = [_properties({"timerKind": timer_kind})] if timer_kind else []
        return self._add(Node(nid, "boundaryEvent", name, h.col, h.lane, h.row, attrs=attrs,
                              body=body, ext=ext, attached=host, slot=slot, doc=doc))

    @staticmethod
    def _scripts(node, pre, post):
        if pre:
            node.ext.append(f"<spiffworkflow:preScript>{escape(pre)}</spiffworkflow:preScript>")
        if post:
            node.ext.append(f"<spiffworkflow:postScript>{escape(post)}</spiffworkflow:postScript>")

    def flow(self, source, target, name="", condition=None, default=False, label_on=0):
        fid = f"flow_{source}_{target}"
        self.flows.append(Flow(fid, source, target, name, condition, label_on))
        if default:
            self.defaults[source] = fid
        return fid

    def chain(self, *ids):
        for a, b in zip(ids, ids[1:], strict=False):
            self.flow(a, b)

    # -- layout ---------------------------------------------------------------
    def _lane_y(self):
        y, out = POOL_Y, {}
        for lane in self.lanes:
            out[lane] = (y, self.rows[lane] * ROW_H)
            y += self.rows[lane] * ROW_H
        return out

    def _layout(self):
        lanes = self._lane_y()
        for n in self.nodes.values():
            kind = "event" if n.tag in EVENTS else "gateway" if n.tag.endswith("Gateway") else "task"
            w, h = SIZES[kind]
            if n.attached:
                hb = self.nodes[n.attached].bounds
                n.bounds = (hb[0] + 12 + n.slot * 42, hb[1] + hb[3] - 18, w, h)
                continue
            cx = POOL_X + HEAD_W + 30 + COL_W // 2 + n.col * COL_W
            cy = lanes[n.lane][0] + ROW_H // 2 + n.row * ROW_H
            n.bounds = (cx - w // 2, cy - h // 2, w, h)
        return lanes

    def _waypoints(self, f):
        s, t = self.nodes[f.source], self.nodes[f.target]
        sx, sy, sw, sh = s.bounds
        tx, ty, tw, th = t.bounds
        scx, scy, tcx, tcy = sx + sw / 2, sy + sh / 2, tx + tw / 2, ty + th / 2
        if s.attached:
            return [(scx, sy + sh), (scx, tcy), (tx, tcy)] if tcx > scx else [(scx, sy + sh), (scx, ty)]
        if abs(scy - tcy) < 1:
            return [(sx + sw, scy), (tx, tcy)] if tcx > scx else [(sx, scy), (tx + tw, tcy)]
        down = tcy > scy
        if abs(scx - tcx) < 1:
            return [(scx, sy + sh), (tcx, ty)] if down else [(scx, sy), (tcx, ty + th)]
        if s.tag.endswith("Gateway"):
            return [(scx, sy + sh if down else sy), (scx, tcy), (tx, tcy)]
        if t.tag.endswith("Gateway"):
            return [(sx + sw, scy), (tcx, scy), (tcx, ty if down else ty + th)]
        mid = (sx + sw + tx) / 2
        return [(sx + sw, scy), (mid, scy), (mid, tcy), (tx, tcy)]

    # -- XML --------------------------------------------------------------------
    def _node_xml(self, n: Node) -> str:
        attrs = {"id": n.id, "name": n.name} | n.attrs
        if n.id in self.defaults:
            attrs["default"] = self.defaults[n.id]
        a = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
        parts = [f"<bpmn:documentation>{escape(n.doc)}</bpmn:documentation>"] if n.doc else []
        if n.ext:
            parts.append("<bpmn:extensionElements>" + "".join(n.ext) + "</bpmn:extensionElements>")
        parts += [f"<bpmn:incoming>{f.id}</bpmn:incoming>" for f in self.flows if f.target == n.id]
        parts += [f"<bpmn:outgoing>{f.id}</bpmn:outgoing>" for f in self.flows if f.source == n.id]
        parts += n.body
        inner = "\n      ".join(parts)
        return f"    <bpmn:{n.tag} {a}>\n      {inner}\n    </bpmn:{n.tag}>"

    def _flow_xml(self, f: Flow) -> str:
        name = f" name={quoteattr(f.name)}" if f.name else ""
        head = f'    <bpmn:sequenceFlow id="{f.id}"{name} sourceRef="{f.source}" targetRef="{f.target}"'
        if f.condition is None:
            return head + " />"
        return head + f">{_expr('conditionExpression', f.condition)}</bpmn:sequenceFlow>"

    def to_xml(self) -> str:
        # SpiffWorkflow indexes every element with an id, operators and parameters included.
        clash = self.extension_ids & set(self.nodes)
        assert not clash, f"{self.pid}: ids used by both an element and an operator/parameter: {clash}"
        lanes = self._layout()
        width = max(n.bounds[0] + n.bounds[2] for n in self.nodes.values()) - POOL_X + 80
        height = sum(h for _, h in lanes.values())
        coll, part = f"collaboration_{self.pid}", f"participant_{self.pid}"
        ns = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               f'<bpmn:definitions {ns} id="definitions_{self.pid}" '
               'targetNamespace="http://bpmn.io/schema/bpmn" exporter="mediate processes/tools" '
               'exporterVersion="1">',
               f'  <bpmn:collaboration id="{coll}">',
               f'    <bpmn:participant id="{part}" name={quoteattr(self.name)} processRef="{self.pid}" />',
               "  </bpmn:collaboration>",
               f'  <bpmn:process id="{self.pid}" name={quoteattr(self.name)} isExecutable="true">']
        if self.doc:
            out.append(f"    <bpmn:documentation>{escape(self.doc)}</bpmn:documentation>")
        if self.startable:
            out.append(f"    <bpmn:extensionElements>{_properties({'startable': 'true'})}</bpmn:extensionElements>")
        out.append(f'    <bpmn:laneSet id="laneset_{self.pid}">')
        for lane in self.lanes:
            refs = "".join(f"<bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>"
                           for n in self.nodes.values() if n.lane == lane)
            out.append(f'      <bpmn:lane id="lane_{self.pid}_{lane}" name="{lane}">{refs}</bpmn:lane>')
        out.append("    </bpmn:laneSet>")
        out += [self._node_xml(n) for n in self.nodes.values()]
        out += [self._flow_xml(f) for f in self.flows]
        out.append("  </bpmn:process>")
        out += self._di(coll, part, lanes, width, height)
        out.append("</bpmn:definitions>\n")
        return "\n".join(out)

    def _di(self, coll, part, lanes, width, height):
        def shape(el, x, y, w, h, extra=""):
            return (f'      <bpmndi:BPMNShape id="{el}_di" bpmnElement="{el}"{extra}>'
                    f'<dc:Bounds x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" />'
                    f"{label(el, x, y, w, h)}</bpmndi:BPMNShape>")

        def label(el, x, y, w, h):
            n = self.nodes.get(el)
            if n is None or n.tag not in EVENTS and not n.tag.endswith("Gateway") or not n.name:
                return ""
            return (f'<bpmndi:BPMNLabel><dc:Bounds x="{x + w / 2 - 40:.0f}" y="{y + h + 4:.0f}" '
                    'width="80" height="27" /></bpmndi:BPMNLabel>')

        out = [f'  <bpmndi:BPMNDiagram id="diagram_{self.pid}">',
               f'    <bpmndi:BPMNPlane id="plane_{self.pid}" bpmnElement="{coll}">',
               shape(part, POOL_X, POOL_Y, width, height, ' isHorizontal="true"')]
        for lane, (y, h) in lanes.items():
            out.append(shape(f"lane_{self.pid}_{lane}", POOL_X + HEAD_W, y, width - HEAD_W, h,
                             ' isHorizontal="true"'))
        for n in self.nodes.values():
            out.append(shape(n.id, *n.bounds))
        for f in self.flows:
            pts = self._waypoints(f)
            wps = "".join(f'<di:waypoint x="{x:.0f}" y="{y:.0f}" />' for x, y in pts)
            lab = ""
            if f.name:
                segment = f.label_on % (len(pts) - 1)
                (x1, y1), (x2, y2) = pts[segment], pts[segment + 1]
                # Beside the first segment, or centred over a later one so it ends before the target.
                x = (x1 + x2) / 2 + (4 if f.label_on == 0 else -35)
                lab = (f'<bpmndi:BPMNLabel><dc:Bounds x="{x:.0f}" y="{(y1 + y2) / 2 - 18:.0f}" '
                       'width="70" height="14" /></bpmndi:BPMNLabel>')
            out.append(f'      <bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">{wps}{lab}</bpmndi:BPMNEdge>')
        out += ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>"]
        return out
