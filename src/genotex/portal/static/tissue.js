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
