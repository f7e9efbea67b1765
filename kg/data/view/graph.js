// Filters, search, ego view and the side panel of kg's graph page (kg/view.py).
// All text from the graph is set with textContent: evidence is data, never markup.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("kg-data").textContent);
  var N = D.nodes, E = D.edges, byIri = {}, adj = N.map(function () { return []; });
  N.forEach(function (n, i) { byIri[n.iri] = i; });
  E.forEach(function (e, k) { adj[e.from].push(k); adj[e.to].push(k); });
  var ego = null;  // {centre, depth} while the ego view is shown

  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var x = document.createElement(tag);
    if (text !== undefined && text !== null) { x.textContent = String(text); }
    if (cls) { x.className = cls; }
    return x;
  }
  function name(kind, value) {
    if (!value) { return "（未知）"; }
    var zh = (D.names[kind] || {})[value];
    return zh ? zh + " " + value : value;
  }

  // ------------------------------------------------------------ drawing
  function visNode(i, xy) {
    var n = N[i], style = D.styles[n.type] || D.styles.Other;
    var item = {id: n.iri, label: n.label, shape: style.shape, color: style.color,
                group: n.type, size: Math.round(10 + 4 * Math.log1p(n.degree)),
                x: xy ? xy[0] : n.x, y: xy ? xy[1] : n.y, physics: false,
                title: n.label + " · " + (D.names.type[n.type] || n.type)};
    if (i === D.focus || (ego && i === ego.centre)) {
      item.borderWidth = 4; item.color = {background: style.color, border: "#222222"};
    }
    return item;
  }
  function visEdge(k, labelled) {
    var e = E[k];
    return {id: k, from: N[e.from].iri, to: N[e.to].iri, arrows: "to",
            label: labelled ? e.label + (e.past ? "（曾任）" : "") : undefined};
  }
  function draw(ids, positions) {
    var shown = {}, ks = [];
    ids.forEach(function (i) { shown[i] = true; });
    E.forEach(function (e, k) { if (shown[e.from] && shown[e.to]) { ks.push(k); } });
    nodes.clear(); edges.clear();
    nodes.add(ids.map(function (i) { return visNode(i, positions && positions[i]); }));
    edges.add(ks.map(function (k) { return visEdge(k, ks.length <= 300); }));
    $("kg-count").textContent = "显示 " + ids.length + " 个实体 · " + ks.length + " 条关系";
    network.fit({animation: false});
  }

  // ------------------------------------------------------------ filters
  function values(key, order) {
    var seen = {}, rank = {};
    (order || []).forEach(function (v, j) { rank[v] = j; });
    N.forEach(function (n) { seen[n[key]] = (seen[n[key]] || 0) + 1; });
    function r(v) { return v in rank ? rank[v] : 1e6; }
    return Object.keys(seen).sort(function (a, b) { return r(a) - r(b) || (a < b ? -1 : a > b ? 1 : 0); })
      .map(function (v) { return [v, seen[v]]; });
  }
  function checkboxes(box, key, kind) {
    values(key, D.order[kind]).forEach(function (pair) {
      var label = el("label"), input = el("input");
      input.type = "checkbox"; input.checked = true; input.value = pair[0];
      input.dataset.key = key; input.addEventListener("change", showFiltered);
      label.appendChild(input);
      label.appendChild(document.createTextNode(name(kind, pair[0]) + " (" + pair[1] + ")"));
      $(box).appendChild(label);
    });
  }
  function allowed(key) {
    var ok = {};
    document.querySelectorAll("input[data-key='" + key + "']").forEach(function (x) {
      if (x.checked) { ok[x.value] = true; }
    });
    return ok;
  }
  function filtered() {
    var types = allowed("type"), cats = allowed("category"), levels = allowed("place_level");
    var province = $("kg-f-province").value, top = parseInt($("kg-top").value, 10) || D.top;
    var ids = [];
    for (var i = 0; i < N.length && ids.length < top; i++) {  // N is sorted by degree
      var n = N[i];
      if (!types[n.type] || !levels[n.place_level]) { continue; }
      if (n.type === "Organization" && !cats[n.category]) { continue; }
      if (province !== "*" && n.province !== province) { continue; }
      ids.push(i);
    }
    return ids;
  }
  function showFiltered() {
    ego = null;
    $("kg-mode").textContent = ""; $("kg-back").hidden = true;
    draw(filtered());
  }

  // ------------------------------------------------------------ ego view
  function showEgo(centre, depth) {
    var dist = {}, order = [centre], rings = [[centre]];
    dist[centre] = 0;
    for (var h = 0; h < order.length; h++) {
      var u = order[h];
      if (dist[u] >= depth) { continue; }
      adj[u].forEach(function (k) {
        var v = E[k].from === u ? E[k].to : E[k].from;
        if (dist[v] === undefined) {
          dist[v] = dist[u] + 1; order.push(v);
          (rings[dist[v]] = rings[dist[v]] || []).push(v);
        }
      });
    }
    var xy = {};
    rings.forEach(function (ring, d) {
      var radius = d === 0 ? 0 : Math.max(220 * d, ring.length * 40 / (2 * Math.PI));
      ring.forEach(function (v, j) {
        var a = 2 * Math.PI * j / ring.length + d * 0.5;
        xy[v] = [radius * Math.cos(a), radius * Math.sin(a)];
      });
    });
    ego = {centre: centre, depth: depth};
    $("kg-mode").textContent = "以「" + N[centre].label + "」为中心 " + depth + " 跳 · ego view";
    $("kg-back").hidden = false;
    draw(order, xy);
  }

  // ------------------------------------------------------------ search
  function search(text) {
    var q = (text || "").trim(), msg = $("kg-search-msg");
    if (!q) { msg.textContent = ""; return null; }
    var tests = [
      function (n) { return n.iri === q || n.label === q; },
      function (n) { return n.aliases.indexOf(q) >= 0; },
      function (n) { return n.label.indexOf(q) >= 0 || n.aliases.some(function (a) { return a.indexOf(q) >= 0; }); }
    ];
    for (var t = 0; t < tests.length; t++) {
      var hits = [];
      N.forEach(function (n, i) { if (tests[t](n)) { hits.push(i); } });
      if (hits.length) {
        msg.textContent = hits.length > 1 ? hits.length + " 个匹配，显示度数最高者 · " +
          hits.length + " matches, showing the best connected" : "";
        focusNode(hits[0]);
        return N[hits[0]].iri;
      }
    }
    msg.textContent = "未找到「" + q + "」 · not found" + (N.length < D.total.nodes ?
      "（本页只含度数最高的 " + N.length + " 个实体；可用 kg viz --focus 查看其余 · " +
      "use kg viz --focus for the rest）" : "");
    return null;
  }
  function focusNode(i) {
    if (nodes.get(N[i].iri) === null) { showEgo(i, 1); }
    network.selectNodes([N[i].iri]);
    network.focus(N[i].iri, {scale: 1.2, animation: false});
    showNode(i);
  }

  // ------------------------------------------------------------ side panel
  function panel() {
    var body = $("kg-panel-body");
    body.replaceChildren(); $("kg-panel").hidden = false;
    return body;
  }
  function link(i) {
    var b = el("button", N[i].label, "kg-link");
    b.type = "button";
    b.addEventListener("click", function () { focusNode(i); });
    return b;
  }
  function props(body, rows) {
    var dl = el("dl");
    rows.forEach(function (r) {
      if (r[1] === "" || r[1] === undefined || r[1] === null) { return; }
      dl.appendChild(el("dt", r[0])); dl.appendChild(el("dd", r[1]));
    });
    body.appendChild(dl);
  }
  function evidenceList(ks) {
    var ul = el("ul"), count = 0;
    ks.forEach(function (k) {
      E[k].evidence.forEach(function (ev) {
        var li = el("li");
        li.appendChild(el("q", D.sentences[ev[0]]));
        if (D.articles[ev[1]]) { li.appendChild(el("span", " —《" + D.articles[ev[1]] + "》", "kg-source")); }
        var e = E[k];
        li.appendChild(el("div", N[e.from].label + " → " + e.label + " → " + N[e.to].label, "kg-note"));
        ul.appendChild(li); count++;
      });
    });
    return count ? ul : el("div", "（无证据句）", "kg-note");
  }
  function showNode(i) {
    var n = N[i], body = panel();
    body.appendChild(el("h2", n.label));
    body.appendChild(el("div", name("type", n.type), "kg-note"));
    props(body, [["层级 level", n.level && name("level", n.level)],
                 ["机构类别 category", n.category && name("category", n.category)],
                 ["举措类型 kind", n.initiative_type],
                 ["所在地层级 place level", n.place_level && name("level", n.place_level)],
                 ["省份 province", n.province], ["别名 aliases", n.aliases.join("、")],
                 ["见于 articles", n.articles.map(function (a) { return "《" + D.articles[a] + "》"; }).join(" ")],
                 ["度数 degree", n.degree], ["IRI", n.iri]]);
    var egoBar = el("div"), depth = el("select"), go = el("button", "以此为中心 · ego view");
    [1, 2, 3].forEach(function (d) { var o = el("option", d + " 跳"); o.value = d; depth.appendChild(o); });
    go.type = "button"; go.id = "kg-ego";
    go.addEventListener("click", function () { showEgo(i, parseInt(depth.value, 10)); });
    egoBar.appendChild(go); egoBar.appendChild(depth); body.appendChild(egoBar);
    var posts = [], members = [], others = [];
    adj[i].forEach(function (k) {
      var e = E[k];
      if (e.relation === "holdsPost") { (e.from === i ? posts : members).push(k); } else { others.push(k); }
    });
    function section(title, ks, render) {
      if (!ks.length) { return; }
      body.appendChild(el("h3", title + " (" + ks.length + ")"));
      var ul = el("ul");
      ks.forEach(function (k) { var li = el("li"); render(li, E[k]); ul.appendChild(li); });
      body.appendChild(ul);
    }
    section("职务 posts", posts, function (li, e) {
      li.appendChild(el("span", e.label + (e.past ? "（曾任）" : "") + " @ "));
      li.appendChild(link(e.to));
    });
    section("成员 members", members, function (li, e) {
      li.appendChild(link(e.from));
      li.appendChild(el("span", "：" + e.label + (e.past ? "（曾任）" : "")));
    });
    section("关系 relations", others, function (li, e) {
      var out = e.from === i;
      li.appendChild(el("span", (out ? "→ " : "← ") + (D.names.relation[e.relation] || e.relation) + " "));
      li.appendChild(link(out ? e.to : e.from));
    });
    if (adj[i].length < n.degree) {
      body.appendChild(el("div", "本页只含其 " + n.degree + " 条关系中的 " + adj[i].length +
        " 条（kg viz --focus 可看全部） · the page carries " + adj[i].length + " of its " +
        n.degree + " facts", "kg-note"));
    }
    body.appendChild(el("h3", "证据 evidence"));
    body.appendChild(evidenceList(adj[i]));
  }
  function showEdge(k) {
    var e = E[k], body = panel();
    body.appendChild(el("h2", e.label + (e.past ? "（曾任）" : "")));
    var head = el("div");
    head.appendChild(link(e.from));
    head.appendChild(el("span", " → " + (D.names.relation[e.relation] || e.relation) + " → "));
    head.appendChild(link(e.to));
    body.appendChild(head);
    body.appendChild(el("h3", "证据 evidence"));
    body.appendChild(evidenceList([k]));
  }

  // ------------------------------------------------------------ wiring
  checkboxes("kg-f-type", "type", "type");
  checkboxes("kg-f-category", "category", "category");
  checkboxes("kg-f-level", "place_level", "level");
  var all = el("option", "全部 all"); all.value = "*"; $("kg-f-province").appendChild(all);
  values("province").forEach(function (pair) {
    var o = el("option", (pair[0] || "（未知）") + " (" + pair[1] + ")"); o.value = pair[0];
    $("kg-f-province").appendChild(o);
  });
  $("kg-f-province").addEventListener("change", showFiltered);
  $("kg-top").value = D.top; $("kg-top").max = N.length;
  $("kg-top").addEventListener("change", showFiltered);
  var names = $("kg-names");
  N.slice(0, 5000).forEach(function (n) { var o = el("option"); o.value = n.label; names.appendChild(o); });
  $("kg-search-form").addEventListener("submit", function (ev) {
    ev.preventDefault(); search($("kg-search").value);
  });
  $("kg-back").addEventListener("click", showFiltered);
  $("kg-close").addEventListener("click", function () { $("kg-panel").hidden = true; });
  network.on("click", function (p) {
    if (p.nodes.length) { showNode(byIri[p.nodes[0]]); } else if (p.edges.length) { showEdge(p.edges[0]); }
  });
  if (D.focus >= 0) { network.selectNodes([N[D.focus].iri]); }
  $("kg-count").textContent = "显示 " + nodes.length + " 个实体 · " + edges.length + " 条关系";
  window.kg = {data: D, search: search, ego: function (iri, d) { showEgo(byIri[iri], d || 1); },
               showAll: showFiltered, visible: function () { return nodes.getIds(); }};
})();
