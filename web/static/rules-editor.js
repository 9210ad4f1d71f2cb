// The decision-table editor: dmn-js with Python as the cells' expression language. Every change is
// checked by the server (the sandbox, cell by cell): problems are listed by rule and column and the
// cells marked; ISO-8601 durations get their days and hours beside them. The panels' htmx forms carry
// the draft XML; publishing is offered once the current draft has been replayed (the server checks it too).
(function () {
  "use strict";
  var container = document.getElementById("dmn-editor");
  if (!container || !window.DmnJS) { return; }
  var d = container.dataset;
  var problemsBox = document.getElementById("rule-problems");
  var durationsBox = document.getElementById("rule-durations");
  var publish = document.getElementById("publish");
  var edits = 0, replayedAt = -1, timer = null, durations = {}, problems = [];
  var csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  var modeler = new window.DmnJS({
    container: container,
    common: { expressionLanguages: { options: [{ value: "python", label: "Python" }], defaults: { editor: "python" } } }
  });

  function text(tag, cls, content) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    if (content !== undefined) { el.textContent = content; }
    return el;
  }

  function setBusy(busy) {
    document.querySelectorAll(".needs-draft").forEach(function (b) { b.disabled = busy || problems.length > 0; });
    publish.disabled = busy || problems.length > 0 || replayedAt !== edits;
  }

  // Cell marks are attributes on the table's cells; the table re-renders, so they are put back after each change.
  function mark() {
    container.querySelectorAll("[data-duration], .cell-problem").forEach(function (el) {
      el.removeAttribute("data-duration"); el.classList.remove("cell-problem");
    });
    Object.keys(durations).forEach(function (id) {
      var cell = container.querySelector('td[data-element-id="' + CSS.escape(id) + '"]');
      if (cell) { cell.setAttribute("data-duration", durations[id]); }
    });
    problems.forEach(function (p) {
      var cell = p.cell && container.querySelector('[data-element-id="' + CSS.escape(p.cell) + '"]');
      if (cell) { cell.classList.add("cell-problem"); }
    });
  }

  function showProblems(list, message) {
    problemsBox.replaceChildren();
    if (!list.length && !message) {
      problemsBox.appendChild(text("p", "text-success mb-0 check-ok", d.labelOk));
      return;
    }
    var box = text("div", "alert alert-danger py-2 mb-0 check-problems");
    box.setAttribute("role", "alert");
    if (message && !list.length) { box.appendChild(text("p", "mb-1", message)); }
    var ul = text("ul", "mb-0 ps-3");
    list.forEach(function (p) {
      var where = [p.rule ? d.labelRow + " " + p.row : "", p.column || ""].filter(Boolean).join(" · ");
      ul.appendChild(text("li", "", (where ? where + ": " : "") + p.message));
    });
    box.appendChild(ul);
    problemsBox.appendChild(box);
  }

  function showDurations() {
    durationsBox.replaceChildren();
    var seen = {};
    Object.keys(durations).forEach(function (id) {
      var cell = container.querySelector('td[data-element-id="' + CSS.escape(id) + '"]');
      var raw = cell ? cell.textContent.replace(/['"\s]/g, "") : "";
      if (raw && !seen[raw]) { seen[raw] = durations[id]; }
    });
    Object.keys(seen).sort().forEach(function (raw) {
      durationsBox.appendChild(text("span", "badge text-bg-light border me-1 mb-1 duration-legend", raw + " = " + seen[raw]));
    });
  }

  function check() {
    var at = edits;
    return modeler.saveXML({ format: true }).then(function (result) {
      document.querySelectorAll(".draft-xml").forEach(function (input) { input.value = result.xml; });
      problemsBox.replaceChildren(text("p", "text-body-secondary mb-0", d.labelChecking));
      var body = new URLSearchParams({ xml: result.xml });
      return fetch(d.check, { method: "POST", credentials: "same-origin", body: body,
                              headers: { "X-CSRFToken": csrf, "Accept": "application/json" } });
    }).then(function (r) { return r.json(); }).then(function (answer) {
      if (at !== edits) { return; }  // a newer change is being checked
      problems = answer.problems || [];
      durations = answer.durations || {};
      showProblems(problems, answer.ok ? "" : answer.message);
      mark();
      showDurations();
      setBusy(false);
    }).catch(function () { problemsBox.replaceChildren(text("p", "text-danger mb-0", d.error)); });
  }

  function changed() {
    edits += 1;
    setBusy(true);
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  }

  // A replay answer names the draft it replayed: publishing opens if nothing changed since it was asked for.
  var replayForm = document.getElementById("replay-form");
  var asked = -1;
  replayForm.addEventListener("htmx:beforeRequest", function () { asked = edits; });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target.id === "replay-result") {
      replayedAt = event.detail.xhr.status === 200 ? asked : -1;
      setBusy(false);
    }
    if (event.detail.target.id === "publish-result" && event.detail.xhr.status === 200) {
      replayedAt = -1;  // the draft is live now; a further change needs its own replay
      setBusy(false);
    }
  });

  fetch(d.xml, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
    .then(function (xml) { return modeler.importXML(xml); })
    .then(function () {
      // A file drawn with a DRD opens on the diagram: go straight to the decision's table.
      var table = modeler.getViews().filter(function (v) { return v.type === "decisionTable"; })[0];
      return table && modeler.getActiveView() !== table ? modeler.open(table) : null;
    })
    .then(function () {
      var viewer = modeler.getActiveViewer();
      viewer.get("eventBus").on("elements.changed", changed);
      viewer.get("eventBus").on("elements.changed", 2000, function () { setTimeout(mark, 0); });
      check();
    })
    .catch(function () { container.replaceChildren(text("p", "text-danger p-3 mb-0", d.error)); });
})();
