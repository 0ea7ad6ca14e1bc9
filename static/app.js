// Waiting Well: small enhancements only. Every page works without this file.
(function () {
  "use strict";

  var DRAFT_PREFIX = "ww-draft:";
  var SESSION_ENDED = "ww-session-ended";
  // A draft nobody came back to in two weeks is stale: drop it rather than surprise someone.
  var DRAFT_MAX_AGE = 14 * 24 * 60 * 60 * 1000;

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

  function say(text) {
    var region = document.getElementById("announce");
    if (region) region.textContent = text;
  }

  // Read the saved message aloud: htmx swaps are silent to screen readers otherwise.
  function announce(root) {
    var status = root.querySelector && root.querySelector(".saved[role=status]");
    if (status) say(status.textContent);
  }

  function storage(kind) {
    try {
      return window[kind];
    } catch (e) {
      return null; // storage switched off: the forms still work, without drafts
    }
  }

  // ---- Drafts: kept per account as the person types, until the save succeeds. ----

  function draftKey(form) {
    var account = document.body.getAttribute("data-account");
    var name = form.getAttribute("data-draft-form");
    return account && name ? DRAFT_PREFIX + account + ":" + name : null;
  }

  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.disabled) return false;
      return ["hidden", "password", "submit", "button", "reset", "file"].indexOf(el.type) === -1;
    });
  }

  function readForm(form) {
    var values = {};
    draftFields(form).forEach(function (el) {
      var list = values[el.name] || (values[el.name] = []);
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) list.push(el.value);
      } else {
        list.push(el.value);
      }
    });
    return values;
  }

  function writeForm(form, values) {
    var used = {};
    draftFields(form).forEach(function (el) {
      var list = values[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = list.indexOf(el.value) !== -1;
      } else {
        var i = used[el.name] || 0;
        if (i < list.length) el.value = list[i];
        used[el.name] = i + 1;
      }
    });
    // Show restored feelings and topics, which sit in a folded section.
    form.querySelectorAll("details").forEach(function (details) {
      if (details.querySelector("input:checked")) details.open = true;
    });
  }

  function sameWords(a, b) {
    function key(values) {
      return JSON.stringify(Object.keys(values).sort().map(function (name) {
        return [name, values[name].map(function (v) { return v.trim(); }).sort()];
      }));
    }
    return key(a) === key(b);
  }

  function isEmpty(values) {
    return Object.keys(values).every(function (name) {
      return values[name].every(function (v) { return !v.trim(); });
    });
  }

  function clientIdInput(form) {
    return form.querySelector("input[data-client-id]");
  }

  function saveDraft(form) {
    var key = draftKey(form);
    var store = storage("localStorage");
    if (!key || !store) return;
    var values = readForm(form);
    var id = clientIdInput(form);
    try {
      if (isEmpty(values)) store.removeItem(key);
      else store.setItem(key, JSON.stringify({
        at: Date.now(), values: values, clientId: id ? id.value : null
      }));
    } catch (e) {
      // Storage full or refused: the form itself still works.
    }
  }

  function dropDraft(form) {
    var key = draftKey(form);
    var store = storage("localStorage");
    if (key && store) store.removeItem(key);
  }

  function loadDraft(form) {
    var key = draftKey(form);
    var store = storage("localStorage");
    if (!key || !store) return null;
    try {
      var draft = JSON.parse(store.getItem(key));
      if (draft && draft.values && Date.now() - draft.at < DRAFT_MAX_AGE) return draft;
    } catch (e) {
      // A damaged draft is dropped below.
    }
    store.removeItem(key);
    return null;
  }

  function clearAllDrafts() {
    var store = storage("localStorage");
    if (!store) return;
    Object.keys(store).forEach(function (key) {
      if (key.indexOf(DRAFT_PREFIX) === 0) store.removeItem(key);
    });
  }

  function buttonName(form) {
    var button = form.querySelector("button[type=submit], button:not([type])");
    return button ? "\u201c" + button.textContent.trim() + "\u201d" : "Save";
  }

  // One message per form, just above its buttons; read aloud through the live region.
  function tell(form, text, kind) {
    var message = form.querySelector(".form-message");
    if (!message) {
      message = document.createElement("p");
      var button = form.querySelector("button[type=submit]");
      var before = button ? button.closest(".actions") || button : null;
      form.insertBefore(message, before && before.parentNode === form ? before : null);
    }
    message.className = "form-message " + kind;
    message.setAttribute("data-kind", kind);
    message.textContent = text;
    say(text);
  }

  function restoreDrafts(root) {
    var forms = root.matches && root.matches("form[data-draft-form]") ? [root] : [];
    if (root.querySelectorAll) {
      forms = forms.concat(Array.prototype.slice.call(root.querySelectorAll("form[data-draft-form]")));
    }
    forms.forEach(function (form) {
      var draft = loadDraft(form);
      if (!draft || sameWords(draft.values, readForm(form))) return;
      writeForm(form, draft.values);
      // The same id as the first try: if that save did arrive, the server answers with it.
      var id = clientIdInput(form);
      if (id && draft.clientId) id.value = draft.clientId;
      tell(form, "We kept what you were writing on this device. It is not saved yet: press " +
        buttonName(form) + " to save it.", "notice");
    });
  }

  function draftFormOf(elt) {
    return elt && elt.closest ? elt.closest("form[data-draft-form]") : null;
  }

  function problem(elt, offline, status) {
    var form = draftFormOf(elt);
    var why = offline ? "You seem to be offline." :
      status >= 500 ? "Something went wrong on our side." : "Something was not right.";
    if (form) {
      var when = offline ? "When you are back online, press " : "Please press ";
      tell(form, "Not saved yet. " + why + " What you wrote is kept on this device. " +
        when + buttonName(form) + " again.", offline ? "problem offline" : "problem");
      return;
    }
    say("That did not work. " + why + " Please try again.");
  }

  document.addEventListener("input", function (event) {
    var form = draftFormOf(event.target);
    if (form) saveDraft(form);
  });
  document.addEventListener("change", function (event) {
    var form = draftFormOf(event.target);
    if (form) saveDraft(form);
  });

  document.addEventListener("click", function (event) {
    var discard = event.target.closest && event.target.closest("[data-draft-discard]");
    if (discard) dropDraft(draftFormOf(discard) || discard);
  });

  // A deliberate sign-out (or account deletion) wipes drafts: phones are shared.
  document.addEventListener("submit", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-clear-drafts")) {
      clearAllDrafts();
    }
  });

  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status !== 401) return;
    var form = draftFormOf(event.detail.requestConfig && event.detail.requestConfig.elt);
    var sessions = storage("sessionStorage");
    if (sessions) sessions.setItem(SESSION_ENDED, form ? "draft" : "page");
    var target = xhr.getResponseHeader("HX-Redirect");
    var page = form && form.getAttribute("data-draft-page");
    if (target && page) {
      // Come back to the form itself, not only the page it was opened from.
      event.preventDefault();
      var url = new URL(target, window.location.href);
      url.searchParams.set("next", page);
      window.location.href = url.pathname + url.search;
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    // Only the app's own 503 brings the form back with the words in it (X-Typed-Kept);
    // a 503 page from anything in front of the app must not replace what was typed.
    if (xhr.status === 503 && !xhr.getResponseHeader("X-Typed-Kept")) {
      event.detail.shouldSwap = false;
    }
    var form = draftFormOf(event.detail.requestConfig && event.detail.requestConfig.elt);
    if (form && xhr.status >= 200 && xhr.status < 300) dropDraft(form);
  });

  document.addEventListener("htmx:sendError", function (event) {
    problem(event.detail.elt, true, 0);
  });
  document.addEventListener("htmx:responseError", function (event) {
    problem(event.detail.elt, false, event.detail.xhr.status);
  });

  window.addEventListener("online", function () {
    document.querySelectorAll("form[data-draft-form] .form-message.offline").forEach(function (m) {
      var form = m.closest("form");
      tell(form, "You are back online. Press " + buttonName(form) + " to save what you wrote.",
        "notice");
    });
  });

  function explainSignIn() {
    var sessions = storage("sessionStorage");
    var reason = sessions && sessions.getItem(SESSION_ENDED);
    if (!reason) return;
    if (document.body.hasAttribute("data-account")) {
      sessions.removeItem(SESSION_ENDED);
      return;
    }
    var form = document.querySelector("form[action^='/sign-in']");
    if (!form) return;
    var message = document.createElement("p");
    message.className = "form-message notice";
    message.setAttribute("role", "status");
    message.textContent = reason === "draft"
      ? "You were signed out, so what you wrote is not saved yet. It is kept on this device. " +
        "Sign in and you will find it again."
      : "You were signed out. Please sign in again to carry on.";
    form.parentNode.insertBefore(message, form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    stampClientIds(document);
    explainSignIn();
  });
  // htmx fires this for the page once it starts, then for everything it swaps in.
  document.addEventListener("htmx:load", function (event) {
    restoreDrafts(event.detail.elt);
    stampClientIds(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    stampClientIds(document);
    announce(event.detail.elt);
  });

  // The service worker keeps the app shell for offline use; it lives at the root so its
  // scope is the whole site.
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () {
        // Without it the site still works; only the offline page is missing.
      });
    });
  }
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
