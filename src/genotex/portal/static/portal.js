/* genotex portal: search suggestions, sortable tables, table CSV downloads, plot downloads. */
"use strict";
(function () {
  const GENE_LIKE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
  const NOT_GENE = /^(rs\d+|(chr)?[0-9XYM]{1,2}[_:].*)$/i;

  function debounce(fn, ms) {
    let t = null;
    return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
  }

  function setupSuggest(input) {
    const list = document.getElementById(input.getAttribute("aria-controls"));
    let items = [];
    let active = -1;
    let seq = 0;
    const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; };
    const highlight = (i) => {
      active = i;
      Array.from(list.children).forEach((li, j) => li.setAttribute("aria-selected", String(j === i)));
    };
    const go = (gene) => { window.location.href = "/gene/" + encodeURIComponent(gene.gencodeId); };
    const show = (genes) => {
      items = genes;
      list.replaceChildren(...genes.map((g, i) => {
        const li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = list.id + "-" + i;
        const name = document.createElement("span");
        name.textContent = g.geneSymbol;
        const id = document.createElement("small");
        id.textContent = g.gencodeId + " · " + g.chromosome;
        li.append(name, id);
        li.addEventListener("mousedown", (ev) => { ev.preventDefault(); go(g); });
        return li;
      }));
      list.hidden = genes.length === 0;
      input.setAttribute("aria-expanded", String(genes.length > 0));
      active = -1;
    };
    const fetchSuggestions = debounce(async () => {
      const q = input.value.trim();
      if (q.length < 2 || !GENE_LIKE.test(q) || NOT_GENE.test(q)) { close(); return; }
      const mine = ++seq;
      const url = "/api/v2/reference/geneSearch?" + new URLSearchParams({ geneId: q, itemsPerPage: "10" });
      try {
        const resp = await fetch(url);
        if (!resp.ok || mine !== seq) return;
        show((await resp.json()).data);
      } catch (err) { close(); }
    }, 120);
    input.addEventListener("input", fetchSuggestions);
    input.addEventListener("blur", () => setTimeout(close, 100));
    input.addEventListener("keydown", (ev) => {
      if (list.hidden || !items.length) return;
      if (ev.key === "ArrowDown") { ev.preventDefault(); highlight((active + 1) % items.length); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight((active - 1 + items.length) % items.length); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); go(items[active]); }
      else if (ev.key === "Escape") { close(); }
      if (active >= 0) input.setAttribute("aria-activedescendant", list.id + "-" + active);
    });
  }

  function cellValue(td) {
    const raw = td.dataset.sort !== undefined ? td.dataset.sort : td.textContent.trim();
    const num = Number(raw.replace(/,/g, ""));
    return raw !== "" && !Number.isNaN(num) ? num : raw.toLowerCase();
  }

  function setupSortable(table) {
    const heads = Array.from(table.tHead.rows[0].cells);
    heads.forEach((th, col) => {
      const btn = document.createElement("button");
      btn.type = "button";
      btn.className = "sort";
      btn.textContent = th.textContent;
      btn.title = "Sort by " + th.textContent;
      th.replaceChildren(btn);
      btn.addEventListener("click", () => {
        const asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach((h) => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        rows.sort((a, b) => {
          const x = cellValue(a.cells[col]);
          const y = cellValue(b.cells[col]);
          const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
          return asc ? c : -c;
        });
        body.append(...rows);
      });
    });
  }

  function csvEscape(v) {
    const s = String(v);
    return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function downloadText(text, filename, type) {
    const url = URL.createObjectURL(new Blob([text], { type: type || "text/csv" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  function tableCsv(table) {
    return Array.from(table.rows).map((r) => Array.from(r.cells).map((c) => csvEscape(c.textContent.trim())).join(",")).join("\n") + "\n";
  }

  window.genotex = { downloadText, csvEscape };

  document.querySelectorAll("input[data-suggest]").forEach(setupSuggest);
  document.querySelectorAll("table.sortable").forEach(setupSortable);
  document.querySelectorAll("button[data-csv-table]").forEach((btn) => {
    btn.addEventListener("click", () => {
      const table = document.getElementById(btn.dataset.csvTable);
      downloadText(tableCsv(table), btn.dataset.csvName || "table.csv");
    });
  });
  document.querySelectorAll("button[data-plot-download]").forEach((btn) => {
    btn.addEventListener("click", () => {
      const gd = document.getElementById(btn.dataset.plotDownload);
      if (!window.Plotly || !gd || !gd.data) return;
      const name = (document.title.split(" · ")[0] + "_" + btn.dataset.plotDownload).replace(/[^A-Za-z0-9._-]+/g, "_");
      window.Plotly.downloadImage(gd, { format: btn.dataset.format, filename: name,
        width: gd.offsetWidth, height: gd.offsetHeight, scale: btn.dataset.format === "png" ? 2 : 1 });
    });
  });
})();
