// Public evaluation pages: a live character count for the comment (the server refuses more than the
// limit with a message and keeps the answers; the textarea has no maxlength so nothing pasted is cut
// silently). Invitation links: copy to clipboard. No inline scripts (CSP).
(function () {
  "use strict";
  function counter(textarea) {
    var max = parseInt(textarea.getAttribute("data-count-max"), 10);
    var out = document.querySelector('[data-count-for="' + textarea.id + '"]');
    if (!out || isNaN(max)) { return; }
    function update() {
      var n = Array.from(textarea.value).length;
      out.textContent = n + " / " + max;
      out.classList.toggle("text-danger", n > max);
      out.classList.toggle("fw-semibold", n > max);
    }
    textarea.addEventListener("input", update);
    update();
  }
  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var text = button.getAttribute("data-copy");
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { button.textContent = button.getAttribute("data-copied") || "✓"; });
        } else {
          window.prompt("", text);
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-count-max]").forEach(counter);
    copyButtons();
  });
})();
