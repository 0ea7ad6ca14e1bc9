// Waiting Well: small enhancements only. Every page works without this file.
(function () {
  "use strict";

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  // Each check-in carries an id made here, so a retried save never stores a copy.
  function stampClientIds(root) {
    root.querySelectorAll("input[data-client-id]").forEach(function (input) {
      if (!input.value) input.value = newId();
    });
  }

  // Read the saved message aloud: htmx swaps are silent to screen readers otherwise.
  function announce(root) {
    var status = root.querySelector && root.querySelector(".saved[role=status]");
    var region = document.getElementById("announce");
    if (status && region) region.textContent = status.textContent;
  }

  document.addEventListener("DOMContentLoaded", function () {
    stampClientIds(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    stampClientIds(document);
    announce(event.detail.elt);
  });
})();

// Print buttons (questions, appointment summary) need JavaScript, so they stay hidden without it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
