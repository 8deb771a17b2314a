// While a sync runs, poll the connection's status and say how far it got; reload when done.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const line = document.querySelector("[data-sync-status]");
  if (!line) {
    return;
  }
  let sawRunning = false;
  const poll = async () => {
    let state;
    try {
      const response = await fetch(line.dataset.syncStatus, { headers: { Accept: "application/json" } });
      state = await response.json();
    } catch {
      setTimeout(poll, 5000);
      return;
    }
    if (state.syncing) {
      sawRunning = true;
      // The words come from the server, in the page's language.
      line.textContent = state.progress;
      setTimeout(poll, 1500);
    } else if (sawRunning) {
      window.location.reload();
    }
  };
  poll();
});
