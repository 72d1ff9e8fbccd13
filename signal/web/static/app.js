// Signaal's one script. Progressive enhancement only: every page works
// without it. It adds what a phone with a bad connection needs:
//  - the outbox: a signal sent (or saved) without a connection is kept in
//    IndexedDB (only the form's fields) and sent to POST /api/v1/signals
//    with its Idempotency-Key when the connection returns, also after the
//    page was closed; it is deleted once the server acknowledged it. The
//    key makes every retry store the signal exactly once.
//  - the service worker (app shell for offline use) and the network status.
'use strict';
(function () {
  var DB_NAME = 'signaal', STORE = 'outbox';
  var SHELL = '/signalen/nieuw?shell=1';
  var PAGES = 'signaal-pages-';
  var VERSION = (document.currentScript && document.currentScript.src.split('v=')[1]) || '0';

  function openDB() {
    return new Promise(function (resolve, reject) {
      var r = indexedDB.open(DB_NAME, 1);
      r.onupgradeneeded = function () { r.result.createObjectStore(STORE, { keyPath: 'key' }); };
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }
  function store(mode, fn) {
    return openDB().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var out = fn(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); resolve(out && out.result); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }
  var outbox = {
    all: function () { return store('readonly', function (s) { return s.getAll(); }); },
    put: function (item) { return store('readwrite', function (s) { s.put(item); }); },
    del: function (key) { return store('readwrite', function (s) { s.delete(key); }); }
  };

  // newKey makes an Idempotency-Key: a UUIDv7 (RFC 9562), random but
  // ordered by time, which the server stores next to the keys of the same
  // moment (cheaper to write than a random one).
  function newKey() {
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    var ms = Date.now();
    for (var i = 5; i >= 0; i--) { b[i] = ms % 256; ms = Math.floor(ms / 256); }
    b[6] = 0x70 | (b[6] & 0x0f);
    b[8] = 0x80 | (b[8] & 0x3f);
    var h = Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // toSignal turns a signal form into the body of POST /api/v1/signals. The
  // field names are the wire paths; answers "true"/"false" are booleans.
  function toSignal(form) {
    var s = { youth: { name: '', birth_date: '' }, category: '', facts: '', observed_on: '', answers: {} };
    var pick = '';
    new FormData(form).forEach(function (v, k) {
      if (v === '') { return; }
      if (k === 'youth.name') { s.youth.name = v; }
      else if (k === 'youth.birth_date') { s.youth.birth_date = v; }
      else if (k === 'youth.pick') { pick = v; }
      else if (k === 'category' || k === 'facts' || k === 'opinions' || k === 'observed_on') { s[k] = v; }
      else if (k === 'contains') { (s.contains = s.contains || []).push(v); }
      else if (k.indexOf('versions.') === 0) {
        // versions.<level>.facts|opinions|confirmed|reason: the text for a
        // level below full and the possible names confirmed with a reason.
        var vp = k.split('.'), vs = s.versions = s.versions || {};
        var t = vs[vp[1]] = vs[vp[1]] || { facts: '' };
        if (vp[2] === 'confirmed') { (t.confirmed = t.confirmed || []).push({ kind: 'person_name', text: v, reason: '' }); }
        else if (vp[2] === 'reason') { t.reason = v; }
        else { t[vp[2]] = v; }
      }
      else if (k.indexOf('answers.') === 0) {
        var path = k.slice(8).split('.'), o = s.answers;
        for (var i = 0; i < path.length - 1; i++) { o = o[path[i]] = o[path[i]] || {}; }
        o[path[path.length - 1]] = v === 'true' ? true : v === 'false' ? false : v;
      }
    });
    if (pick && !s.youth.name.trim() && !s.youth.birth_date) {
      var bar = pick.indexOf('|');
      s.youth.birth_date = pick.slice(0, bar);
      s.youth.name = pick.slice(bar + 1);
    }
    Object.keys(s.versions || {}).forEach(function (lv) {
      var t = s.versions[lv];
      if (!t.facts.trim()) { delete s.versions[lv]; return; }
      (t.confirmed || []).forEach(function (c) { c.reason = t.reason || ''; });
      delete t.reason;
    });
    return s;
  }

  function msg(name) {
    var el = document.getElementById('outbox');
    return (el && el.getAttribute('data-msg-' + name)) || name;
  }

  var flushing = null;
  // flush sends every waiting signal once; it stops at the first network
  // failure or expired session (the rest wait for the next try). It
  // resolves to the ids the server gave, by outbox key.
  function flush() {
    if (flushing) { return flushing; }
    var sent = {};
    flushing = outbox.all().then(function (items) {
      var chain = Promise.resolve(true);
      items.forEach(function (it) {
        chain = chain.then(function (go) {
          if (!go || it.state === 'rejected') { return go; }
          return fetch('/api/v1/signals', {
            method: 'POST', credentials: 'same-origin',
            headers: { 'Content-Type': 'application/json', 'Idempotency-Key': it.key },
            body: JSON.stringify(it.signal)
          }).then(function (res) {
            if (res.status === 201) {
              return res.json().then(function (body) { sent[it.key] = body.id; return outbox.del(it.key); })
                .then(function () { return true; });
            }
            if (res.status === 401) { it.state = 'login'; return outbox.put(it).then(function () { return false; }); }
            if (res.status >= 500 || res.status === 429) { return false; }
            return res.json().catch(function () { return {}; }).then(function (body) {
              it.state = 'rejected';
              it.problem = body && body.error ? body.error.message + (body.error.fields ? ': ' +
                body.error.fields.map(function (f) { return f.field + ' ' + f.problem; }).join('; ') : '') : String(res.status);
              return outbox.put(it).then(function () { return true; });
            });
          }, function () { return false; }); // no connection: try again later
        });
      });
      return chain;
    }).then(function () { return sent; }, function () { return sent; });
    flushing.then(function () { flushing = null; render(); });
    return flushing;
  }

  // render shows the waiting signals in every page's outbox section.
  function render() {
    var box = document.getElementById('outbox'), list = document.getElementById('outbox-list');
    if (!box || !list || !self.indexedDB) { return; }
    outbox.all().then(function (items) {
      list.textContent = '';
      box.hidden = items.length === 0;
      var login = false;
      items.forEach(function (it) {
        var li = document.createElement('li');
        var title = document.createElement('span');
        title.textContent = it.label + ' ';
        li.appendChild(title);
        var tag = document.createElement('span');
        tag.className = 'tag waiting';
        tag.textContent = it.state === 'rejected' ? msg('rejected') : it.state === 'login' ? msg('login') : msg('waiting');
        li.appendChild(tag);
        if (it.state === 'login') { login = true; }
        if (it.state === 'rejected') {
          var p = document.createElement('p');
          p.textContent = it.problem || '';
          li.appendChild(p);
          // Open it in the form to correct it; nothing typed is lost.
          var fix = document.createElement('a');
          fix.className = 'button';
          fix.href = '/signalen/nieuw?herstel=' + encodeURIComponent(it.key);
          fix.textContent = msg('fix');
          li.appendChild(fix);
          li.appendChild(document.createTextNode(' '));
          var del = document.createElement('button');
          del.type = 'button';
          del.textContent = msg('remove');
          del.addEventListener('click', function () { outbox.del(it.key).then(render); });
          li.appendChild(del);
        }
        list.appendChild(li);
      });
      var link = document.getElementById('outbox-login');
      if (link) { link.hidden = !login; }
      var note = document.getElementById('outbox-login-note');
      if (note) { note.hidden = items.length === 0; }
    });
  }

  function label(form) {
    var fd = new FormData(form), name = fd.get('youth.name') || '';
    var pick = fd.get('youth.pick');
    if (!name && pick) { name = pick.slice(pick.indexOf('|') + 1); }
    var cat = form.querySelector('input[name=category]:checked');
    var catLabel = cat && form.querySelector('label[for="' + cat.id + '"]');
    return name + (catLabel ? ' – ' + catLabel.textContent : '') + (fd.get('observed_on') ? ' (' + fd.get('observed_on') + ')' : '');
  }

  // The summary's send button: through the outbox, online or not.
  function enhanceSend(form) {
    form.addEventListener('submit', function (ev) {
      // "Change" and "check again" go to the server, not the outbox.
      if (ev.submitter && (ev.submitter.name === 'edit' || ev.submitter.name === 'check')) { return; }
      // A text per level changed since the summary showed what each
      // recipient reads: the server shows the summary again (it compares
      // the form with its "reviewed" digest) instead of sending unseen text.
      var changed = false;
      form.querySelectorAll('[name^="versions."]').forEach(function (f) {
        if (f.type === 'checkbox' ? f.checked !== f.defaultChecked : f.value !== f.defaultValue) { changed = true; }
      });
      if (changed) { return; }
      ev.preventDefault();
      var keyField = form.querySelector('input[name=idempotency_key]');
      var item = { key: keyField ? keyField.value : newKey(), signal: toSignal(form), label: label(form), created: Date.now(), state: 'waiting' };
      form.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
      outbox.put(item).then(flush).then(function (sent) {
        location.href = sent[item.key] ? '/signalen/' + encodeURIComponent(sent[item.key]) : '/signalen';
      });
    });
  }

  // restore fills the first screen with a signal the server refused, so it
  // can be corrected; it leaves the outbox once the form is sent on.
  function restore(form, key) {
    outbox.all().then(function (items) {
      var it = items.filter(function (x) { return x.key === key; })[0];
      if (!it) { return; }
      var s = it.signal;
      var set = function (name, v) { var f = form.querySelector('[name="' + name + '"]'); if (f && v) { f.value = v; } };
      set('youth.name', s.youth.name);
      set('youth.birth_date', s.youth.birth_date);
      set('facts', s.facts);
      set('opinions', s.opinions);
      set('observed_on', s.observed_on);
      var cat = form.querySelector('input[name=category][value="' + s.category + '"]');
      if (cat) { cat.checked = true; }
      (s.contains || []).forEach(function (c) {
        var box = form.querySelector('input[name=contains][value="' + c + '"]');
        if (box) { box.checked = true; }
      });
      form.addEventListener('submit', function () { outbox.del(key); });
    });
  }

  // The first screen without a connection: keep it in the outbox; its
  // questions are asked once it is sent (it is stored as a draft).
  function enhanceOffline(form) {
    form.addEventListener('submit', function (ev) {
      if (navigator.onLine) { return; }
      ev.preventDefault();
      var s = toSignal(form);
      var missing = !s.youth.name.trim() ? 'youth.name' : !s.youth.birth_date ? 'youth.birth_date' : !s.category ? 'category' : !s.facts.trim() ? 'facts' : !s.observed_on ? 'observed_on' : '';
      if (missing) {
        var field = form.querySelector('[name="' + missing + '"]');
        if (field) { field.focus(); }
        return;
      }
      outbox.put({ key: newKey(), signal: s, label: label(form), created: Date.now(), state: 'waiting' }).then(function () {
        form.reset();
        var note = document.getElementById('saved-offline');
        if (note) { note.hidden = false; note.focus(); }
        render();
      });
    });
  }

  function netStatus() {
    var el = document.getElementById('net-status');
    if (!el) { return; }
    el.hidden = navigator.onLine;
    el.textContent = navigator.onLine ? '' : el.getAttribute('data-offline');
  }

  function init() {
    document.querySelectorAll('form[data-outbox]').forEach(enhanceSend);
    document.querySelectorAll('form[data-offline-outbox]').forEach(function (form) {
      enhanceOffline(form);
      var key = new URLSearchParams(location.search).get('herstel');
      if (key && self.indexedDB) { restore(form, key); }
    });
    document.querySelectorAll('form[action="/logout"], form[action="/logout/everywhere"]').forEach(function (f) {
      // The app shell holds the user's name: forget it at logout. The
      // outbox stays, so nothing waiting is lost.
      f.addEventListener('submit', function () {
        if (self.caches) {
          caches.keys().then(function (keys) { keys.forEach(function (k) { if (k.indexOf(PAGES) === 0) { caches.delete(k); } }); });
        }
      });
    });
    netStatus();
    window.addEventListener('online', function () { netStatus(); flush(); });
    window.addEventListener('offline', netStatus);
    if (self.indexedDB) {
      render();
      if (document.body.getAttribute('data-user') === '1') { flush(); }
    }
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.register('/sw.js').catch(function () {});
      if (document.body.getAttribute('data-user') === '1' && self.caches && navigator.onLine) {
        // The shell is kept per release (the version of this script), so
        // an upgrade never serves a shell whose static files are gone.
        var name = PAGES + VERSION;
        caches.keys().then(function (keys) {
          keys.forEach(function (k) { if (k.indexOf(PAGES) === 0 && k !== name) { caches.delete(k); } });
          return caches.open(name);
        }).then(function (c) {
          return c.match(SHELL).then(function (hit) { if (!hit) { return c.add(SHELL); } });
        }).catch(function () {});
      }
    }
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', init); } else { init(); }
})();
