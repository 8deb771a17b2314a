// Fills the dashboard's chart sections: each chart's JSON (built on the server) is handed to
// plotly.js, then the section's table of the same data (HTML rendered on the server) is shown.
// One section after the other within a chart, so the server computes the data once; the
// sections load side by side, so the page never waits for its slowest chart.
"use strict";

async function fetchOk(url, accept) {
  // A redirect means the session ended (to the sign-in page): never show that page in a section.
  const response = await fetch(url, { headers: { Accept: accept }, credentials: "same-origin", redirect: "error" });
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}`);
  }
  return response;
}

function showFailure(element, flag, message) {
  element.dataset[flag] = "failed";
  element.textContent = message;
  element.classList.add("chart-failed");
}

async function drawChart(element) {
  try {
    const body = await (await fetchOk(element.dataset.chartUrl, "application/json")).json();
    await Plotly.newPlot(element, body.figure.data, body.figure.layout, {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ["toImage", "select2d", "lasso2d"],
    });
    element.dataset.drawn = "true";
  } catch (error) {
    showFailure(element, "drawn", "This chart could not be drawn; its data is in the table below.");
  }
}

async function showDetails(element) {
  try {
    const html = await (await fetchOk(element.dataset.detailsUrl, "text/html")).text();
    // Our own server's rendering of the chart's table: escaped by the template, no scripts.
    element.innerHTML = html;
    element.dataset.loaded = "true";
  } catch (error) {
    showFailure(element, "loaded", "The figures could not be loaded; reload the page or download the CSV.");
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
  const toggle = () => {
    for (const field of form.querySelectorAll("[data-custom-period]")) {
      field.hidden = period.value !== "custom";
    }
  };
  period.addEventListener("change", toggle);
  toggle();
}

document.addEventListener("DOMContentLoaded", () => {
  const filters = document.querySelector("form[data-testid=filters]");
  if (filters) {
    showCustomDates(filters);
  }
  for (const section of document.querySelectorAll("section.chart-card")) {
    fillSection(section);
  }
});
