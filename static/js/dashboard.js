// Draws the dashboard's charts: each [data-chart-url] element fetches its chart's JSON (built on
// the server) and hands the figure to plotly.js. The tables under each chart hold the same data.
"use strict";

async function drawChart(element) {
  try {
    const response = await fetch(element.dataset.chartUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    const body = await response.json();
    await Plotly.newPlot(element, body.figure.data, body.figure.layout, {
      responsive: true,
      displaylogo: false,
      modeBarButtonsToRemove: ["toImage", "select2d", "lasso2d"],
    });
    element.dataset.drawn = "true";
  } catch (error) {
    element.dataset.drawn = "failed";
    element.textContent = "This chart could not be drawn; its data is in the table below.";
    element.classList.add("chart-failed");
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
  for (const element of document.querySelectorAll("[data-chart-url]")) {
    drawChart(element);
  }
});
