/* genotex portal: the tissue page's samples by age bracket and sex. */
"use strict";
(function () {
  const P = window.genotexPlots;
  const page = P.pageData();
  const gd = document.getElementById("age-sex");
  if (!gd) return;
  const brackets = Array.from(new Set(page.breakdown.map((b) => b.ageBracket))).sort();
  const traces = ["female", "male"].map((sex) => ({
    type: "bar", name: sex === "female" ? "Female" : "Male", x: brackets,
    y: brackets.map((a) => page.breakdown.filter((b) => b.ageBracket === a && b.sex === sex).reduce((s, b) => s + b.sampleCount, 0)),
    marker: { color: page.sexColors[sex], line: { color: "#3a3a3a", width: 0.6 } },
    hovertemplate: "%{x}, " + sex + ": %{y} samples<extra></extra>",
  }));
  const lay = P.layout({
    title: { text: page.name + ": RNA-seq samples by donor age and sex", x: 0, xanchor: "left", font: { size: 15 } },
    barmode: "group", margin: { l: 70, r: 30, t: 50, b: 60 }, height: 340,
    xaxis: P.axis("Donor age bracket (years)", { type: "category" }),
    yaxis: P.axis("Samples", { rangemode: "tozero" }),
    legend: { orientation: "h", x: 1, xanchor: "right", y: 1.1 },
  });
  window.Plotly.newPlot(gd, traces, lay, P.config(page.name.replace(/\W+/g, "_") + "_samples")).then(() => { gd.dataset.rendered = "true"; });
})();

/* the tissue page's expression PCA (expressionPca), coloured by the donors' sex or age bracket
   (dataset/sample). */
(function () {
  const P = window.genotexPlots;
  const page = P.pageData();
  const gd = document.getElementById("pca-plot");
  const status = document.getElementById("pca-status");
  if (!gd || !page.pcaApi) return;
  const AGE = ["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"];
  const data = Promise.all([
    P.getJson(page.pcaApi + "&itemsPerPage=100000").then((j) => j.data),
    P.getJson(page.samplesApi + "&itemsPerPage=100000").then((j) => j.data),
  ]);
  async function draw() {
    let pcs, samples;
    try { [pcs, samples] = await data; } catch (err) { status.textContent = "Could not load the PCA: " + err.message; return; }
    const by = document.querySelector("input[name=pca-color]:checked").value;
    const [ax, ay] = document.querySelector("input[name=pca-axes]:checked").value.split(",");
    const info = new Map(samples.map((s) => [s.sampleId, s]));
    const rows = pcs.map((p) => Object.assign({}, p, { sex: (info.get(p.sampleId) || {}).sex || "unknown", ageBracket: (info.get(p.sampleId) || {}).ageBracket || "unknown" }));
    const levels = Array.from(new Set(rows.map((r) => r[by]))).sort();
    const color = (lv, i) => (by === "sex" ? (page.sexColors[lv] || "#999") : AGE[Math.min(i, AGE.length - 1)]);
    const traces = levels.map((lv, i) => {
      const pts = rows.filter((r) => r[by] === lv);
      return { type: "scatter", mode: "markers", name: lv + " (" + pts.length + ")", x: pts.map((r) => r[ax]), y: pts.map((r) => r[ay]),
        text: pts.map((r) => r.sampleId + "<br>" + r.sex + ", " + r.ageBracket), hovertemplate: "%{text}<br>" + ax.toUpperCase() + " %{x:.3f}, " + ay.toUpperCase() + " %{y:.3f}<extra></extra>",
        marker: { size: 9, color: color(lv, i), line: { color: "#333", width: 0.6 } } };
    });
    const lay = P.layout({
      title: { text: page.name + ": expression PCA (" + rows.length + " samples)", x: 0, xanchor: "left", font: { size: 15 } },
      height: 420, xaxis: P.axis(ax.toUpperCase(), {}), yaxis: P.axis(ay.toUpperCase(), {}),
      legend: { title: { text: by === "sex" ? "Sex" : "Age bracket" } },
    });
    await window.Plotly.react(gd, traces, lay, P.config(page.name.replace(/\W+/g, "_") + "_pca"));
    P.setCsv(gd, ["sampleId", "pc1", "pc2", "pc3", "sex", "ageBracket"], rows.map((r) => [r.sampleId, r.pc1, r.pc2, r.pc3, r.sex, r.ageBracket]), page.tissueId + "_expression_pca.csv");
    gd.dataset.points = String(rows.length);
    gd.dataset.color = by;
    gd.dataset.rendered = "true";
    status.textContent = rows.length + " samples; the API's PCs of log10(TPM+1) within the tissue.";
  }
  document.querySelectorAll("input[name=pca-color], input[name=pca-axes]").forEach((el) => el.addEventListener("change", draw));
  draw();
})();
