// GovOps page behaviour: plain JS, no inline handlers (the CSP forbids them).
(function () {
  "use strict";
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  // htmx requests carry the CSRF token as a header.
  document.addEventListener("htmx:configRequest", function (e) {
    var t = csrf();
    if (t) { e.detail.headers["X-CSRF-Token"] = t; }
  });
  function init(root) {
    // Selects that submit their form on change (unit switcher, filters).
    root.querySelectorAll("form[data-autosubmit] select, select[data-autosubmit]").forEach(function (el) {
      if (el.dataset.bound) { return; }
      el.dataset.bound = "1";
      el.addEventListener("change", function () { el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit(); });
    });
    // A unit picker's search box inside a form that writes: Enter searches, it does not send the form.
    root.querySelectorAll("input[data-unit-search]").forEach(function (el) {
      if (el.dataset.bound || !el.form || (el.form.method || "").toLowerCase() !== "post") { return; }
      el.dataset.bound = "1";
      el.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); } });
    });
    // A message's title links to its record; opening it this way marks the message read through its 查看 form.
    root.querySelectorAll("a[data-open-form]").forEach(function (el) {
      if (el.dataset.bound) { return; }
      el.dataset.bound = "1";
      el.addEventListener("click", function (e) {
        var f = document.getElementById(el.getAttribute("data-open-form"));
        if (!f || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) { return; }
        e.preventDefault();
        f.requestSubmit ? f.requestSubmit() : f.submit();
      });
    });
    // Tables that become cards on a phone: each cell is labelled by its column's header. A table with actions in
    // its rows (buttons, button links, forms) is one without being marked; class="no-cards" keeps a table a table.
    root.querySelectorAll(".table-wrap > table").forEach(function (tb) {
      if (tb.dataset.cards || tb.classList.contains("no-cards") || tb.classList.contains("stack-phone")) { return; }
      if (!tb.classList.contains("cards") && !tb.querySelector("tbody td button, tbody td .btn, tbody td form")) { return; }
      tb.dataset.cards = "1";
      tb.classList.add("cards");
      var heads = [];
      var hr = tb.tHead && tb.tHead.rows[tb.tHead.rows.length - 1];
      if (hr) {
        Array.prototype.forEach.call(hr.cells, function (th) {
          for (var i = 0; i < (th.colSpan || 1); i++) { heads.push(th.textContent.replace(/\s+/g, " ").trim()); }
        });
      }
      Array.prototype.forEach.call(tb.tBodies, function (body) {
        Array.prototype.forEach.call(body.rows, function (tr) {
          var col = 0;
          Array.prototype.forEach.call(tr.cells, function (td) {
            var h = heads[col];
            if (h && !td.hasAttribute("data-label")) { td.setAttribute("data-label", h); }
            if (td.querySelector("button, .btn, form")) { td.classList.add("card-actions"); }
            col += td.colSpan || 1;
          });
        });
      });
    });
    // Buttons that ask before a destructive action.
    root.querySelectorAll("[data-confirm]").forEach(function (el) {
      if (el.dataset.bound) { return; }
      el.dataset.bound = "1";
      el.addEventListener("click", function (e) {
        if (!window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); e.stopImmediatePropagation(); }
      });
    });
    // Charts: <div class="chart" data-chart='{ECharts option JSON}'>.
    if (window.echarts) {
      root.querySelectorAll("[data-chart]").forEach(function (el) {
        if (el.dataset.bound) { return; }
        el.dataset.bound = "1";
        var opt;
        try { opt = JSON.parse(el.getAttribute("data-chart")); } catch (err) { return; }
        var chart = window.echarts.init(el, null, { renderer: "canvas" });
        applyFormatters(opt);
        chart.setOption(opt);
        window.addEventListener("resize", function () { chart.resize(); });
      });
    }
  }
  // Named formatters, since JSON cannot carry functions.
  function applyFormatters(opt) {
    var fmts = {
      thousands: function (v) { return typeof v === "number" ? v.toLocaleString("zh-CN", { maximumFractionDigits: 2 }) : v; },
      percent: function (v) { return typeof v === "number" ? (v * 100).toFixed(1) + "%" : v; }
    };
    (function walk(o) {
      if (!o || typeof o !== "object") { return; }
      Object.keys(o).forEach(function (k) {
        var v = o[k];
        if (k === "formatter" && typeof v === "string" && v.indexOf("fmt:") === 0 && fmts[v.slice(4)]) { o[k] = fmts[v.slice(4)]; }
        else { walk(v); }
      });
    })(opt);
  }
  // The menu's groups fold on a phone; on a wide screen, where the menu is always beside the page, all are open.
  function openMenu() {
    if (!window.matchMedia("(min-width: 821px)").matches) { return; }
    document.querySelectorAll("nav.sidebar details.menu-group").forEach(function (d) { d.open = true; });
  }
  document.addEventListener("DOMContentLoaded", function () { openMenu(); init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
})();
