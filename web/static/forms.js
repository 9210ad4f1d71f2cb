// Task forms: rows added and removed, character counters, reference pickers fed by /pick/<kind>. No bundler.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var id = add.getAttribute("data-add-row");
      var rows = document.getElementById(id + "-rows");
      var next = Number(rows.getAttribute("data-next") || rows.children.length);
      var html = document.getElementById(id + "-template").innerHTML.split("__i__").join(String(next));
      rows.setAttribute("data-next", String(next + 1));
      rows.insertAdjacentHTML("beforeend", html);
      var first = rows.lastElementChild && rows.lastElementChild.querySelector("input, select, textarea");
      if (first) first.focus();
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      remove.closest(".form-row-item").remove();
      return;
    }
    var option = event.target.closest(".ref-option");
    if (option) {
      var picker = option.closest(".ref-picker");
      var input = picker.querySelector(".ref-value");
      input.value = option.getAttribute("data-value");
      close(picker);
      input.focus();
    }
  });

  function close(picker) {
    picker.querySelector(".ref-options").replaceChildren();
    picker.querySelector(".ref-value").setAttribute("aria-expanded", "false");
  }

  var timers = new WeakMap();
  function search(input) {
    var picker = input.closest(".ref-picker");
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () {
      var url = picker.getAttribute("data-lookup");
      url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(input.value.trim());
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : {items: []}; })
        .then(function (answer) {
          var list = picker.querySelector(".ref-options");
          list.replaceChildren();
          answer.items.forEach(function (item) {
            var button = document.createElement("button");
            button.type = "button";
            button.className = "list-group-item list-group-item-action ref-option";
            button.setAttribute("role", "option");
            button.setAttribute("data-value", String(item.value));
            button.textContent = item.label;
            if (item.detail) {
              var small = document.createElement("small");
              small.className = "text-body-secondary ms-2";
              small.textContent = item.detail;
              button.appendChild(small);
            }
            list.appendChild(button);
          });
          input.setAttribute("aria-expanded", answer.items.length ? "true" : "false");
        });
    }, 250));
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.classList.contains("ref-value")) search(target);
    var counter = target.id && document.querySelector('[data-counter-for="' + target.id + '"]');
    if (counter && target.maxLength > 0) {
      counter.querySelector(".count").textContent = String(target.value.length);
    }
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.classList.contains("ref-value")) search(event.target);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.target.closest(".ref-picker")) close(event.target.closest(".ref-picker"));
  });
})();
