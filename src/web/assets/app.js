// Moves the focus to the summary of a form's errors, so screen readers announce it and
// keyboard users start there. Everything else works without this file.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // Print buttons exist only where this file runs (browsers print with Ctrl+P anyway).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // A printout shows the figures behind each verdict.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.app-stats").forEach(function (d) { d.open = true; });
  });
});
