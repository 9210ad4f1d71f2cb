// The modeler's side panel: what Mediate's engine reads of the selected element — a lane's role, a user
// task's form (with a preview), unit rule, assignee and claimable flag, a service task's operator and
// parameters, a timer's kind and expression, pre/post-scripts, the called decision or process, a
// gateway flow's condition, whether a pool's process is startable. Every edit is one bpmn-js command
// (modeling.updateProperties / updateModdleProperties), so undo works and the saved XML carries the
// spiffworkflow extensions the engine reads (moddle package in modeler-moddle.js).
(function () {
  "use strict";
  var TIMER_TYPES = ["timeDuration", "timeCycle", "timeDate"];

  // A DOM element: attrs are properties where the element has them, else attributes; "text" is its text.
  var el = function (tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else if (k in node && k !== "list") { node[k] = attrs[k]; }
      else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  };

  // The panel for one modeler: render(element) fills ``panel``; shown() is the element it shows.
  function create(modeler, catalogue, say, panel, previewUrl) {
    var modeling = modeler.get("modeling"), moddle = modeler.get("moddle");
    var shown = null, uid = 0;

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
        fetch(previewUrl + "?path=" + encodeURIComponent(formSelect.value), { credentials: "same-origin" })
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

    return { render: render, shown: function () { return shown; } };
  }

  window.MediateModelerPanel = create;
  window.MediateModelerPanel.el = el;
})();
