// A cache-first service worker, as the phone app's will be: the page and its
// assets come from the cache, everything else from the network.
const cache = "outbox-v1";
self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(cache).then((c) => c.addAll(["/sw.html", "/style.css", "/sw-register.js"])).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (e) => {
  e.respondWith(caches.match(e.request).then((r) => r || fetch(e.request)));
});
