// Moves the focus to the summary of a form's errors, so screen readers announce it and
// keyboard users start there. Everything else works without this file.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
});
