// Registers the service worker that keeps the page available offline.
navigator.serviceWorker.register("/sw.js");
document.getElementById("online").textContent = navigator.onLine ? "online" : "offline";
