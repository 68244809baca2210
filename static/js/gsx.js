// Progressive enhancement only: every page works without this file.
// After a failed submit, move the focus to the error summary so that keyboard and screen-reader
// users land on the list of what to correct (each entry links to its field). Without JavaScript
// the summary is still the first thing in <main>.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});
