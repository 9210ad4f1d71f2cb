// The designer's modeler: bpmn-js's modeler with a side panel for what Mediate's engine reads of an
// element (SpiffWorkflow's extensions, edited through modeling.updateProperties so the saved XML is
// what the engine reads), a check that marks the offending elements, the changes against the deployed
// version, and deploying as a new version. Chinese modeler labels come from bpmn-js-i18n.
(function () {
  "use strict";

  var SPIFF = window.MediateSpiffModdle;  // modeler-moddle.js
  var TIMER_TYPES = ["timeDuration", "timeCycle", "timeDate"];
  // The diff's fields under the side panel's labels.
  var FIELDS = { "name": "name", "lane": "role", "property:formJsonSchemaFilename": "form", "property:unit": "unit",
                 "property:assignee": "assignee", "property:claimable": "claimable", "property:timerKind": "timer_kind",
                 "operator": "operator", "resultVariable": "result", "preScript": "pre", "postScript": "post",
                 "calledDecisionId": "decision", "calledElement": "called", "conditionExpression": "condition",
                 "timer": "timer_expr", "script": "script", "property:startable": "startable" };

  var box, L, catalogue, modeler, modeling, moddle, canvas, registry, overlays, panel, results;
  var version, shown = null, marked = [], uid = 0;

  function say(key, values) {
    return String(L[key] || key).replace(/\{(\w+)\}/g, function (_, k) { return values && k in values ? values[k] : ""; });
  }

  function translator(table) {
    return function (template, replacements) {
      var text = table[template] || template;
      return text.replace(/{([^}]+)}/g, function (_, key) {
        return replacements && key in replacements ? replacements[key] : "{" + key + "}";
      });
    };
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else if (k in node && k !== "list") { node[k] = attrs[k]; }
      else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }

  // -- reading and writing the extensions --------------------------------------------------------
  function extValues(bo) { return (bo.extensionElements && bo.extensionElements.values) || []; }
  function findExt(bo, type) { return extValues(bo).filter(function (v) { return v.$type === type; })[0]; }

  function props(bo) {
    var found = findExt(bo, "spiffworkflow:properties"), out = {};
    ((found && found.properties) || []).forEach(function (p) { out[p.name] = p.value; });
    return out;
  }

  // Replace (in place) or add or drop one extension element of a type, as one undoable command.
  function setExt(element, type, made, target) {
    var bo = target || element.businessObject, values = [], replaced = false;
    extValues(bo).forEach(function (v) {
      if (v.$type !== type) { values.push(v); } else if (made && !replaced) { values.push(made); replaced = true; }
    });
    if (made && !replaced) { values.push(made); }
    var ext = values.length ? moddle.create("bpmn:ExtensionElements", { values: values }) : undefined;
    values.forEach(function (v) { v.$parent = ext; });
    if (bo === element.businessObject) { modeling.updateProperties(element, { extensionElements: ext }); }
    else { modeling.updateModdleProperties(element, bo, { extensionElements: ext }); }
  }

  // A property of the element, or of ``target`` (a pool's process) edited through the element.
  function setProp(element, name, value, target) {
    var current = props(target || element.businessObject);
    if (value) { current[name] = value; } else { delete current[name]; }
    var names = Object.keys(current);
    setExt(element, "spiffworkflow:properties", names.length ? moddle.create("spiffworkflow:properties", {
      properties: names.map(function (n) { return moddle.create("spiffworkflow:property", { name: n, value: current[n] }); })
    }) : null, target);
  }

  function bodyOf(bo, type) { var found = findExt(bo, type); return (found && found.value) || ""; }
  function setBody(element, type, text) {
    setExt(element, type, text.trim() ? moddle.create(type, { value: text }) : null);
  }

  function operatorOf(bo) {
    var op = findExt(bo, "spiffworkflow:serviceTaskOperator");
    var params = (op && op.parameterList && op.parameterList.parameters) || [];
    return { id: (op && op.id) || "", result: (op && op.resultVariable) || "",
             params: params.map(function (p) { return { id: p.id || "", value: p.value || "" }; }) };
  }
  function setOperator(element, op) {
    var params = op.params.filter(function (p) { return p.id.trim(); }).map(function (p) {
      return moddle.create("spiffworkflow:parameter", { id: p.id.trim(), type: "any", value: p.value });
    });
    var attrs = { id: op.id, parameterList: moddle.create("spiffworkflow:parameters", { parameters: params }) };
    if (op.result) { attrs.resultVariable = op.result; }
    setExt(element, "spiffworkflow:serviceTaskOperator", op.id ? moddle.create("spiffworkflow:serviceTaskOperator", attrs) : null);
  }

  function timerOf(bo) {
    return (bo.eventDefinitions || []).filter(function (d) { return d.$type === "bpmn:TimerEventDefinition"; })[0];
  }
  function setTimer(element, def, type, text) {
    var change = { timeDuration: undefined, timeCycle: undefined, timeDate: undefined };
    change[type] = moddle.create("bpmn:FormalExpression", { body: text });
    modeling.updateModdleProperties(element, def, change);
  }

  // -- the side panel ------------------------------------------------------------------------------
  function row(label, control, help) {
    var id = "mp-f" + (++uid);
    control.id = id;
    var children = [el("label", { "for": id, className: "form-label small mb-1", text: label }), control];
    if (help) { children.push(el("div", { className: "form-text", text: help })); }
    return el("div", { className: "mb-2" }, children);
  }

  function input(value, onchange, extra) {
    var node = el("input", Object.assign({ type: "text", className: "form-control form-control-sm", value: value || "" }, extra));
    node.addEventListener("change", function () { onchange(node.value); });
    return node;
  }

  function area(value, onchange) {
    var node = el("textarea", { className: "form-control form-control-sm font-monospace", rows: 3 });
    node.value = value || "";
    node.addEventListener("change", function () { onchange(node.value); });
    return node;
  }

  function choose(options, value, onchange) {
    var node = el("select", { className: "form-select form-select-sm" });
    var known = options.some(function (o) { return o[0] === (value || ""); });
    if (!known && value) { options = options.concat([[value, value]]); }
    options.forEach(function (o) {
      var opt = el("option", { value: o[0], text: o[1] });
      if (o[0] === (value || "")) { opt.selected = true; }
      node.appendChild(opt);
    });
    node.addEventListener("change", function () { onchange(node.value); });
    return node;
  }

  function scripts(element, parts) {
    var bo = element.businessObject;
    parts.push(row(say("pre"), area(bodyOf(bo, "spiffworkflow:preScript"), function (v) { setBody(element, "spiffworkflow:preScript", v); })));
    parts.push(row(say("post"), area(bodyOf(bo, "spiffworkflow:postScript"), function (v) { setBody(element, "spiffworkflow:postScript", v); })));
  }

  function userTask(element, parts) {
    var p = props(element.businessObject);
    var preview = el("div", { className: "mt-2" });
    var forms = [["", say("no_form")]].concat(catalogue.forms.map(function (f) { return [f, f]; }));
    var formSelect = choose(forms, p.formJsonSchemaFilename, function (v) {
      setProp(element, "formJsonSchemaFilename", v);
      preview.textContent = "";
    });
    parts.push(row(say("form"), formSelect));
    var show = el("button", { type: "button", className: "btn btn-sm btn-outline-secondary", text: say("preview") });
    show.addEventListener("click", function () {
      if (!formSelect.value) { return; }
      fetch(box.dataset.preview + "?path=" + encodeURIComponent(formSelect.value), { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
        .then(function (html) { preview.innerHTML = html; })  // rendered and escaped by the server
        .catch(function (e) { preview.textContent = say("failed", { status: e.message }); });
    });
    parts.push(el("div", { className: "mb-2" }, [show, preview]));
    var rules = [["", say("unit_default")]].concat(catalogue.unit_rules.map(function (r) { return [r.id, r.id + " · " + r.description]; }));
    parts.push(row(say("unit"), choose(rules, p.unit, function (v) { setProp(element, "unit", v); })));
    parts.push(row(say("assignee"), input(p.assignee, function (v) { setProp(element, "assignee", v.trim()); },
                                          { className: "form-control form-control-sm font-monospace" })));
    parts.push(row(say("claimable"), choose([["", say("claimable_default")], ["true", say("yes")], ["false", say("no")]],
                                            p.claimable, function (v) { setProp(element, "claimable", v); })));
    scripts(element, parts);
  }

  function serviceTask(element, parts) {
    var op = operatorOf(element.businessObject);
    var byId = {};
    catalogue.operators.forEach(function (o) { byId[o.id] = o; });
    var options = [["", say("no_operator")]].concat(catalogue.operators.map(function (o) { return [o.id, o.id + " · " + o.description]; }));
    parts.push(row(say("operator"), choose(options, op.id, function (v) { op.id = v; setOperator(element, op); render(element); })));
    var listId = "mp-params-" + (++uid);
    var names = el("datalist", { id: listId }, ((byId[op.id] && byId[op.id].parameters) || []).map(function (n) { return el("option", { value: n }); }));
    var list = el("fieldset", { className: "mb-2" }, [el("legend", { className: "form-label small mb-1", text: say("parameters") }), names]);
    op.params.forEach(function (param, index) {
      var name = input(param.id, function (v) { param.id = v; setOperator(element, op); }, { list: listId, "aria-label": say("parameter_name") });
      var value = input(param.value, function (v) { param.value = v; setOperator(element, op); },
                        { className: "form-control form-control-sm font-monospace", "aria-label": say("parameter_value") });
      var drop = el("button", { type: "button", className: "btn btn-sm btn-outline-danger", text: "×", "aria-label": say("remove") });
      drop.addEventListener("click", function () { op.params.splice(index, 1); setOperator(element, op); render(element); });
      list.appendChild(el("div", { className: "input-group input-group-sm mb-1 mp-param" }, [name, value, drop]));
    });
    var add = el("button", { type: "button", className: "btn btn-sm btn-outline-secondary", text: say("add_parameter") });
    add.addEventListener("click", function () { op.params.push({ id: "", value: "" }); render(element); });
    list.appendChild(add);
    parts.push(list);
    parts.push(row(say("result"), input(op.result, function (v) { op.result = v.trim(); setOperator(element, op); })));
    scripts(element, parts);
  }

  function timer(element, def, parts) {
    var p = props(element.businessObject);
    var kinds = [["", say("timer_kind_default")]].concat(catalogue.timer_kinds.map(function (k) { return [k, k]; }));
    parts.push(row(say("timer_kind"), choose(kinds, p.timerKind, function (v) { setProp(element, "timerKind", v); })));
    var type = TIMER_TYPES.filter(function (t) { return def[t]; })[0] || "timeDuration";
    var expr = input(def[type] ? def[type].body : "", function (v) { setTimer(element, def, typeSelect.value, v); },
                     { className: "form-control form-control-sm font-monospace" });
    var typeSelect = choose([["timeDuration", say("duration")], ["timeCycle", say("cycle")], ["timeDate", say("date")]], type,
                            function (v) { setTimer(element, def, v, expr.value); });
    parts.push(row(say("timer_type"), typeSelect));
    parts.push(row(say("timer_expr"), expr));
  }

  function render(element) {
    shown = element;
    panel.textContent = "";
    if (!element) { panel.appendChild(el("p", { className: "small text-body-secondary", text: say("select") })); return; }
    var bo = element.businessObject, type = element.type, parts = [];
    parts.push(el("p", { className: "small text-body-secondary mb-2 text-break", text: type.replace("bpmn:", "") + " · " + bo.id }));
    if (type === "bpmn:Lane") {
      var roles = catalogue.roles.map(function (r) { return [r, r]; });
      parts.push(row(say("role"), choose(roles, bo.name, function (v) { modeling.updateProperties(element, { name: v }); }), say("role_help")));
    } else if (type !== "label") {
      parts.push(row(say("name"), input(bo.name, function (v) { modeling.updateProperties(element, { name: v }); })));
    }
    if (type === "bpmn:Participant" && bo.processRef) {
      var process = bo.processRef;
      parts.push(row(say("startable"), choose([["true", say("yes")], ["false", say("no")]], props(process).startable === "true" ? "true" : "false",
                                               function (v) { setProp(element, "startable", v === "true" ? "true" : "", process); })));
    }
    if (type === "bpmn:UserTask") { userTask(element, parts); }
    if (type === "bpmn:ServiceTask") { serviceTask(element, parts); }
    if (type === "bpmn:BusinessRuleTask") {
      var decisions = [["", say("no_decision")]].concat(catalogue.decisions.map(function (d) { return [d.id, d.id + " · " + d.name]; }));
      parts.push(row(say("decision"), choose(decisions, bodyOf(bo, "spiffworkflow:calledDecisionId"),
                                             function (v) { setBody(element, "spiffworkflow:calledDecisionId", v); })));
      scripts(element, parts);
    }
    if (type === "bpmn:ScriptTask") {
      parts.push(row(say("script"), area(bo.script, function (v) { modeling.updateProperties(element, { scriptFormat: "python", script: v }); })));
    }
    if (type === "bpmn:CallActivity") {
      var called = catalogue.processes.map(function (p) { return [p[0], p[0] + " · " + p[1]]; });
      parts.push(row(say("called"), choose(called, bo.calledElement, function (v) { modeling.updateProperties(element, { calledElement: v }); })));
      scripts(element, parts);
    }
    if (type === "bpmn:SequenceFlow" && bo.sourceRef && /Gateway$/.test(bo.sourceRef.$type)) {
      parts.push(row(say("condition"), input(bo.conditionExpression ? bo.conditionExpression.body : "", function (v) {
        modeling.updateProperties(element, { conditionExpression: v.trim() ? moddle.create("bpmn:FormalExpression", { body: v }) : undefined });
      }, { className: "form-control form-control-sm font-monospace" })));
    }
    var def = timerOf(bo);
    if (def) { timer(element, def, parts); }
    parts.forEach(function (p) { panel.appendChild(p); });
  }

  // -- check, compare, deploy -----------------------------------------------------------------------
  function unmark() {
    marked.forEach(function (m) { if (registry.get(m[0])) { canvas.removeMarker(m[0], m[1]); } });
    marked = [];
    overlays.remove({ type: "mp-problem" });
  }

  function mark(id, cls) {
    if (registry.get(id)) { canvas.addMarker(id, cls); marked.push([id, cls]); return true; }
    return false;
  }

  function focusElement(id) {
    var element = registry.get(id);
    if (!element) { return; }
    modeler.get("selection").select(element);
    canvas.scrollToElement(element);
  }

  function post(url) {
    return modeler.saveXML({ format: true }).then(function (saved) {
      return fetch(url, { method: "POST", credentials: "same-origin", body: saved.xml,
                          headers: { "Content-Type": "application/xml", "X-CSRFToken": box.dataset.csrf, "Accept": "application/json" } });
    });
  }

  function alertBox(kind, text) { return el("div", { className: "alert alert-" + kind + " py-2", role: "status", text: text }); }

  function showProblems(problems) {
    unmark();
    results.textContent = "";
    if (!problems.length) { results.appendChild(alertBox("success", say("no_problems"))); return; }
    var list = el("ul", { className: "list-group mp-problems" });
    var counts = {};
    problems.forEach(function (p) {
      var known = p.element && mark(p.element, "mp-problem");
      if (known) { counts[p.element] = (counts[p.element] || 0) + 1; }
      var item = el("li", { className: "list-group-item small d-flex flex-wrap gap-2 align-items-baseline" }, [
        el("code", { text: p.element || p.file }), el("span", { className: "flex-grow-1 text-break", text: p.message })]);
      if (known) {
        var go = el("button", { type: "button", className: "btn btn-sm btn-link p-0", text: say("show") });
        go.addEventListener("click", function () { focusElement(p.element); });
        item.appendChild(go);
      }
      list.appendChild(item);
    });
    Object.keys(counts).forEach(function (id) {
      overlays.add(id, "mp-problem", { position: { top: -12, right: 12 },
                                       html: '<span class="mp-badge" title="' + counts[id] + '">!</span>' });
    });
    var first = problems.filter(function (p) { return p.element && registry.get(p.element); })[0];
    if (first) { canvas.scrollToElement(registry.get(first.element), { top: 80, left: 160, right: 80, bottom: 80 }); }
    results.appendChild(el("div", { className: "alert alert-danger py-2", role: "alert" }, [el("strong", { text: say("problems") })]));
    results.appendChild(list);
  }

  function showDiff(diff, after) {
    unmark();
    results.textContent = "";
    var total = diff.added.length + diff.removed.length + diff.changed.length;
    results.appendChild(el("h2", { className: "h6", text: say("diff_title", { version: diff.version }) }));
    if (!total) { results.appendChild(alertBox("secondary", say("no_changes"))); }
    [["added", diff.added], ["removed", diff.removed], ["changed", diff.changed]].forEach(function (group) {
      if (!group[1].length) { return; }
      var list = el("ul", { className: "small mb-2 mp-diff-" + group[0] });
      group[1].forEach(function (e) {
        if (group[0] !== "removed") { mark(e.id, "mp-" + group[0]); }
        var item = el("li", {}, [el("code", { text: e.id }), document.createTextNode(" " + e.type + (e.name ? " · " + e.name : ""))]);
        if (e.changes) {
          item.appendChild(el("ul", {}, e.changes.map(function (c) {
            var label = FIELDS[c.field] ? say(FIELDS[c.field])
              : /^parameter:/.test(c.field) ? say("parameter_name") + " " + c.field.slice(10) : c.field;
            return el("li", { className: "text-break", text: label + ": " + (c.before === null ? "—" : c.before) + " → " + (c.after === null ? "—" : c.after) });
          })));
        }
        list.appendChild(item);
      });
      results.appendChild(el("h3", { className: "h6 small fw-semibold mb-1", text: say(group[0]) + " (" + group[1].length + ")" }));
      results.appendChild(list);
    });
    if (after) { after(total); }
  }

  function failed(status) {
    results.textContent = "";
    results.appendChild(alertBox("danger", status === 409 ? say("conflict") : say("failed", { status: status })));
  }

  function json(r) {
    if (r.status === 422 || r.ok) { return r.json().then(function (body) { return { status: r.status, body: body }; }); }
    throw { status: r.status };
  }

  function validate() {
    results.textContent = say("checking");
    return post(box.dataset.validate).then(json)
      .then(function (answer) { showProblems(answer.body.problems); })
      .catch(function (e) { failed(e.status || 0); });
  }

  function compare(after) {
    return post(box.dataset.diff).then(json)
      .then(function (answer) { showDiff(answer.body, after); })
      .catch(function (e) { failed(e.status || 0); });
  }

  function deploy() {
    compare(function () {
      var confirm = el("button", { type: "button", id: "mp-confirm", className: "btn btn-sm btn-primary",
                                   text: say("confirm", { version: version + 1 }) });
      var cancel = el("button", { type: "button", className: "btn btn-sm btn-outline-secondary", text: say("cancel") });
      cancel.addEventListener("click", function () { unmark(); results.textContent = ""; });
      confirm.addEventListener("click", function () {
        confirm.disabled = true;
        post(box.dataset.deploy + "?base_version=" + version).then(json).then(function (answer) {
          if (answer.status === 422) { showProblems(answer.body.problems); return; }
          unmark();
          results.textContent = "";
          var mine = answer.body.versions.filter(function (v) { return v.process_id === box.dataset.process; })[0];
          if (answer.status === 201 && mine && mine.created) {
            version = mine.version;
            document.getElementById("mp-version").textContent = box.dataset.process + " · " + say("version", { n: version });
            results.appendChild(alertBox("success", say("deployed", { version: version })));
          } else {
            results.appendChild(alertBox("secondary", say("unchanged")));
          }
        }).catch(function (e) { failed(e.status || 0); });
      });
      results.appendChild(el("div", { className: "d-flex gap-2" }, [confirm, cancel]));
    });
  }

  function start() {
    L = JSON.parse(box.dataset.labels);
    version = parseInt(box.dataset.version, 10);
    panel = document.getElementById("mp-panel");
    results = document.getElementById("mp-results");
    var table = box.dataset.locale === "en" ? Promise.resolve({})
      : import(box.dataset.i18n).then(function (m) { return m.default; }).catch(function () { return {}; });
    var get = function (url, how) {
      return fetch(url, { credentials: "same-origin" }).then(function (r) { if (!r.ok) { throw new Error(r.status); } return r[how](); });
    };
    Promise.all([table, get(box.dataset.catalogue, "json"), get(box.dataset.xml, "text")]).then(function (loaded) {
      catalogue = loaded[1];
      modeler = new window.BpmnJS({ container: box, moddleExtensions: { spiffworkflow: SPIFF },
                                    additionalModules: [{ translate: ["value", translator(loaded[0])] }] });
      window.mediateModeler = modeler;
      return modeler.importXML(loaded[2]);
    }).then(function () {
      modeling = modeler.get("modeling"); moddle = modeler.get("moddle"); canvas = modeler.get("canvas");
      registry = modeler.get("elementRegistry"); overlays = modeler.get("overlays");
      canvas.zoom("fit-viewport", "auto");
      if (canvas.zoom() < 0.6) {  // a long process: start readable at its beginning, pan to the rest
        var inner = canvas.viewbox().inner, scale = box.clientWidth < 500 ? 0.6 : 0.8;
        var w = box.clientWidth / scale, h = box.clientHeight / scale;
        var first = registry.filter(function (e) { return e.type === "bpmn:StartEvent" && !e.labelTarget; })
          .sort(function (a, b) { return a.x - b.x; })[0];
        var middle = first ? first.y + first.height / 2 : inner.y + inner.height / 2;
        canvas.viewbox({ x: inner.x - (scale < 0.8 ? 20 : 120), y: middle - h / 2, width: w, height: h });
      }
      var eventBus = modeler.get("eventBus");
      eventBus.on("selection.changed", function (e) { render(e.newSelection.length === 1 ? e.newSelection[0] : null); });
      // Undo, redo and edits on the drawing refresh the panel, unless the designer is typing in it.
      eventBus.on("commandStack.changed", function () {
        if (shown && !panel.contains(document.activeElement)) { render(registry.get(shown.id) || null); }
      });
      document.getElementById("mp-validate").addEventListener("click", validate);
      document.getElementById("mp-diff").addEventListener("click", function () { compare(); });
      document.getElementById("mp-deploy").addEventListener("click", deploy);
      box.dataset.ready = "true";
    }).catch(function () {
      box.textContent = say("load_failed");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    box = document.getElementById("modeler");
    if (box && window.BpmnJS) { start(); }
  });
})();
