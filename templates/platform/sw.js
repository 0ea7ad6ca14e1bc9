// Waiting Well service worker: keeps the app shell and versioned static files for use
// offline. Pages and answers that belong to someone are never stored: they always come
// from the network, and offline the person gets the offline page with the help numbers.
"use strict";
const CACHE = "shell-" + {{ version|tojson }};
const SHELL = {{ urls|tojson }};
const OFFLINE = SHELL[0];

self.addEventListener("install", (event) => {
  // Without credentials, so nothing stored can depend on who is signed in.
  const requests = SHELL.map((url) => new Request(url, { credentials: "omit" }));
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

function versionedStatic(url) {
  return url.pathname.startsWith("/static/") && url.searchParams.has("v");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(() => caches.match(OFFLINE, { ignoreVary: true }))
    );
    return;
  }
  if (versionedStatic(url)) {
    // A versioned URL never changes its content, so a stored copy is always right.
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        cache.match(request, { ignoreVary: true }).then(
          (hit) =>
            hit ||
            fetch(request).then((response) => {
              if (response.ok) cache.put(request, response.clone());
              return response;
            })
        )
      )
    );
  }
  // Everything else (htmx requests, form posts, private pages) goes to the network untouched.
});

// A reminder pushed by the server: the payload says only "A moment to check in?" (or that
// there is something in the app) and which page of this site to open.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  const path = typeof data.url === "string" && data.url.startsWith("/") && !data.url.startsWith("//")
    ? data.url : "/check-in";
  event.waitUntil(
    self.registration.showNotification(data.title || "Waiting Well", {
      body: data.body || "A moment to check in?",
      icon: "/static/icon-192.png",
      tag: "reminder",
      data: { url: path },
    })
  );
});

// A tap opens the page in the installed app: an open window of the site if there is one.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data.url, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      // A refused focus must not stop the page from opening.
      if (open) return open.focus().catch(() => open).then(() => open.navigate(target));
      return self.clients.openWindow(target);
    })
  );
});
