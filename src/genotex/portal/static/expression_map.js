/* genotex portal: the multi-gene expression map: clustered heatmap of median TPM with tissue
   (top) and gene (left) dendrograms drawn as plotly lines from the API's Newick trees. */
"use strict";
(function () {
  const P = window.genotexPlots;
  const page = P.pageData();
  const gd = document.getElementById("heatmap");
  const status = document.getElementById("map-status");
  if (!gd || !page.clusteredApi) return;

  /* Newick "(A:0.1,(B:0.2,C:0.2):0.3);" → {name, length, children}. */
  function parseNewick(text) {
    let i = 0;
    const s = text.trim().replace(/;$/, "");
    function node() {
      const n = { name: "", length: 0, children: [] };
      if (s[i] === "(") {
        i++;
        n.children.push(node());
        while (s[i] === ",") { i++; n.children.push(node()); }
        i++; // ")"
      }
      let name = "";
      while (i < s.length && !",():".includes(s[i])) name += s[i++];
      n.name = name;
      if (s[i] === ":") {
        i++;
        let len = "";
        while (i < s.length && !",()".includes(s[i])) len += s[i++];
        n.length = parseFloat(len) || 0;
      }
      return n;
    }
    return node();
  }

  /* Leaf order and the dendrogram's segments: leaves at 0..n-1, height 0 at the leaves. */
  function layoutTree(root) {
    const leaves = [];
    const depth = (n, d) => { n.depth = d + n.length; n.children.forEach((c) => depth(c, n.depth)); };
    depth(root, -root.length);
    let maxDepth = 0;
    const walk = (n) => {
      if (!n.children.length) { n.pos = leaves.length; leaves.push(n.name); maxDepth = Math.max(maxDepth, n.depth); return; }
      n.children.forEach(walk);
      n.pos = n.children.reduce((a, c) => a + c.pos, 0) / n.children.length;
    };
    walk(root);
    const segs = [];
    const draw = (n) => {
      const h = maxDepth - n.depth;
      for (const c of n.children) {
        const hc = maxDepth - c.depth;
        segs.push([[c.pos, hc], [c.pos, h]], [[c.pos, h], [n.pos, h]]);
        draw(c);
      }
    };
    draw(root);
    return { leaves: leaves, segs: segs, height: maxDepth };
  }

  function lines(segs, swap, axes) {
    const x = [], y = [];
    for (const [[a, b], [c, d]] of segs) {
      if (swap) { x.push(-b, -d, null); y.push(a, c, null); } else { x.push(a, c, null); y.push(b, d, null); }
    }
    return Object.assign({ type: "scatter", mode: "lines", x: x, y: y, line: { color: "#444", width: 1 }, hoverinfo: "skip", showlegend: false }, axes);
  }

  let body = null;
  async function draw() {
    try { body = body || await P.getJson(page.clusteredApi); } catch (err) { status.textContent = "Could not load: " + err.message; return; }
    const log = document.querySelector("input[name=map-scale]:checked").value === "log";
    const rows = body.medianGeneExpression;
    const value = new Map(rows.map((r) => [r.gencodeId + "|" + r.tissueSiteDetailId, r.median]));
    const sym = new Map(rows.map((r) => [r.gencodeId, r.geneSymbol]));
    let tissues, genes, tTree = null, gTree = null;
    if (body.clusters) {
      tTree = layoutTree(parseNewick(body.clusters.tissue));
      gTree = layoutTree(parseNewick(body.clusters.gene));
      tissues = tTree.leaves; genes = gTree.leaves;
    } else {
      tissues = Array.from(new Set(rows.map((r) => r.tissueSiteDetailId))).sort();
      genes = Array.from(new Set(rows.map((r) => r.gencodeId)));
    }
    const tname = (t) => (page.tissues[t] ? page.tissues[t].name : t);
    const z = genes.map((g) => tissues.map((t) => { const v = value.get(g + "|" + t); return v === undefined ? null : (log ? Math.log10(v + 1) : v); }));
    const heat = { type: "heatmap", x: tissues.map((_, i) => i), y: genes.map((_, i) => i), z: z, colorscale: "YlGnBu", reversescale: true,
      customdata: genes.map((g) => tissues.map((t) => [sym.get(g) || g, tname(t), value.get(g + "|" + t), g])),
      hovertemplate: "<b>%{customdata[0]}</b> in %{customdata[1]}<br>median TPM %{customdata[2]:.2f}<extra></extra>",
      colorbar: { title: { text: log ? "log10(TPM+1)" : "TPM", side: "top" }, x: 0, xanchor: "left", y: 1, yanchor: "top", len: 0.16, thickness: 10, orientation: "h" },
      xaxis: "x", yaxis: "y" };
    const n = genes.length, m = tissues.length;
    const traces = [heat];
    const withTrees = Boolean(tTree);
    const xDom = withTrees ? [0.16, 1] : [0, 1], yDom = withTrees ? [0, 0.8] : [0, 1];
    if (withTrees) {
      traces.push(lines(tTree.segs, false, { xaxis: "x2", yaxis: "y2" }));
      traces.push(lines(gTree.segs, true, { xaxis: "x3", yaxis: "y3" }));
    }
    const lay = P.layout({
      height: Math.max(400, 200 + 22 * n), margin: { l: 20, r: 130, t: 30, b: 130 },
      xaxis: { domain: xDom, range: [-0.5, m - 0.5], tickvals: tissues.map((_, i) => i), ticktext: tissues.map(tname), tickangle: -45, title: { text: "Tissue" }, showgrid: false, zeroline: false },
      yaxis: { domain: yDom, range: [-0.5, n - 0.5], tickvals: genes.map((_, i) => i), ticktext: genes.map((g) => sym.get(g) || g), side: "right", showgrid: false, zeroline: false, automargin: true },
      xaxis2: { domain: xDom, range: [-0.5, m - 0.5], visible: false, anchor: "y2" },
      yaxis2: { domain: [0.82, 1], visible: false, anchor: "x2", range: [0, withTrees ? tTree.height * 1.02 : 1] },
      xaxis3: { domain: [0, 0.15], visible: false, anchor: "y3", range: [withTrees ? -gTree.height * 1.02 : -1, 0] },
      yaxis3: { domain: yDom, range: [-0.5, n - 0.5], visible: false, anchor: "x3" },
    });
    await window.Plotly.react(gd, traces, lay, P.config("expression_map"));
    gd.removeAllListeners && gd.removeAllListeners("plotly_click");
    gd.on("plotly_click", (ev) => {
      const pt = ev.points.find((p) => p.data.type === "heatmap");
      if (pt) window.location.href = "/gene/" + encodeURIComponent(genes[pt.y]);
    });
    P.setCsv(gd, ["gencodeId", "geneSymbol", "tissueSiteDetailId", "medianTPM"],
      genes.flatMap((g) => tissues.map((t) => [g, sym.get(g) || "", t, value.get(g + "|" + t)])), "median_expression_clustered.csv");
    gd.dataset.genes = String(n);
    gd.dataset.tissues = String(m);
    gd.dataset.dendrograms = withTrees ? "2" : "0";
    gd.dataset.geneOrder = genes.join(",");
    gd.dataset.rendered = "true";
    status.textContent = n + " genes × " + m + " tissues" + (withTrees ? ", clustered (average linkage, Euclidean distance on log10(TPM+1))." : " (clustering needs at least 2 genes and 2 tissues).");
  }
  document.querySelectorAll("input[name=map-scale]").forEach((el) => el.addEventListener("change", draw));
  draw();
})();
