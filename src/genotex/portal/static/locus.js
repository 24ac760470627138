/* genotex portal: the gene page's LD triangle, regional association (LocusZoom-style) plot and
   METASOFT m-value plot. Data: /api/v2/dataset/ld, /api/genotex/v1/nominalPairs,
   /api/v2/reference/neighborGene, /api/v2/association/metasoft. */
"use strict";
(function () {
  const P = window.genotexPlots;
  const page = P.pageData();
  let ldRows = null;
  const loadLd = () => (ldRows = ldRows || (page.ldApi ? P.getJson(page.ldApi + "&itemsPerPage=100000").then((j) => j.data) : Promise.resolve([])));

  /* --- LD triangle beneath the bubble heatmap: one diamond per variant pair ---------------- */
  async function ldTriangle() {
    const gd = document.getElementById("ld-triangle");
    if (!gd || !page.eqtlApi) return;
    const [eq, rows] = await Promise.all([P.getJson(page.eqtlApi + "&itemsPerPage=1000"), loadLd()]);
    const order = Array.from(new Map(eq.data.map((r) => [r.variantId, r.pos])).entries()).sort((a, b) => a[1] - b[1]).map((e) => e[0]);
    const ld = P.ldMap(rows);
    const n = order.length;
    const x = [], y = [], c = [], text = [], csv = [];
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const r2 = ld.get(order[i] + "," + order[j]);
        if (r2 === undefined) continue;
        x.push((i + j) / 2); y.push(-(j - i) / 2); c.push(r2);
        text.push(order[i] + " – " + order[j] + "<br>r² " + r2.toFixed(3));
        csv.push([order[i], order[j], r2]);
      }
    }
    const width = gd.clientWidth || 800;
    const plotW = width - 100;
    const unit = plotW / Math.max(n, 1);
    const size = Math.max(4, Math.min(60, unit * 1.05));
    const height = Math.max(160, Math.min(700, 30 + unit * (n / 2 + 1)));
    const trace = { type: "scatter", mode: "markers", x: x, y: y, text: text, hovertemplate: "%{text}<extra></extra>",
      marker: { symbol: "diamond", size: size, color: c, cmin: 0, cmax: 1, colorscale: [[0, "#f7f7f7"], [0.5, "#fc9272"], [1, "#b2182b"]],
        line: { width: 0.5, color: "#fff" }, colorbar: { title: { text: "r²" }, thickness: 12, len: 0.9 } } };
    const lay = P.layout({
      height: height, margin: { l: 70, r: 30, t: 10, b: 10 },
      xaxis: { range: [-0.5, n - 0.5], visible: false, fixedrange: false },
      yaxis: { range: [-(n / 2) - 0.5, 0.5], visible: false },
      annotations: x.length ? [] : [{ text: "No stored r² between these variants", xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false }],
    });
    await window.Plotly.newPlot(gd, [trace], lay, P.config(page.geneSymbol + "_ld"));
    P.setCsv(gd, ["variant_1", "variant_2", "r2"], csv, page.geneSymbol + "_ld.csv");
    gd.dataset.pairs = String(x.length);
    gd.dataset.rendered = "true";
  }

  /* --- LocusZoom-style regional association plot ------------------------------------------ */
  let genesTrack = null;
  async function locus() {
    const gd = document.getElementById("locuszoom");
    const select = document.getElementById("locus-tissue");
    const status = document.getElementById("locuszoom-status");
    if (!gd || !page.nominalApi) return;
    const tissue = select.value;
    let pairs, rows, genes;
    try {
      genesTrack = genesTrack || P.getJson(page.genesApi + "&itemsPerPage=1000").then((j) => j.data);
      [pairs, rows, genes] = await Promise.all([
        P.getJson(page.nominalApi + "&tissueSiteDetailId=" + encodeURIComponent(tissue) + "&itemsPerPage=100000").then((j) => j.data),
        loadLd(), genesTrack]);
    } catch (err) { status.textContent = "Could not load the regional data: " + err.message; return; }
    if (!pairs.length) {
      window.Plotly.purge(gd);
      gd.dataset.rendered = "true"; gd.dataset.points = "0";
      status.textContent = "No tested variants of " + page.geneSymbol + " in this tissue.";
      return;
    }
    const lead = pairs.reduce((a, b) => (b.pValue < a.pValue ? b : a));
    const ld = P.ldMap(rows);
    const r2 = (v) => (v === lead.variantId ? 1 : ld.get(lead.variantId + "," + v));
    const groups = new Map();
    for (const p of pairs) {
      const [color, label] = p.variantId === lead.variantId ? ["#7b3294", "lead variant"] : P.ldBin(r2(p.variantId));
      if (!groups.has(label)) groups.set(label, { color: color, pts: [] });
      groups.get(label).pts.push(p);
    }
    const order = ["lead variant", ...P.LD_BINS.map((b) => "r² " + b[2]), "r² unknown"];
    const traces = order.filter((k) => groups.has(k)).map((k) => {
      const g = groups.get(k);
      return { type: "scatter", mode: "markers", name: k, x: g.pts.map((p) => p.pos), y: g.pts.map((p) => P.negLog10(p.pValue)),
        customdata: g.pts.map((p) => [p.variantId, p.snpId || "", p.pValue, p.nes, r2(p.variantId)]),
        marker: { color: g.color, size: k === "lead variant" ? 13 : 8, symbol: k === "lead variant" ? "diamond" : "circle", line: { color: "#333", width: 0.5 } },
        hovertemplate: "<b>%{customdata[0]}</b> %{customdata[1]}<br>p %{customdata[2]:.2e}, NES %{customdata[3]:.3f}<br>r² with lead %{customdata[4]:.2f}<extra></extra>", yaxis: "y" };
    });
    const xs = pairs.map((p) => p.pos).concat([page.start, page.end]);
    const lo = Math.min(...xs), hi = Math.max(...xs);
    const pad = Math.max(5000, (hi - lo) * 0.03);
    const shown = genes.filter((g) => g.end >= lo - pad && g.start <= hi + pad);
    const shapes = [], annotations = [];
    shown.forEach((g, i) => {
      const row = -(i % 3) - 0.5;
      const me = g.gencodeId === page.gencodeId;
      shapes.push({ type: "rect", xref: "x", yref: "y2", x0: g.start, x1: g.end, y0: row - 0.15, y1: row + 0.15, fillcolor: me ? "#1f5f8b" : "#777", line: { width: 0 } });
      annotations.push({ xref: "x", yref: "y2", x: (Math.max(g.start, lo - pad) + Math.min(g.end, hi + pad)) / 2, y: row + 0.2, yanchor: "bottom", showarrow: false,
        text: (g.strand === "-" ? "← " : "") + g.geneSymbol + (g.strand === "+" ? " →" : ""), font: { size: 11, color: me ? "#1f5f8b" : "#333" } });
    });
    traces.push({ type: "scatter", mode: "markers", x: shown.map((g) => (g.start + g.end) / 2), y: shown.map((g, i) => -(i % 3) - 0.5), yaxis: "y2",
      text: shown.map((g) => g.geneSymbol + " " + g.gencodeId + " (" + g.strand + ")"), hovertemplate: "%{text}<extra></extra>", marker: { size: 1, opacity: 0 }, showlegend: false });
    const tname = page.tissues[tissue] ? page.tissues[tissue].name : tissue;
    const lay = P.layout({
      title: { text: page.geneSymbol + " in " + tname + ": " + pairs.length + " tested variants", x: 0, xanchor: "left", font: { size: 15 } },
      height: 520, margin: { l: 70, r: 30, t: 50, b: 60 }, shapes: shapes, annotations: annotations,
      xaxis: P.axis("Position on " + page.chromosome + " (bp, GRCh38)", { range: [lo - pad, hi + pad], tickformat: ",d" }),
      yaxis: P.axis("−log10 p", { domain: [0.3, 1], rangemode: "tozero" }),
      yaxis2: { domain: [0, 0.22], range: [-3.2, 0.2], visible: false, fixedrange: true },
      legend: { orientation: "h", x: 1, xanchor: "right", y: 1.08, font: { size: 11 } },
    });
    await window.Plotly.react(gd, traces, lay, P.config(page.geneSymbol + "_" + tissue + "_regional"));
    P.setCsv(gd, ["variantId", "snpId", "pos", "pValue", "nes", "r2_with_lead"],
      pairs.map((p) => [p.variantId, p.snpId || "", p.pos, p.pValue, p.nes, r2(p.variantId) === undefined ? "" : r2(p.variantId)]),
      page.geneSymbol + "_" + tissue + "_nominal_pairs.csv");
    gd.dataset.points = String(pairs.length);
    gd.dataset.lead = lead.variantId;
    gd.dataset.tissue = tissue;
    gd.dataset.rendered = "true";
    status.textContent = "Lead variant " + lead.variantId + " (p " + lead.pValue.toExponential(2) + "); " + shown.length + " genes in view.";
  }

  /* --- METASOFT: m-value against single-tissue −log10 p, one point per tissue ------------- */
  let meta = null;
  async function metasoft() {
    const gd = document.getElementById("metasoft");
    if (!gd || !page.metasoftApi) return;
    meta = meta || P.getJson(page.metasoftApi + "&itemsPerPage=1000").then((j) => j.data);
    const rows = await meta;
    const vid = document.getElementById("metasoft-variant").value;
    const rec = rows.find((r) => r.variantId === vid) || rows[0];
    const ids = Object.keys(rec.tissues).sort();
    const name = (t) => (page.tissues[t] ? page.tissues[t].name : t);
    const trace = { type: "scatter", mode: "markers+text", x: ids.map((t) => rec.tissues[t].mValue), y: ids.map((t) => P.negLog10(rec.tissues[t].pValue)),
      text: ids.map(name), textposition: "top center", textfont: { size: 10 },
      customdata: ids.map((t) => [name(t), rec.tissues[t].nes, rec.tissues[t].se, rec.tissues[t].pValue]),
      marker: { size: 12, color: ids.map((t) => (page.tissues[t] ? page.tissues[t].color : "#888")), line: { color: "#333", width: 0.6 } },
      hovertemplate: "<b>%{customdata[0]}</b><br>m-value %{x:.2f}<br>NES %{customdata[1]:.3f} (SE %{customdata[2]:.3f})<br>p %{customdata[3]:.2e}<extra></extra>" };
    const lay = P.layout({
      title: { text: page.geneSymbol + " · " + rec.variantId + " (meta p " + rec.metaP.toExponential(1) + ")", x: 0, xanchor: "left", font: { size: 15 } },
      height: 380, shapes: [0.1, 0.9].map((v) => ({ type: "line", xref: "x", yref: "paper", x0: v, x1: v, y0: 0, y1: 1, line: { dash: "dot", color: "#999", width: 1 } })),
      xaxis: P.axis("m-value (posterior probability of an effect)", { range: [-0.05, 1.05] }),
      yaxis: P.axis("Single-tissue −log10 p", { rangemode: "tozero" }),
    });
    await window.Plotly.react(gd, [trace], lay, P.config(page.geneSymbol + "_metasoft"));
    P.setCsv(gd, ["variantId", "tissueSiteDetailId", "mValue", "nes", "se", "pValue"],
      ids.map((t) => [rec.variantId, t, rec.tissues[t].mValue, rec.tissues[t].nes, rec.tissues[t].se, rec.tissues[t].pValue]), page.geneSymbol + "_metasoft.csv");
    gd.dataset.rendered = "true";
  }

  const select = document.getElementById("locus-tissue");
  if (select) {
    const first = (page.locusTissues || [])[0];
    if (first) select.value = first;
    select.addEventListener("change", locus);
  }
  const mv = document.getElementById("metasoft-variant");
  if (mv) mv.addEventListener("change", metasoft);
  ldTriangle().catch((e) => console.warn(e));
  locus().catch((e) => console.warn(e));
  metasoft().catch((e) => console.warn(e));
})();
