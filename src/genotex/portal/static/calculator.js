/* genotex portal: the variant page's eQTL calculator (dyneqtl GET; dyneqtlSummary without a
   token). The token goes only to this server as an Authorization: Bearer header. */
"use strict";
(function () {
  const P = window.genotexPlots;
  const G = window.genotexGenotype;
  const page = P.pageData();
  const form = document.getElementById("calc-form");
  if (!form) return;
  const gd = document.getElementById("calc-plot");
  const status = document.getElementById("calc-status");
  const body = document.querySelector("#calc-groups tbody");

  function row(cells) {
    const tr = document.createElement("tr");
    cells.forEach((c, i) => {
      const td = document.createElement("td");
      td.textContent = c;
      if (i > 0) td.className = "num";
      tr.append(td);
    });
    return tr;
  }

  async function run(ev) {
    if (ev) ev.preventDefault();
    const gene = document.getElementById("calc-gene").value;
    const tissue = document.getElementById("calc-tissue").value;
    const token = document.getElementById("calc-token").value.trim();
    const q = new URLSearchParams({ gencodeId: gene, variantId: page.variantId, tissueSiteDetailId: tissue });
    status.textContent = "Calculating…";
    gd.dataset.rendered = "false";
    try {
      const headers = token ? { Authorization: "Bearer " + token } : {};
      const stats = await P.getJson("/api/v2/association/dyneqtl?" + q, { headers: headers });
      const points = stats.data && stats.data.length > 0;
      const summary = points ? null : await P.getJson("/api/genotex/v1/dyneqtlSummary?" + q);
      const tname = page.tissues[tissue] ? page.tissues[tissue].name : tissue;
      await G.draw(gd, stats, summary, { ref: page.ref, alt: page.alt, filename: stats.geneSymbol + "_" + page.variantId + "_" + tissue,
        title: stats.geneSymbol + " · " + page.variantId + " · " + tname });
      const names = G.labels(page.ref, page.alt);
      const groups = summary ? summary.genotypeGroups : [0, 1, 2].map((g) => {
        const y = stats.data.filter((_, i) => stats.genotypes[i] === g).sort((a, b) => a - b);
        const qt = (f) => (y.length ? y[Math.min(y.length - 1, Math.floor(f * (y.length - 1) + 0.5))] : null);
        return { genotype: g, count: y.length, q1: qt(0.25), median: qt(0.5), q3: qt(0.75) };
      });
      body.replaceChildren(...groups.map((g) => row([names[g.genotype], String(g.count), G.fmtN(g.median, 3), G.fmtN(g.q1, 3), G.fmtN(g.q3, 3)])));
      status.textContent = (points ? "Per-sample data (controlled access): " + stats.data.length + " samples. "
        : "Aggregates only (no token): counts and quartiles per genotype. ")
        + "NES " + G.fmtN(stats.nes, 3) + " ± " + G.fmtN(stats.error, 3) + ", t " + G.fmtN(stats.tStatistic, 2) + ", p " + G.fmtP(stats.pValue)
        + (stats.pValueThreshold !== null && stats.pValueThreshold !== undefined ? " (gene's threshold " + G.fmtP(stats.pValueThreshold) + ")" : "") + ", MAF " + G.fmtN(stats.maf, 3) + ".";
      gd.dataset.access = points ? "controlled" : "open";
    } catch (err) {
      window.Plotly.purge(gd);
      body.replaceChildren();
      status.textContent = "Could not calculate: " + err.message;
      gd.dataset.rendered = "error";
    }
  }

  form.addEventListener("submit", run);
  document.getElementById("calc-gene").addEventListener("change", run);
  document.getElementById("calc-tissue").addEventListener("change", run);
  if (page.calculator) run(); else status.textContent = "Choose a gene and a tissue, then Calculate (per-sample inputs are stored for each gene's lead variants only).";
})();
