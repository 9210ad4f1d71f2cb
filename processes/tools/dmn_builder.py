"""Write a one-decision DMN 1.3 table (cells are Python expressions; '-' matches anything)."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"


@dataclass
class Table:
    id: str
    name: str
    hit_policy: str  # FIRST (first matching row in order), UNIQUE (one row may match) or COLLECT
    inputs: list  # (label, expression, typeRef)
    outputs: list  # (label, name, typeRef)
    rules: list = field(default_factory=list)  # (input cells, output cells, description)
    doc: str = ""

    def row(self, ins, outs, note=""):
        assert len(ins) == len(self.inputs) and len(outs) == len(self.outputs), (self.id, ins, outs)
        self.rules.append((ins, outs, note))

    def to_xml(self) -> str:
        tid = self.id
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               f'<definitions xmlns="{DMN_NS}" '
               'xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" '
               'xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" '
               f'id="definitions_{tid}" name={quoteattr(self.name)} '
               'namespace="http://mediate/dmn" exporter="mediate processes/tools" exporterVersion="1">',
               f'  <decision id="{tid}" name={quoteattr(self.name)}>']
        if self.doc:
            out.append(f"    <description>{escape(self.doc)}</description>")
        out.append(f'    <decisionTable id="table_{tid}" hitPolicy="{self.hit_policy}">')
        for i, (label, expr, typ) in enumerate(self.inputs):
            out.append(f'      <input id="{tid}_in{i}" label={quoteattr(label)}>'
                       f'<inputExpression id="{tid}_in{i}_expr" typeRef="{typ}">'
                       f"<text>{escape(expr)}</text></inputExpression></input>")
        for i, (label, name, typ) in enumerate(self.outputs):
            out.append(f'      <output id="{tid}_out{i}" label={quoteattr(label)} name="{name}" '
                       f'typeRef="{typ}" />')
        for r, (ins, outs, note) in enumerate(self.rules, 1):
            out.append(f'      <rule id="{tid}_r{r}">')
            if note:
                out.append(f"        <description>{escape(note)}</description>")
            out += [f'        <inputEntry id="{tid}_r{r}_i{i}"><text>{escape(c)}</text></inputEntry>'
                    for i, c in enumerate(ins)]
            out += [f'        <outputEntry id="{tid}_r{r}_o{i}"><text>{escape(c)}</text></outputEntry>'
                    for i, c in enumerate(outs)]
            out.append("      </rule>")
        out += ["    </decisionTable>", "  </decision>",
                "  <dmndi:DMNDI>", f'    <dmndi:DMNDiagram id="diagram_{tid}">',
                f'      <dmndi:DMNShape id="shape_{tid}" dmnElementRef="{tid}">'
                '<dc:Bounds height="80" width="180" x="160" y="100" /></dmndi:DMNShape>',
                "    </dmndi:DMNDiagram>", "  </dmndi:DMNDI>", "</definitions>\n"]
        return "\n".join(out)
