// Small progressive enhancements; every page works without them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  for (const element of document.querySelectorAll("[data-hide-with-js]")) {
    element.hidden = true;
  }
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  }
});

// Below 640 px the main navigation folds behind a "Menu" button.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".nav-toggle");
  const topbar = toggle && toggle.closest(".topbar");
  if (!topbar) {
    return;
  }
  toggle.hidden = false;
  topbar.classList.add("nav-collapsible");
  toggle.addEventListener("click", () => {
    const open = topbar.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", String(open));
  });
});

// Below 600 px a table's rows become cards: each cell is labelled with its column's heading.
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table.table:not(.lines)")) {
    const headings = Array.from(table.querySelectorAll("thead th"), (th) => th.textContent.trim());
    if (!headings.length) {
      continue;
    }
    table.classList.add("table-cards");
    for (const row of table.querySelectorAll("tbody tr")) {
      let column = 0;
      for (const cell of row.children) {
        if (headings[column] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", headings[column]);
        }
        column += Number(cell.getAttribute("colspan") || 1);
      }
    }
  }
});
