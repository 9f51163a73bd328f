// Hawker's service worker: keeps the vendor's books usable offline.
//
// - The shell (styles, script, icons, category pictures, manifest) is cached
//   when the worker installs and served from the cache, refreshed behind.
// - The books pages (/books, /vendors/CODE and their PromptPay pages and QR)
//   are fetched from the network first; each good answer is kept, and
//   offline the last one kept is shown. vendor.js also stores the page it
//   runs on, so the very first visit is covered.
// - Nothing else is touched: the API (entries are queued by vendor.js in
//   IndexedDB, never here), POSTs and every other page go to the network.
'use strict';

const VERSION = 'hawker-books-v1';
const SHELL = [
  '/static/app.css',
  '/static/vendor.css',
  '/static/vendor.js',
  '/manifest.webmanifest',
  '/static/icons/icon-192.png',
  '/static/icons/icon-512.png',
  '/static/img/ingredients.svg',
  '/static/img/gas.svg',
  '/static/img/ice.svg',
  '/static/img/packaging.svg',
  '/static/img/pitch.svg',
  '/static/img/transport.svg',
  '/static/img/other.svg',
  '/static/img/home.svg',
];

const booksPage = /^\/(books(\/promptpay(\.svg)?)?|vendors\/HSF-[0-9]{4}-[0-9]{4,}(\/promptpay(\.svg)?)?)$/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(VERSION).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;

  if (booksPage.test(url.pathname)) {
    // Network first; the kept copy offline. The key is the path without
    // the query, except for a QR with an amount, which is never kept.
    const keep = !url.search || !url.pathname.endsWith('.svg');
    event.respondWith(
      fetch(req).then((res) => {
        if (res.ok && keep) {
          const copy = res.clone();
          caches.open(VERSION).then((c) => c.put(url.pathname, copy));
        }
        return res;
      }).catch(() => caches.match(url.pathname).then((hit) => hit || Response.error())));
    return;
  }

  if (url.pathname.startsWith('/static/') || url.pathname === '/manifest.webmanifest') {
    // The cached copy at once; a fresh one fetched behind it for next time.
    event.respondWith(caches.open(VERSION).then((c) => c.match(req, { ignoreSearch: true }).then((hit) => {
      const fresh = fetch(req).then((res) => {
        if (res.ok) c.put(req, res.clone());
        return res;
      });
      if (hit) {
        fresh.catch(() => {});
        return hit;
      }
      return fresh;
    })));
  }
});
