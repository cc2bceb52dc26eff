/* Search: the place autocomplete (a listbox with arrow keys, Enter, Escape)
   and small touches. Everything works without it: the inputs keep a
   <datalist> and the server resolves what was typed. */
(function () {
  "use strict";

  function listOf(input) {
    return document.getElementById(input.getAttribute("aria-controls"));
  }

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
  }

  function close(input) {
    var list = listOf(input);
    if (!list) return;
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function open(input) {
    var list = listOf(input);
    if (!list) return;
    var any = options(list).length > 0 && document.activeElement === input;
    list.hidden = !any;
    input.setAttribute("aria-expanded", any ? "true" : "false");
  }

  function highlight(input, index) {
    var list = listOf(input), items = options(list);
    if (!items.length) return;
    index = (index + items.length) % items.length;
    items.forEach(function (item, n) { item.setAttribute("aria-selected", n === index ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", items[index].id);
    items[index].scrollIntoView({ block: "nearest" });
  }

  function current(input) {
    var id = input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function choose(input, option) {
    input.value = option.getAttribute("data-value");
    close(input);
  }

  function setup(root) {
    (root || document).querySelectorAll("[data-ac] input").forEach(function (input) {
      if (input.dataset.acReady) return;
      input.dataset.acReady = "1";
      input.removeAttribute("list"); // the listbox replaces the datalist
      input.setAttribute("role", "combobox");
      var list = listOf(input);
      input.addEventListener("keydown", function (event) {
        var items = options(list), active = current(input);
        var index = active ? items.indexOf(active) : -1;
        if (event.key === "ArrowDown") {
          event.preventDefault();
          if (list.hidden) open(input);
          highlight(input, index + 1);
        } else if (event.key === "ArrowUp") {
          event.preventDefault();
          highlight(input, index - 1);
        } else if (event.key === "Enter" && active && !list.hidden) {
          event.preventDefault();
          choose(input, active);
        } else if (event.key === "Escape") {
          close(input);
        }
      });
      input.addEventListener("blur", function () { setTimeout(function () { close(input); }, 150); });
      list.addEventListener("mousedown", function (event) {
        var option = event.target.closest("[role=option]");
        if (option) { event.preventDefault(); choose(input, option); }
      });
    });
  }

  function tripType(root) {
    (root || document).querySelectorAll(".search-form-flight").forEach(function (form) {
      var back = form.querySelector("[data-return] input");
      if (!back) return;
      function sync() {
        var oneWay = form.querySelector("input[name=trip][value=oneway]").checked;
        back.disabled = oneWay;
        back.closest("[data-return]").classList.toggle("is-off", oneWay);
      }
      form.querySelectorAll("input[name=trip]").forEach(function (r) { r.addEventListener("change", sync); });
      sync();
    });
  }

  // Phones: the filters start folded (the results come first); a traveler who
  // opens them keeps them open across result updates.
  var filtersWanted = null;
  function filters(root) {
    (root || document).querySelectorAll(".filters-panel").forEach(function (panel) {
      var open = filtersWanted !== null ? filtersWanted : window.innerWidth > 900;
      panel.open = open;
      panel.addEventListener("toggle", function () { filtersWanted = panel.open; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setup(); tripType(); filters(); });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.getAttribute("role") === "listbox") {
      var input = document.querySelector("[aria-controls='" + target.id + "']");
      if (input) open(input);
    }
  });
  // Shorter shared links: leave out the filters left empty.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.id !== "refine") return;
    ["price_min", "price_max", "max_hours", "rating", "seats"].forEach(function (name) {
      if (event.detail.parameters[name] === "") delete event.detail.parameters[name];
    });
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var results = document.getElementById("results");
    if (results && event.detail.target === results) results.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var results = document.getElementById("results");
    if (results && event.detail.target === results) {
      results.setAttribute("aria-busy", "false");
      filters(results);
    }
  });
})();
