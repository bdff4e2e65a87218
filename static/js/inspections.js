// Year-end review and checklist behaviours (no inline scripts under the CSP).
(function () {
  "use strict";
  // "认可自评" needs no deductions, score or reason: hide those fields until "核定改分" is chosen.
  function bindReviewForms(root) {
    root.querySelectorAll("form[data-review-item]").forEach(function (form) {
      if (form.dataset.reviewBound) { return; }
      form.dataset.reviewBound = "1";
      var fields = form.querySelector("[data-override-fields]");
      function sync() {
        var chosen = form.querySelector("input[type=radio]:checked");
        if (fields) { fields.classList.toggle("d-none", !!chosen && chosen.value === "accept"); }
      }
      form.addEventListener("change", sync);
      sync();
    });
  }
  // Out-of-band swaps (the checklist's progress box) get no htmx:afterSwap, so app.js never sizes
  // their bars: do it here, the same way (data-width → style.width through the CSSOM, CSP-safe).
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    var root = e.detail && e.detail.target ? e.detail.target : e.target;
    root.querySelectorAll("[data-width]").forEach(function (el) {
      var value = parseFloat(el.getAttribute("data-width"));
      if (!isNaN(value)) { el.style.width = Math.max(0, Math.min(100, value)) + "%"; }
    });
  });
  document.addEventListener("DOMContentLoaded", function () { bindReviewForms(document); });
  document.addEventListener("htmx:afterSwap", function (e) { bindReviewForms(e.target); });
})();
