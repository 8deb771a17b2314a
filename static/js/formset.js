// Line formsets: add and remove lines without a page reload. Without this script the
// form still works: it shows its lines, and "Remove" ticks Django's DELETE box.
// A line added here is announced with a "formset:added" event on the table (live totals listen).
"use strict";

function hideWhenRemoved(row) {
  const box = row.querySelector('input[type="checkbox"][name$="-DELETE"]');
  if (!box) {
    return;
  }
  box.addEventListener("change", () => {
    row.hidden = box.checked;
    for (const input of row.querySelectorAll("input, select")) {
      if (input !== box) {
        input.disabled = box.checked;
      }
    }
  });
}

function setUpFormset(table) {
  const prefix = table.dataset.formset;
  const body = table.querySelector("[data-formset-body]");
  if (!body) {
    return;
  }
  for (const row of body.querySelectorAll("[data-formset-row]")) {
    hideWhenRemoved(row);
  }
  const template = document.querySelector(`template[data-formset-template="${prefix}"]`);
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const addButton = document.querySelector(`[data-formset-add="${prefix}"]`);
  if (!template || !total || !addButton) {
    return; // a fixed set of lines (a credit note's): they can be removed, not added
  }
  addButton.addEventListener("click", () => {
    const index = Number(total.value);
    const html = template.innerHTML.replaceAll("__prefix__", String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const row = body.lastElementChild;
    hideWhenRemoved(row);
    table.dispatchEvent(new CustomEvent("formset:added", { detail: { row } }));
    row.querySelector("input, select")?.focus();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table[data-formset]")) {
    setUpFormset(table);
  }
});
