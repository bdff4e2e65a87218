// Small behaviours the CSP allows (no inline scripts or style attributes in the markup).
(function () {
  "use strict";
  function applyWidths(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      var value = parseFloat(el.getAttribute("data-width"));
      if (!isNaN(value)) { el.style.width = Math.max(0, Math.min(100, value)) + "%"; }
    });
  }
  // One submit listener for every form: ask for confirmation first (data-confirm), then stop a
  // double tap from sending twice (data-once). Buttons are disabled after the browser has read the
  // clicked button's name and value, since a disabled submitter is left out of the form data.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.getAttribute) { return; }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-once")) {
      if (form.dataset.submitting === "1") { event.preventDefault(); return; }
      form.dataset.submitting = "1";
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    }
  });
  // An htmx form stays on the page: once its request is over it may be sent again.
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest && elt.closest("form"));
    if (form && form.dataset.submitting === "1") {
      form.dataset.submitting = "";
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    }
  });
  // A table wider than a phone screen scrolls inside .table-responsive. Keyboard users can scroll a
  // box only if it takes focus (WCAG 2.1.1), and a focusable region needs a name: the table's caption,
  // else the heading just before it, else its column headings.
  function tableName(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var before = box.previousElementSibling;
    if (before && /^H[1-6]$/.test(before.tagName) && before.textContent.trim()) { return before.textContent.trim(); }
    return Array.prototype.map.call(box.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    }).filter(Boolean).join(" ");
  }
  function focusableScrollers(root) {
    var boxes = root.matches && root.matches(".table-responsive") ? [root] : root.querySelectorAll(".table-responsive");
    Array.prototype.forEach.call(boxes, function (box) {
      if (box.hasAttribute("tabindex")) { return; }
      if (box.scrollWidth <= box.clientWidth + 1 && box.scrollHeight <= box.clientHeight + 1) { return; }
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) { box.setAttribute("role", "region"); }
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        box.setAttribute("aria-label", tableName(box));
      }
    });
  }
  function init(root) { applyWidths(root); focusableScrollers(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
