// Quire review UI: keyboard shortcuts and review actions. Every text from the server is set with textContent.
(function () {
  'use strict';
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';
  const help = document.getElementById('help');
  document.getElementById('help-toggle')?.addEventListener('click', () => { help.hidden = !help.hidden; });

  async function post(url, body) {
    const r = await fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-TOKEN': csrf },
      body: JSON.stringify(body)
    });
    let data = null;
    try { data = await r.json(); } catch (e) { /* no body */ }
    return { status: r.status, data };
  }

  function typing(e) {
    const t = e.target;
    return t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
  }

  // ---- review actions (document view answers and queue rows share data-answer / data-version) ----
  async function decide(item, action, extra) {
    const id = item.dataset.answer;
    const res = await post('/api/answers/' + id + '/review',
      Object.assign({ action, version: parseInt(item.dataset.version || '0', 10) }, extra || {}));
    const err = item.querySelector('.error');
    const conflict = item.querySelector('.conflict');
    if (res.status === 200) {
      sessionStorage.setItem('quire-selected', id);
      location.reload();
      return;
    }
    if (res.status === 409 && conflict) {
      const cur = res.data.current || {};
      const last = (cur.history || [])[cur.history.length - 1] || {};
      conflict.textContent = 'Conflict: ' + (res.data.error || '') + '. ' + (last.reviewer || 'someone') + ' '
        + (last.action || '') + (last.newValue ? ' → ' + last.newValue : '') + (last.reason ? ' (' + last.reason + ')' : '')
        + '. Your change was not saved; reload to see the current state.';
      conflict.hidden = false;
      return;
    }
    const msg = (res.data && res.data.error) || ('HTTP ' + res.status);
    if (err) { err.textContent = msg; err.hidden = false; } else { alert(msg); }
  }

  function showForm(item, cls) {
    const f = item.querySelector(cls);
    if (!f) return;
    item.querySelectorAll('form').forEach(x => { if (x !== f) x.hidden = true; });
    f.hidden = false;
    const input = f.querySelector('input');
    input.focus();
    input.select();
  }

  document.querySelectorAll('li.answer').forEach(item => {
    item.querySelector('.accept')?.addEventListener('click', () => decide(item, 'ACCEPT'));
    item.querySelector('.edit')?.addEventListener('click', () => showForm(item, '.correct-form'));
    item.querySelector('.reject')?.addEventListener('click', () => showForm(item, '.reject-form'));
    item.querySelector('.correct-form')?.addEventListener('submit', e => {
      e.preventDefault();
      decide(item, 'CORRECT', { value: e.target.value.value });
    });
    item.querySelector('.reject-form')?.addEventListener('submit', e => {
      e.preventDefault();
      decide(item, 'REJECT', { reason: e.target.reason.value });
    });
    item.querySelectorAll('form').forEach(f => f.addEventListener('keydown', e => {
      if (e.key === 'Escape') { f.hidden = true; e.target.blur(); }
    }));
  });

  // ---- selection and keys ----
  const answers = Array.from(document.querySelectorAll('li.answer'));
  const rows = Array.from(document.querySelectorAll('#queue tbody tr[data-answer]'));
  let sel = -1;
  if (rows.length) {
    const remembered = sessionStorage.getItem('quire-selected');
    sel = Math.max(0, rows.findIndex(r => r.dataset.answer === remembered));
    rows[sel].classList.add('selected');
  } else if (answers.length) {
    sel = answers.findIndex(a => a.classList.contains('selected'));
  }
  function current() { return rows.length ? rows[sel] : answers[sel]; }

  function move(delta) {
    if (rows.length) {
      rows[sel].classList.remove('selected');
      sel = Math.min(rows.length - 1, Math.max(0, sel + delta));
      rows[sel].classList.add('selected');
      rows[sel].scrollIntoView({ block: 'nearest' });
      sessionStorage.setItem('quire-selected', rows[sel].dataset.answer);
    } else if (answers.length) {
      const next = Math.min(answers.length - 1, Math.max(0, sel + delta));
      if (next !== sel || sel < 0) location.href = answers[Math.max(0, next)].dataset.href;
    }
  }

  document.addEventListener('keydown', e => {
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
    const item = current();
    switch (e.key) {
      case '?': help.hidden = !help.hidden; break;
      case 'j': move(1); break;
      case 'k': move(-1); break;
      case 'Enter': case 'o': if (rows.length && item) location.href = item.dataset.href; else return; break;
      case 'a': if (item) decide(item, 'ACCEPT'); break;
      case 'e': if (item && !rows.length) showForm(item, '.correct-form'); else if (item) location.href = item.dataset.href; break;
      case 'r': if (item && !rows.length) showForm(item, '.reject-form'); else if (item) location.href = item.dataset.href; break;
      case '+': case '=': zoom(1.25); break;
      case '-': zoom(0.8); break;
      case '0': zoom(0); break;
      default: return;
    }
    e.preventDefault();
  });

  // ---- document view: zoom and pan ----
  const pages = document.getElementById('pages');
  let level = 1;
  function fit() {
    const widest = Math.max(...Array.from(document.querySelectorAll('figure.page')).map(f =>
      parseFloat(getComputedStyle(f).getPropertyValue('--w')) || 1));
    return Math.min(1, (pages.clientWidth - 40) / widest);
  }
  function zoom(f) {
    if (!pages) return;
    level = f === 0 ? fit() : Math.min(6, Math.max(0.1, level * f));
    pages.style.setProperty('--zoom', level);
    document.getElementById('zoom-level').textContent = Math.round(level * 100) + '%';
  }
  if (pages) {
    zoom(0);
    document.getElementById('zoom-in').addEventListener('click', () => zoom(1.25));
    document.getElementById('zoom-out').addEventListener('click', () => zoom(0.8));
    document.getElementById('zoom-fit').addEventListener('click', () => zoom(0));
    let drag = null;
    pages.addEventListener('pointerdown', e => {
      if (e.button !== 0 || e.target.closest('a')) return;
      drag = { x: e.clientX, y: e.clientY, l: pages.scrollLeft, t: pages.scrollTop };
      pages.classList.add('dragging');
    });
    window.addEventListener('pointermove', e => {
      if (!drag) return;
      pages.scrollLeft = drag.l - (e.clientX - drag.x);
      pages.scrollTop = drag.t - (e.clientY - drag.y);
    });
    window.addEventListener('pointerup', () => { drag = null; pages.classList.remove('dragging'); });
    // Open at the first evidence page of the selected answer.
    const first = document.querySelector('figure.page.evidence');
    if (first && !location.hash) first.scrollIntoView({ block: 'start' });
  }

  // ---- jobs page: live progress while a job runs; start a job (admin) ----
  const live = document.getElementById('jobs-live');
  if (live && live.dataset.running === 'true') setTimeout(() => location.reload(), 3000);
  const start = document.getElementById('start-job');
  start?.addEventListener('submit', async e => {
    e.preventDefault();
    const opt = start.from.selectedOptions[0];
    const err = start.querySelector('.error');
    if (!opt) { err.textContent = 'no stored question set: submit a first job with quire extract or POST /api/jobs'; err.hidden = false; return; }
    const res = await post('/api/jobs', { questionSet: JSON.parse(opt.dataset.questionSet), documents: start.documents.value });
    if (res.status === 202) location.reload();
    else { err.textContent = (res.data && res.data.error) || ('HTTP ' + res.status); err.hidden = false; }
  });

  // ---- users page (admin) ----
  const addUser = document.getElementById('add-user');
  addUser?.addEventListener('submit', async e => {
    e.preventDefault();
    const res = await post('/api/users', { name: addUser.name.value, role: addUser.role.value, password: addUser.password.value });
    if (res.status === 200) location.reload();
    else { const err = addUser.querySelector('.error'); err.textContent = (res.data && res.data.error) || ('HTTP ' + res.status); err.hidden = false; }
  });
})();
