/* genotex portal: shared plotly.js helpers (layout defaults, bubble heatmap). */
"use strict";
window.genotexPlots = (function () {
  const FONT = { family: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif', size: 13, color: "#1d2430" };

  function pageData() {
    const el = document.getElementById("page-data");
    return el ? JSON.parse(el.textContent) : {};
  }

  function config(filename) {
    return {
      responsive: true, displaylogo: false,
      modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
      toImageButtonOptions: { format: "svg", filename: filename },
    };
  }

  function layout(extra) {
    return Object.assign({
      font: FONT, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
      margin: { l: 70, r: 30, t: 50, b: 50 },
      hoverlabel: { font: { family: FONT.family } },
    }, extra);
  }

  function axis(title, extra) {
    return Object.assign({
      title: { text: title, standoff: 10 }, showline: true, linecolor: "#444", ticks: "outside",
      gridcolor: "#eceff3", zeroline: false, automargin: true,
    }, extra);
  }

  function negLog10(p) { return p > 0 ? -Math.log10(p) : 320; }

  /* Bubble heatmap: rows = tissues (alphabetical), columns = xKey values in xOrder;
     colour = NES (diverging, centred on 0), size = -log10 p. */
  function bubble(gd, rows, opts) {
    const tissues = opts.tissues;
    const tname = (id) => (tissues[id] ? tissues[id].name : id);
    const yOrder = Array.from(new Set(rows.map((r) => tname(r.tissueSiteDetailId)))).sort().reverse();
    const maxP = Math.max(...rows.map((r) => negLog10(r.pValue)), 1);
    const maxNes = Math.max(...rows.map((r) => Math.abs(r.nes)), 0.1);
    const trace = {
      type: "scatter", mode: "markers",
      x: rows.map((r) => opts.xLabel(r)), y: rows.map((r) => tname(r.tissueSiteDetailId)),
      customdata: rows.map((r) => [r.gencodeId, r.variantId, r.geneSymbol, r.snpId || "", r.pValue, negLog10(r.pValue)]),
      marker: {
        size: rows.map((r) => 8 + 30 * negLog10(r.pValue) / maxP), sizemode: "diameter",
        color: rows.map((r) => r.nes), colorscale: "RdBu", cmin: -maxNes, cmax: maxNes,
        line: { color: "#333", width: 0.6 },
        colorbar: { title: { text: "NES" }, thickness: 14, lenmode: "pixels", len: 160 },
      },
      hovertemplate: "<b>%{y}</b><br>%{customdata[2]} · %{customdata[1]} %{customdata[3]}<br>NES %{marker.color:.3f}<br>p %{customdata[4]:.2e} (−log10 p %{customdata[5]:.1f})<extra></extra>",
    };
    const height = Math.max(360, 50 + 42 * yOrder.length + 150);
    const lay = layout({
      title: { text: opts.title, x: 0, xanchor: "left", font: { size: 15 } },
      height: height, margin: { l: 70, r: 30, t: 50, b: 130 },
      xaxis: axis(opts.xTitle, { type: "category", categoryorder: "array", categoryarray: opts.xOrder, tickangle: -35 }),
      yaxis: axis("Tissue", { type: "category", categoryorder: "array", categoryarray: yOrder }),
      annotations: [{ text: "bubble size ∝ −log10 p (largest: " + maxP.toFixed(1) + ")", xref: "paper", yref: "paper",
        x: 1, y: 1.02, xanchor: "right", yanchor: "bottom", showarrow: false, font: { size: 11, color: "#5b6675" } }],
    });
    return window.Plotly.newPlot(gd, [trace], lay, config(opts.filename)).then(() => {
      if (opts.onClick) gd.on("plotly_click", (ev) => opts.onClick(ev.points[0].customdata));
      gd.dataset.rendered = "true";
    });
  }

  /* The data behind a plot, for its "Data (CSV)" button (data-plot-csv="<plot id>"). */
  function setCsv(gd, header, rows, filename) {
    gd.genotexCsv = { header: header, rows: rows, filename: filename };
  }

  document.addEventListener("click", (ev) => {
    const btn = ev.target.closest ? ev.target.closest("button[data-plot-csv]") : null;
    if (!btn) return;
    const gd = document.getElementById(btn.dataset.plotCsv);
    const csv = gd && gd.genotexCsv;
    if (!csv) return;
    const esc = window.genotex.csvEscape;
    const lines = [csv.header.map(esc).join(",")].concat(csv.rows.map((r) => r.map((v) => esc(v === null || v === undefined ? "" : v)).join(",")));
    window.genotex.downloadText(lines.join("\n") + "\n", csv.filename || btn.dataset.plotCsv + ".csv");
  });

  /* LocusZoom's r² bins: navy < 0.2 ≤ light blue < 0.4 ≤ green < 0.6 ≤ orange < 0.8 ≤ red. */
  const LD_BINS = [[0.8, "#d43f3a", "0.8–1"], [0.6, "#eea236", "0.6–0.8"], [0.4, "#5cb85c", "0.4–0.6"],
    [0.2, "#46b8da", "0.2–0.4"], [0, "#357ebd", "0–0.2"]];
  function ldBin(r2) {
    if (r2 === null || r2 === undefined || Number.isNaN(r2)) return ["#b8b8b8", "r² unknown"];
    for (const [lo, color, label] of LD_BINS) if (r2 >= lo) return [color, "r² " + label];
    return ["#357ebd", "r² 0–0.2"];
  }

  /* r² of every stored pair as a Map "a,b" (both orders) → r², from GTEx's ld rows. */
  function ldMap(rows) {
    const m = new Map();
    for (const [pair, r2] of rows) {
      const [a, b] = pair.split(",");
      m.set(a + "," + b, r2);
      m.set(b + "," + a, r2);
    }
    return m;
  }

  async function getJson(url, init) {
    const r = await fetch(url, init);
    if (!r.ok) {
      let detail = "";
      try { detail = (await r.json()).detail; } catch (e) { detail = ""; }
      throw new Error("HTTP " + r.status + (detail ? ": " + (typeof detail === "string" ? detail : JSON.stringify(detail)) : "") + " from " + url.split("?")[0]);
    }
    return r.json();
  }

  return { pageData, config, layout, axis, bubble, negLog10, FONT, setCsv, ldBin, ldMap, LD_BINS, getJson };
})();
