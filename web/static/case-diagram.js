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
        // A wide diagram gets a low frame: its height follows the diagram's shape within limits.
        var box = canvas.viewbox().inner, width = container.clientWidth;
        if (box.width > 0) {
          var wanted = Math.round(width * box.height / box.width) + 40;
          container.style.height = Math.max(220, Math.min(wanted, 520)) + "px";
          canvas.resized();
        }
        canvas.zoom("fit-viewport", "auto");
        // Too small to read (a phone, a long process): show where the case waits at a readable scale;
        // the viewer pans and zooms to the rest.
        var here = (marks.current || []).map(function (id) { return registry.get(id); }).filter(Boolean)[0];
        if (canvas.zoom() < 0.45 && here) {
          container.style.height = Math.max(container.clientHeight, 300) + "px";
          canvas.resized();
          var scale = 0.75, w = container.clientWidth / scale, h = container.clientHeight / scale;
          canvas.viewbox({ x: here.x + here.width / 2 - w / 2, y: here.y + here.height / 2 - h / 2, width: w, height: h });
        }
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
