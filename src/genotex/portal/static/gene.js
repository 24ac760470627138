/* genotex portal: the gene page's expression violins (one per tissue) and eQTL bubble heatmap. */
"use strict";
(function () {
  const P = window.genotexPlots;
  const page = P.pageData();
  const gd = document.getElementById("violin");
  const status = document.getElementById("violin-status");
  const cache = {};

  async function load(subset) {
    if (!cache[subset]) {
      const url = page.expressionApi + "&itemsPerPage=10000" + (subset === "sex" ? "&attributeSubset=sex" : "");
      cache[subset] = fetch(url).then((r) => {
        if (!r.ok) throw new Error("HTTP " + r.status + " from " + url);
        return r.json();
      }).then((j) => j.data);
    }
    return cache[subset];
  }

  function median(values) {
    if (!values.length) return NaN;
    const s = Float64Array.from(values).sort();
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  function options() {
    const form = document.getElementById("expression");
    return {
      log: form.querySelector("input[name=scale]:checked").value === "log",
      subset: form.querySelector("input[name=subset]:checked").value,
      sort: form.querySelector("select[name=sort]").value,
      outliers: form.querySelector("input[name=outliers]").checked,
      tissues: new Set(Array.from(form.querySelectorAll("input[name=tissue]:checked")).map((c) => c.value)),
    };
  }

  function groups(records, opt) {
    const byTissue = new Map();
    for (const rec of records) {
      if (!opt.tissues.has(rec.tissueSiteDetailId)) continue;
      const g = byTissue.get(rec.tissueSiteDetailId) || { id: rec.tissueSiteDetailId, parts: {}, all: [] };
      const values = opt.log ? rec.data.map((v) => Math.log10(v + 1)) : rec.data;
      g.parts[rec.subsetGroup || "all"] = values;
      g.all = g.all.concat(values);
      byTissue.set(rec.tissueSiteDetailId, g);
    }
    const list = Array.from(byTissue.values());
    for (const g of list) {
      const t = page.tissues[g.id] || { name: g.id, color: "#888888" };
      g.name = t.name;
      g.color = t.color;
      g.median = median(g.all);
      g.label = t.name + " (" + g.all.length + ")";
    }
    const [key, dir] = opt.sort.split("-");
    list.sort((a, b) => (key === "name" ? a.name.localeCompare(b.name) : a.median - b.median) * (dir === "asc" ? 1 : -1));
    return list;
  }

  function violin(g, values, extra) {
    return Object.assign({
      type: "violin", x: values.map(() => g.label), y: values, name: g.name,
      fillcolor: g.color, opacity: 0.9, line: { color: "#3a3a3a", width: 1 },
      box: { visible: true, width: 0.12, fillcolor: "#ffffff", line: { color: "#3a3a3a", width: 1 } },
      meanline: { visible: false }, spanmode: "hard", scalemode: "width", width: 0.85,
      marker: { size: 3, color: g.color, opacity: 0.8, line: { width: 0 } },
      showlegend: false, hoveron: "violins+points",
    }, extra);
  }

  function traces(list, opt) {
    const pts = opt.outliers ? "outliers" : false;
    if (opt.subset !== "sex") return list.map((g) => violin(g, g.all, { points: pts }));
    const out = [];
    const shown = {};
    for (const g of list) {
      for (const [sex, side] of [["female", "negative"], ["male", "positive"]]) {
        const values = g.parts[sex] || [];
        if (!values.length) continue;
        const color = page.sexColors[sex];
        out.push(violin(g, values, {
          name: sex === "female" ? "Female" : "Male", legendgroup: sex, side: side, points: pts,
          fillcolor: color, marker: { size: 3, color: color, line: { width: 0 } },
          showlegend: !shown[sex], box: { visible: true, width: 0.1, fillcolor: "#ffffff", line: { color: "#3a3a3a", width: 1 } },
        }));
        shown[sex] = true;
      }
    }
    return out;
  }

  let drawing = Promise.resolve();
  async function draw() {
    const opt = options();
    let records;
    try {
      records = await load(opt.subset);
    } catch (err) {
      status.textContent = "Could not load expression: " + err.message;
      return;
    }
    const list = groups(records, opt);
    if (!list.length) {
      status.textContent = records.length ? "No tissue selected." : "No expression of this gene in this release.";
      window.Plotly.purge(gd);
      return;
    }
    const unit = opt.log ? "log10(TPM+1)" : "TPM";
    const lay = P.layout({
      title: { text: page.geneSymbol + " (" + page.gencodeId + ") expression by tissue", x: 0, xanchor: "left", font: { size: 15 } },
      height: window.innerWidth < 720 ? 440 : 520, violinmode: opt.subset === "sex" ? "overlay" : "group", violingap: 0.15,
      xaxis: P.axis("Tissue (number of samples)", { type: "category", tickangle: list.length > 6 ? -40 : 0, categoryorder: "array", categoryarray: list.map((g) => g.label) }),
      yaxis: P.axis("Gene expression (" + unit + ")", { rangemode: "tozero" }),
      showlegend: opt.subset === "sex", legend: { orientation: "h", x: 1, xanchor: "right", y: 1.08 },
    });
    await window.Plotly.react(gd, traces(list, opt), lay, P.config(page.geneSymbol + "_expression"));
    gd.dataset.scale = opt.log ? "log" : "linear";
    gd.dataset.subset = opt.subset;
    gd.dataset.traces = String(gd.data.length);
    gd.dataset.rendered = "true";
    status.textContent = list.length + " tissues; violins show the sample distribution (Gaussian kernel), the box its quartiles and median; tissue name (n samples).";
  }

  function redraw() { drawing = drawing.then(draw); return drawing; }

  document.querySelectorAll("#expression input, #expression select").forEach((el) => el.addEventListener("change", redraw));
  document.getElementById("violin-csv").addEventListener("click", async () => {
    const opt = options();
    const records = await load(opt.subset);
    const lines = ["gencodeId,geneSymbol,tissueSiteDetailId,subsetGroup,unit,value"];
    for (const rec of records) {
      for (const v of rec.data) {
        lines.push([rec.gencodeId, rec.geneSymbol, rec.tissueSiteDetailId, rec.subsetGroup || "", rec.unit, v].map(window.genotex.csvEscape).join(","));
      }
    }
    window.genotex.downloadText(lines.join("\n") + "\n", page.geneSymbol + "_expression" + (opt.subset === "sex" ? "_by_sex" : "") + ".csv");
  });

  /* tests and links may preset the options: #log, #sex */
  const hash = new Set(window.location.hash.replace("#", "").split(","));
  if (hash.has("log")) document.querySelector("#expression input[name=scale][value=log]").checked = true;
  if (hash.has("sex")) document.querySelector("#expression input[name=subset][value=sex]").checked = true;
  redraw();

  const bubbleDiv = document.getElementById("bubble");
  if (page.eqtlApi && bubbleDiv) {
    fetch(page.eqtlApi + "&itemsPerPage=1000").then((r) => r.json()).then((j) => {
      const rows = j.data;
      if (!rows.length) return;
      const order = Array.from(new Map(rows.map((r) => [r.variantId, r.pos])).entries()).sort((a, b) => a[1] - b[1]).map((e) => e[0]);
      return P.bubble(bubbleDiv, rows, {
        tissues: page.tissues, xLabel: (r) => r.variantId, xOrder: order, xTitle: "Variant (by position)",
        title: "eQTLs of " + page.geneSymbol + " by tissue", filename: page.geneSymbol + "_eqtl_bubbles",
        onClick: (d) => { window.location.href = "/variant/" + encodeURIComponent(d[1]); },
      });
    });
  }
})();
