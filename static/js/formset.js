// Line formsets: add and remove lines without a page reload. Without this script the
// form still works: it shows one line, and "Remove" ticks Django's DELETE box.
"use strict";

function setUpFormset(prefix) {
  const body = document.querySelector(`[data-formset="${prefix}"] [data-formset-body]`);
  const template = document.querySelector(`template[data-formset-template="${prefix}"]`);
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const addButton = document.querySelector(`[data-formset-add="${prefix}"]`);
  if (!body || !template || !total || !addButton) {
    return;
  }

  const hideWhenRemoved = (row) => {
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
  };

  addButton.addEventListener("click", () => {
    const index = Number(total.value);
    const html = template.innerHTML.replaceAll("__prefix__", String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const row = body.lastElementChild;
    hideWhenRemoved(row);
    row.querySelector("input")?.focus();
  });

  for (const row of body.querySelectorAll("[data-formset-row]")) {
    hideWhenRemoved(row);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-formset-add]")) {
    setUpFormset(button.dataset.formsetAdd);
  }
});
