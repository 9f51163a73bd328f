// Hawker's service worker: keeps the vendor's books usable offline, and
// opens them at once on the next visit.
//
// - PRECACHE is every static file under its hashed name (the server fills
//   it in when it starts, from the list the templates' {{asset}} helper
//   uses) and VERSION is made from that list. A new list is a new worker:
//   it caches the new files, takes fresh copies of the pages the old one
//   kept, and drops the old caches.
// - Static files come from the cache; a hashed name never changes.
// - The vendor's own books page (/books) opens from the kept copy at once,
//   while a fresh copy is fetched behind it; the page is told when the
//   fresh copy is in, and swaps in its figures (vendor.js).
// - The other books pages (/vendors/CODE, PromptPay and its QR, and the
//   vendor's latest monthly statement, /books/statement.pdf) come from
//   the network first; each good answer is kept, and offline the last one
//   kept is shown. On the very first visit, before this worker served
//   anything, vendor.js hands over the page as it came, to be kept.
// - Her account and grant pages (/account, /books/grants) are kept the
//   same way, network first.
// - Every other page she navigates to goes to the network; offline, "/"
//   opens her kept books, and anything else the app's own "you are
//   offline" page (/offline, kept at install), never the browser's error.
// - Nothing else is touched: the API (entries are queued by vendor.js in
//   IndexedDB, never here) and POSTs go to the network.
'use strict';

const PRECACHE = ["__PRECACHE__"];
const VERSION = 'hawker-__VERSION__';

const ownBooks = '/books';
const offlinePage = '/offline';
const keptPage = /^\/(account|books\/grants)$/;
const booksPage = /^\/(books(\/promptpay(\.svg)?|\/statement\.pdf)?|vendors\/HSF-[0-9]{4}-[0-9]{4,}(\/promptpay(\.svg)?)?)$/;

// keep fetches path and keeps it when the answer is the page itself (not a
// redirect to sign in); it resolves to true when kept.
function keep(path) {
  return fetch(path, { credentials: 'same-origin' }).then((res) => {
    if (!res.ok || res.redirected) return false;
    return caches.open(VERSION).then((c) => c.put(path, res)).then(() => true);
  });
}

// fillPrecache caches the static files the cache lacks (after a sign-out
// emptied it, say).
function fillPrecache() {
  return caches.open(VERSION).then((c) => Promise.all(PRECACHE.map((u) =>
    c.match(u).then((hit) => hit || c.add(u)))).then(() => c.match(offlinePage).then((hit) => hit || c.add(offlinePage).catch(() => {}))));
}

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(VERSION).then((c) => c.addAll(PRECACHE).then(() => c.add(offlinePage).catch(() => {})))
    .then(() => caches.keys())
    .then((names) => Promise.all(names.filter((n) => n !== VERSION).map((n) =>
      caches.open(n).then((old) => old.keys()).then((reqs) => Promise.all(reqs
        .map((r) => new URL(r.url).pathname)
        .filter((p) => booksPage.test(p) || keptPage.test(p))
        .map((p) => keep(p).catch(() => false)))))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()));
});

// The headers a kept page carries: the server's security headers, as the
// precached files carry them.
const pageHeaders = ['Content-Security-Policy', 'X-Content-Type-Options', 'Referrer-Policy', 'X-Frame-Options'];

// keepAsSent keeps html, the page as the server sent it to a page that was
// not yet served by this worker (the first visit), with the server's
// security headers; it saves downloading the page a second time.
function keepAsSent(path, html) {
  return caches.open(VERSION).then((c) => c.match(PRECACHE[0]).then((sample) => {
    if (!sample) return keep(path); // no headers to copy: the network's copy
    const headers = new Headers({ 'Content-Type': 'text/html; charset=utf-8' });
    pageHeaders.forEach((h) => { if (sample.headers.has(h)) headers.set(h, sample.headers.get(h)); });
    return c.put(path, new Response(html, { headers: headers })).then(() => true);
  }));
}

// keepDaily keeps path unless the kept copy is less than a day old: a page
// asks for its documents to be kept on every visit, and a vendor pays for
// every byte.
function keepDaily(path) {
  return caches.open(VERSION).then((c) => c.match(path)).then((hit) => {
    const date = hit ? Date.parse(hit.headers.get('Date') || '') : NaN;
    if (date && Date.now() - date < 24 * 3600 * 1000) return true;
    return keep(path);
  });
}

self.addEventListener('message', (event) => {
  const m = event.data || {};
  if (m.type === 'keep' && (booksPage.test(m.path) || keptPage.test(m.path))) {
    const kept = typeof m.html === 'string' && m.html ? keepAsSent(m.path, m.html) : keepDaily(m.path);
    event.waitUntil(kept.catch(() => false).then(fillPrecache).catch(() => {}));
  }
});

// tell sends msg to the page the fetch event is for.
function tell(event, msg) {
  return self.clients.get(event.resultingClientId || event.clientId).then((client) => {
    if (client) client.postMessage(msg);
  });
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate' && url.pathname !== ownBooks && !booksPage.test(url.pathname)) {
    // Her account and grants from the network, kept; any other page from
    // the network, and offline "/" opens her kept books, the rest the
    // offline page.
    event.respondWith(keptPage.test(url.pathname) ? fetchAndKeep(req, url) : fetch(req).catch(() => offline(url)));
    return;
  }
  if (url.pathname.startsWith('/api/')) return;

  if (url.pathname.startsWith('/static/')) {
    event.respondWith(caches.open(VERSION).then((c) => c.match(req)).then((hit) => hit || fetch(req)));
    return;
  }

  if (url.pathname === ownBooks && req.mode === 'navigate' && !url.search) {
    // The kept copy at once, a fresh one behind it.
    event.respondWith(caches.open(VERSION).then((c) => c.match(ownBooks)).then((hit) => {
      if (!hit) return fetchAndKeep(req, url);
      event.waitUntil(fetch(ownBooks, { credentials: 'same-origin' }).then((res) => {
        if (res.ok && !res.redirected) {
          return caches.open(VERSION).then((c) => c.put(ownBooks, res))
            .then(() => tell(event, { type: 'fresh', path: ownBooks }));
        }
        if (res.redirected || res.status === 401 || res.status === 403) {
          // Signed out elsewhere or expired: forget the page, show sign-in.
          return caches.open(VERSION).then((c) => c.delete(ownBooks))
            .then(() => tell(event, { type: 'signed-out', path: ownBooks }));
        }
      }).catch(() => {}));
      return hit;
    }));
    return;
  }

  if (booksPage.test(url.pathname)) {
    event.respondWith(fetchAndKeep(req, url));
  }
});

// fetchAndKeep: the network first, each good answer kept under the path
// (except a QR with an amount, which is never kept); offline the kept copy.
function fetchAndKeep(req, url) {
  const keepIt = !url.search || !url.pathname.endsWith('.svg');
  return fetch(req).then((res) => {
    if (res.ok && !res.redirected && keepIt) {
      const copy = res.clone();
      caches.open(VERSION).then((c) => c.put(url.pathname, copy));
    }
    return res;
  }).catch(() => caches.open(VERSION).then((c) => c.match(url.pathname)).then((hit) => hit || offline(url)));
}

// offline answers a page the phone cannot fetch: her kept books for "/"
// (a vendor's home is her books), else the app's offline page.
function offline(url) {
  return caches.open(VERSION).then((c) => {
    if (url.pathname === '/') {
      return c.match(ownBooks).then((hit) => hit ? Response.redirect(ownBooks, 302) : c.match(offlinePage));
    }
    return c.match(offlinePage);
  }).then((res) => res || Response.error());
}
