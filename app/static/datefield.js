// Date boxes (the "datefield" partial): day/month/year, the B.E. year on
// Thai pages and the C.E. year on English ones. This mirrors thai.ParseDate
// rule for rule (thai/testdata/dates.json holds both to one table) so that
// a mistake is told at once, in the page's words; without JavaScript the
// server says the same on submit.
(function () {
  'use strict';
  var FIRST = 2000, LAST = 2099, BE = 543;

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  // parse returns {y, m, d} (C.E.) or {err: 'format'|'no-day'|'want-be'|'want-ce'|'range'}.
  function parse(lang, s) {
    s = s.trim();
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
    var y, mo, d;
    if (m) {
      y = +m[1]; mo = +m[2]; d = +m[3];
    } else {
      m = /^(\d{1,2})([\/.-])(\d{1,2})\2(\d{4})$/.exec(s);
      if (!m) return { err: 'format' };
      d = +m[1]; mo = +m[3]; y = +m[4];
      if (lang === 'en') {
        if (y >= FIRST + BE && y <= LAST + BE) return { err: 'want-ce' };
      } else {
        if (y >= FIRST && y <= LAST) return { err: 'want-be' };
        y -= BE;
      }
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return { err: 'no-day' };
    var t = new Date(Date.UTC(2000, mo - 1, d));
    t.setUTCFullYear(y);
    if (t.getUTCDate() !== d) return { err: 'no-day' };
    if (y < FIRST || y > LAST) return { err: 'range' };
    return { y: y, m: mo, d: d };
  }

  function show(lang, r) {
    return pad(r.d) + '/' + pad(r.m) + '/' + (lang === 'en' ? r.y : r.y + BE);
  }

  function lang() { return document.documentElement.lang === 'en' ? 'en' : 'th'; }

  // check tells the box's mistake beside it and, when she leaves the box
  // (tidy), writes a good date in the page's form (1/2/2569 becomes
  // 01/02/2569); it reports whether the box reads. A change alone never
  // rewrites what is typed.
  function check(box, tidy) {
    var msg = document.getElementById(box.id + '-error');
    var hint = box.id + '-hint';
    var r = box.value.trim() === '' ? {} : parse(lang(), box.value);
    if (r.err) {
      msg.textContent = box.getAttribute('data-' + r.err);
      msg.hidden = false;
      box.setAttribute('aria-invalid', 'true');
      box.setAttribute('aria-describedby', hint + ' ' + msg.id);
      return false;
    }
    if (r.y && tidy) box.value = show(lang(), r);
    msg.hidden = true;
    msg.textContent = '';
    box.removeAttribute('aria-invalid');
    box.setAttribute('aria-describedby', hint);
    return true;
  }

  document.addEventListener('change', function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute('data-date')) check(e.target, false);
  });
  document.addEventListener('focusout', function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute('data-date')) check(e.target, true);
  });
  document.addEventListener('submit', function (e) {
    var boxes = e.target.querySelectorAll('input[data-date]');
    var first = null;
    for (var i = 0; i < boxes.length; i++) {
      if (!check(boxes[i], false) && !first) first = boxes[i];
    }
    if (first) {
      e.preventDefault();
      e.stopPropagation(); // nor ask to confirm what will not be sent
      first.focus();
    }
  }, true);

  window.hawkerDate = { parse: parse, show: show };
})();
