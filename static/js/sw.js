// The offline worker (served at /visits/sw.js by visits.views.service_worker, so its scope is
// /visits/). It keeps nothing itself: static/js/offline.js fills one cache per prepared
// operation, named makesafe-offline:<user>:<operation>:<last day kept, YYYY-MM-DD>. Every
// request still goes to the network first; only when the network fails does the worker answer
// from those caches, and a page that is in none of them fails as it would without the worker.
// POSTs are never touched: a visit logged offline is queued by offline.js, not here.
"use strict";

var PREFIX = "makesafe-offline:";

function today() {
  var now = new Date();
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
}

// The caches of operations whose day plus one is over are deleted, whatever page asked.
function kept() {
  return caches.keys().then(function (names) {
    var mine = names.filter(function (name) { return name.indexOf(PREFIX) === 0; });
    var past = mine.filter(function (name) { return name.split(":")[3] < today(); });
    return Promise.all(past.map(function (name) { return caches.delete(name); })).then(function () {
      return mine.filter(function (name) { return past.indexOf(name) === -1; });
    });
  });
}

function fromCache(request) {
  return kept().then(function (names) {
    return names.reduce(function (found, name) {
      return found.then(function (response) {
        return response || caches.open(name).then(function (cache) {
          return cache.match(request, { ignoreVary: true });
        });
      });
    }, Promise.resolve(undefined));
  }).then(function (response) { return response || Response.error(); });
}

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(kept().then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) { return; }
  event.respondWith(fetch(request).catch(function () { return fromCache(request); }));
});
