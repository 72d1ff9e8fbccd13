// Signaal's one script. Progressive enhancement only: every page works
// without it. It adds what a phone with a bad connection needs:
//  - the outbox: a signal sent (or saved) without a connection is kept in
//    IndexedDB (only the form's fields) and sent to POST /api/v1/signals
//    with its Idempotency-Key when the connection returns, also after the
//    page was closed; it is deleted once the server acknowledged it. The
//    key makes every retry store the signal exactly once.
//  - the service worker (app shell for offline use) and the network status.
// The outbox is safe on a shared phone (issue 15 item 4): every entry is
// encrypted (AES-GCM, WebCrypto) with a key the server derives for the
// account that wrote it (GET /signalen/telefoonsleutel), kept on the phone
// as a key that cannot be exported and forgotten at logout and on every
// page without a logged-in reporter. An entry is tagged with its account
// (data-account, not a name): only that account's pages show, decrypt and
// send it, so nothing about a young person is readable before login and a
// signal is never sent under another account.
'use strict';
(function () {
  var DB_NAME = 'signaal', STORE = 'outbox', KEYS = 'keys', DRAFTS = 'drafts';
  var SHELL = '/signalen/nieuw?shell=1';
  var PAGES = 'signaal-pages-';
  var VERSION = (document.currentScript && document.currentScript.src.split('v=')[1]) || '0';
  // ACCOUNT is the logged-in reporter's outbox tag, '' on other pages.
  var ACCOUNT = (document.body && document.body.getAttribute('data-account')) || '';

  function openDB() {
    return new Promise(function (resolve, reject) {
      var r = indexedDB.open(DB_NAME, 2);
      r.onupgradeneeded = function () {
        var db = r.result;
        if (!db.objectStoreNames.contains(STORE)) { db.createObjectStore(STORE, { keyPath: 'key' }); }
        if (!db.objectStoreNames.contains(KEYS)) { db.createObjectStore(KEYS, { keyPath: 'account' }); }
        if (!db.objectStoreNames.contains(DRAFTS)) { db.createObjectStore(DRAFTS, { keyPath: 'account' }); }
      };
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }
  function store(mode, fn, name) {
    return openDB().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(name || STORE, mode);
        var out = fn(t.objectStore(name || STORE));
        t.oncomplete = function () { db.close(); resolve(out && out.result); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }

  // The account's key: from IndexedDB, else fetched once (online, logged
  // in) and imported so it cannot be exported.
  var keyPromise = null;
  function accountKey() {
    if (!ACCOUNT || !self.crypto || !crypto.subtle) { return Promise.reject(new Error('no account')); }
    if (keyPromise) { return keyPromise; }
    keyPromise = store('readonly', function (s) { return s.get(ACCOUNT); }, KEYS).then(function (hit) {
      if (hit && hit.key) { return hit.key; }
      return fetch('/signalen/telefoonsleutel', { credentials: 'same-origin', cache: 'no-store' }).then(function (res) {
        if (!res.ok) { throw new Error('key ' + res.status); }
        return res.json();
      }).then(function (body) {
        if (body.account !== ACCOUNT) { throw new Error('key of another account'); }
        var raw = Uint8Array.from(atob(body.key), function (c) { return c.charCodeAt(0); });
        return crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
      }).then(function (key) {
        return store('readwrite', function (s) { s.put({ account: ACCOUNT, key: key }); }, KEYS).then(function () { return key; });
      });
    });
    keyPromise.catch(function () { keyPromise = null; });
    return keyPromise;
  }
  // forgetKeys removes the keys of every account (or of one) from the phone.
  function forgetKeys(account) {
    keyPromise = null;
    return store('readwrite', function (s) { if (account) { s.delete(account); } else { s.clear(); } }, KEYS);
  }
  // The entry's key and account are bound to its ciphertext (associated
  // data): an entry moved to another account does not decrypt.
  function aad(key, account) { return new TextEncoder().encode('signaal outbox v1|' + account + '|' + key); }
  function seal(item) {
    return accountKey().then(function (k) {
      var iv = crypto.getRandomValues(new Uint8Array(12));
      var plain = new TextEncoder().encode(JSON.stringify({ signal: item.signal, label: item.label, problem: item.problem || '', phone: item.phone || null }));
      return crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv, additionalData: aad(item.key, ACCOUNT) }, k, plain).then(function (ct) {
        return { key: item.key, account: ACCOUNT, iv: iv, ct: ct, created: item.created, state: item.state };
      });
    });
  }
  function unseal(rec) {
    return accountKey().then(function (k) {
      return crypto.subtle.decrypt({ name: 'AES-GCM', iv: rec.iv, additionalData: aad(rec.key, rec.account) }, k, rec.ct);
    }).then(function (plain) {
      var body = JSON.parse(new TextDecoder().decode(plain));
      return { key: rec.key, signal: body.signal, label: body.label, problem: body.problem, phone: body.phone, created: rec.created, state: rec.state };
    });
  }
  var outbox = {
    // records are the stored entries, encrypted, of every account.
    records: function () { return store('readonly', function (s) { return s.getAll(); }); },
    // all is this account's entries, decrypted; an entry that does not
    // decrypt is left alone (it waits for its own account).
    all: function () {
      if (!ACCOUNT) { return Promise.resolve([]); }
      return outbox.records().then(function (recs) {
        return Promise.all(recs.filter(function (r) { return r.account === ACCOUNT && r.ct; }).map(function (r) {
          return unseal(r).catch(function () { return null; });
        }));
      }).then(function (items) { return items.filter(Boolean); });
    },
    put: function (item) { return seal(item).then(function (rec) { return store('readwrite', function (s) { s.put(rec); }); }); },
    del: function (key) { return store('readwrite', function (s) { s.delete(key); }); }
  };

  // The draft (issue 15 item 3): the new-signal form as typed, kept on the
  // phone from the first keystroke, encrypted like the outbox (one per
  // account), so a dropped connection, Back, a reload, a closed tab or the
  // language switch loses nothing. It is cleared once the signal is in the
  // outbox or the worker stops.
  function sealDraft(fields) {
    return accountKey().then(function (k) {
      var iv = crypto.getRandomValues(new Uint8Array(12));
      var plain = new TextEncoder().encode(JSON.stringify(fields));
      return crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv, additionalData: aad('draft', ACCOUNT) }, k, plain).then(function (ct) {
        return store('readwrite', function (s) { s.put({ account: ACCOUNT, iv: iv, ct: ct, saved: Date.now() }); }, DRAFTS);
      });
    });
  }
  function loadDraft() {
    if (!ACCOUNT) { return Promise.resolve(null); }
    return store('readonly', function (s) { return s.get(ACCOUNT); }, DRAFTS).then(function (rec) {
      if (!rec) { return null; }
      return accountKey().then(function (k) {
        return crypto.subtle.decrypt({ name: 'AES-GCM', iv: rec.iv, additionalData: aad('draft', ACCOUNT) }, k, rec.ct);
      }).then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
    });
  }
  function clearDraft() {
    if (!ACCOUNT || !self.indexedDB) { return Promise.resolve(); }
    return store('readwrite', function (s) { s.delete(ACCOUNT); }, DRAFTS).catch(function () {});
  }
  // draftFields are the form's own fields as [name, value] pairs.
  function draftFields(form) {
    var out = [];
    new FormData(form).forEach(function (v, k) {
      if (k === '_csrf' || k === 'phone_decision' || k === 'idempotency_key' || typeof v !== 'string') { return; }
      out.push([k, v]);
    });
    return out;
  }
  function keepDraft(form) {
    var timer = 0;
    var pending = 0;
    var save = function () {
      clearTimeout(timer);
      form.setAttribute('data-draft', 'saving');
      pending++;
      var mine = pending;
      timer = setTimeout(function () {
        timer = 0;
        sealDraft(draftFields(form)).then(function () {
          if (mine === pending) { form.setAttribute('data-draft', 'saved'); }
        }, function () {});
      }, 250);
    };
    form.addEventListener('input', save);
    form.addEventListener('change', save);
    // Leaving the page (Back, closing the tab, the language switch) saves
    // at once what the last keystroke left.
    window.addEventListener('pagehide', function () { if (timer) { clearTimeout(timer); sealDraft(draftFields(form)).catch(function () {}); } });
    var stop = form.querySelector('.actions a');
    if (stop) { stop.addEventListener('click', function () { clearTimeout(timer); timer = 0; clearDraft(); }); }
  }
  // restoreDraft fills an empty new-signal form with the draft; the
  // answers to the policy's questions go in as the carried answers the
  // policy on the phone (phone.js) checks when it builds its questions.
  function restoreDraft(form) {
    var filled = ['youth.name', 'facts', 'opinions'].some(function (n) {
      var f = form.querySelector('[name="' + n + '"]');
      return f && f.value.trim() !== '';
    });
    if (filled) { return Promise.resolve(); }
    return loadDraft().then(function (fields) {
      if (!fields || !fields.length) { return; }
      fields.forEach(function (kv) {
        var name = kv[0], v = kv[1];
        var all = form.querySelectorAll('[name="' + name + '"]');
        if (!all.length) {
          if (name.indexOf('answers.') === 0) {
            var h = document.createElement('input');
            h.type = 'hidden'; h.name = name; h.value = v;
            form.appendChild(h);
          }
          return;
        }
        all.forEach(function (f) {
          if (f.type === 'radio' || f.type === 'checkbox') { if (f.value === v) { f.checked = true; } }
          else if (f.type !== 'hidden') { f.value = v; }
        });
      });
      form.setAttribute('data-draft', 'restored');
      var note = document.getElementById('draft-restored');
      if (note) { note.hidden = false; }
      var discard = document.getElementById('draft-discard');
      if (discard) {
        discard.addEventListener('click', function () {
          clearDraft().then(function () { location.href = '/signalen/nieuw'; });
        });
      }
      form.dispatchEvent(new Event('change', { bubbles: true }));
    }).catch(function () {});
  }

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

  var SEND_TIMEOUT = 15000;
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
          // A send that hangs is given up after SEND_TIMEOUT and tried
          // again later: the Idempotency-Key stores it once whatever happens.
          var ctl = self.AbortController ? new AbortController() : null;
          var timer = ctl ? setTimeout(function () { ctl.abort(); }, SEND_TIMEOUT) : 0;
          return fetch('/api/v1/signals', {
            method: 'POST', credentials: 'same-origin', signal: ctl ? ctl.signal : undefined,
            headers: { 'Content-Type': 'application/json', 'Idempotency-Key': it.key },
            // A signal checked on the phone without a connection carries
            // the phone's decision: the server stores it only when it
            // decides the same and its check lets the text go.
            body: JSON.stringify(it.phone ? Object.assign({ phone_decision: it.phone }, it.signal) : it.signal)
          }).then(function (res) {
            clearTimeout(timer);
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
              // Refused because the server decided otherwise than the phone
              // showed the worker: it says so in words.
              var field = body && body.error && body.error.fields && body.error.fields[0] ? body.error.fields[0].field : '';
              if (res.status === 409 && field === 'phone_decision') { it.problem = msg('differs'); }
              return outbox.put(it).then(function () { return true; });
            });
          }, function () { clearTimeout(timer); return false; }); // no connection: try again later
        });
      });
      return chain;
    }).then(function () { return sent; }, function () { return sent; });
    flushing.then(function () { flushing = null; render(); });
    return flushing;
  }

  // render shows the waiting signals in every page's outbox section.
  function render() {
    var note = document.getElementById('outbox-login-note');
    if (note && self.indexedDB) {
      // Before login: only that something waits, never what or whose.
      outbox.records().then(function (recs) { note.hidden = recs.length === 0; }, function () {});
    }
    var box = document.getElementById('outbox'), list = document.getElementById('outbox-list');
    if (!box || !list || !self.indexedDB || !ACCOUNT) { return; }
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
    }, function () {});
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
      var buttons = form.querySelectorAll('button');
      buttons.forEach(function (b) { b.disabled = true; });
      // The send state in words (issue 15 item 3): sending, sent, waiting
      // for the network, or refused; never a grey button without a word.
      var state = document.getElementById('send-state');
      if (!state) {
        state = document.createElement('p');
        state.id = 'send-state';
        state.className = 'notice';
        state.setAttribute('role', 'status');
        // Above the send button, wherever its .actions sits in the form
        // (the check screen also has .actions inside its text panels).
        var primary = form.querySelector('button.primary');
        var actions = (primary && primary.closest('.actions')) || null;
        if (actions) { actions.parentNode.insertBefore(state, actions); } else { form.appendChild(state); }
      }
      var say = function (name) { state.setAttribute('data-state', name); state.textContent = msg(name); };
      var done = function (sent) {
        if (sent[item.key]) {
          say('sent');
          clearDraft();
          location.href = '/signalen/' + encodeURIComponent(sent[item.key]) + '?verstuurd=1';
          return true;
        }
        return false;
      };
      say('sending');
      outbox.put(item).then(function () {
        clearDraft();
        return flush();
      }).then(function (sent) {
        if (done(sent)) { return; }
        return outbox.all().then(function (items) {
          var it = items.filter(function (x) { return x.key === item.key; })[0];
          if (it && (it.state === 'rejected' || it.state === 'login')) {
            // The server answered: the list says what to do next.
            say(it.state === 'login' ? 'login' : 'rejected');
            location.href = '/signalen';
            return;
          }
          // No (or a hanging) connection: it waits, encrypted, on the
          // phone and goes by itself; this page says so and follows it.
          say('offline');
          window.addEventListener('online', function retry() {
            flush().then(function (sent) { if (done(sent)) { window.removeEventListener('online', retry); } });
          });
        });
      }, function () {
        // It could not be kept on the phone (no key yet): nothing is
        // lost, the form is still filled in.
        say('nokey');
        buttons.forEach(function (b) { b.disabled = false; });
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
      // The answers go back as the carried answers the policy on the
      // phone checks when it builds its questions.
      (function walk(o, prefix) {
        Object.keys(o || {}).forEach(function (k) {
          if (o[k] && typeof o[k] === 'object') { walk(o[k], prefix + k + '.'); return; }
          var name = 'answers.' + prefix + k, v = String(o[k]);
          var here = form.querySelector('input[name="' + name + '"][value="' + v + '"]');
          if (here) { here.checked = true; return; }
          var h = document.createElement('input');
          h.type = 'hidden'; h.name = name; h.value = v;
          form.appendChild(h);
        });
      })(s.answers, '');
      form.setAttribute('data-draft', 'restored');
      form.dispatchEvent(new Event('change', { bubbles: true }));
      form.addEventListener('submit', function () { outbox.del(key); });
    });
  }

  // The first screen without a connection. With the policy on the phone
  // and its decision complete, "Volgende" shows the check (screen 2, made
  // by phone.js) and "Verstuur" keeps the signal, with the phone's
  // decision, in the outbox and shows the result (screen 3): waiting for a
  // connection, then sent, once, and the server's decision. Without the
  // policy on the phone it is kept in the outbox as it is; its questions
  // are asked once it is sent (it is stored as a draft).
  function enhanceOffline(form) {
    // "Verstuur" on the check phone.js makes (screen 2).
    form.addEventListener('click', function (ev) {
      var send = ev.target.closest && ev.target.closest('#check-send');
      if (send && !send.disabled) { sendChecked(form, send); }
    });
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
      if (form.phoneCheck && form.phoneCheck.ready()) {
        document.getElementById('check-send').disabled = false;
        form.phoneCheck.show();
        return;
      }
      outbox.put({ key: newKey(), signal: s, label: label(form), created: Date.now(), state: 'waiting' }).then(function () {
        clearDraft();
        form.reset();
        var note = document.getElementById('saved-offline');
        if (note) { note.hidden = false; note.focus(); }
        render();
      }, function () {
        // Not kept (no key on this phone yet): the draft still holds it.
        var note = document.getElementById('saved-offline');
        if (note) { note.textContent = msg('nokey'); note.hidden = false; note.focus(); }
      });
    });
  }

  // sendChecked keeps the signal the worker checked on the phone in the
  // outbox and shows screen 3; it is sent as soon as there is a
  // connection, tried again (with a growing pause) until the server
  // answers, and the screen follows it: sent (the signal's page, with the
  // server's decision) or refused (what to do).
  function sendChecked(form, button) {
    button.disabled = true;
    var s = toSignal(form);
    var versions = form.phoneCheck.versions();
    if (Object.keys(versions).length) { s.versions = versions; }
    var item = { key: newKey(), signal: s, label: label(form), created: Date.now(), state: 'waiting', phone: form.phoneCheck.decision() };
    var state = document.getElementById('phone-send-state');
    var say = function (name) { state.setAttribute('data-state', name); state.textContent = msg(name); };
    outbox.put(item).then(function () {
      clearDraft();
      form.phoneCheck.screen('sent');
      say('offline');
      render();
      var pause = 2000, timer = 0;
      var attempt = function () {
        clearTimeout(timer);
        flush().then(function (sent) {
          if (sent[item.key]) {
            say('sent');
            window.removeEventListener('online', attempt);
            location.href = '/signalen/' + encodeURIComponent(sent[item.key]) + '?verstuurd=1';
            return;
          }
          return outbox.all().then(function (items) {
            var it = items.filter(function (x) { return x.key === item.key; })[0];
            if (it && it.state === 'rejected') {
              window.removeEventListener('online', attempt);
              state.setAttribute('data-state', 'rejected');
              state.textContent = it.problem || msg('rejected');
              // Not "waiting" any more: the heading says it was not sent.
              var h1 = document.querySelector('main h1');
              if (h1) { h1.textContent = form.phoneCheck.refused; }
              document.getElementById('phone-sent-next').hidden = true;
              document.getElementById('phone-send-fix').href = '/signalen/nieuw?herstel=' + encodeURIComponent(it.key);
              document.getElementById('phone-send-problem').hidden = false;
              return;
            }
            if (it && it.state === 'login') { say('login'); }
            // Still waiting: try again after a pause (the key stores it
            // once however often it is tried).
            timer = setTimeout(function () { if (navigator.onLine) { attempt(); } }, pause);
            pause = Math.min(pause * 2, 30000);
          });
        });
      };
      window.addEventListener('online', attempt);
      if (navigator.onLine) { attempt(); }
    }, function () {
      // It could not be kept on the phone (no key yet): the draft still
      // holds it; nothing is lost.
      button.disabled = false;
      var note = document.getElementById('phone-check').querySelector('.notice');
      note.textContent = msg('nokey');
      note.tabIndex = -1;
      note.focus();
    });
  }

  function netStatus() {
    var el = document.getElementById('net-status');
    if (!el) { return; }
    el.hidden = navigator.onLine;
    el.textContent = navigator.onLine ? '' : el.getAttribute('data-offline');
  }

  // guardBackForward: a page of a logged-in user (a young person's data,
  // the user's name) is sent no-store, but browsers may still keep it in
  // their back-forward cache (Safari does; Chromium does until a cookie
  // changes). So such a page hides itself when the browser keeps it, and
  // when Back brings it again it is shown only if the same user is still
  // logged in; otherwise the browser goes to the start page (the login
  // page for nobody). Without a connection nobody can have logged out,
  // and it is shown. Issue 15 item 8.
  function guardBackForward() {
    var uid = document.body.getAttribute('data-uid');
    if (!uid) { return; }
    window.addEventListener('pagehide', function (ev) { if (ev.persisted) { document.body.hidden = true; } });
    window.addEventListener('pageshow', function (ev) {
      if (!ev.persisted) { return; }
      fetch('/api/v1/me', { credentials: 'same-origin', cache: 'no-store' }).then(function (res) {
        return res.ok ? res.json() : null;
      }).then(function (me) {
        if (me && me.id === uid) { document.body.hidden = false; } else { location.replace('/'); }
      }, function () { document.body.hidden = false; });
    });
  }

  // forgetShells removes every account's app shell (the per-account
  // PAGES caches); the static files' cache stays.
  function forgetShells() {
    return caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.indexOf(PAGES) === 0; }).map(function (k) { return caches.delete(k); }));
    });
  }

  function init() {
    document.querySelectorAll('form[data-outbox]').forEach(enhanceSend);
    document.querySelectorAll('form[data-offline-outbox]').forEach(function (form) {
      enhanceOffline(form);
      var key = new URLSearchParams(location.search).get('herstel');
      if (key && self.indexedDB) { restore(form, key); }
      else if (ACCOUNT && self.indexedDB && self.crypto && crypto.subtle) {
        restoreDraft(form).then(function () { keepDraft(form); });
      }
    });
    document.querySelectorAll('form[action="/logout"], form[action="/logout/everywhere"]').forEach(function (f) {
      // The app shell holds the user's name: forget it at logout, and the
      // account's key. The outbox stays, encrypted: nothing waiting is
      // lost, and it is sent when the same account logs in again.
      f.addEventListener('submit', function (ev) {
        if (f.getAttribute('data-forgotten')) { return; }
        ev.preventDefault();
        var done = function () { f.setAttribute('data-forgotten', '1'); f.submit(); };
        var steps = [self.indexedDB ? forgetKeys().catch(function () {}) : null];
        if (self.caches) { steps.push(forgetShells().catch(function () {})); }
        Promise.all(steps).then(done, done);
      });
    });
    if (self.indexedDB) {
      // Entries from before the outbox was encrypted hold plain text and
      // no account: they cannot be tied to anyone, so they are removed.
      outbox.records().then(function (recs) {
        recs.forEach(function (r) { if (!r.ct) { outbox.del(r.key); } });
      }).catch(function () {});
    }
    if (self.indexedDB && ACCOUNT && navigator.onLine) {
      // Fetch the account's key while there is a connection, so the phone
      // can keep what is typed later without one.
      accountKey().catch(function () {});
    }
    // The offline page is also what the service worker shows, offline, in
    // place of a reporter's page: it says nothing about who is logged in.
    var offlinePage = !!document.querySelector('[data-offline-page]');
    if (self.indexedDB && !ACCOUNT) {
      // No reporter logged in (the login page, a public page): no key of
      // any account stays on the phone.
      forgetKeys().catch(function () {});
    }
    if (self.caches && !ACCOUNT && !offlinePage) {
      // Nor a reporter's app shell (issue 15 item 8): it is kept only while
      // a reporter is logged in.
      forgetShells().catch(function () {});
    }
    netStatus();
    // A page the browser brings back from its back-forward cache shows the
    // outbox and the connection as they are now.
    window.addEventListener('pageshow', function (ev) {
      if (ev.persisted) { netStatus(); if (self.indexedDB) { render(); } }
    });
    guardBackForward();
    window.addEventListener('online', function () { netStatus(); flush(); });
    window.addEventListener('offline', netStatus);
    if (self.indexedDB) {
      render();
      if (document.body.getAttribute('data-user') === '1') { flush(); }
    }
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.register('/sw.js').catch(function () {});
      if (document.body.getAttribute('data-user') === '1' && ACCOUNT && self.caches && navigator.onLine) {
        // The shell is kept per release (the version of this script), so
        // an upgrade never serves a shell whose static files are gone.
        // Per account too: another worker on this phone never gets the
        // shell (the name, the account tag) of the one before.
        var name = PAGES + VERSION + '-' + ACCOUNT;
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
