// Signing out on a shared phone: forget the pages this phone kept for
// offline use, so that the next person cannot open them. The static files
// and the app's "you are offline" page stay (they show no one's data): a
// phone offline after a sign-out still shows the app's page, never the
// browser's error. Entries still waiting to be sent stay in IndexedDB;
// they are sent only for the participant who recorded them, once they
// sign in again.
//
// Offline, a form the page did not handle itself (signing out, the
// language) cannot reach the server: the app's own "you are offline" page
// shows instead of the browser's error page. The sign-out is sent first
// and the pages forgotten after: a phone that believes it is online but
// cannot reach the server keeps her signed in and her pages, and shows
// the offline page too.
document.addEventListener('submit', function (e) {
  var form = e.target;
  if (e.defaultPrevented) return;
  if (!navigator.onLine) {
    e.preventDefault();
    location.href = '/offline';
    return;
  }
  if (!form.matches('form[action="/logout"]') || !window.fetch) return;
  e.preventDefault();
  fetch(form.action, {
    method: 'POST', credentials: 'same-origin',
    body: new URLSearchParams(new FormData(form))
  }).then(function (res) {
    if (!res.ok) { form.submit(); return; } // the server's own answer
    return forget().then(function () { location.replace(res.url); });
  }, function () { location.href = '/offline'; });
});

// forget deletes the kept pages from every cache of the worker, keeping
// the static files and the offline page.
function forget() {
  if (!('caches' in window)) return Promise.resolve();
  return caches.keys().then(function (names) {
    return Promise.all(names.map(function (name) {
      return caches.open(name).then(function (c) {
        return c.keys().then(function (reqs) {
          return Promise.all(reqs.filter(function (r) {
            var path = new URL(r.url).pathname;
            return path !== '/offline' && path.indexOf('/static/') !== 0;
          }).map(function (r) { return c.delete(r); }));
        });
      });
    }));
  }).catch(function () {});
}
