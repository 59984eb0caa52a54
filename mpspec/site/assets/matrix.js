/* The matrix page: every claim in every environment and start method, drawn from the
   merged results (docs/results.json).  MkDocs and Material give the page, navigation and
   search; this script only does what they cannot: the table, its filters (kept in the
   address), merging columns that agree, and each cell's note on hover or tap. */
(function () {
  "use strict";
  var root = document.getElementById("mpspec-matrix");
  if (!root) return;

  var V = {
    "holds": ["✓", "holds", "v-holds"],
    "partly": ["◐", "partly", "v-partly"],
    "does-not-hold": ["✗", "does not hold", "v-fails"],
    "n/a": ["–", "n/a", "v-na"]
  };
  // What a run made of a verdict (mpspec/vocab.py OUTCOMES); "observed" needs no mark.
  var O = {
    "passed": ["·", "registered, not observed"],
    "not-shown": ["?", "not shown this run"],
    "failed": ["!", "test failed"],
    "skipped": ["?", "skipped"],
    "not-run": ["?", "not run"]
  };

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }

  function params() {
    var p = new URLSearchParams(location.search);
    return {
      envs: p.get("envs") ? p.get("envs").split(",") : null,
      methods: p.get("methods") ? p.get("methods").split(",") : null,
      chapter: p.get("chapter") || "",
      q: p.get("q") || "",
      diff: p.get("diff") === "1",
      merge: p.get("merge") !== "0"
    };
  }

  function save(state, data) {
    var p = new URLSearchParams();
    var all = data.environments.map(function (e) { return e.id; });
    if (state.envs.join(",") !== all.join(",")) p.set("envs", state.envs.join(","));
    if (state.methods.join(",") !== data.methods.join(",")) p.set("methods", state.methods.join(","));
    if (state.chapter) p.set("chapter", state.chapter);
    if (state.q) p.set("q", state.q);
    if (state.diff) p.set("diff", "1");
    if (!state.merge) p.set("merge", "0");
    var qs = p.toString();
    history.replaceState(null, "", location.pathname + (qs ? "?" + qs : "") + location.hash);
  }

  function cellOf(data, claim, envIndex, method) {
    var row = claim.results[envIndex];
    if (!row) return null;
    return row.any || row[method] || null;
  }

  function draw(data, state) {
    var envs = data.environments.filter(function (e) { return state.envs.indexOf(e.id) >= 0; });
    var idx = envs.map(function (e) { return data.environments.indexOf(e); });
    var methods = data.methods.filter(function (m) { return state.methods.indexOf(m) >= 0; });
    var q = state.q.toLowerCase();
    var rows = data.claims.filter(function (c) {
      if (state.chapter && c.section !== state.chapter && c.source !== state.chapter) return false;
      if (q && (c.id + " " + c.statement).toLowerCase().indexOf(q) < 0) return false;
      if (!state.diff) return true;
      return methods.some(function (m) {
        var seen = {};
        idx.forEach(function (i) {
          var scope = data.environments[i].scope;  // loky: only its chapter says anything
          if (scope && scope.indexOf(c.section) < 0) return;
          var x = cellOf(data, c, i, m);
          if (x) seen[x[0]] = 1;
        });
        return Object.keys(seen).length > 1;
      });
    });
    // Columns that agree on every row shown are merged into one, in their order.
    var groups = [];
    idx.forEach(function (i, k) {
      var sig = rows.map(function (c) {
        return methods.map(function (m) { var x = cellOf(data, c, i, m); return x ? x[0] + x[1] + x[2] : ""; }).join("|");
      }).join(";");
      var last = groups[groups.length - 1];
      if (state.merge && last && last.sig === sig && last.dflt === data.environments[i].default_start_method) {
        last.members.push(i);
      } else {
        groups.push({sig: sig, members: [i], dflt: data.environments[i].default_start_method});
      }
    });
    function groupLabel(g) {
      var first = data.environments[g.members[0]];
      if (g.members.length === 1) return first.label;
      var last = data.environments[g.members[g.members.length - 1]];
      return first.label + " … " + last.python_version;
    }
    var h = ['<table class="mx"><thead><tr class="mx-h1"><th class="mx-claim" rowspan="2">claim</th>'];
    groups.forEach(function (g) {
      var names = g.members.map(function (i) { return data.environments[i].label; }).join("\n");
      h.push('<th colspan="' + methods.length + '" title="' + esc(names) + '">' + esc(groupLabel(g)) + "</th>");
    });
    h.push('</tr><tr class="mx-h2">');
    groups.forEach(function (g) {
      methods.forEach(function (m) {
        var d = m === g.dflt;
        h.push("<th" + (d ? ' class="mx-dflt" title="the default start method here"' : "") + ">" + esc(m) + "</th>");
      });
    });
    h.push("</tr></thead><tbody>");
    var chapter = null;
    var span = 1 + groups.length * methods.length;
    rows.forEach(function (c) {
      if (c.section !== chapter) {
        chapter = c.section;
        h.push('<tr class="mx-chapter"><th class="mx-claim" scope="rowgroup">' + esc(data.chapterTitles[chapter] || chapter) +
               '</th><td colspan="' + (span - 1) + '"></td></tr>');
      }
      h.push('<tr><th class="mx-claim" scope="row"><a href="../claims/' + esc(c.id) + '/" title="' + esc(c.statement) + '">' + esc(c.id) + "</a></th>");
      groups.forEach(function (g) {
        var i = g.members[0];
        methods.forEach(function (m) {
          var x = cellOf(data, c, i, m);
          if (!x) { h.push('<td class="mx-c">·</td>'); return; }
          var v = V[x[0]] || ["?", x[0], ""];
          var o = x[0] !== "n/a" && O[x[1]];
          var note = data.notes[x[2]];
          var title = groupLabel(g) + ", " + m + ": " + v[1] + (o ? " (" + o[1] + ")" : "") + ". " + note;
          h.push('<td class="mx-c ' + v[2] + (o ? " o-" + x[1] : "") + '" data-c="' + esc(c.id) + '" title="' + esc(title) + '">' +
                 v[0] + (o ? o[0] : "") + "</td>");
        });
      });
      h.push("</tr>");
    });
    h.push("</tbody></table>");
    var wrap = root.querySelector(".mx-wrap");
    wrap.innerHTML = h.join("");
    var first = wrap.querySelector("tr.mx-h1 th:not(.mx-claim)") || wrap.querySelector("tr.mx-h1 th");
    if (first) wrap.querySelector("table").style.setProperty("--mx-h1", first.getBoundingClientRect().height + "px");
    root.querySelector(".mx-status").textContent = rows.length + " claims × " + envs.length + " environments" +
      (groups.length < envs.length ? " in " + groups.length + " columns (identical ones merged)" : "") +
      " × " + methods.length + " start methods.";
    save(state, data);
  }

  function controls(data, state, redraw) {
    var envBoxes = data.environments.map(function (e) {
      return '<label><input type="checkbox" name="env" value="' + esc(e.id) + '"' +
        (state.envs.indexOf(e.id) >= 0 ? " checked" : "") + "> " + esc(e.label) + "</label>";
    }).join("");
    var methodBoxes = data.methods.map(function (m) {
      return '<label><input type="checkbox" name="method" value="' + m + '"' +
        (state.methods.indexOf(m) >= 0 ? " checked" : "") + "> " + m + "</label>";
    }).join("");
    var options = data.environments.map(function (e) { return '<option value="' + esc(e.id) + '">' + esc(e.label) + "</option>"; }).join("");
    var chapters = '<option value="">all chapters</option><option value="article">the article</option><option value="docs">the docs</option>' +
      Object.keys(data.chapterTitles).map(function (k) { return '<option value="' + esc(k) + '">' + esc(data.chapterTitles[k]) + "</option>"; }).join("");
    var c = document.createElement("div");
    c.className = "mx-controls";
    c.innerHTML =
      '<fieldset class="mx-envs"><legend>Environments</legend>' + envBoxes +
      '<button type="button" data-act="all">all</button> <button type="button" data-act="none">none</button></fieldset>' +
      '<fieldset><legend>Compare two</legend><select name="a" aria-label="first environment">' + options + '</select> with ' +
      '<select name="b" aria-label="second environment">' + options + '</select> <button type="button" data-act="compare">compare</button></fieldset>' +
      "<fieldset><legend>Start methods</legend>" + methodBoxes + "</fieldset>" +
      '<fieldset><legend>Rows</legend><select name="chapter" aria-label="chapter">' + chapters + "</select> " +
      '<input type="search" name="q" placeholder="filter by ID or statement" aria-label="filter"> ' +
      '<label><input type="checkbox" name="diff"> only claims that differ</label>' +
      '<label><input type="checkbox" name="merge"> merge identical columns</label></fieldset>';
    c.querySelector("[name=chapter]").value = state.chapter;
    c.querySelector("[name=q]").value = state.q;
    c.querySelector("[name=diff]").checked = state.diff;
    c.querySelector("[name=merge]").checked = state.merge;
    if (data.environments.length > 1) c.querySelector("[name=b]").selectedIndex = 1;
    function read() {
      state.envs = Array.prototype.map.call(c.querySelectorAll("[name=env]:checked"), function (x) { return x.value; });
      state.methods = Array.prototype.map.call(c.querySelectorAll("[name=method]:checked"), function (x) { return x.value; });
      state.chapter = c.querySelector("[name=chapter]").value;
      state.q = c.querySelector("[name=q]").value.trim();
      state.diff = c.querySelector("[name=diff]").checked;
      state.merge = c.querySelector("[name=merge]").checked;
      redraw();
    }
    c.addEventListener("change", function (ev) { if (ev.target.name !== "a" && ev.target.name !== "b") read(); });
    c.querySelector("[name=q]").addEventListener("input", read);
    c.addEventListener("click", function (ev) {
      var act = ev.target.getAttribute && ev.target.getAttribute("data-act");
      if (!act) return;
      var boxes = c.querySelectorAll("[name=env]");
      if (act === "compare") {
        var a = c.querySelector("[name=a]").value, b = c.querySelector("[name=b]").value;
        boxes.forEach(function (x) { x.checked = x.value === a || x.value === b; });
        c.querySelector("[name=diff]").checked = true;
        c.querySelector("[name=merge]").checked = false;
      } else {
        boxes.forEach(function (x) { x.checked = act === "all"; });
      }
      read();
    });
    return c;
  }

  function detail(data, root) {
    var panel = document.createElement("div");
    panel.className = "mx-detail";
    panel.hidden = true;
    panel.setAttribute("role", "status");
    root.querySelector(".mx-wrap").addEventListener("click", function (ev) {
      var td = ev.target.closest("td.mx-c");
      if (!td || !td.dataset.c) return;
      panel.innerHTML = '<button type="button" aria-label="close">×</button><strong><a href="../claims/' +
        esc(td.dataset.c) + '/">' + esc(td.dataset.c) + "</a></strong>: " + esc(td.title);
      panel.hidden = false;
    });
    panel.addEventListener("click", function (ev) { if (ev.target.tagName === "BUTTON") panel.hidden = true; });
    return panel;
  }

  fetch(root.getAttribute("data-results")).then(function (r) { return r.json(); }).then(function (data) {
    data.chapterTitles = {};
    data.claims.forEach(function (c) { data.chapterTitles[c.section] = data.chapterTitles[c.section] || c.section; });
    (data.chapters || []).forEach(function (ch) { data.chapterTitles[ch.key] = ch.title; });
    var p = params();
    var state = {
      envs: p.envs || data.environments.map(function (e) { return e.id; }),
      methods: p.methods || data.methods.slice(),
      chapter: p.chapter, q: p.q, diff: p.diff, merge: p.merge
    };
    root.innerHTML = '<div class="mx-status"></div><div class="mx-wrap" tabindex="0"></div>';
    var redraw = function () { draw(data, state); };
    root.insertBefore(controls(data, state, redraw), root.firstChild);
    root.appendChild(detail(data, root));
    redraw();
    root.setAttribute("data-ready", "1");
    root.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  }).catch(function (err) {
    root.innerHTML = "<p>The matrix could not be loaded (" + esc(err) + "). Every claim's page has the same data.</p>";
  });
})();
