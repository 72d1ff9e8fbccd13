// The policy on the phone (issue 15). The new-signal form holds every
// question of the policy, hidden; this module loads the policy compiled to
// WebAssembly (/static/policy.wasm, the same Rego files as the server's,
// under the same policy_version) with OPA's SDK (vendored, served by the
// app, kept by the service worker) and, as the worker answers, shows only
// the questions the policy still needs, in the policy's order, and the
// decision for the recipient, without any network. Hidden questions are
// disabled, so the form sends exactly the answers the policy asked for.
// The server decides again on receipt and is the authority; the decision
// made here travels along (phone_decision) so the server can show the
// worker where it differs. Without this module (no JavaScript, no
// WebAssembly) the server asks the questions one at a time, as before.

// The contract's fields in its order (signal.Fields).
const FIELDS = ['identity', 'contact', 'facts', 'opinions', 'health', 'religion_ethnicity', 'criminal', 'bsn'];
// The recipient when the worker names none (signal.DefaultRecipient).
const DEFAULT_RECIPIENT = { role: 'signal_meeting', directly_involved: true, in_agreement: true };

const form = document.querySelector('form[data-phone-policy]');
if (form && typeof WebAssembly === 'object') {
  // The policy (~130 KB) loads at the worker's first touch of the form, not
  // with the page, which stays within the first page's byte budget; the
  // service worker keeps it for offline use.
  let started = false;
  const kick = () => {
    if (started) { return; }
    started = true;
    start(form).catch(() => {
      // The server's question flow still works: nothing to do.
      form.dataset.phone = 'unavailable';
    });
  };
  form.addEventListener('focusin', kick);
  form.addEventListener('change', kick);
  form.addEventListener('pointerdown', kick);
  // A draft app.js put back holds answers to the questions: show them.
  if (form.dataset.draft === 'restored') { kick(); }
}

// ageOn is the age in whole years on the day observed, as the server
// computes it, or null while a date is missing.
function ageOn(birth, observed) {
  const re = /^(\d{4})-(\d{2})-(\d{2})$/;
  const b = re.exec(birth || ''), o = re.exec(observed || '');
  if (!b || !o) { return null; }
  let age = Number(o[1]) - Number(b[1]);
  if (Number(o[2]) < Number(b[2]) || (o[2] === b[2] && Number(o[3]) < Number(b[3]))) { age--; }
  return age;
}

async function start(form) {
  const { default: opa } = await import(form.dataset.sdk);
  const policy = await opa.loadPolicy(fetch(form.dataset.phonePolicy, { credentials: 'same-origin' }));
  const version = form.dataset.policyVersion;
  const texts = JSON.parse(document.getElementById('phone-texts').textContent);
  // The texts of the check and the result made without a connection,
  // loaded (and kept by the service worker) with the policy.
  const screenTexts = fetch(form.dataset.screens, { credentials: 'same-origin' }).then((r) => r.json());
  const t = (key) => texts[key] || key;
  const box = document.getElementById('phone-questions');
  const panel = document.getElementById('phone-decision');
  const ageHint = document.getElementById('phone-age-hint');
  const field = document.getElementById('phone-decision-field');
  const reportStep = document.getElementById('phone-report');
  // The questions, built from the policy's catalogue (the same markup as
  // the acute danger question the server renders); an answer carried from
  // an earlier screen (hidden answers.*) is checked and its field dropped.
  const catalogue = await (await fetch(form.dataset.questions, { credentials: 'same-origin' })).json();
  const lang = texts.lang === 'en' ? 'en' : 'nl';
  const el = (tag, props, ...kids) => {
    const e = Object.assign(document.createElement(tag), props || {});
    kids.forEach((k) => e.append(k));
    return e;
  };
  catalogue.forEach((q) => {
    const name = 'answers.' + q.id, id = 'q-' + q.id.replace(/\./g, '-');
    const carried = form.querySelector('input[type=hidden][name="' + name + '"]');
    const options = q.type === 'boolean'
      ? [{ value: 'true', label: t('answer.yes') }, { value: 'false', label: t('answer.no') }]
      : q.answers.map((a) => ({ value: a.value, label: a.label[lang] }));
    const list = el('ul', { className: 'choices' }, ...options.map((o, i) => {
      const input = el('input', { type: 'radio', name, id: id + '-' + i, value: o.value, checked: !!carried && carried.value === o.value });
      return el('li', { className: 'choice' }, input, el('label', { htmlFor: id + '-' + i, textContent: o.label }));
    }));
    const fs = el('fieldset', { className: 'field question', id, hidden: true, disabled: true, tabIndex: -1 },
      el('legend', {}, q.text[lang] + ' ', el('span', { className: 'required', textContent: t('form.required') })),
      el('p', { className: 'hint', id: id + '-help', textContent: q.help[lang] }), list);
    fs.dataset.q = q.id;
    fs.setAttribute('aria-describedby', id + '-help');
    box.append(fs);
    if (carried) { carried.remove(); }
  });
  const byId = {};
  form.querySelectorAll('fieldset[data-q]').forEach((f) => { byId[f.dataset.q] = f; });
  // The recipient starts as the signal meeting, checked: one tap changes it.
  if (byId['recipient.role'] && !byId['recipient.role'].querySelector('input:checked')) {
    const meeting = byId['recipient.role'].querySelector('input[value=signal_meeting]');
    if (meeting) { meeting.checked = true; }
  }

  // value is the answer checked for question id, undefined when none.
  const value = (id) => {
    const r = byId[id] && byId[id].querySelector('input:checked');
    if (!r) { return undefined; }
    return r.value === 'true' ? true : r.value === 'false' ? false : r.value;
  };
  const setPath = (obj, id, v) => {
    const p = id.split('.');
    let o = obj;
    for (let i = 0; i < p.length - 1; i++) { o = o[p[i]] = o[p[i]] || {}; }
    o[p[p.length - 1]] = v;
  };

  // base is the input the signal itself gives (signal.decisionInput): the
  // age, the fields it holds, whether opinions are written apart.
  const base = () => {
    const fd = new FormData(form);
    let birth = fd.get('youth.birth_date') || '';
    const pick = fd.get('youth.pick') || '';
    if (pick && !String(fd.get('youth.name') || '').trim() && !birth) { birth = pick.slice(0, pick.indexOf('|')); }
    const opinions = (fd.get('opinions') || '') !== '';
    const contains = fd.getAll('contains');
    const input = {
      fields: FIELDS.filter((f) => f === 'identity' || f === 'facts' || (f === 'opinions' && opinions) || contains.includes(f)),
      facts_opinions_separated: opinions,
      youth: {},
    };
    const age = ageOn(birth, fd.get('observed_on'));
    if (age !== null) { input.youth.age = age; }
    // The category feeds the policy, as on the server (signal.decisionInput):
    // a signal about radicalisation has that purpose, not asked again.
    if (fd.get('category') === 'radicalisation') { input.purpose = 'radicalisation_concern'; }
    return input;
  };

  const decide = (input) => {
    const rs = policy.evaluate(input);
    if (rs.length !== 1) { throw new Error('policy.wasm gave ' + rs.length + ' results'); }
    return { ...rs[0].result, policy_version: version };
  };

  // walk asks the policy as the server's flow would, one answer at a time:
  // the first missing question, its answer if given, the next... It
  // returns the questions asked and the decision on the answers given.
  const walk = () => {
    const answers = {};
    const asked = [];
    let d;
    // The recipient is shown and changeable (issue 15 item 6): the
    // signal meeting, checked at the start, is the default recipient; any
    // other makes the policy ask what it needs about that recipient.
    const role = value('recipient.role');
    if (role && role !== DEFAULT_RECIPIENT.role) {
      asked.push('recipient.role');
      setPath(answers, 'recipient.role', role);
    }
    for (let i = 0; i < 40; i++) {
      const input = { ...base(), ...answers };
      if (!answers.recipient) { input.recipient = DEFAULT_RECIPIENT; }
      d = decide(input);
      const next = d.missing[0];
      if (!next || !byId[next]) { break; }
      asked.push(next);
      const v = value(next);
      if (v === undefined) { break; }
      setPath(answers, next, v);
    }
    return { asked, d, answers };
  };

  // The purpose "radicalisation" belongs to the category of that name
  // only (signal.validatePurpose): for any other category it is not offered.
  const radical = byId.purpose && byId.purpose.querySelector('input[value=radicalisation_concern]');
  const matchCategory = () => {
    if (!radical) { return; }
    const other = new FormData(form).get('category') !== 'radicalisation';
    radical.closest('li').hidden = other;
    radical.disabled = other;
    if (other) { radical.checked = false; }
  };

  const update = () => {
    matchCategory();
    const { asked, d, answers } = walk();
    Object.keys(byId).forEach((id) => {
      const show = id === 'risk.acute_danger' || asked.includes(id) ||
        (id === 'recipient.role' && value('risk.acute_danger') === false);
      byId[id].hidden = !show;
      byId[id].disabled = !show;
    });
    ageHint.hidden = d.missing[0] !== 'youth.age';
    const role = (answers.recipient && answers.recipient.role) || DEFAULT_RECIPIENT.role;
    // A required report to Veilig Thuis is a step of its own, shown as
    // soon as the policy requires it (also while questions are open); the
    // decision then says what the recipient gets, not "report".
    const report = d.obligations.includes('report_veilig_thuis');
    reportStep.hidden = !report;
    // "Het signaleringsoverleg" names its partners (issue 15 item 6).
    const partners = role === 'signal_meeting' && texts.partners ? ' (' + texts['recipient.partners'].replace('%s', texts.partners) + ')' : '';
    reportStep.querySelectorAll('.report-to').forEach((e) => { e.textContent = t('recipient.' + role) + partners; });
    document.getElementById('phone-outcome').textContent = d.outcome === 'report_veilig_thuis'
      ? t('report.recipient.' + d.level).replace('%s', t('recipient.' + role))
      : t('outcome.' + d.outcome);
    document.getElementById('phone-recipient').textContent = t('recipient.' + role) + partners;
    document.getElementById('phone-level').textContent = t('level.' + d.level);
    const reasons = document.getElementById('phone-reasons');
    reasons.replaceChildren(...d.reasons.map((r) => {
      const li = document.createElement('li');
      li.textContent = texts.lang === 'en' ? r.en : r.nl;
      return li;
    }));
    panel.hidden = false;
    panel.dataset.outcome = d.outcome;
    field.disabled = d.outcome === 'incomplete';
    field.value = JSON.stringify({ outcome: d.outcome, level: d.level, rule: d.rule || '', policy_version: version });
    form.dataset.phoneOutcome = d.outcome;
    last = { d, role };
  };
  let last = null;

  // Screens 2 and 3 without a connection (issue 15 item 2). app.js calls
  // form.phoneCheck.show() when "Volgende" finds no network and the
  // decision is complete: the check is made here, on the same page, as the
  // server's summary makes it (signal_summary.html, Signals.Review): per
  // recipient the level, the name as the recipient sees it, why, and the
  // exact text. The phone cannot run the server's check of the text
  // (names, special categories): it says so; the server checks it on
  // receipt, what the level does not allow does not go, and the result
  // page shows what went. The server also decides again: the API stores
  // the signal only when it decides as the phone showed (phone_decision).
  // Without its texts (not kept on this phone) there is no check on the
  // phone: offline, the signal then waits in the outbox as before.
  const st = await screenTexts.catch(() => null);
  if (st) {
    Object.assign(texts, st);
    const T = (k) => texts[k];
    // Screen 2 (#phone-check) and screen 3 (#phone-sent), in the form: the
    // form stays, filled in, behind them (app.css).
    form.append(
      el('div', { id: 'phone-check', hidden: true },
        el('p', { textContent: T('summary.intro') }),
        el('p', { className: 'notice', textContent: T('phone.check.offline') }),
        el('div', { className: 'panel outgoing' },
          el('h2', { textContent: T('review.outgoing.title') }),
          el('section', { className: 'recipient' },
            el('h3', { id: 'check-recipient' }),
            el('p', { id: 'check-nothing', hidden: true, textContent: T('review.outgoing.nothing') }),
            el('dl', { className: 'summary', id: 'check-what' },
              el('dt', { textContent: T('decision.level') }), el('dd', { id: 'check-level' }),
              el('dt', { textContent: T('review.outgoing.name') }), el('dd', { id: 'check-name' }),
              el('dt', { textContent: T('review.outgoing.why') }), el('dd', {}, el('span', { id: 'check-why' }), el('ul', { id: 'check-reasons' })),
              el('dt', { textContent: T('review.outgoing.text') }),
              el('dd', {}, el('div', { id: 'check-text' }), el('p', { className: 'hint', id: 'check-text-note', hidden: true, textContent: T('phone.check.text') }))))),
        el('div', { className: 'actions' },
          el('button', { type: 'button', className: 'primary', id: 'check-send', textContent: T('summary.send') }), ' ',
          el('button', { type: 'button', className: 'link', id: 'check-edit', textContent: T('summary.edit') }))),
      el('div', { id: 'phone-sent', hidden: true },
        el('p', { className: 'notice', id: 'phone-send-state', textContent: T('send.offline') }),
        el('p', { id: 'phone-send-problem', hidden: true }, el('a', { className: 'button', id: 'phone-send-fix', href: '/signalen', textContent: T('outbox.fix') })),
        el('div', { id: 'phone-sent-next' },
          el('h2', { textContent: T('phone.sent.next') }),
          el('ul', {}, ...['phone.sent.goes', 'phone.sent.decides', 'phone.sent.differs'].map((k) => el('li', { textContent: T(k) })))),
        el('p', {}, el('a', { href: '/signalen', textContent: T('signal.back') }))));
    document.getElementById('phone-send-state').setAttribute('role', 'status');
    document.getElementById('phone-send-state').dataset.state = 'offline';
    const h1 = document.querySelector('main h1');
    const step = document.getElementById('screen-step');
    const screens = {
      fill: { title: h1.textContent, step: step.textContent },
      check: { el: document.getElementById('phone-check'), title: T('summary.title'), step: T('screen.check') },
      sent: { el: document.getElementById('phone-sent'), title: T('phone.sent.title'), step: T('screen.result') },
    };
    const screen = (name) => {
      form.dataset.screen = name;
      screens.check.el.hidden = name !== 'check';
      screens.sent.el.hidden = name !== 'sent';
      h1.textContent = screens[name].title;
      step.textContent = screens[name].step;
      ['draft-restored', 'saved-offline'].forEach((id) => {
        const e = document.getElementById(id);
        if (e && name !== 'fill') { e.hidden = true; }
      });
      h1.tabIndex = -1;
      h1.focus();
    };
    // parts is what the recipient at level reads (Disclosure's levelParts):
    // the name, the facts, the opinions.
    const parts = (level, fields) => ({
      name: level === 'minimal' || level === 'existence' || (level === 'full' && fields.includes('identity')),
      facts: ['full', 'minimal', 'anonymous'].includes(level) && fields.includes('facts'),
      opinions: (level === 'full' || level === 'anonymous') && fields.includes('opinions'),
    });
    // check is what goes: the level for the recipient (nothing goes through
    // Signaal to anyone but the signal meeting), the name and the text, and
    // the texts per level below full as the server's summary proposes them
    // (the signal's own text, for the server to check).
    const check = () => {
      const { d, role } = last;
      const fd = new FormData(form);
      const level = role !== DEFAULT_RECIPIENT.role ? 'none' : d.level;
      const p = parts(level, d.fields || []);
      let name = String(fd.get('youth.name') || '').trim();
      const pick = fd.get('youth.pick') || '';
      if (!name && pick && !fd.get('youth.birth_date')) { name = pick.slice(pick.indexOf('|') + 1).trim(); }
      const facts = p.facts ? String(fd.get('facts') || '') : '';
      const opinions = p.opinions ? String(fd.get('opinions') || '') : '';
      const versions = {};
      if ((level === 'minimal' || level === 'anonymous') && facts.trim()) {
        versions[level] = level === 'anonymous' && opinions ? { facts, opinions } : { facts };
      }
      return { d, role, level, name: p.name ? name : '', facts, opinions, versions };
    };
    const show = () => {
      const c = check();
      const partners = c.role === 'signal_meeting' && texts.partners ? ' (' + texts['recipient.partners'].replace('%s', texts.partners) + ')' : '';
      document.getElementById('check-recipient').textContent = t('recipient.' + c.role) + partners;
      document.getElementById('check-nothing').hidden = c.level !== 'none';
      document.getElementById('check-what').hidden = c.level === 'none';
      document.getElementById('check-level').textContent = t('level.' + c.level);
      document.getElementById('check-name').textContent = c.name || t('review.outgoing.noname');
      document.getElementById('check-name').classList.toggle('outgoing-name', !!c.name);
      document.getElementById('check-why').textContent = t('review.why.' + c.level);
      document.getElementById('check-reasons').replaceChildren(...c.d.reasons.map((r) => el('li', { textContent: lang === 'en' ? r.en : r.nl })));
      const text = document.getElementById('check-text');
      const kids = [];
      if (c.facts) { kids.push(el('blockquote', { className: 'outgoing-facts', textContent: c.facts })); }
      if (c.opinions) {
        kids.push(el('p', { textContent: t('label.opinions') + ':' }));
        kids.push(el('blockquote', { className: 'outgoing-opinions', textContent: c.opinions }));
      }
      if (!kids.length) { kids.push(el('p', { textContent: t('review.outgoing.notext') })); }
      text.replaceChildren(...kids);
      document.getElementById('check-text-note').hidden = !c.facts && !c.opinions;
      screen('check');
      // The phone's Back on the check goes back to the form, as online.
      if (!history.state || history.state.screen !== 'check') { history.pushState({ screen: 'check' }, ''); }
    };
    window.addEventListener('popstate', () => {
      // Only from the check: once kept for sending (screen 3), Back does
      // not show the form again to be sent a second time.
      if (form.dataset.screen === 'check') { screen('fill'); }
    });
    form.phoneCheck = {
      // ready: the phone has a complete decision to check.
      ready: () => !!last && last.d.outcome !== 'incomplete',
      show,
      screen,
      // decision is what the phone decided, as the API's phone_decision.
      decision: () => ({ outcome: last.d.outcome, level: last.d.level, rule: last.d.rule || '', policy_version: version }),
      // refused is the heading of screen 3 when the server refused it.
      refused: T('phone.refused.title'),
      versions: () => check().versions,
    };
    document.getElementById('check-edit').addEventListener('click', () => {
      if (history.state && history.state.screen === 'check') { history.back(); } else { screen('fill'); }
    });
  }

  form.addEventListener('change', update);
  // A question left open is asked by the server on a screen of its own,
  // as without JavaScript: nothing typed is held back.
  box.hidden = false;
  update();
  form.dataset.phone = 'ready';
}
