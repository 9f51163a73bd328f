// Signing out on a shared phone: forget the pages this phone kept for
// offline use, so that the next person cannot open them. Entries still
// waiting to be sent stay in IndexedDB; they are sent only for the
// participant who recorded them, once they sign in again.
//
// Offline, a form the page did not handle itself (signing out, the
// language) cannot reach the server: the app's own "you are offline" page
// shows instead of the browser's error page.
document.addEventListener('submit', function (e) {
  var form = e.target;
  if (e.defaultPrevented) return;
  if (!navigator.onLine) {
    e.preventDefault();
    location.href = '/offline';
    return;
  }
  if (!form.matches('form[action="/logout"]') || !('caches' in window)) return;
  e.preventDefault();
  caches.keys()
    .then(function (keys) { return Promise.all(keys.map(function (k) { return caches.delete(k); })); })
    .catch(function () {})
    .then(function () { form.submit(); });
});
