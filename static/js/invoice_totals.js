// Live totals of a document's lines (invoice, credit note, delivery note) while the user types,
// worked out as the server does (invoices/money.py, invoices/vat.py) so the page never shows a
// total the saved document does not have:
//   a line's net = quantity x unit price, rounded half up to the cent;
//   a line's VAT = its exact net x rate, rounded half up (shown per line only);
//   the VAT of the document = per (category, rate) group, the sum of the lines' rounded nets
//   x rate, rounded half up; the total = net + that VAT.
// All sums are integers (BigInt cents and thousandths), never floats. Amounts are written as
// core/formatting.py writes them: "€ 2.518,30" in Dutch and French, "€2,518.30" in English.
// The server stays the authority: it recomputes everything on save.
// The catalogue (a json_script data island, id "catalogue-data") fills a line from a product.
"use strict";

(() => {
  const SYMBOLS = { EUR: "€", GBP: "£", USD: "$" };
  const NBSP = "\u00a0";
  const WHOLE = new Intl.NumberFormat("en-US", { useGrouping: true, maximumFractionDigits: 0 });

  const languageOf = (element) =>
    (element.closest("[lang]")?.getAttribute("lang") || document.documentElement.lang || "en").slice(0, 2).toLowerCase();

  // config/formats: English groups with commas; Dutch and French with points, decimals after a comma.
  const separatorsOf = (language) => (language === "en" ? { group: ",", decimal: "." } : { group: ".", decimal: "," });

  // A number as the server's form field reads it (localised: in Dutch and French the first comma is
  // the decimal point, a point works too), scaled to an integer of `places` decimals; null when
  // the server would refuse it as well (no number, or more decimals than the field keeps).
  function parseScaled(text, places, language) {
    let value = String(text ?? "").trim();
    if (language !== "en" && value.includes(",")) {
      const [whole, decimals] = [value.slice(0, value.indexOf(",")), value.slice(value.indexOf(",") + 1)];
      if (!/^[+-]?\d*$/.test(whole) || !/^\d*$/.test(decimals)) {
        return null;
      }
      value = `${whole}.${decimals}`;
    }
    const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value);
    if (!match || (match[2] === "" && (match[3] ?? "") === "")) {
      return null;
    }
    const decimals = (match[3] ?? "").replace(/0+$/, "");
    if (decimals.length > places) {
      return null;
    }
    const scaled = BigInt((match[2] || "0") + decimals.padEnd(places, "0"));
    return match[1] === "-" ? -scaled : scaled;
  }

  // n / d rounded half up (away from zero on a tie), as Decimal's ROUND_HALF_UP.
  function roundDiv(n, d) {
    if (n < 0n) {
      return -roundDiv(-n, d);
    }
    return (2n * n + d) / (2n * d);
  }

  function formatMoney(cents, currency, language) {
    const negative = cents < 0n;
    const absolute = negative ? -cents : cents;
    const { group, decimal } = separatorsOf(language);
    const whole = WHOLE.formatToParts(absolute / 100n)
      .map((part) => (part.type === "group" ? group : part.value))
      .join("");
    const digits = `${whole}${decimal}${String(absolute % 100n).padStart(2, "0")}`;
    const sign = negative ? "-" : "";
    const symbol = SYMBOLS[currency];
    if (!symbol) {
      return `${currency}${NBSP}${sign}${digits}`;
    }
    return language === "en" ? `${sign}${symbol}${digits}` : `${symbol}${NBSP}${sign}${digits}`;
  }

  // A rate in hundredths of a percent (2100n) as format_percent writes it: "21 %", "5,5 %".
  function formatPercent(hundredths, language) {
    const whole = hundredths / 100n;
    const fraction = String(hundredths % 100n).padStart(2, "0").replace(/0+$/, "");
    const number = fraction ? `${whole}${separatorsOf(language).decimal}${fraction}` : String(whole);
    return `${number}${NBSP}%`;
  }

  const field = (row, name) => row.querySelector(`[name$="-${name}"]`);

  // What a row contributes, or null when it is removed or not (yet) a line the server would take.
  function lineOf(row, language) {
    const removed = field(row, "DELETE");
    if (row.hidden || removed?.checked) {
      return null;
    }
    const quantity = parseScaled(field(row, "quantity")?.value, 3, language);
    const priceText = field(row, "unit_price")?.value ?? "";
    const price = priceText.trim() === "" ? 0n : parseScaled(priceText, 2, language);
    const rateSelect = field(row, "vat_rate");
    const rate = parseScaled(rateSelect?.value, 2, "en");
    if (quantity === null || quantity <= 0n || price === null || price < 0n || rate === null) {
      return null;
    }
    const categorySelect = field(row, "vat_category");
    const category = categorySelect?.value || (rate > 0n ? "S" : "Z");
    const exact = quantity * price; // in hundred-thousandths of the currency
    const net = roundDiv(exact, 1000n);
    const vat = roundDiv(exact * rate, 1000n * 10000n);
    const categoryLabel = categorySelect?.value ? categorySelect.selectedOptions[0]?.textContent.trim() : "";
    return { net, vat, rate, category, categoryLabel };
  }

  function vatGroups(lines) {
    const groups = new Map();
    for (const line of lines) {
      const key = `${line.category}|${line.rate}`;
      const group = groups.get(key) ?? { category: line.category, rate: line.rate, taxable: 0n, label: line.categoryLabel };
      group.taxable += line.net;
      groups.set(key, group);
    }
    const sorted = [...groups.values()].sort((a, b) =>
      a.rate === b.rate ? (a.category < b.category ? -1 : a.category > b.category ? 1 : 0) : a.rate > b.rate ? -1 : 1,
    );
    for (const group of sorted) {
      group.vat = roundDiv(group.taxable * group.rate, 10000n);
    }
    return sorted;
  }

  function setUpTotals(table) {
    const prefix = table.dataset.formset;
    const panel = document.querySelector(`[data-document-totals="${prefix}"]`);
    if (!panel) {
      return;
    }
    const form = table.closest("form");
    const currencySelect = form?.querySelector('select[name="currency"]');
    const language = languageOf(panel);
    const grossLabel = panel.querySelector("[data-total-gross-label]");

    function recompute() {
      const currency = currencySelect?.value || panel.dataset.currency || "EUR";
      const money = (cents) => formatMoney(cents, currency, language);
      const lines = [];
      for (const row of table.querySelectorAll("[data-formset-body] [data-formset-row]")) {
        const line = lineOf(row, language);
        const show = (name, cents) => {
          const cell = row.querySelector(`[data-line-${name}]`);
          if (cell) {
            cell.textContent = cents === null ? "—" : money(cents);
          }
        };
        show("net", line ? line.net : null);
        show("vat", line ? line.vat : null);
        show("gross", line ? line.net + line.vat : null);
        if (line) {
          lines.push(line);
        }
      }
      const groups = vatGroups(lines);
      const net = lines.reduce((sum, line) => sum + line.net, 0n);
      const vat = groups.reduce((sum, group) => sum + group.vat, 0n);
      panel.querySelector("[data-total-net]").textContent = money(net);
      panel.querySelector("[data-total-gross]").textContent = money(net + vat);
      for (const old of panel.querySelectorAll("[data-vat-group]")) {
        old.remove();
      }
      for (const group of groups) {
        const term = document.createElement("dt");
        const label = `${panel.dataset.vatLabel} ${formatPercent(group.rate, language)}`;
        term.textContent = group.category === "S" ? label : `${label} · ${group.label || group.category}`;
        const amount = document.createElement("dd");
        amount.className = "number";
        amount.textContent = money(group.vat);
        term.dataset.vatGroup = `${group.category}|${group.rate}`;
        amount.dataset.vatGroup = term.dataset.vatGroup;
        amount.dataset.vatAmount = "";
        grossLabel.before(term, amount);
      }
    }

    table.addEventListener("input", recompute);
    table.addEventListener("change", recompute);
    table.addEventListener("formset:added", recompute);
    currencySelect?.addEventListener("change", recompute);
    setUpCatalogue(table, language, recompute);
    panel.hidden = false;
    recompute();
  }

  function setUpCatalogue(table, language, recompute) {
    const island = document.getElementById("catalogue-data");
    if (!island) {
      return;
    }
    const products = new Map(JSON.parse(island.textContent).map((product) => [String(product.id), product]));
    table.addEventListener("change", (event) => {
      const pick = event.target.closest("[data-product-pick]");
      const product = pick && products.get(pick.value);
      if (!product) {
        return;
      }
      const row = pick.closest("[data-formset-row]");
      field(row, "description").value = product.description;
      field(row, "unit_price").value = product.unit_price.replace(".", separatorsOf(language).decimal);
      const quantity = field(row, "quantity");
      if (!quantity.value.trim()) {
        quantity.value = "1";
      }
      const rate = field(row, "vat_rate");
      if ([...rate.options].some((option) => option.value === product.vat_rate)) {
        rate.value = product.vat_rate;
      }
      const category = field(row, "vat_category");
      if (category) {
        category.value = ["S", "Z"].includes(product.vat_category) ? "" : product.vat_category;
      }
      recompute();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const table of document.querySelectorAll("table[data-line-totals]")) {
      setUpTotals(table);
    }
  });
})();
