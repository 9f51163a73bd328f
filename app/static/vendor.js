// Hawker: the vendor's books, offline first.
//
// Every entry is saved on the phone first (IndexedDB, store "outbox") under
// a UUID made here, shown as "waiting to send", and sent to
// POST /api/v1/entries with that UUID as its Idempotency-Key: when it is
// made, when the phone comes back online and whenever the page opens. The
// server records a key once, so sending again (a lost answer, a second tab)
// never counts twice. Sent entries move to the store "sent", which keeps
// their keys.
(function () {
  'use strict';

  // A page the service worker did not serve is the phone's first visit (or
  // a new worker's): ask the worker to keep it for offline use once ready.
  // The page is handed over as the server sent it (the document before this
  // script changed anything), so keeping it costs no second download.
  if ('serviceWorker' in navigator) {
    var firstVisit = !navigator.serviceWorker.controller;
    var asSent = firstVisit ? '<!doctype html>\n' + document.documentElement.outerHTML : '';
    navigator.serviceWorker.register('/sw.js', { scope: '/' })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (reg) { if (firstVisit) keepPage(reg, asSent); })
      .catch(function () {});
  }

  var root = document.getElementById('books');
  if (!root) return;

  var text = {};
  try { text = JSON.parse(document.getElementById('books-text').textContent || '{}'); } catch (e) { text = {}; }
  function t(key) { return text[key] || key; }
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : '';
  var participant = root.dataset.participant;
  // The server's rules for an amount (money.Parse, and money.ParseGrouped
  // for forms): digits with at most 2 decimals, commas only between groups
  // of three ("1,250.50"), more than zero.
  var amountOK = /^[0-9]{1,16}(\.[0-9]{1,2})?$/;
  var groupedOK = /^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]{1,2})?$/;

  // keepPage asks the worker to keep this page for offline use (on the very
  // first visit the worker did not yet see the page load).
  function keepPage(reg, html) {
    if (!reg.active) return;
    reg.active.postMessage({ type: 'keep', path: location.pathname, html: html });
  }

  // Her latest monthly statement stays readable offline: on her own books
  // page, whenever online, the worker keeps a fresh copy (at most one
  // download a day). Not on a slow connection or with data saving on: the
  // PDF is many times the page, on prepaid data, and one she opens is kept
  // anyway.
  var conn = navigator.connection;
  var slowLink = !!conn && (conn.saveData || /2g|3g/.test(conn.effectiveType || ''));
  if ('serviceWorker' in navigator && location.pathname === '/books' && !slowLink) {
    navigator.serviceWorker.ready.then(function (reg) {
      if (navigator.onLine && reg.active) reg.active.postMessage({ type: 'keep', path: '/books/statement.pdf' });
    }).catch(function () {});
  }

  // The worker opens a kept page at once and fetches a fresh copy behind
  // it; when the copy is in, swap in its figures and entries. When the
  // session has ended, show the sign-in page.
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.addEventListener('message', function (ev) {
      var m = ev.data || {};
      if (m.path !== location.pathname) return;
      if (m.type === 'signed-out') { location.reload(); return; }
      if (m.type !== 'fresh') return;
      caches.match(location.pathname)
        .then(function (res) { return res ? res.text() : null; })
        .then(function (html) { if (html) swapIn(html); })
        .catch(function () {});
    });
    navigator.serviceWorker.startMessages();
  }

  // --- IndexedDB -----------------------------------------------------------
  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open('hawker-books', 1);
        req.onupgradeneeded = function () {
          var d = req.result;
          if (!d.objectStoreNames.contains('outbox')) d.createObjectStore('outbox', { keyPath: 'key' });
          if (!d.objectStoreNames.contains('sent')) d.createObjectStore('sent', { keyPath: 'key' });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    return dbPromise;
  }
  function store(name, mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var tx = d.transaction(name, mode);
        var result;
        fn(tx.objectStore(name), function (r) { result = r; });
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
        tx.onabort = function () { reject(tx.error); };
      });
    });
  }
  function getAll(name) {
    return store(name, 'readonly', function (s, done) {
      var req = s.getAll();
      req.onsuccess = function () {
        done(req.result.filter(function (i) { return i.body && i.body.participant === participant; })
          .sort(function (a, b) { return a.created - b.created; }));
      };
    });
  }
  function put(name, item) { return store(name, 'readwrite', function (s) { s.put(item); }); }
  function del(name, key) { return store(name, 'readwrite', function (s) { s['delete'](key); }); }

  // --- helpers -------------------------------------------------------------
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }
  // bangkokToday is the business day in Asia/Bangkok by the phone's clock.
  function bangkokToday() {
    return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Bangkok', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  }
  // typedDate is the day typed in the form's date box (staff recording on
  // her behalf: the shared B.E. box, read by datefield.js, which has held
  // back a form whose box does not read) as YYYY-MM-DD, the API's form;
  // "" when the form has no box (her own page: today) or it is empty, and
  // null when it does not read (never sent as another day).
  function typedDate(form) {
    var box = form.querySelector('input[data-date]');
    if (!box || !box.value.trim() || !window.hawkerDate) return '';
    var r = window.hawkerDate.parse(document.documentElement.lang === 'en' ? 'en' : 'th', box.value);
    if (r.err) return null;
    return r.y + '-' + ('0' + r.m).slice(-2) + '-' + ('0' + r.d).slice(-2);
  }
  // money writes "1234.5" as "1,234.50" without going through floating point.
  function money(s) {
    var parts = String(s).split('.');
    var whole = parts[0].replace(/^0+(?=\d)/, '');
    var frac = ((parts[1] || '') + '00').slice(0, 2);
    return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + '.' + frac;
  }
  function el(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (txt !== undefined) e.textContent = txt;
    return e;
  }

  // --- recording -----------------------------------------------------------
  function fieldError(form, input, msg) {
    var p = form.querySelector('.js-error');
    if (!msg) {
      if (p) p.remove();
      input.removeAttribute('aria-invalid');
      return;
    }
    if (!p) {
      p = el('p', 'field-error js-error');
      p.id = input.id + '-js-error';
      input.insertAdjacentElement('afterend', p);
    }
    p.textContent = msg;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', p.id);
  }

  function onSubmit(ev) {
    ev.preventDefault();
    var form = ev.currentTarget;
    var kind = form.dataset.kind;
    var input = form.querySelector('input[name="amount"]');
    var amount = input.value.trim();
    if (!amount) { fieldError(form, input, t('vendor.amount_required')); input.focus(); return; }
    if (groupedOK.test(amount)) amount = amount.replace(/,/g, '');
    if (!amountOK.test(amount) || !/[1-9]/.test(amount)) { fieldError(form, input, t('vendor.amount_invalid')); input.focus(); return; }
    fieldError(form, input, '');
    var date = typedDate(form);
    if (date === null) return;
    var body = { participant: participant, date: date || bangkokToday(), kind: kind, amount: amount, note: '' };
    var sub = ev.submitter;
    if (kind === 'sale') body.method = (sub && sub.value) || 'cash';
    if (kind === 'expense') body.category = (sub && sub.value) || 'other';
    var item = { key: uuid(), body: body, created: Date.now(), state: 'waiting' };
    tapped[item.key] = form;
    put('outbox', item).then(function () {
      input.value = '';
      return renderOutbox();
    }).then(flush);
  }

  // tapped is, by key, the form of each entry made on this page: when the
  // server holds it, a confirmation with an undo shows beside that form.
  var tapped = {};

  // showSaved confirms beside the form she tapped that the entry is held:
  // its kind and amount, and an undo that voids it.
  function showSaved(form, item) {
    var old = document.querySelector('.saved[data-form="' + form.id + '"]');
    if (old) old.remove();
    var box = el('div', 'saved');
    box.dataset.form = form.id;
    box.setAttribute('role', 'status');
    var what = label(item.body) + ' ฿' + money(item.body.amount);
    box.appendChild(el('span', 'saved-what', '✓ ' + t('vendor.saved_entry') + ': ' + what));
    if (item.late) box.appendChild(el('span', 'badge wait late', t('vendor.late')));
    var undo = el('button', 'secondary small-button undo', t('vendor.undo'));
    undo.type = 'button';
    var err = null;
    function failed(msg) {
      undo.disabled = false;
      if (!err) { err = el('p', 'field-error'); box.appendChild(err); }
      err.textContent = msg;
    }
    undo.addEventListener('click', function () {
      if (!navigator.onLine) { failed(t('vendor.void_offline')); return; }
      undo.disabled = true;
      fetch('/api/v1/entries/' + item.id + '/void', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify({ reason: t('vendor.undo_reason') }),
      }).then(function (res) {
        if (!res.ok && res.status !== 409) { failed(t('vendor.undo_failed')); return; }
        box.textContent = '';
        box.classList.add('is-undone');
        box.appendChild(el('span', 'saved-what', t('vendor.undone') + ': ' + what));
        return refreshPage();
      }, function () { failed(t('vendor.undo_failed')); });
    });
    box.appendChild(undo);
    form.insertAdjacentElement('afterend', box);
  }

  // send posts one entry. It answers {ok} when the server holds it (201 the
  // first time, 200 for a replay), {refused, message} when the server will
  // never take it, {auth} when the session has ended, {retry} otherwise.
  function send(item) {
    return fetch('/api/v1/entries', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': item.key, 'X-CSRF-Token': csrf },
      body: JSON.stringify(item.body),
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (j) {
        var code = j && j.error && j.error.code;
        if (res.status === 200 || res.status === 201) return { ok: true, status: res.status, id: j.id, late: !!j.late };
        if (res.status === 401 || code === 'csrf') return { auth: true, status: res.status };
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          var msg = (j.error && j.error.message) || t('vendor.refused');
          if (j.error && j.error.fields) {
            msg = Object.keys(j.error.fields).map(function (f) { return j.error.fields[f]; }).join(' ');
          }
          return { refused: true, status: res.status, message: msg };
        }
        return { retry: true, status: res.status };
      });
    }, function () { return { retry: true, offline: true }; });
  }

  var flushing = null;
  var again = false;
  // While the server answers "later" (503 when its database is down, a
  // lost answer), the outbox is tried again by itself, every 2 s at first,
  // then less often, at most every 30 s; the phone need not be reloaded.
  var retryTimer = null;
  var retryDelay = 2000;
  function retryLater(waiting) {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    if (!waiting) { retryDelay = 2000; return; }
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }
  function flush() {
    // A phone that knows it is offline sends nothing: a request started as
    // the signal drops may reach the server with its answer lost, and the
    // 'online' event flushes again anyway.
    if (!navigator.onLine) return renderOutbox();
    if (flushing) { again = true; return flushing; }
    var stale = false;
    var waiting = false;
    flushing = getAll('outbox').then(function (items) {
      var sent = 0;
      var chain = Promise.resolve(true);
      items.forEach(function (item) {
        chain = chain.then(function (go) {
          if (!go || item.state === 'refused') return go;
          markSending(item.key);
          return send(item).then(function (r) {
            if (r.ok) {
              sent++;
              item.state = 'sent';
              item.id = r.id;
              item.late = r.late; // its month had closed: booked late, never refused
              if (tapped[item.key]) { showSaved(tapped[item.key], item); delete tapped[item.key]; }
              item.sentAt = Date.now();
              return put('sent', item).then(function () { return del('outbox', item.key); }).then(function () { return true; });
            }
            if (r.refused) {
              item.state = 'refused';
              item.message = r.message;
              return put('outbox', item).then(function () { return true; });
            }
            if (r.auth) {
              stale = true;
              item.state = 'auth';
              return put('outbox', item).then(function () { return false; });
            }
            waiting = true;
            return false; // offline or the server is down: later
          });
        });
      });
      return chain.then(function () { return sent; });
    }).then(function (sent) {
      // A refusal for the session may only mean that this page (a kept
      // copy) carries an earlier session's token: a fresh copy brings the
      // current one, and swapIn sends again with it.
      return renderOutbox().then(function () { return sent > 0 || stale ? refreshPage() : null; });
    }).catch(function () {}).then(function () {
      flushing = null;
      if (again) { again = false; return flush(); }
      retryLater(waiting);
    });
    return flushing;
  }

  // refreshPage swaps in the server's figures and latest entries.
  function refreshPage() {
    return fetch(location.pathname, { credentials: 'same-origin' }).then(function (res) {
      if (!res.ok || res.redirected) return;
      return res.text().then(swapIn);
    }).catch(function () {});
  }
  // swapIn takes the figures, the entries and the form token from a fresh
  // copy of the page. A kept copy opened at once may carry the token of an
  // earlier session: entries refused for it are sent again with the new one.
  function swapIn(html) {
    var doc = new DOMParser().parseFromString(html, 'text/html');
    ['figures', 'glance', 'recent'].forEach(function (id) {
      var fresh = doc.getElementById(id);
      var here = document.getElementById(id);
      if (fresh && here) here.replaceWith(document.importNode(fresh, true));
    });
    wireVoids();
    renderOutbox();
    var meta = doc.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content && meta.content !== csrf) {
      csrf = meta.content;
      if (csrfMeta) csrfMeta.content = csrf;
      document.querySelectorAll('input[name="_csrf"]').forEach(function (i) { i.value = csrf; });
      flush();
    }
  }

  // --- the outbox on screen ------------------------------------------------
  function label(body) {
    var s = t('vendor.kind.' + body.kind);
    if (body.method) s += ' · ' + t('vendor.method.' + body.method);
    if (body.category) s += ' · ' + t('vendor.category.' + body.category);
    return s;
  }
  function markSending(key) {
    var li = document.querySelector('#outbox-list li[data-key="' + key + '"] .badge');
    if (li) li.textContent = t('vendor.sending');
  }
  // beDate writes an ISO date as the page writes dates: "30 พ.ย. 2569" in
  // Thai (B.E.), "30 Nov 2026" in English.
  function beDate(iso) {
    var p = String(iso).split('-');
    var months = String(text.months || '').split(',');
    if (p.length !== 3 || months.length !== 12) return iso;
    var y = +p[0];
    return (+p[2]) + ' ' + months[+p[1] - 1] + ' ' + (text.lang === 'en' ? y : y + 543);
  }
  function entryRow(item) {
    var refused = item.state === 'refused';
    var li = el('li', 'entry-row k-' + item.body.kind + (refused ? ' is-refused' : ' is-waiting'));
    li.dataset.key = item.key;
    var line = el('div', 'e-line');
    line.appendChild(el('span', 'e-what', label(item.body)));
    line.appendChild(el('span', 'e-amt num', (item.body.kind === 'sale' ? '+฿' : '−฿') + money(item.body.amount)));
    li.appendChild(line);
    var meta = el('div', 'e-meta');
    meta.appendChild(el('span', refused ? 'badge off' : 'badge wait',
      refused ? t('vendor.refused') : (item.state === 'auth' ? t('vendor.sign_in_again') : t('vendor.outbox'))));
    meta.appendChild(document.createTextNode(' ' + beDate(item.body.date)));
    li.appendChild(meta);
    if (refused) {
      li.appendChild(el('p', 'field-error', item.message || t('vendor.refused')));
      var drop = el('button', 'secondary small-button', t('vendor.delete'));
      drop.type = 'button';
      drop.addEventListener('click', function () { del('outbox', item.key).then(renderOutbox); });
      li.appendChild(drop);
    }
    return li;
  }
  // fill shows items in one of the two lists: waiting to send, or refused
  // (shown apart, each with why and a delete button).
  function fill(boxID, items) {
    var box = document.getElementById(boxID);
    if (!box) return;
    var list = document.getElementById(boxID + '-list');
    list.textContent = '';
    items.forEach(function (item) { list.appendChild(entryRow(item)); });
    document.getElementById(boxID + '-count').textContent = items.length ? '(' + items.length + ')' : '';
    box.hidden = items.length === 0;
  }
  function renderOutbox() {
    return getAll('outbox').then(function (items) {
      var waiting = items.filter(function (i) { return i.state !== 'refused'; });
      fill('outbox', waiting);
      fill('refused', items.filter(function (i) { return i.state === 'refused'; }));
      showWaiting(waiting);
    }).catch(function () {});
  }

  // --- today's figures count what waits ---------------------------------------
  // satang reads the server's amount ("1234.5", "-20") as whole satang, and
  // baht writes satang as the page does ("฿1,234.50", "−฿20.00"): integers
  // only, never floating point for money.
  function satang(s) {
    s = String(s || '0').trim();
    var neg = s.charAt(0) === '-';
    if (neg) s = s.slice(1);
    var p = s.split('.');
    var n = parseInt(p[0] || '0', 10) * 100 + parseInt(((p[1] || '') + '00').slice(0, 2), 10);
    return neg ? -n : n;
  }
  function baht(n) {
    var abs = Math.abs(n);
    var s = '฿' + money(Math.floor(abs / 100) + '.' + ('0' + (abs % 100)).slice(-2));
    return n < 0 ? '−' + s : s;
  }
  // showWaiting adds the entries still waiting to be sent to today's
  // figures (those dated today) and to her cash on hand, each figure marked
  // with what of it is waiting; the server's own figure is its data-amount.
  function showWaiting(waiting) {
    var today = root.dataset.today;
    var sales = 0, expenses = 0, cash = 0;
    waiting.forEach(function (i) {
      var a = satang(i.body.amount);
      if (i.body.date === today && i.body.kind === 'sale') sales += a;
      if (i.body.date === today && i.body.kind === 'expense') expenses += a;
      if (i.body.kind === 'sale' && i.body.method === 'cash') cash += a;
      if (i.body.kind === 'expense' || i.body.kind === 'drawing') cash -= a;
    });
    var add = { sales: sales, expenses: expenses, profit: sales - expenses, cash: cash };
    Object.keys(add).forEach(function (k) {
      var fig = document.querySelector('#figures .fig-' + k);
      var dd = fig && fig.querySelector('dd');
      if (!dd || dd.dataset.amount === undefined) return;
      var total = satang(dd.dataset.amount) + add[k];
      dd.textContent = baht(total);
      if (k === 'profit' || k === 'cash') fig.classList.toggle('is-neg', total < 0);
      var note = fig.querySelector('.fig-wait');
      fig.classList.toggle('has-waiting', add[k] !== 0);
      if (add[k] === 0) { if (note) note.remove(); return; }
      if (!note) { note = el('p', 'fig-wait'); fig.appendChild(note); }
      note.textContent = t('vendor.waiting_in') + ' ' + (add[k] > 0 ? '+' : '') + baht(add[k]);
    });
  }

  // --- voids need the server -------------------------------------------------
  function wireVoids() {
    document.querySelectorAll('form.void-form').forEach(function (f) {
      if (f.dataset.wired) return;
      f.dataset.wired = '1';
      f.addEventListener('submit', function (ev) {
        if (!navigator.onLine) {
          ev.preventDefault();
          window.alert(t('vendor.void_offline'));
        }
      });
    });
  }

  // --- online and offline ----------------------------------------------------
  var banner = document.getElementById('offline-banner');
  function showNetwork() { if (banner) banner.hidden = navigator.onLine; }
  window.addEventListener('online', function () { showNetwork(); flush(); });
  window.addEventListener('offline', showNetwork);

  document.querySelectorAll('form.entry-form').forEach(function (f) { f.addEventListener('submit', onSubmit); });

  // Her opening cash goes to the server at once (it is recorded once, and
  // a second is refused there): checked here like any amount, and held
  // back with a message while the phone is offline.
  var openingForm = document.getElementById('opening-form');
  if (openingForm) {
    openingForm.addEventListener('submit', function (ev) {
      var input = openingForm.querySelector('input[name="amount"]');
      var amount = input.value.trim();
      var msg = '';
      if (!amount) msg = t('vendor.amount_required');
      else if (!(amountOK.test(amount) || groupedOK.test(amount)) || !/[1-9]/.test(amount)) msg = t('vendor.amount_invalid');
      else if (!navigator.onLine) msg = t('vendor.opening_offline');
      if (msg) { ev.preventDefault(); fieldError(openingForm, input, msg); input.focus(); }
    });
  }
  wireVoids();
  showNetwork();
  renderOutbox().then(flush);

  // For tests and support: send the outbox now, or send given items again.
  window.hawkerBooks = {
    flush: flush,
    send: send,
    sendAll: function (items) {
      var out = [];
      return items.reduce(function (p, item) {
        return p.then(function () { return send(item).then(function (r) { out.push(r.status || 0); }); });
      }, Promise.resolve()).then(function () { return out; });
    },
    outbox: function () { return getAll('outbox'); },
    sent: function () { return getAll('sent'); },
  };
})();
