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

  // Read the saved message (or a result count) aloud: htmx swaps are silent to screen
  // readers otherwise. One fixed live region says it, so nothing is read twice.
  function announce(root) {
    var status = root.querySelector && root.querySelector(".saved[role=status], [data-announce]");
    if (status) say(status.textContent.trim());
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
    // Show restored feelings, topics, notes and answers, which sit in folded sections:
    // words kept for the person must never be hidden from them.
    form.querySelectorAll("details").forEach(function (details) {
      var written = Array.prototype.some.call(details.querySelectorAll("textarea"), function (el) {
        return el.value.trim();
      });
      if (written || details.querySelector("input:checked")) details.open = true;
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
    // The lock screen answers like an ended session (401): she is still signed in there.
    var locked = document.querySelector("form[data-unlock]");
    var form = locked || document.querySelector("form[action^='/sign-in']");
    if (!form) return;
    var message = document.createElement("p");
    message.className = "form-message notice";
    message.setAttribute("role", "status");
    if (locked) {
      sessions.removeItem(SESSION_ENDED);
      if (reason !== "draft") return;
      message.textContent = "Waiting Well locked before what you wrote was saved. It is " +
        "kept on this device: unlock and you will find it again.";
    } else {
      message.textContent = reason === "draft"
        ? "You were signed out, so what you wrote is not saved yet. It is kept on this device. " +
          "Sign in and you will find it again."
        : "You were signed out. Please sign in again to carry on.";
    }
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

  // ---- Focus after a swap (WCAG 2.4.3): never left on <body> after the content it was
  // in is replaced. The server marks where focus belongs with data-focus (a message, the
  // Undo button, the first older entry); an error summary comes first. ----

  var CONTROLS = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), " +
    "select:not([disabled]), textarea:not([disabled]), summary, [tabindex]";

  function inView(el) {
    var box = el.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  }

  function focusOn(el, keepScroll) {
    if (!el.matches(CONTROLS)) el.setAttribute("tabindex", "-1");
    // A hidden radio shows its focus on its label: bring the label into view.
    var shown = el.labels && el.labels.length ? el.labels[0] : el;
    el.focus({ preventScroll: true });
    if (!keepScroll && !inView(shown)) shown.scrollIntoView({ block: "center" });
  }

  function firstField(root) {
    var field = root.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
    if (field && field.type === "radio") {
      var group = root.querySelectorAll("input[type=radio]");
      for (var i = 0; i < group.length; i++) {
        if (group[i].name === field.name && group[i].checked) return group[i];
      }
    }
    return field;
  }

  // Polls run by themselves: they must never move anyone's focus.
  function isPoll(elt) {
    return !!(elt && elt.getAttribute && /\bevery\b/.test(elt.getAttribute("hx-trigger") || ""));
  }

  function lostFocus() {
    var active = document.activeElement;
    return !active || active === document.body || !document.body.contains(active);
  }

  function placeFocus(event) {
    var config = event.detail.requestConfig || {};
    if (isPoll(config.elt)) return;
    var summary = document.querySelector("[data-error-summary][autofocus]:not([data-shown])");
    if (summary) {
      summary.setAttribute("data-shown", ""); // once: a later swap elsewhere leaves it be
      focusOn(summary);
      return;
    }
    var marked = document.querySelector("[data-focus]");
    if (marked) {
      marked.removeAttribute("data-focus");
      // A check-in that brings the help panel forward keeps htmx's scroll to the panel.
      focusOn(marked, !!document.querySelector("#reach-out"));
      return;
    }
    var elt = event.detail.elt;
    if (!elt || !document.body.contains(elt)) return;
    var form = elt.matches("form[data-focus-first-field]") ? elt :
      elt.querySelector("form[data-focus-first-field]");
    if (form && firstField(form)) {
      focusOn(firstField(form));
      return;
    }
    if (lostFocus()) focusOn(elt.matches(CONTROLS) ? elt : elt.querySelector(CONTROLS) || elt);
  }

  // On a whole page the browser's own autofocus has placed focus already, and marks are
  // only for swaps: drop them, so a later swap does not send focus back to them.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-error-summary]").forEach(function (summary) {
      summary.setAttribute("data-shown", "");
    });
    document.querySelectorAll("[data-focus]").forEach(function (el) {
      el.removeAttribute("data-focus");
    });
  });

  // Each answer settles once per swapped element: place focus once per request.
  var settled = typeof WeakSet === "function" ? new WeakSet() : null;
  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    if (settled && xhr) {
      if (settled.has(xhr)) return;
      settled.add(xhr);
    }
    placeFocus(event);
    markErrorTitle();
  });

  // ---- Error summaries: "Error:" before the title while one shows; its links go to the
  // field itself, with the label or legend in view. ----

  function markErrorTitle() {
    var plain = document.title.replace(/^Error: /, "");
    document.title = (document.querySelector("[data-error-summary]") ? "Error: " : "") + plain;
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var summary = event.detail.elt.querySelector &&
      (event.detail.elt.matches("[data-error-summary]") ? event.detail.elt :
        event.detail.elt.querySelector("[data-error-summary]"));
    if (summary) {
      var items = Array.prototype.map.call(summary.querySelectorAll("li"), function (li) {
        return li.textContent.trim();
      });
      say("There is a problem. " + items.join(" "));
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var group = field.closest("fieldset");
    var label = (field.type === "radio" || field.type === "checkbox") && group
      ? group.querySelector("legend") : field.labels && field.labels[0];
    field.focus({ preventScroll: true });
    (label || field).scrollIntoView({ block: "start" });
  });

  // ---- The nurses' inbox: live updates that can be paused (WCAG 2.2.2) and that put new
  // check-ins in beside the old ones instead of replacing the list under someone's focus. ----

  var paused = false;

  function pluralChecks(n) {
    return n === 1 ? "1 new check-in." : n + " new check-ins.";
  }

  // An item is left alone while someone is on it, while its own request is out, and
  // between its swap and its settle, when the focus it asked for is not yet placed.
  function busy(item, focused) {
    return item.contains(focused) || item.classList.contains("htmx-settling") ||
      !!item.querySelector(".htmx-request, [data-focus]");
  }

  function mergeInbox(section, html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("inbox");
    if (!fresh) return null;
    var list = section.querySelector("ul.inbox");
    var freshList = fresh.querySelector("ul.inbox");
    var focused = document.activeElement;
    var added = 0;
    if (!list || !freshList) {
      // Nothing listed before, or nothing now: the whole section, unless focus is in it.
      if ((section.contains(focused) && focused !== section) ||
        section.querySelector(".htmx-settling, .htmx-request, [data-focus]")) return null;
      added = freshList ? freshList.children.length : 0;
      section.replaceChildren.apply(section, Array.prototype.slice.call(fresh.childNodes));
      htmx.process(section);
    } else {
      var wanted = {};
      Array.prototype.forEach.call(freshList.children, function (item) { wanted[item.id] = true; });
      var previous = null;
      Array.prototype.slice.call(freshList.children).forEach(function (item) {
        var old = item.id ? document.getElementById(item.id) : null;
        if (old && list.contains(old)) {
          // The item someone is on stays as it is; others take their new state in place.
          if (busy(old, focused)) {
            previous = old;
            return;
          }
          old.replaceWith(item);
        } else {
          added += 1;
          if (previous) previous.after(item);
          else list.prepend(item);
        }
        htmx.process(item);
        previous = item;
      });
      Array.prototype.slice.call(list.children).forEach(function (item) {
        if (!wanted[item.id] && !busy(item, focused)) item.remove();
      });
      var loaded = section.querySelector("[data-loaded-at]");
      var freshLoaded = fresh.querySelector("[data-loaded-at]");
      if (loaded && freshLoaded) loaded.textContent = freshLoaded.textContent;
    }
    return { added: added, url: fresh.getAttribute("hx-get") };
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (paused && isPoll(event.detail.elt)) event.preventDefault();
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var section = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!isPoll(section) || section.id !== "inbox" || event.detail.xhr.status !== 200) return;
    event.detail.shouldSwap = false;
    var merged = mergeInbox(section, event.detail.serverResponse);
    if (!merged) return;
    if (merged.added) say(pluralChecks(merged.added));
    // The next poll asks what changed since this one; re-processed once this request is done.
    if (merged.url && merged.url !== section.getAttribute("hx-get")) {
      window.setTimeout(function () {
        section.setAttribute("hx-get", merged.url);
        htmx.process(section);
      }, 0);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-pause-updates]");
    if (!button) return;
    paused = !paused;
    button.setAttribute("aria-pressed", paused ? "true" : "false");
    var state = document.querySelector("[data-live-state]");
    if (state) {
      state.textContent = paused
        ? "Updates are paused. New check-ins will not be added until you press the button again."
        : "New check-ins are added to the list as they arrive.";
    }
    say(paused ? "Updates paused." : "Updates on.");
  });

  document.addEventListener("DOMContentLoaded", function () {
    var controls = document.querySelector("[data-live-controls]");
    if (controls && isPoll(document.getElementById("inbox"))) controls.hidden = false;
  });

  // ---- Staff: a warning two minutes before an idle sign-out, with "Stay signed in"
  // (WCAG 2.2.1). The server keeps the clock; this only asks it, and never extends it
  // except when the person presses the button or uses the app. ----

  var WARNING_MS = 2 * 60 * 1000;
  var idleTimer = null;

  function idleBox() {
    return document.querySelector("[data-idle-warning]");
  }

  function scheduleIdleCheck(ms) {
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(checkIdle, Math.max(ms, 1000));
  }

  function hideIdleWarning() {
    var box = idleBox();
    if (box) box.hidden = true;
  }

  function showIdleWarning(seconds) {
    var box = idleBox();
    var minutes = Math.max(1, Math.ceil(seconds / 60));
    var words = minutes === 1 ? "1 minute" : minutes + " minutes";
    box.querySelector("[data-idle-left]").textContent = words;
    if (!box.hidden) return;
    box.hidden = false;
    say("You will be signed out in " + words + " if nothing happens. " +
      "Choose Stay signed in to carry on.");
    // Focus moves only when it is not in the middle of someone's typing.
    var active = document.activeElement;
    if (!active || !active.matches("input, textarea, select")) {
      box.querySelector("button").focus();
    }
  }

  function signedOutNow() {
    // The server has ended the session: opening the page again shows why, on sign-in.
    window.location.href = window.location.pathname + window.location.search;
  }

  function checkIdle() {
    var box = idleBox();
    if (!box) return;
    window.fetch(box.getAttribute("data-left-url"), {
      credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" }
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401) {
        signedOutNow();
        return null;
      }
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data) return;
      var left = data.seconds * 1000;
      if (left > WARNING_MS + 5000) {
        hideIdleWarning();
        scheduleIdleCheck(left - WARNING_MS);
      } else {
        showIdleWarning(data.seconds);
        // Look again once a minute, and just after the end (which then signs out).
        scheduleIdleCheck(Math.min(left + 2000, 60 * 1000));
      }
    }).catch(function () {
      scheduleIdleCheck(30 * 1000); // offline for a moment: ask again soon
    });
  }

  function restartIdleClock() {
    var box = idleBox();
    if (!box) return;
    hideIdleWarning();
    scheduleIdleCheck(parseInt(box.getAttribute("data-warn-after"), 10) * 1000);
  }

  document.addEventListener("DOMContentLoaded", restartIdleClock);
  // Any htmx request but a poll is the person using the app: the server starts its clock
  // again, so this one does too.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!idleBox() || isPoll(event.detail.elt) || !event.detail.successful) return;
    // A page load is use too, so the page's own figure is the full time to the warning.
    restartIdleClock();
    if (event.detail.elt.matches && event.detail.elt.matches("[data-stay-signed-in]")) {
      say("You are still signed in.");
    }
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

// The nurse line's status: right when the page is used, not only when it was loaded. Each
// status says when its words may next change; once that moment has passed, the next tick,
// htmx answer or return to the tab asks the server for the words now. A plain fetch, not
// htmx: this is the page keeping itself right, and must not move focus or count as use.
(function () {
  "use strict";
  var asking = false;

  function refreshLineStatus() {
    var boxes = document.querySelectorAll("[data-line-status]");
    if (asking || !boxes.length) return;
    var changes = Date.parse(boxes[0].getAttribute("data-changes-at"));
    if (!(changes <= Date.now())) return;
    asking = true;
    fetch(boxes[0].getAttribute("data-refresh"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .querySelector("[data-line-status]");
        if (!fresh) return;
        document.querySelectorAll("[data-line-status]").forEach(function (box) {
          box.replaceWith(fresh.cloneNode(true));
        });
      })
      .catch(function () { /* offline: the next tick asks again */ })
      .then(function () { asking = false; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    window.setInterval(refreshLineStatus, 60 * 1000);
  });
  document.addEventListener("htmx:afterRequest", refreshLineStatus);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") refreshLineStatus();
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

// Copy buttons (recovery codes) need JavaScript and a clipboard, so they stay hidden without.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (!navigator.clipboard) return;
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var lines = Array.prototype.map.call(source.querySelectorAll("li"), function (li) {
          return li.textContent.trim();
        });
        var region = document.getElementById("announce");
        navigator.clipboard.writeText(lines.join("\n")).then(function () {
          if (region) region.textContent = button.getAttribute("data-copied");
        }, function () {
          if (region) region.textContent = "That did not copy. Please download or print them.";
        });
      });
    });
  });
})();

// Reminders as notifications on this device (Web Push): the button shows only where the
// browser can subscribe; the subscription goes to the server with the page's CSRF token.
(function () {
  "use strict";

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function csrfToken() {
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector("[data-push-key]");
    if (!button || !("serviceWorker" in navigator) || !("PushManager" in window) ||
        !("Notification" in window)) return;
    var status = document.querySelector("[data-push-status]");
    var note = document.querySelector("[data-push-unsupported]");
    if (note) note.hidden = true;
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "";
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") {
          throw new Error("Notifications are blocked for this site in your browser settings.");
        }
        return navigator.serviceWorker.register("/sw.js").then(function () {
          return navigator.serviceWorker.ready;
        });
      }).then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(button.getAttribute("data-push-key"))
        });
      }).then(function (subscription) {
        return window.fetch(button.getAttribute("data-push-url"), {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify(subscription)
        });
      }).then(function (response) {
        if (!response.ok) throw new Error("That did not work. Please try again.");
        window.location.reload();
      }).catch(function (error) {
        status.textContent = error && error.message && error.message.indexOf("blocked") !== -1
          ? error.message : "Notifications could not be turned on here. Email or your calendar still work.";
      });
    });
  });
})();

// Passkeys (WebAuthn): add one from Account, sign in with one. The options come from the
// server as WebAuthn JSON; the buttons show only where the browser can read that JSON.
(function () {
  "use strict";

  var supported = window.PublicKeyCredential &&
    typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function" &&
    typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function";

  function csrfToken() {
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }

  function post(url, body) {
    return window.fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error || "That did not work. Please try again.");
        return data;
      });
    });
  }

  function cancelled(error) {
    // The person closed the browser's passkey window: not a failure to shout about.
    return error && error.name === "NotAllowedError";
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!supported) return;
    var add = document.querySelector("form[data-passkey-add]");
    if (add) {
      var note = document.querySelector("[data-passkey-unsupported]");
      if (note) note.hidden = true;
      add.hidden = false;
      add.addEventListener("submit", function (event) {
        event.preventDefault();
        var status = add.querySelector("[data-passkey-status]");
        status.textContent = "";
        post(add.getAttribute("data-options-url")).then(function (options) {
          return navigator.credentials.create({
            publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options)
          });
        }).then(function (credential) {
          return post(add.action, { name: add.elements.name.value, credential: credential.toJSON() });
        }).then(function (data) {
          window.location.assign(data.redirect);
        }).catch(function (error) {
          status.textContent = cancelled(error)
            ? "No passkey was added." : (error.message || "That passkey could not be added.");
        });
      });
    }
    var box = document.querySelector("[data-passkey-sign-in]");
    if (box) {
      box.hidden = false;
      var button = box.querySelector("button");
      var said = box.querySelector("[data-passkey-status]");
      button.addEventListener("click", function () {
        said.textContent = "";
        post(button.getAttribute("data-options-url")).then(function (options) {
          return navigator.credentials.get({
            publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options)
          });
        }).then(function (credential) {
          return post(button.getAttribute("data-url"), {
            credential: credential.toJSON(), next: button.getAttribute("data-next") || ""
          });
        }).then(function (data) {
          window.location.assign(data.redirect);
        }).catch(function (error) {
          said.textContent = cancelled(error)
            ? button.getAttribute("data-cancelled") || "No passkey was used. You can sign in with your password."
            : (error.message || "That passkey did not work here.");
        });
      });
    }
  });
})();
