// The case page's diagram: bpmn-js's navigated viewer with the case's completed elements and current
// tasks marked (canvas markers + CSS, never colours written into the XML) and badges as overlays.
// Call activities the case ran get a link to their own diagram for this case.
(function () {
  "use strict";
  function show(container) {
    var marks = JSON.parse(container.dataset.marks || "{}");
    var called = JSON.parse(container.dataset.called || "{}");
    var viewer = new window.BpmnJS({ container: container });
    fetch(container.dataset.xml, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas"), overlays = viewer.get("overlays"), registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport");
        (marks.done || []).forEach(function (id) {
          if (registry.get(id)) {
            canvas.addMarker(id, "done");
            overlays.add(id, { position: { bottom: 0, right: 0 },
                               html: '<span class="diagram-badge done">' + container.dataset.labelDone + "</span>" });
          }
        });
        (marks.current || []).forEach(function (id) {
          if (registry.get(id)) {
            canvas.addMarker(id, "current");
            var badge = document.createElement("span");
            badge.className = "diagram-badge current";
            badge.textContent = container.dataset.labelCurrent;
            overlays.add(id, { position: { top: -10, right: 10 }, html: badge });
          }
        });
        registry.filter(function (el) { return el.type === "bpmn:CallActivity"; }).forEach(function (el) {
          var target = el.businessObject.calledElement;
          if (!target || !(target in called)) { return; }
          var link = document.createElement("a");
          link.className = "diagram-badge drill";
          link.href = container.dataset.drill + "?process=" + encodeURIComponent(target);
          link.textContent = container.dataset.labelOpen + " ↘";
          overlays.add(el.id, { position: { bottom: 0, left: 0 }, html: link });
        });
      })
      .catch(function () {
        container.textContent = container.dataset.error;
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("diagram");
    if (container && window.BpmnJS) { show(container); }
  });
})();
