// 打印 buttons of the office-space documents (整改通知书): the CSP forbids inline scripts, so the button carries
// data-print and this file, served by the module, calls window.print(). To move to the web kit's app.js.
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
