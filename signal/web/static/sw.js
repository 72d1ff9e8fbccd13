// Signaal's service worker: keeps the app shell (the static files, the
// offline page and the empty new-signal form) so a youth worker can record
// a signal without a connection. It never caches signals or lists: pages
// with young people's data always come from the network.
// What the phone keeps (issue 15 item 8), and nothing else:
//  - signaal-static-<release>: the static files (ASSETS, with the policy
//    and its questions) and /offline, which holds nobody's data;
//  - signaal-pages-<release>-<account>: /signalen/nieuw?shell=1, the
//    reporter's empty form (their own name, no young person), put there
//    by app.js only on a logged-in reporter's page and removed at logout
//    and on every page without one.
// It stores nothing it fetches later: no page, no API answer.
'use strict';
var VERSION = '__VERSION__';
var ASSETS = __ASSETS__;
var STATIC = 'signaal-static-' + VERSION;
var SHELL = '/signalen/nieuw?shell=1';

self.addEventListener('install', function (e) {
  e.waitUntil(caches.open(STATIC).then(function (c) { return c.addAll(ASSETS.concat(['/offline'])); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener('activate', function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf('signaal-static-') === 0 && k !== STATIC; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (e) {
  var req = e.request, url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf('/static/') === 0) {
    e.respondWith(caches.match(req).then(function (hit) { return hit || fetch(req); }));
    return;
  }
  if (req.mode === 'navigate') {
    e.respondWith(fetch(req).catch(function () {
      var fallback = url.pathname === '/signalen/nieuw' ? SHELL : '/offline';
      return caches.match(fallback).then(function (hit) { return hit || caches.match('/offline'); });
    }));
  }
});
