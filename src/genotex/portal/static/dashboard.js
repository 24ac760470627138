/* genotex portal: the eQTL dashboard: POST /api/v2/association/dyneqtl for every pair x tissue,
   then a genotype plot each (dyneqtl GET with a token, dyneqtlSummary without). */
"use strict";
(async function () {
  const P = window.genotexPlots;
  const G = window.genotexGenotype;
  const page = P.pageData();
  const status = document.getElementById("dash-status");
  const grid = document.getElementById("dash-grid");
  const tbody = document.querySelector("#dash-table tbody");
  const token = (document.getElementById("dash-token").value || sessionStorage.getItem("genotex-token") || "").trim();
  document.getElementById("dash-form").addEventListener("submit", () => {
    const t = document.getElementById("dash-token").value.trim();
    if (t) sessionStorage.setItem("genotex-token", t); else sessionStorage.removeItem("genotex-token");
  });
  document.getElementById("dash-body").addEventListener("click", () => window.genotex.downloadText(JSON.stringify(page.items, null, 1), "dyneqtl_body.json", "application/json"));
  const pair = new Map(page.pairs.map((p) => [p.gencodeId + "|" + p.variantId, p]));
  const tname = (t) => (page.tissues[t] ? page.tissues[t].name : t);

  function cells(values) {
    const tr = document.createElement("tr");
    values.forEach(([v, num]) => { const td = document.createElement("td"); td.textContent = v; if (num) td.className = "num"; tr.append(td); });
    return tr;
  }

  let bulk;
  try {
    bulk = await P.getJson("/api/v2/association/dyneqtl", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(page.items) });
  } catch (err) { status.textContent = "Could not test the pairs: " + err.message; return; }
  for (const d of bulk.data) {
    tbody.append(cells([[d.geneSymbol], [d.variantId + (d.snpId ? " (" + d.snpId + ")" : "")], [tname(d.tissueSiteDetailId)],
      [G.fmtN(d.nes, 3), true], [G.fmtP(d.pValue), true], [G.fmtN(d.tStatistic, 2), true], [""]]));
  }
  for (const e of bulk.errors) {
    const p = pair.get(e.gencodeId + "|" + e.variantId);
    tbody.append(cells([[p ? p.geneSymbol : e.gencodeId], [e.variantId], [tname(e.tissueSiteDetailId)], ["", true], ["", true], ["", true], [e.errorMessage]]));
  }
  const headers = token ? { Authorization: "Bearer " + token } : {};
  let drawn = 0;
  for (const d of bulk.data) {
    const p = pair.get(d.gencodeId + "|" + d.variantId) || { ref: "REF", alt: "ALT", geneSymbol: d.geneSymbol };
    const cell = document.createElement("figure");
    cell.className = "cell";
    const div = document.createElement("div");
    div.className = "plot small";
    div.setAttribute("role", "img");
    div.setAttribute("aria-label", "Expression of " + d.geneSymbol + " by genotype of " + d.variantId + " in " + tname(d.tissueSiteDetailId));
    const cap = document.createElement("figcaption");
    const a = document.createElement("a");
    a.href = "/variant/" + encodeURIComponent(d.variantId);
    a.textContent = "open in the eQTL calculator";
    cap.append(a);
    cell.append(div, cap);
    cell.style.borderTop = "4px solid " + (page.tissues[d.tissueSiteDetailId] ? page.tissues[d.tissueSiteDetailId].color : "#888");
    grid.append(cell);
    const q = new URLSearchParams({ gencodeId: d.gencodeId, variantId: d.variantId, tissueSiteDetailId: d.tissueSiteDetailId });
    try {
      const stats = await P.getJson("/api/v2/association/dyneqtl?" + q, { headers: headers });
      const summary = stats.data && stats.data.length ? null : await P.getJson("/api/genotex/v1/dyneqtlSummary?" + q);
      await G.draw(div, stats, summary, { ref: p.ref, alt: p.alt, compact: true, title: d.geneSymbol + " · " + (d.snpId || d.variantId) + " · " + tname(d.tissueSiteDetailId),
        filename: d.geneSymbol + "_" + d.variantId + "_" + d.tissueSiteDetailId });
      drawn += 1;
    } catch (err) { div.textContent = "Could not draw: " + err.message; }
  }
  grid.dataset.plots = String(drawn);
  grid.dataset.rendered = "true";
  status.textContent = bulk.data.length + " pairs tested, " + bulk.errors.length + " could not be; " + (token ? "per-sample points (controlled access)." : "aggregates per genotype (no token).");
})();
