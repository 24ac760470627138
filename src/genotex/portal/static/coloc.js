/* genotex portal: colocalization results: PP.H4 heatmap (tissue x gene) and a LocusCompare
   scatter (GWAS -log10 p vs eQTL -log10 p, coloured by r2 with the GWAS lead from dataset/ld). */
"use strict";
(function () {
  const P = window.genotexPlots;
  const page = P.pageData();
  const rows = page.results || [];
  const tname = (t) => (page.tissues[t] ? page.tissues[t].name : t);

  document.getElementById("coloc-json").addEventListener("click", () =>
    window.genotex.downloadText(JSON.stringify({ region: page.region, leadVariantId: page.leadVariantId, results: rows, harmonization: page.harmonization }, null, 1), "coloc_results.json", "application/json"));

  async function heatmap() {
    const gd = document.getElementById("pp-heatmap");
    const tissues = Array.from(new Set(rows.map((r) => r.tissueSiteDetailId))).sort();
    const genes = Array.from(new Set(rows.map((r) => r.geneSymbol || r.gencodeId))).sort();
    const at = new Map(rows.map((r) => [r.tissueSiteDetailId + "|" + (r.geneSymbol || r.gencodeId), r]));
    const z = tissues.map((t) => genes.map((g) => (at.has(t + "|" + g) ? at.get(t + "|" + g).ppH4 : null)));
    const trace = { type: "heatmap", x: genes, y: tissues.map(tname), z: z, zmin: 0, zmax: 1, colorscale: [[0, "#f7fbff"], [0.5, "#6baed6"], [0.8, "#2171b5"], [1, "#08306b"]],
      colorbar: { title: { text: "PP.H4" }, thickness: 12 }, xgap: 2, ygap: 2,
      hovertemplate: "%{y} · %{x}<br>PP.H4 %{z:.3f}<extra></extra>" };
    const lay = P.layout({ height: Math.max(260, 120 + 34 * tissues.length), margin: { l: 70, r: 30, t: 40, b: 90 },
      title: { text: "Posterior probability of a shared causal variant (PP.H4)", x: 0, xanchor: "left", font: { size: 15 } },
      xaxis: P.axis("Gene", { type: "category" }), yaxis: P.axis("Tissue", { type: "category" }) });
    await window.Plotly.newPlot(gd, [trace], lay, P.config("coloc_pp_h4"));
    P.setCsv(gd, ["tissueSiteDetailId", "gencodeId", "geneSymbol", "nsnps", "N", "PP.H0", "PP.H1", "PP.H2", "PP.H3", "PP.H4"],
      rows.map((r) => [r.tissueSiteDetailId, r.gencodeId, r.geneSymbol, r.nsnps, r.N, r.ppH0, r.ppH1, r.ppH2, r.ppH3, r.ppH4]), "coloc_pp.csv");
    gd.dataset.cells = String(rows.length);
    gd.dataset.rendered = "true";
  }

  const ldCache = {};
  async function locuscompare() {
    const gd = document.getElementById("locuscompare");
    const key = document.getElementById("lc-pair").value;
    const snps = page.snps[key] || [];
    const [tissue, gene] = key.split("|");
    const r = rows.find((x) => x.key === key);
    let ld = new Map();
    if (page.ldApis && page.ldApis[key]) {
      try {
        ldCache[gene] = ldCache[gene] || P.getJson(page.ldApis[key] + "&itemsPerPage=100000").then((j) => P.ldMap(j.data));
        ld = await ldCache[gene];
      } catch (e) { ld = new Map(); }
    }
    const lead = page.leadVariantId;
    const r2 = (v) => (v === lead ? 1 : ld.get(lead + "," + v));
    const groups = new Map();
    for (const s of snps) {
      const [color, label] = s[0] === lead ? ["#7b3294", "GWAS lead"] : P.ldBin(r2(s[0]));
      if (!groups.has(label)) groups.set(label, { color: color, pts: [] });
      groups.get(label).pts.push(s);
    }
    const order = ["GWAS lead", ...P.LD_BINS.map((b) => "r² " + b[2]), "r² unknown"];
    const traces = order.filter((k) => groups.has(k)).map((k) => ({ type: "scatter", mode: "markers", name: k,
      x: groups.get(k).pts.map((s) => s[3]), y: groups.get(k).pts.map((s) => s[2]), text: groups.get(k).pts.map((s) => s[0] + " (" + s[1].toLocaleString() + ")"),
      marker: { color: groups.get(k).color, size: k === "GWAS lead" ? 13 : 8, symbol: k === "GWAS lead" ? "diamond" : "circle", line: { color: "#333", width: 0.5 } },
      hovertemplate: "%{text}<br>eQTL −log10 p %{x:.2f}<br>GWAS −log10 p %{y:.2f}<extra></extra>" }));
    const lay = P.layout({ height: 460,
      title: { text: "LocusCompare: " + (r ? (r.geneSymbol || gene) : gene) + " in " + tname(tissue) + (r ? " (PP.H4 " + r.ppH4.toFixed(3) + ")" : ""), x: 0, xanchor: "left", font: { size: 15 } },
      xaxis: P.axis("eQTL −log10 p (" + tname(tissue) + ")", { rangemode: "tozero" }), yaxis: P.axis("GWAS −log10 p", { rangemode: "tozero" }),
      legend: { orientation: "h", x: 1, xanchor: "right", y: 1.08, font: { size: 11 } } });
    await window.Plotly.react(gd, traces, lay, P.config("locuscompare_" + gene + "_" + tissue));
    P.setCsv(gd, ["variantId", "pos", "gwas_neg_log10_p", "eqtl_neg_log10_p", "r2_with_gwas_lead"], snps.map((s) => [s[0], s[1], s[2], s[3], r2(s[0]) === undefined ? "" : r2(s[0])]), "locuscompare_" + gene + "_" + tissue + ".csv");
    gd.dataset.points = String(snps.length);
    gd.dataset.rendered = "true";
  }

  heatmap();
  document.getElementById("lc-pair").addEventListener("change", locuscompare);
  locuscompare();
})();
