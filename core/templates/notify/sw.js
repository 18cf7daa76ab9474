// The home-screen app's service worker. It keeps ONLY the static files (their names change
// with their content, under /a/) and the offline page; never a member's page: pages always come
// from the network, and the offline page stands in when there is none. Sign-out clears it all.
"use strict";
var CACHE = __CACHE__;
var OFFLINE = "/offline";
var PRECACHE = __PRECACHE__;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    // Without cookies: the offline page must be the same for everyone.
    return cache.addAll(PRECACHE.map(function (url) { return new Request(url, {credentials: "omit"}); }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  // A new version of the files means a new cache name: the old cache goes, nothing stale stays.
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("sotay-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || request.headers.has("range")) return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/a/") === 0) {
    // Hashed static files never change: the cache first, the network to fill it.
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
      });
    }));
  } else if (request.mode === "navigate") {
    // Pages: the network only (nothing is stored); the offline page when the network is down.
    event.respondWith(fetch(request).catch(function () {
      return caches.open(CACHE).then(function (cache) { return cache.match(OFFLINE); });
    }));
  }
});
