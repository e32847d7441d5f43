(function () {
  "use strict";
  var tip = document.getElementById("tip");
  var current = null;
  function place(x, y) {
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.min(x + 14, window.innerWidth - w - 6);
    var top = y + 16 + h > window.innerHeight ? y - h - 10 : y + 16;
    tip.style.left = Math.max(4, left) + "px";
    tip.style.top = Math.max(4, top) + "px";
  }
  function show(el, x, y) {
    current = el;
    tip.textContent = el.getAttribute("data-tip");
    tip.hidden = false;
    place(x, y);
  }
  function hide() {
    current = null;
    tip.hidden = true;
  }
  document.addEventListener("mouseover", function (e) {
    var el = e.target.closest ? e.target.closest("[data-tip]") : null;
    if (el) { show(el, e.clientX, e.clientY); } else if (current) { hide(); }
  });
  document.addEventListener("mousemove", function (e) {
    if (current) { place(e.clientX, e.clientY); }
  });
  document.addEventListener("mouseout", function (e) {
    if (current && (!e.relatedTarget || !current.contains(e.relatedTarget))) { hide(); }
  });
  document.addEventListener("focusin", function (e) {
    var el = e.target.closest ? e.target.closest("[data-tip]") : null;
    if (el) {
      var r = el.getBoundingClientRect();
      show(el, r.left, r.bottom);
    }
  });
  document.addEventListener("focusout", hide);

  function key(cell, numeric) {
    if (!cell) { return numeric ? -Infinity : ""; }
    var v = cell.getAttribute("data-v");
    if (numeric) {
      var n = v === null || v === "" ? NaN : parseFloat(v);
      return isNaN(n) ? -Infinity : n;
    }
    return (v !== null ? v : cell.textContent).toLowerCase();
  }
  function sortBy(th) {
    var table = th.closest("table");
    var body = table.tBodies[0];
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.getAttribute("data-type") === "num";
    var descending = th.getAttribute("aria-sort") !== "descending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index], numeric), y = key(b.cells[index], numeric);
      // names sort naturally: layers.2 before layers.10
      var c = numeric ? (x < y ? -1 : x > y ? 1 : 0) : x.localeCompare(y, "en", { numeric: true });
      return descending ? -c : c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }
  document.querySelectorAll("table.sortable thead th").forEach(function (th) {
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th); }
    });
  });
})();
