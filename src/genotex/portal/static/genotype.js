/* genotex portal: normalized expression by genotype (0/1/2 ALT alleles), shared by the eQTL
   calculator and the eQTL dashboard. With per-sample data (controlled access: dyneqtl's `data`
   and `genotypes`) it draws one violin per genotype with its points; without, one box per
   genotype from dyneqtlSummary's quartiles (no individual values). */
"use strict";
window.genotexGenotype = (function () {
  const P = window.genotexPlots;
  const COLORS = ["#6baed6", "#74c476", "#fd8d3c"];

  function labels(ref, alt) {
    const short = (a) => (a.length > 4 ? a.slice(0, 3) + "…" : a);
    return [short(ref) + "/" + short(ref), short(ref) + "/" + short(alt), short(alt) + "/" + short(alt)];
  }

  function fmtP(p) { return p === null || p === undefined ? "NA" : p.toExponential(2); }
  function fmtN(x, d) { return x === null || x === undefined ? "NA" : x.toFixed(d); }

  /* Traces and CSV rows: violins from points, or boxes from quartiles. */
  function traces(stats, summary, names) {
    const out = [];
    const csv = [];
    if (stats.data && stats.data.length) {
      for (let g = 0; g < 3; g++) {
        const y = stats.data.filter((_, i) => stats.genotypes[i] === g);
        y.forEach((v) => csv.push([g, names[g], v]));
        if (!y.length) continue;
        const label = names[g] + " (" + y.length + ")";
        out.push({ type: "violin", name: label, x: y.map(() => label), y: y, fillcolor: COLORS[g], opacity: 0.85,
          line: { color: "#3a3a3a", width: 1 }, points: "all", pointpos: 0, jitter: 0.35, spanmode: "hard",
          marker: { size: 4, color: "#222", opacity: 0.6 }, box: { visible: true, width: 0.1, fillcolor: "#fff" },
          meanline: { visible: false }, showlegend: false, hoveron: "violins+points" });
      }
      return { traces: out, csv: csv, header: ["genotype", "label", "normalized_expression"], kind: "violin" };
    }
    for (const grp of summary.genotypeGroups) {
      const g = grp.genotype;
      csv.push([g, names[g], grp.count, grp.q1, grp.median, grp.q3]);
      if (!grp.count || grp.median === null) continue;
      const label = names[g] + " (" + grp.count + ")";
      out.push({ type: "box", name: label, x: [label], q1: [grp.q1], median: [grp.median], q3: [grp.q3],
        lowerfence: [grp.q1], upperfence: [grp.q3], fillcolor: COLORS[g], line: { color: "#3a3a3a", width: 1 },
        showlegend: false, hovertemplate: label + "<br>median %{median:.3f}<br>Q1 %{q1:.3f}, Q3 %{q3:.3f}<extra></extra>" });
    }
    return { traces: out, csv: csv, header: ["genotype", "label", "count", "q1", "median", "q3"], kind: "box" };
  }

  /* Draw one genotype plot into gd; returns the number of genotype classes drawn. */
  async function draw(gd, stats, summary, opts) {
    const names = labels(opts.ref, opts.alt);
    const t = traces(stats, summary || { genotypeGroups: [] }, names);
    const counts = [stats.homoRefCount, stats.hetCount, stats.homoAltCount];
    const order = names.map((n, g) => n + " (" + counts[g] + ")");
    const title = (opts.title ? opts.title + "<br>" : "") + "NES " + fmtN(stats.nes, 3) + ", p " + fmtP(stats.pValue);
    const lay = P.layout({
      title: { text: title, x: 0, xanchor: "left", font: { size: opts.compact ? 12 : 15 } },
      height: opts.compact ? 300 : 440, margin: opts.compact ? { l: 55, r: 10, t: 50, b: 45 } : { l: 70, r: 30, t: 60, b: 60 },
      xaxis: P.axis(opts.compact ? "" : "Genotype (number of samples)", { type: "category", categoryorder: "array", categoryarray: order }),
      yaxis: P.axis("Normalized expression", {}),
      annotations: t.traces.length ? [] : [{ text: "Too few samples per genotype<br>to show aggregates", xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false, font: { size: 12, color: "#5b6675" } }],
    });
    await window.Plotly.react(gd, t.traces, lay, P.config(opts.filename || "eqtl"));
    P.setCsv(gd, t.header, t.csv, (opts.filename || "eqtl") + ".csv");
    gd.dataset.kind = t.kind;
    gd.dataset.genotypes = String(t.traces.length);
    gd.dataset.rendered = "true";
    return t.traces.length;
  }

  return { draw, labels, fmtP, fmtN };
})();
