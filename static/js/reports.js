// Reports pages: when a polled report finishes, move keyboard focus to its download (or retry) button
// so the user does not have to hunt for it; the status element itself is an aria-live region.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var box = event.target.closest ? event.target.closest(".go-report-status") : null;
    if (!box || box.dataset.focusDone) { return; }
    var action = box.querySelector("a.btn, button[type=submit]");
    if (action && box.querySelector(".badge.text-bg-success, .alert-danger")) {
      box.dataset.focusDone = "1";
      if (document.querySelectorAll(".go-report-status").length === 1) { action.focus(); }
    }
  });
})();
