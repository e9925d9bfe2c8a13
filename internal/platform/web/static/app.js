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
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.target); });
})();
