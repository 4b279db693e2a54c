// mdscrub report: renders the file list and diffs from the JSON data blocks.
// Text only ever reaches the page through textContent / text nodes.
(function () {
  "use strict";
  var PAGE = 200;   // files drawn at a time
  var ROWS = 500;   // diff rows drawn at a time in one file
  // The header (totals, chart) is written last, once the totals are known;
  // it belongs on top.
  var header = document.querySelector("body > header");
  if (header) document.body.insertBefore(header, document.body.firstChild);
  var data = JSON.parse(document.getElementById("mdscrub-index").textContent);
  var files = data.files;
  var rules = data.rules;
  var ruleIndex = {};
  rules.forEach(function (r, i) { ruleIndex[r.id] = i; });
  // The folder every listed path starts with is shown once, not per row.
  var prefix = files.length > 1 ? files[0].path : "";
  files.forEach(function (f, i) {
    f.i = i;
    f.lower = f.path.toLowerCase();
    while (prefix && f.path.lastIndexOf(prefix, 0) !== 0) prefix = prefix.slice(0, -1);
  });
  prefix = prefix.slice(0, prefix.lastIndexOf("/") + 1);

  var state = { rule: "", path: "", q: "", status: "", sort: "path", dir: 1, view: "unified", file: "" };
  var first = 0;        // the list is drawn from list[first] ...
  var shown = PAGE;     // ... for this many rows
  var open = {};        // file index -> true
  var bodies = {};      // file index -> parsed body
  var lowered = {};     // file index -> lower-cased raw JSON, for search
  var list = [];        // filtered, sorted files

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function num(n) { return Number(n).toLocaleString("en-US"); }
  function color(i) { return "c" + (i % 12); }

  // ---- state <-> URL fragment -------------------------------------------
  function readHash() {
    var p = new URLSearchParams(location.hash.replace(/^#/, ""));
    state.rule = p.get("rule") || "";
    state.path = p.get("path") || "";
    state.q = p.get("q") || "";
    state.status = p.get("status") || "";
    state.sort = p.get("sort") || "path";
    state.dir = p.get("dir") === "-1" ? -1 : 1;
    state.view = p.get("view") === "split" ? "split" : "unified";
    state.file = p.get("file") || "";
  }
  var writing = false;
  function writeHash() {
    var p = new URLSearchParams();
    ["rule", "path", "q", "status", "file"].forEach(function (k) {
      if (state[k]) p.set(k, state[k]);
    });
    if (state.sort !== "path") p.set("sort", state.sort);
    if (state.dir !== 1) p.set("dir", "-1");
    if (state.view !== "unified") p.set("view", state.view);
    var h = p.toString();
    writing = true;
    history.replaceState(null, "", h ? "#" + h : location.pathname + location.search);
    writing = false;
  }

  // ---- controls ------------------------------------------------------------
  var app = document.getElementById("app");
  var controls = el("div", "controls");
  function labelled(text, input) {
    var l = el("label", "ctl");
    l.appendChild(el("span", "", text));
    l.appendChild(input);
    return l;
  }
  var pathInput = el("input");
  pathInput.type = "search";
  pathInput.id = "f-path";
  pathInput.placeholder = "part of a path";
  var ruleSelect = el("select");
  ruleSelect.id = "f-rule";
  ruleSelect.appendChild(new Option("all rules (" + rules.length + ")", ""));
  // Most hits first, as the chart (the data lists rules as files show them).
  rules.slice().sort(function (a, b) { return b.hits - a.hits || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0); })
    .forEach(function (r) {
      ruleSelect.appendChild(new Option(r.id + " (" + num(r.hits) + ")", r.id));
    });
  var statusSelect = el("select");
  statusSelect.id = "f-status";
  [["", "any"], ["changed", "would change"], ["refused", "refused"], ["failed", "failed"], ["skipped", "skipped"]]
    .forEach(function (o) { statusSelect.appendChild(new Option(o[1], o[0])); });
  var qInput = el("input");
  qInput.type = "search";
  qInput.id = "f-q";
  qInput.placeholder = "text in the files";
  controls.appendChild(labelled("Path", pathInput));
  controls.appendChild(labelled("Rule", ruleSelect));
  controls.appendChild(labelled("Status", statusSelect));
  controls.appendChild(labelled("Search", qInput));
  var views = el("div", "views");
  views.setAttribute("role", "group");
  var viewButtons = {};
  [["unified", "Unified"], ["split", "Side by side"]].forEach(function (v) {
    var b = el("button", "view", v[1]);
    b.type = "button";
    b.dataset.view = v[0];
    b.addEventListener("click", function () {
      state.view = v[0];
      update(false);
    });
    viewButtons[v[0]] = b;
    views.appendChild(b);
  });
  controls.appendChild(views);
  var clear = el("button", "clear", "Clear filters");
  clear.type = "button";
  clear.addEventListener("click", function () {
    state.rule = state.path = state.q = state.status = "";
    update(true);
  });
  controls.appendChild(clear);
  app.appendChild(controls);

  var count = el("p", "count");
  count.id = "count";
  count.setAttribute("aria-live", "polite");
  app.appendChild(count);

  var table = el("div", "files");
  table.id = "files";
  var head = el("div", "row head");
  var columns = [["path", "Path"], ["status", "Status"], ["hits", "Hits"], ["bytes", "Bytes removed"], ["lines", "Lines"], ["", "Rules"]];
  var sortButtons = {};
  columns.forEach(function (c) {
    var cell;
    if (c[0]) {
      cell = el("button", "col col-" + c[0], c[1]);
      cell.type = "button";
      cell.title = "Sort by " + c[1].toLowerCase();
      cell.addEventListener("click", function () {
        if (state.sort === c[0]) state.dir = -state.dir;
        else {
          state.sort = c[0];
          state.dir = c[0] === "path" || c[0] === "status" ? 1 : -1;
        }
        update(true);
      });
      sortButtons[c[0]] = cell;
    } else {
      cell = el("span", "col col-rules", c[1]);
    }
    head.appendChild(cell);
  });
  table.appendChild(head);
  var rowsBox = el("div", "rows");
  rowsBox.id = "rows";
  table.appendChild(rowsBox);
  var earlier = el("button", "more");
  earlier.type = "button";
  earlier.id = "earlier";
  earlier.addEventListener("click", function () {
    var step = Math.min(PAGE, first);
    first -= step;
    shown += step;
    renderRows();
  });
  table.insertBefore(earlier, rowsBox);
  app.appendChild(table);
  var more = el("button", "more");
  more.type = "button";
  more.id = "more";
  more.addEventListener("click", function () {
    shown += PAGE;
    renderRows();
  });
  app.appendChild(more);

  // ---- filtering and sorting ----------------------------------------------
  function jsonFragment(q) {
    return JSON.stringify(q).slice(1, -1).replace(/</g, "\\u003c");
  }
  function rawBody(i) {
    var s = document.getElementById("f" + i);
    return s ? s.textContent : "";
  }
  function searchText(f) {
    var t = lowered[f.i];
    if (t === undefined) {
      t = (rawBody(f.i) + "\n" + jsonFragment(f.path) + "\n" + jsonFragment(f.reason || "")).toLowerCase();
      lowered[f.i] = t;
    }
    return t;
  }
  function filter() {
    var r = state.rule ? ruleIndex[state.rule] : -1;
    var terms = state.path.toLowerCase().split(/\s+/).filter(Boolean);
    var needle = state.q ? jsonFragment(state.q.toLowerCase()) : "";
    var out = [];
    for (var k = 0; k < files.length; k++) {
      var f = files[k];
      if (state.rule && !f.rules.some(function (c) { return c[0] === r; })) continue;
      if (state.status && f.status !== state.status) continue;
      var ok = true;
      for (var t = 0; t < terms.length; t++) {
        if (f.lower.indexOf(terms[t]) < 0) { ok = false; break; }
      }
      if (!ok) continue;
      if (needle && searchText(f).indexOf(needle) < 0) continue;
      out.push(f);
    }
    var key = state.sort, dir = state.dir;
    var val = {
      path: function (f) { return f.path; },
      status: function (f) { return f.status; },
      hits: function (f) { return r >= 0 ? ruleHits(f, r) : f.hits; },
      bytes: function (f) { return f.bytes; },
      lines: function (f) { return f.del + f.ins; }
    }[key] || function (f) { return f.path; };
    out.sort(function (a, b) {
      var x = val(a), y = val(b);
      if (x < y) return -dir;
      if (x > y) return dir;
      return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
    });
    return out;
  }
  function ruleHits(f, r) {
    for (var k = 0; k < f.rules.length; k++) if (f.rules[k][0] === r) return f.rules[k][1];
    return 0;
  }

  // ---- the file list -------------------------------------------------------
  function pill(ri, n) {
    var p = el("button", "pill " + color(ri));
    p.type = "button";
    p.dataset.rule = rules[ri].id;
    p.title = "Filter by " + rules[ri].id;
    p.appendChild(el("span", "", rules[ri].id));
    if (n !== undefined) p.appendChild(el("b", "", "×" + n));
    if (state.rule === rules[ri].id) p.classList.add("on");
    p.addEventListener("click", function (e) {
      e.stopPropagation();
      state.rule = state.rule === rules[ri].id ? "" : rules[ri].id;
      update(true);
    });
    return p;
  }
  function row(f) {
    var box = el("div", "file status-" + f.status);
    box.id = "file-" + f.i;
    box.dataset.path = f.path;
    var r = el("div", "row frow");
    r.tabIndex = 0;
    r.setAttribute("role", "button");
    r.setAttribute("aria-expanded", open[f.i] ? "true" : "false");
    var shownPath = el("span", "col col-path", f.path.slice(prefix.length));
    shownPath.title = f.path;
    r.appendChild(shownPath);
    r.appendChild(el("span", "col col-status", f.status === "changed" ? "would change" : f.status));
    r.appendChild(el("span", "col col-hits", f.status === "changed" ? num(f.hits) : "–"));
    r.appendChild(el("span", "col col-bytes", f.status === "changed" ? num(f.bytes) : "–"));
    var lines = el("span", "col col-lines");
    if (f.body) {
      lines.appendChild(el("span", "minus", "−" + num(f.del)));
      lines.appendChild(document.createTextNode(" "));
      lines.appendChild(el("span", "plus", "+" + num(f.ins)));
    }
    r.appendChild(lines);
    var rs = el("span", "col col-rules");
    f.rules.forEach(function (c) { rs.appendChild(pill(c[0], c[1])); });
    r.appendChild(rs);
    function toggle() {
      if (open[f.i]) { delete open[f.i]; if (state.file === f.path) state.file = ""; }
      else { open[f.i] = true; state.file = f.path; }
      writeHash();
      var fresh = row(f);
      box.replaceWith(fresh);
    }
    r.addEventListener("click", toggle);
    r.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); }
    });
    box.appendChild(r);
    if (open[f.i]) box.appendChild(fileView(f));
    return box;
  }
  function renderRows() {
    rowsBox.textContent = "";
    var frag = document.createDocumentFragment();
    var end = Math.min(first + shown, list.length);
    for (var k = first; k < end; k++) frag.appendChild(row(list[k]));
    rowsBox.appendChild(frag);
    var left = list.length - end;
    more.hidden = left <= 0;
    more.textContent = "Show " + num(Math.min(PAGE, left)) + " more (" + num(left) + " after these)";
    earlier.hidden = first <= 0;
    earlier.textContent = "Show " + num(Math.min(PAGE, first)) + " earlier (" + num(first) + " before these)";
    count.textContent = num(list.length) + " of " + num(files.length) + " listed files" +
      (prefix ? " in " + prefix : "") +
      (end - first < list.length ? " (showing " + num(first + 1) + "–" + num(end) + ")" : "") +
      (state.rule ? " · rule " + state.rule : "") +
      (state.status ? " · status " + state.status : "") +
      (state.path ? " · path " + state.path : "") +
      (state.q ? " · text " + state.q : "");
  }

  // ---- one file's diff -----------------------------------------------------
  function body(i) {
    if (!(i in bodies)) bodies[i] = JSON.parse(rawBody(i) || "[]");
    return bodies[i];
  }
  function shownText(t) {
    return t.replace(/\r\n|\n|\r/g, "⏎");
  }
  function ruleNames(rs) {
    return rs.map(function (r) { return rules[r] ? rules[r].id : "?"; });
  }
  // Appends a line's segments to a cell. `side` is "d" (old) or "a" (new);
  // `labelled` holds rule keys already labelled in this change block.
  // A run of adjacent marks gets one label per rule, after the run.
  function segments(cell, segs, side, labelled) {
    var focus = state.rule ? ruleIndex[state.rule] : -1;
    var run = [];
    function flush() {
      run.forEach(function (rs) {
        var key = rs.join(",");
        if (side === "a" && labelled[key]) return;
        labelled[key] = true;
        var names = ruleNames(rs);
        var tag = el("span", "tag " + (rs.length ? color(rs[0]) : "c-none"), names[0] || "?");
        if (names.length > 1) tag.textContent += " +" + (names.length - 1);
        tag.title = names.join(", ");
        if (focus >= 0 && rs.indexOf(focus) < 0) tag.classList.add("dim");
        cell.appendChild(tag);
      });
      run = [];
    }
    segs.forEach(function (s) {
      if (typeof s === "string") {
        flush();
        cell.appendChild(document.createTextNode(s));
        return;
      }
      var text = s[0], rs = s[1];
      var m = el(side === "d" ? "del" : "ins", "m", shownText(text));
      var names = ruleNames(rs);
      m.title = (side === "d" ? "removed by " : "inserted by ") + (names.join(", ") || "an unknown rule");
      m.dataset.rules = names.join(" ");
      if (focus >= 0 && rs.indexOf(focus) < 0) m.classList.add("dim");
      cell.appendChild(m);
      var key = rs.join(",");
      if (!run.some(function (r) { return r.join(",") === key; })) run.push(rs);
    });
    flush();
  }
  function cells(tr, spec) {
    spec.forEach(function (c) {
      var td = el("td", c[0], c[1]);
      tr.appendChild(td);
    });
    return tr;
  }
  function sameRows(tb, o, n, lines, before) {
    var split = state.view === "split";
    var frag = document.createDocumentFragment();
    lines.forEach(function (l, k) {
      var tr = el("tr", "same");
      if (split) cells(tr, [["ln", o + k], ["code", l], ["ln", n + k], ["code", l]]);
      else cells(tr, [["ln", o + k], ["ln", n + k], ["sign", " "], ["code", l]]);
      frag.appendChild(tr);
    });
    if (before) tb.insertBefore(frag, before);
    else tb.appendChild(frag);
  }
  function changeRows(tb, b) {
    var split = state.view === "split";
    var labelled = {};
    b.d.forEach(function (segs) {
      segs.forEach(function (s) { if (typeof s !== "string") labelled[s[1].join(",")] = true; });
    });
    var done = {};
    if (split) {
      // Rows: paired lines side by side, the others against an empty cell.
      var rows = [], di = 0, ai = 0;
      (b.p || []).concat([[b.d.length, b.a.length]]).forEach(function (p) {
        while (di < p[0]) rows.push([di++, -1]);
        while (ai < p[1]) rows.push([-1, ai++]);
        if (p[0] < b.d.length && p[1] < b.a.length) rows.push([di++, ai++]);
      });
      if (!b.p) {
        rows = [];
        for (var k = 0; k < Math.max(b.d.length, b.a.length); k++) {
          rows.push([k < b.d.length ? k : -1, k < b.a.length ? k : -1]);
        }
      }
      rows.forEach(function (r) {
        var tr = el("tr", "change");
        var d = r[0] >= 0 ? b.d[r[0]] : null, a = r[1] >= 0 ? b.a[r[1]] : null;
        var c1 = el("td", "ln" + (d ? " del" : " empty"), d ? b.o + r[0] : "");
        var c2 = el("td", "code" + (d ? " del" : " empty"));
        if (d) segments(c2, d, "d", done);
        var c3 = el("td", "ln" + (a ? " ins" : " empty"), a ? b.n + r[1] : "");
        var c4 = el("td", "code" + (a ? " ins" : " empty"));
        if (a) segments(c4, a, "a", labelled);
        tr.appendChild(c1); tr.appendChild(c2); tr.appendChild(c3); tr.appendChild(c4);
        tb.appendChild(tr);
      });
      return;
    }
    b.d.forEach(function (segs, k) {
      var tr = cells(el("tr", "del"), [["ln", b.o + k], ["ln", ""], ["sign", "−"]]);
      var td = el("td", "code");
      segments(td, segs, "d", done);
      tr.appendChild(td);
      tb.appendChild(tr);
    });
    b.a.forEach(function (segs, k) {
      var tr = cells(el("tr", "ins"), [["ln", ""], ["ln", b.n + k], ["sign", "+"]]);
      var td = el("td", "code");
      segments(td, segs, "a", labelled);
      tr.appendChild(td);
      tb.appendChild(tr);
    });
  }
  // Unchanged lines away from any change are not in the report: say how many.
  function foldRow(tb, b) {
    var tr = el("tr", "fold");
    var td = el("td", "gap", "⋯ " + num(b.c) + " unchanged lines (" + b.o + "–" + (b.o + b.c - 1) + ")");
    td.colSpan = 4;
    tr.appendChild(td);
    tb.appendChild(tr);
  }
  function fileView(f) {
    var v = el("div", "fview");
    if (f.reason) v.appendChild(el("p", "reason", f.reason));
    if (!f.body) {
      if (!f.reason) v.appendChild(el("p", "note", "No diff for this file."));
      return v;
    }
    var t = el("table", "diff " + state.view);
    var cg = el("colgroup");
    (state.view === "split" ? ["ln", "code", "ln", "code"] : ["ln", "ln", "sign", "code"]).forEach(function (c) {
      cg.appendChild(el("col", "k-" + c));
    });
    t.appendChild(cg);
    var tb = el("tbody");
    var blocks = body(f.i);
    // Draw about ROWS rows at a time; a huge file gets a button for the rest.
    function draw(from) {
      var start = tb.rows.length, k = from;
      while (k < blocks.length && tb.rows.length - start < ROWS) {
        var b = blocks[k++];
        if (b.k === "s") sameRows(tb, b.o, b.n, b.l);
        else if (b.k === "f") foldRow(tb, b);
        else changeRows(tb, b);
      }
      if (k < blocks.length) {
        var left = 0;
        for (var m = k; m < blocks.length; m++) if (blocks[m].k === "c") left++;
        var tr = el("tr", "fold rest");
        var td = el("td");
        td.colSpan = 4;
        var btn = el("button", "unfold", "Show more of this file (" + num(left) + " more changes, from line " + blocks[k].o + ")");
        btn.type = "button";
        btn.addEventListener("click", function () {
          tr.remove();
          draw(k);
        });
        td.appendChild(btn);
        tr.appendChild(td);
        tb.appendChild(tr);
      }
    }
    draw(0);
    t.appendChild(tb);
    v.appendChild(t);
    return v;
  }

  // ---- chart ---------------------------------------------------------------
  var bars = document.querySelectorAll("#chart .bar");
  Array.prototype.forEach.call(bars, function (g) {
    function pick() {
      var id = g.getAttribute("data-rule");
      state.rule = state.rule === id ? "" : id;
      update(true);
    }
    g.addEventListener("click", pick);
    g.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); }
    });
  });

  // ---- wiring --------------------------------------------------------------
  function syncControls() {
    if (pathInput.value !== state.path) pathInput.value = state.path;
    if (qInput.value !== state.q) qInput.value = state.q;
    ruleSelect.value = state.rule in ruleIndex ? state.rule : "";
    statusSelect.value = state.status;
    Object.keys(viewButtons).forEach(function (k) {
      viewButtons[k].setAttribute("aria-pressed", String(state.view === k));
    });
    Object.keys(sortButtons).forEach(function (k) {
      var b = sortButtons[k];
      b.classList.toggle("sorted", state.sort === k);
      b.dataset.dir = state.sort === k ? (state.dir > 0 ? "▲" : "▼") : "";
    });
    Array.prototype.forEach.call(bars, function (g) {
      var on = g.getAttribute("data-rule") === state.rule;
      g.classList.toggle("on", on);
      g.classList.toggle("off", !!state.rule && !on);
      g.setAttribute("aria-pressed", String(on));
    });
    document.body.classList.toggle("filtered", !!state.rule);
  }
  // `refilter`: the list changed (not only how files are drawn).
  function update(refilter) {
    if (state.rule && !(state.rule in ruleIndex)) state.rule = "";
    if (refilter) {
      list = filter();
      first = 0;
      shown = PAGE;
    }
    if (state.file) {
      var at = -1;
      for (var k = 0; k < list.length; k++) if (list[k].path === state.file) { at = k; break; }
      if (at >= 0) {
        open[list[at].i] = true;
        // Draw the page that holds it rather than every row before it.
        if (at < first || at >= first + shown) {
          first = Math.floor(at / PAGE) * PAGE;
          shown = PAGE;
        }
      }
    }
    syncControls();
    renderRows();
    writeHash();
  }
  var timer = 0;
  function later(fn) {
    clearTimeout(timer);
    timer = setTimeout(fn, 180);
  }
  pathInput.addEventListener("input", function () {
    later(function () { state.path = pathInput.value; update(true); });
  });
  qInput.addEventListener("input", function () {
    later(function () { state.q = qInput.value; update(true); });
  });
  ruleSelect.addEventListener("change", function () { state.rule = ruleSelect.value; update(true); });
  statusSelect.addEventListener("change", function () { state.status = statusSelect.value; update(true); });
  window.addEventListener("hashchange", function () {
    if (writing) return;
    readHash();
    update(true);
    scrollToFile();
  });
  function scrollToFile() {
    if (!state.file) return;
    var boxes = rowsBox.children;
    for (var k = 0; k < boxes.length; k++) {
      if (boxes[k].dataset.path === state.file) {
        var box = boxes[k];
        // After the first paint, and only when it is out of sight.
        requestAnimationFrame(function () {
          if (box.getBoundingClientRect().top > window.innerHeight * 0.8) {
            box.scrollIntoView({ block: "start" });
          }
        });
        return;
      }
    }
  }

  readHash();
  update(true);
  scrollToFile();
  document.documentElement.setAttribute("data-ready", String(Math.round(performance.now())));
})();
