// The one inline script: table controls (filter, sort by column, page). It never reads data into
// code; it only compares row attributes and text the page already shows. Without JavaScript the
// controls stay hidden and every row the page holds is visible. The Content-Security-Policy admits
// this script by its hash and nothing else.

export const SCRIPT = `
(function () {
  "use strict";
  var slice = function (list) { return Array.prototype.slice.call(list); };
  slice(document.querySelectorAll("table[data-controls]")).forEach(function (table) {
    var id = table.id;
    var body = table.tBodies[0];
    var rows = slice(body.rows);
    var bar = document.querySelector('.filters[data-for="' + id + '"]');
    var pager = document.querySelector('.pager[data-for="' + id + '"]');
    var controls = bar ? slice(bar.querySelectorAll("[data-key]")) : [];
    var out = bar ? bar.querySelector("output") : null;
    var size = Number(table.getAttribute("data-page-rows")) || rows.length || 1;
    var page = 0;
    function matches(row) {
      return controls.every(function (c) {
        var v = c.value.trim().toLowerCase();
        if (v === "") return true;
        var key = c.getAttribute("data-key");
        if (key === "*") return row.textContent.toLowerCase().indexOf(v) >= 0;
        return (row.getAttribute("data-" + key) || "").toLowerCase() === v;
      });
    }
    function apply() {
      var shown = rows.filter(matches);
      var pages = Math.max(1, Math.ceil(shown.length / size));
      if (page >= pages) page = pages - 1;
      var from = page * size;
      rows.forEach(function (row) { row.hidden = true; });
      shown.slice(from, from + size).forEach(function (row) { row.hidden = false; });
      if (out) out.textContent = shown.length === rows.length ? rows.length + (rows.length === 1 ? " row" : " rows") : shown.length + " of " + rows.length + " rows";
      table.setAttribute("data-visible", String(shown.length));
      if (pager) {
        pager.hidden = shown.length <= size;
        pager.querySelector(".pages").textContent = shown.length === 0 ? "no rows"
          : "rows " + (from + 1) + "\\u2013" + Math.min(from + size, shown.length) + " of " + shown.length + " \\u00b7 page " + (page + 1) + " of " + pages;
        pager.querySelector('[data-page="prev"]').disabled = page === 0;
        pager.querySelector('[data-page="next"]').disabled = page >= pages - 1;
      }
    }
    function key(row, col) {
      var cell = row.cells[col];
      if (!cell) return "";
      var k = cell.getAttribute("data-sort");
      return k === null ? cell.textContent.trim() : k;
    }
    function compare(a, b) {
      var x = Number(a), y = Number(b);
      if (a !== "" && b !== "" && isFinite(x) && isFinite(y)) return x - y;
      return a < b ? -1 : a > b ? 1 : 0;
    }
    slice(table.tHead.rows[0].cells).forEach(function (th, col) {
      var button = th.querySelector("button.sort");
      if (!button) return;
      button.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        slice(table.tHead.rows[0].cells).forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var order = rows.map(function (row, i) { return { row: row, k: key(row, col), i: i }; });
        order.sort(function (p, q) { return dir * compare(p.k, q.k) || p.i - q.i; });
        rows = order.map(function (o) { return o.row; });
        rows.forEach(function (row) { body.appendChild(row); });
        page = 0;
        apply();
      });
    });
    controls.forEach(function (c) {
      var again = function () { page = 0; apply(); };
      c.addEventListener("input", again);
      c.addEventListener("change", again);
    });
    if (pager) {
      pager.querySelector('[data-page="prev"]').addEventListener("click", function () { page -= 1; apply(); });
      pager.querySelector('[data-page="next"]').addEventListener("click", function () { page += 1; apply(); });
    }
    if (bar) bar.hidden = false;
    table.classList.add("controlled");
    apply();
  });
})();
`;
