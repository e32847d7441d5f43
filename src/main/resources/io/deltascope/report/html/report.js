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

/* ---- report-b: the complete tensor table's filter box and CSV download ---- */
(function () {
  "use strict";
  // every term typed must appear in the row's tensor name or component (case ignored)
  function filter(input) {
    var table = input.closest(".tensor-table").querySelector("table");
    var terms = input.value.toLowerCase().split(/\s+/).filter(function (t) { return t !== ""; });
    var rows = table.tBodies[0].rows, shown = 0;
    Array.prototype.forEach.call(rows, function (r) {
      var text = (r.getAttribute("data-tensor") + " " + r.cells[3].textContent).toLowerCase();
      var match = terms.every(function (t) { return text.indexOf(t) >= 0; });
      r.hidden = !match;
      shown += match ? 1 : 0;
    });
    input.parentNode.querySelector(".filter-count").textContent =
      terms.length ? shown + " of " + rows.length + " tensors" : "";
  }
  // RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled
  function field(v) {
    return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }
  // the table's exact values (data-v), every row in its current order, the filter ignored
  function csv(table) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var cols = [];
    heads.forEach(function (h, i) { if (h.hasAttribute("data-col")) { cols.push(i); } });
    var lines = [cols.map(function (i) { return field(heads[i].getAttribute("data-col")); }).join(",")];
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      lines.push(cols.map(function (i) {
        var c = r.cells[i];
        var v = c.getAttribute("data-v");
        return field(v !== null ? v : c.textContent);
      }).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }
  function download(button) {
    var table = button.closest(".tensor-table").querySelector("table");
    var url = URL.createObjectURL(new Blob([csv(table)], { type: "text/csv;charset=utf-8" }));
    var a = document.createElement("a");
    a.href = url;
    a.download = button.getAttribute("data-file");
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }
  document.querySelectorAll("input.table-filter").forEach(function (input) {
    input.addEventListener("input", function () { filter(input); });
  });
  document.querySelectorAll("button.csv-download").forEach(function (b) {
    b.addEventListener("click", function () { download(b); });
  });
})();
