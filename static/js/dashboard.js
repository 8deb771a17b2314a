// Fills the dashboard's chart sections: each chart's JSON (built on the server) is handed to
// plotly.js, then the section's table of the same data (HTML rendered on the server) is shown.
// One section after the other within a chart, so the server computes the data once; the
// sections load side by side, so the page never waits for its slowest chart. A chart with
// nothing to draw shows the server's message instead of an empty grid.
"use strict";

const registeredLocales = new Set();

function useLocale(locale) {
  // The page's language for plotly's dates and numbers (month names, separators), sent with
  // every chart by the server; registered once.
  if (!locale || !locale.name) {
    return undefined;
  }
  if (!registeredLocales.has(locale.name)) {
    Plotly.register({ moduleType: "locale", name: locale.name, dictionary: {}, format: locale.format });
    registeredLocales.add(locale.name);
  }
  return locale.name;
}

function showEmpty(element, message) {
  element.textContent = "";
  const text = document.createElement("p");
  text.className = "chart-empty-text muted";
  text.textContent = message;
  element.append(text);
  element.classList.add("chart-empty");
  element.removeAttribute("role");
}

async function fetchOk(url, accept) {
  // A redirect means the session ended (to the sign-in page): never show that page in a section.
  const response = await fetch(url, { headers: { Accept: accept }, credentials: "same-origin", redirect: "error" });
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}`);
  }
  return response;
}

function showFailure(element, flag) {
  // The words come from the page, in its language (data-failed-text).
  element.dataset[flag] = "failed";
  element.textContent = element.dataset.failedText || "—";
  element.classList.add("chart-failed");
}

async function drawChart(element) {
  try {
    const body = await (await fetchOk(element.dataset.chartUrl, "application/json")).json();
    if (body.empty) {
      showEmpty(element, body.empty);
      element.dataset.drawn = "empty";
      return;
    }
    const layout = body.figure.layout;
    if ("compact" in element.dataset) {
      // The card's heading names the chart: no title inside it, and the least chrome.
      delete layout.title;
      layout.margin = { ...layout.margin, t: 8 };
      for (const key of Object.keys(layout).filter((name) => name.startsWith("xaxis"))) {
        layout[key] = { ...layout[key], nticks: 4, tickangle: 0 };
      }
    }
    await Plotly.newPlot(element, body.figure.data, layout, {
      responsive: true,
      displaylogo: false,
      displayModeBar: "compact" in element.dataset ? false : "hover",
      modeBarButtonsToRemove: ["toImage", "select2d", "lasso2d"],
      locale: useLocale(body.locale),
    });
    element.dataset.drawn = "true";
  } catch (error) {
    showFailure(element, "drawn");
  }
}

async function showDetails(element) {
  try {
    const html = await (await fetchOk(element.dataset.detailsUrl, "text/html")).text();
    // Our own server's rendering of the chart's table: escaped by the template, no scripts.
    element.innerHTML = html;
    element.dataset.loaded = "true";
  } catch (error) {
    showFailure(element, "loaded");
  }
}

async function fillSection(section) {
  const chart = section.querySelector("[data-chart-url]");
  const details = section.querySelector("[data-details-url]");
  if (chart) {
    await drawChart(chart);
  }
  if (details) {
    await showDetails(details);
  }
}

function showCustomDates(form) {
  const period = form.querySelector("select[name=period]");
  if (!period) {
    return;
  }
  const toggle = () => {
    for (const field of form.querySelectorAll("[data-custom-period]")) {
      field.hidden = period.value !== "custom";
    }
  };
  period.addEventListener("change", toggle);
  toggle();
}

function linkAllAccounts(form) {
  // "All accounts" and the accounts exclude each other: ticking one clears the other side, and
  // clearing every account ticks "All accounts" again.
  const all = form.querySelector("[data-all-accounts]");
  if (!all) {
    return;
  }
  const accounts = [...form.querySelectorAll("input[name=account]")];
  all.addEventListener("change", () => {
    if (all.checked) {
      for (const account of accounts) {
        account.checked = false;
      }
    }
  });
  for (const account of accounts) {
    account.addEventListener("change", () => {
      all.checked = !accounts.some((each) => each.checked);
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const filters = document.querySelector("form[data-testid=filters]");
  if (filters) {
    showCustomDates(filters);
    linkAllAccounts(filters);
  }
  for (const section of document.querySelectorAll("section.chart-card, section.overview-chart")) {
    fillSection(section);
  }
});
