/* genotex portal: the variant page's eQTL bubble heatmap (tissues x genes). */
"use strict";
(async function () {
  const P = window.genotexPlots;
  const page = P.pageData();
  const gd = document.getElementById("bubble");
  if (!page.eqtlApi || !gd) return;
  const rows = (await (await fetch(page.eqtlApi + "&itemsPerPage=1000")).json()).data;
  if (!rows.length) return;
  const label = (r) => r.geneSymbol || r.gencodeId;
  const xOrder = Array.from(new Set(rows.map(label))).sort();
  await P.bubble(gd, rows, {
    tissues: page.tissues, xLabel: label, xOrder: xOrder, xTitle: "Gene",
    title: "eQTLs of " + page.variantId, filename: page.variantId + "_eqtls",
    onClick: (d) => { window.location.href = "/gene/" + encodeURIComponent(d[0]); },
  });
})();
