// 打印 (docs/printing.md): the CSP forbids inline scripts, so buttons carry data-print and this file calls
// window.print(). A list's 打印 links to the same list with all its rows (page_size=500) and print=1, which prints
// as soon as the page is ready. Tables marked data-print-total get a 合计 row (print only) that sums the columns
// whose header carries data-sum, over the rows shown.
(function () {
  "use strict";
  function num(text) {
    var s = (text || "").replace(/[,\s，]/g, "").replace(/[^\d.\-]/g, "");
    if (s === "" || s === "-" || s === ".") { return null; }
    var v = parseFloat(s);
    return isNaN(v) ? null : v;
  }
  function fmt(v) {
    return v.toLocaleString("zh-CN", { maximumFractionDigits: 2 });
  }
  function totals(root) {
    root.querySelectorAll("table[data-print-total]").forEach(function (t) {
      if (t.dataset.totalBound) { return; }
      t.dataset.totalBound = "1";
      var heads = t.querySelectorAll("thead th");
      var sums = [];
      var any = false;
      heads.forEach(function (h, i) { if (h.hasAttribute("data-sum")) { sums[i] = 0; any = true; } });
      if (!any || !t.tBodies.length) { return; }
      var rows = 0;
      Array.prototype.forEach.call(t.tBodies[0].rows, function (r) {
        if (r.cells.length < heads.length) { return; }
        rows++;
        Array.prototype.forEach.call(r.cells, function (c, i) {
          if (sums[i] === undefined) { return; }
          var v = num(c.textContent);
          if (v !== null) { sums[i] += v; }
        });
      });
      var tr = document.createElement("tr");
      tr.className = "print-only print-total";
      heads.forEach(function (h, i) {
        var td = document.createElement("td");
        if (i === 0) { td.textContent = (t.getAttribute("data-print-total") || "合计") + "（" + rows + "）"; }
        if (sums[i] !== undefined) { td.textContent = fmt(sums[i]); td.className = "num"; }
        tr.appendChild(td);
      });
      var foot = t.tFoot || t.createTFoot();
      foot.appendChild(tr);
    });
  }
  function bind(root) {
    root.querySelectorAll("[data-print]").forEach(function (el) {
      if (el.dataset.printBound) { return; }
      el.dataset.printBound = "1";
      el.addEventListener("click", function (e) {
        if (el.tagName === "A" && el.getAttribute("href")) { return; } // a list: open it whole, it prints itself
        e.preventDefault();
        window.print();
      });
    });
    totals(root);
  }
  document.addEventListener("DOMContentLoaded", function () {
    bind(document);
    if (/[?&]print=1(&|$)/.test(window.location.search)) {
      window.setTimeout(function () { window.print(); }, 100);
    }
  });
  document.addEventListener("htmx:afterSettle", function (e) { bind(e.target); });
})();
