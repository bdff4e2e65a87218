// Self-assessment and review pages: score preview, full-marks vs deductions, unsaved-change hints,
// confirm-before-submit and progress bars swapped in out of band. No inline script (strict CSP).
(function () {
  "use strict";

  function points(value) {
    var n = parseFloat(value);
    return isNaN(n) ? 0 : n;
  }

  function format(n) {
    return String(Math.round(n * 100) / 100);
  }

  function deductionInputs(form) {
    return Array.prototype.slice.call(form.querySelectorAll("[data-deduction]"));
  }

  function preview(form) {
    var out = form.querySelector("[data-score-preview]");
    if (!out) { return; }
    var max = points(out.getAttribute("data-max"));
    var full = form.querySelector("[data-full-marks]");
    var taken = 0;
    var chosen = false;
    deductionInputs(form).forEach(function (input) {
      var count = input.type === "checkbox" ? (input.checked ? 1 : 0) : Math.max(0, parseInt(input.value, 10) || 0);
      if (count) { chosen = true; }
      taken += points(input.getAttribute("data-points")) * count;
    });
    var typed = form.querySelector("input[name$='-self_score']");
    if (full && full.checked) {
      out.textContent = format(max);
    } else if (chosen) {
      out.textContent = format(Math.max(0, max - taken));
    } else if (typed && typed.value !== "") {
      out.textContent = typed.value;
    } else {
      out.textContent = out.getAttribute("data-saved") || "—";
    }
  }

  function markDirty(form) {
    var note = form.querySelector("[data-dirty-note]");
    if (note) { note.classList.remove("d-none"); }
    var card = form.closest(".go-item");
    if (card) { card.classList.add("border-warning"); }
  }

  function bindItemForm(form) {
    if (form.dataset.saBound) { return; }
    form.dataset.saBound = "1";
    var full = form.querySelector("[data-full-marks]");
    var typed = form.querySelector("input[name$='-self_score']");
    form.addEventListener("input", function (event) {
      var target = event.target;
      // Full marks and deductions exclude each other: choosing one clears the other.
      if (full && target === full && full.checked) {
        deductionInputs(form).forEach(function (input) {
          if (input.type === "checkbox") { input.checked = false; } else { input.value = ""; }
        });
        if (typed) { typed.value = ""; }
      } else if (full && (target.hasAttribute("data-deduction") || target === typed)) {
        full.checked = false;
      }
      preview(form);
      markDirty(form);
    });
    form.addEventListener("change", function () { preview(form); });
  }

  function applyWidths(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      var value = parseFloat(el.getAttribute("data-width"));
      if (!isNaN(value)) { el.style.width = Math.max(0, Math.min(100, value)) + "%"; }
    });
  }

  function init(root) {
    root.querySelectorAll("form[data-item-form]").forEach(bindItemForm);
    applyWidths(root);
  }

  // Capture phase, before app.js's per-form listeners: a cancelled confirmation must not leave the
  // submit button disabled.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-sa-confirm");
    if (question && document.querySelector("[data-dirty-note]:not(.d-none)")) {
      question = (form.getAttribute("data-sa-dirty") || "") + question;
    }
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopPropagation();
      return;
    }
    if (form.hasAttribute && form.hasAttribute("data-sa-once")) {
      // Disable after the browser has read the clicked button's name and value (a disabled
      // submitter is left out of the form data).
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    }
  }, true);

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
  document.addEventListener("htmx:oobAfterSwap", function (event) { init(event.target); });
  // After htmx replaced a card, the new card is the event target's replacement: look it up by id.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    if (target && target.id) {
      var fresh = document.getElementById(target.id);
      if (fresh) { init(fresh); }
    }
  });
})();
