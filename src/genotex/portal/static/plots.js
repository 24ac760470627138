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

  return { pageData, config, layout, axis, bubble, negLog10, FONT };
})();
