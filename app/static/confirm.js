// Asks before a form marked data-confirm="question" is sent (disabling a
// user, resetting a password). Without JavaScript the form simply posts.
document.addEventListener('submit', function (e) {
  var q = e.target.getAttribute && e.target.getAttribute('data-confirm');
  if (q && !window.confirm(q)) {
    e.preventDefault();
  }
});
