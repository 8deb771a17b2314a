// The transactions screen: tick all on the page, and say how many are ticked. Without it the
// bulk form still posts the ticked boxes and each row's category has its own Save button.
// Totals that take a pass over every matching row come after the rows, in place of their link.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const totals = document.querySelector("[data-totals-url]");
  if (!totals) {
    return;
  }
  fetch(totals.dataset.totalsUrl, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : Promise.reject(new Error(String(response.status)))))
    .then((html) => {
      totals.outerHTML = html;
    })
    .catch(() => {
      totals.removeAttribute("aria-busy");
    });
});

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-bulk-form]");
  if (!form) {
    return;
  }
  const all = form.querySelector("[data-tick-all]");
  const boxes = Array.from(form.querySelectorAll("[data-tick]"));
  const count = form.querySelector("[data-bulk-count]");
  const bar = form.querySelector("[data-bulk-bar]");
  const idle = count ? count.textContent : "";
  const template = bar ? bar.dataset.tickedText || "" : "";

  const update = () => {
    const ticked = boxes.filter((box) => box.checked).length;
    if (bar) {
      bar.classList.toggle("bulk-bar-active", ticked > 0);
    }
    if (count) {
      count.textContent = ticked > 0 && template ? `${ticked} ${template}` : idle;
    }
    if (all) {
      all.checked = ticked > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    }
  };
  if (all) {
    all.hidden = false;
    all.addEventListener("change", () => {
      for (const box of boxes) {
        box.checked = all.checked;
      }
      update();
    });
  }
  for (const box of boxes) {
    box.addEventListener("change", update);
  }
  update();
});
