// Small enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive actions (forms marked data-confirm) before sending them.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
