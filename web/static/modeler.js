// The designer's modeler: bpmn-js's modeler with a side panel for what Mediate's engine reads of an
// element (modeler-panel.js: SpiffWorkflow's extensions, edited through modeling.updateProperties so the saved XML is
// what the engine reads), a check that marks the offending elements, the changes against the deployed
// version, and deploying as a new version. Chinese modeler labels come from bpmn-js-i18n.
(function () {
  "use strict";

  var SPIFF = window.MediateSpiffModdle;  // modeler-moddle.js
  // The diff's fields under the side panel's labels.
  var FIELDS = { "name": "name", "lane": "role", "property:formJsonSchemaFilename": "form", "property:unit": "unit",
                 "property:assignee": "assignee", "property:claimable": "claimable", "property:timerKind": "timer_kind",
                 "operator": "operator", "resultVariable": "result", "preScript": "pre", "postScript": "post",
                 "calledDecisionId": "decision", "calledElement": "called", "conditionExpression": "condition",
                 "timer": "timer_expr", "script": "script", "property:startable": "startable" };

  var el = window.MediateModelerPanel.el;  // modeler-panel.js
  var box, L, modeler, canvas, registry, overlays, panel, sidePanel, results;
  var version, marked = [], catalogue;

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
      sidePanel = window.MediateModelerPanel(modeler, catalogue, say, panel, box.dataset.preview);
      canvas = modeler.get("canvas");
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
      eventBus.on("selection.changed", function (e) { sidePanel.render(e.newSelection.length === 1 ? e.newSelection[0] : null); });
      // Undo, redo and edits on the drawing refresh the panel, unless the designer is typing in it.
      eventBus.on("commandStack.changed", function () {
        var shown = sidePanel.shown();
        if (shown && !panel.contains(document.activeElement)) { sidePanel.render(registry.get(shown.id) || null); }
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
