// 打印 buttons of the fleet pages (派车单): the CSP forbids inline scripts, so the button carries data-print and
// this file, served by the module, calls window.print().
(function () {
  "use strict";
  function bind(root) {
    root.querySelectorAll("[data-print]").forEach(function (el) {
      if (el.dataset.printBound) { return; }
      el.dataset.printBound = "1";
      el.addEventListener("click", function (e) { e.preventDefault(); window.print(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSettle", function (e) { bind(e.target); });
})();
