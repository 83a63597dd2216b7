// The market page's service worker. It keeps exactly one page, /market, and the files that
// page loads, so the stall works without signal. It never keeps any other page (they hold
// personal data and CSRF tokens) and never an API answer: those requests pass straight through.
// Everything is fetched from the network first; the kept copy is used only when that fails.
"use strict";

var CACHE = "coop-market-v1";
var PAGE = "/market";
var ASSETS = [
  "/static/vendor/pico.min.css",
  "/static/app.css",
  "/static/vendor/htmx.min.js",
  "/static/market.js",
  "/static/favicon.svg",
  "/manifest.webmanifest"
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // The page is only kept if the member may open it (a redirect to /login is not kept).
      var page = fetch(PAGE, { credentials: "same-origin" }).then(function (response) {
        if (response.ok && !response.redirected) return cache.put(PAGE, response);
      }).catch(function () {});
      return Promise.all([cache.addAll(ASSETS), page]);
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n !== CACHE; })
        .map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/logout") {
    // Logging out forgets the kept page: the next person on this phone sees nothing of it.
    event.waitUntil(caches.delete(CACHE));
    return;
  }
  if (request.method !== "GET") return;
  var isPage = url.pathname === PAGE;
  if (!isPage && ASSETS.indexOf(url.pathname) === -1) return; // not ours: the network alone
  event.respondWith(
    fetch(request).then(function (response) {
      // Keep a fresh copy of the plain page (not ?counted=..., not a redirect or a refusal).
      if (response.ok && !response.redirected && (!isPage || url.search === "")) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(isPage ? PAGE : request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(isPage ? PAGE : request, { ignoreSearch: isPage }).then(function (kept) {
        return kept || Response.error();
      });
    })
  );
});
