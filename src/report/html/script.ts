// The one inline script: table filtering. It never reads data into code; it only compares row
// attributes and text the page already shows. Without JavaScript the filter bars stay hidden and
// every row is visible. The Content-Security-Policy admits this script by its hash and nothing else.

export const SCRIPT = `
(function () {
  "use strict";
  var bars = document.querySelectorAll(".filters[data-for]");
  Array.prototype.forEach.call(bars, function (bar) {
    var table = document.getElementById(bar.getAttribute("data-for"));
    if (!table) return;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var controls = Array.prototype.slice.call(bar.querySelectorAll("[data-key]"));
    var out = bar.querySelector("output");
    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var ok = controls.every(function (c) {
          var v = c.value.trim().toLowerCase();
          if (v === "") return true;
          var key = c.getAttribute("data-key");
          if (key === "*") return row.textContent.toLowerCase().indexOf(v) >= 0;
          return (row.getAttribute("data-" + key) || "").toLowerCase() === v;
        });
        row.hidden = !ok;
        if (ok) shown++;
      });
      out.textContent = shown === rows.length ? rows.length + " rows" : shown + " of " + rows.length + " rows";
      table.setAttribute("data-visible", String(shown));
    }
    controls.forEach(function (c) { c.addEventListener("input", apply); c.addEventListener("change", apply); });
    bar.hidden = false;
    apply();
  });
})();
`;
