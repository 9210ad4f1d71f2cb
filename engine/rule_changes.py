"""What a new version of a decision table changes: rules added and removed, cells changed, columns."""

from __future__ import annotations

MAX_CELLS = 200


def _columns(table) -> tuple[list[str], list[str]]:
    return ([i.label or i.expression or i.id for i in table.inputs],
            [o.label or o.name or o.id for o in table.outputs])


def _cells(rule, inputs: list[str], outputs: list[str]) -> dict[str, str]:
    cells = {}
    for column, entry in zip(inputs, rule.inputEntries, strict=False):
        cells[column] = "-" if entry.lhs == [None] else " ".join(t or "-" for t in entry.lhs)
    for column, entry in zip(outputs, rule.outputEntries, strict=False):
        cells[column] = entry.text or ""
    return cells


def summary(old, new) -> dict:
    """``{"hit_policy", "columns_added", "columns_removed", "rules_added", "rules_removed", "cells"}``.

    Rules are matched by id; ``cells`` lists ``{"rule", "row", "column", "from", "to"}`` (at most
    ``MAX_CELLS``). Empty lists mean nothing of that kind changed.
    """
    old_in, old_out = _columns(old)
    new_in, new_out = _columns(new)
    before = {r.id: r for r in old.rules}
    after = {r.id: r for r in new.rules}
    cells = []
    for rule in new.rules:
        if rule.id not in before:
            continue
        a, b = _cells(before[rule.id], old_in, old_out), _cells(rule, new_in, new_out)
        for column in b:
            if column in a and a[column] != b[column]:
                cells.append({"rule": rule.id, "row": rule.row_number, "column": column,
                              "from": a[column], "to": b[column]})
    return {
        "hit_policy": [old.hit_policy, new.hit_policy] if old.hit_policy != new.hit_policy else [],
        "columns_added": [c for c in new_in + new_out if c not in old_in + old_out],
        "columns_removed": [c for c in old_in + old_out if c not in new_in + new_out],
        "rules_added": [r.id for r in new.rules if r.id not in before],
        "rules_removed": [r.id for r in old.rules if r.id not in after],
        "cells": cells[:MAX_CELLS],
    }
