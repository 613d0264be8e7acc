// DistributedFSTree web console: plain JS, no build step, nothing external.
// Data: GET /api/groups (group map), GET /api/events (Server-Sent Events of file events);
// uploads go straight to a storage's WebSocket upload, ws(s)://<storage>:<httpPort>/<group>/ws-upload.
'use strict';

const SLICE = 64 * 1024;            // bytes per binary frame
const HIGH_WATER = 1024 * 1024;     // pause sending while more than this is buffered in the socket
const MAX_EVENTS = 50;

const $ = (id) => document.getElementById(id);
let groups = [];

function text(tag, value, cls) {
  const el = document.createElement(tag);
  el.textContent = value;
  if (cls) el.className = cls;
  return el;
}

function ago(ms) {
  if (ms < 0) ms = 0;
  return ms < 1000 ? 'just now' : Math.round(ms / 1000) + ' s ago';
}

/** now - syncedUntil per peer; syncedUntil is the peer's clock in seconds (0: nothing yet). */
function lag(syncedUntil) {
  const peers = Object.keys(syncedUntil || {});
  if (peers.length === 0) return '—';
  const nowS = Date.now() / 1000;
  return peers.map((peer) => {
    let until = Number(syncedUntil[peer]);
    if (until > 1e11) until = until / 1000; // tolerate milliseconds
    return 'from ' + peer + ': ' + (until > 0 ? Math.max(0, Math.round(nowS - until)) + ' s' : 'not yet');
  }).join(', ');
}

function renderGroups(json) {
  groups = json.groups || [];
  const body = $('storages').tBodies[0];
  body.replaceChildren();
  const now = Date.now();
  for (const g of groups) {
    for (const s of g.storages || []) {
      const tr = document.createElement('tr');
      tr.dataset.group = g.name;
      tr.dataset.storage = String(s.id);
      tr.append(text('td', g.name), text('td', String(s.id)), text('td', s.host + ':' + s.port),
        text('td', s.httpPort > 0 ? String(s.httpPort) : 'off'),
        text('td', s.state, 'state state-' + s.state),
        text('td', s.freeMb + ' / ' + s.totalMb), text('td', lag(s.syncedUntil)),
        text('td', ago(now - s.lastBeatMs)));
      body.append(tr);
    }
  }
  if (body.rows.length === 0) {
    const tr = document.createElement('tr');
    const td = text('td', 'no storage has joined yet', 'muted');
    td.colSpan = 8;
    tr.append(td);
    body.append(tr);
  }
  const select = $('group');
  const chosen = select.value;
  const names = groups.map((g) => g.name);
  if (names.join() !== Array.from(select.options, (o) => o.value).join()) {
    select.replaceChildren(...names.map((n) => { const o = text('option', n); o.value = n; return o; }));
    if (names.includes(chosen)) select.value = chosen;
  }
}

async function refresh() {
  try {
    const res = await fetch('/api/groups', { cache: 'no-store' });
    if (!res.ok) throw new Error('GET /api/groups answered ' + res.status);
    renderGroups(await res.json());
    $('groups-error').hidden = true;
    $('status').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    $('groups-error').textContent = 'cannot read the group map: ' + e.message;
    $('groups-error').hidden = false;
  }
}

function addEvent(ev) {
  const li = document.createElement('li');
  li.dataset.type = ev.type;
  li.dataset.fileId = ev.fileId;
  li.append(text('span', new Date(ev.time).toLocaleTimeString() + ' '), text('span', ev.type, 'type'),
    text('span', ev.fileId + '  (' + (ev.size >= 0 ? ev.size + ' bytes, ' : '') + 'storage ' + ev.storageId + ')'));
  const list = $('events');
  list.prepend(li);
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
}

function listen() {
  const source = new EventSource('/api/events');
  source.addEventListener('file', (m) => {
    try { addEvent(JSON.parse(m.data)); } catch (e) { /* ignore a malformed event */ }
  });
  source.onopen = () => { $('events').dataset.connected = 'true'; };
  source.onerror = () => { $('events').dataset.connected = 'false'; }; // EventSource reconnects by itself
}

function setProgress(done, total) {
  const pct = total > 0 ? Math.floor((done * 100) / total) : 100;
  $('progress').value = pct;
  $('percent').textContent = pct + '%';
}

function showError(message) {
  $('upload-error').textContent = message;
  $('upload-error').hidden = false;
}

function pickStorage(groupName) {
  const g = groups.find((x) => x.name === groupName);
  if (!g) throw new Error('no group ' + groupName);
  const ok = (g.storages || []).filter((s) => s.state === 'ACTIVE' && s.httpPort > 0);
  if (ok.length === 0) throw new Error('group ' + groupName + ' has no ACTIVE storage with an HTTP port');
  return ok[Math.floor(Math.random() * ok.length)];
}

function extension(name) {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.substring(dot + 1) : '';
  return /^[A-Za-z0-9]{1,6}$/.test(ext) ? ext : '';
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function upload(file, groupName) {
  const s = pickStorage(groupName);
  const host = !s.host || s.host === '0.0.0.0' || s.host === '::' ? location.hostname : s.host;
  const h = host.includes(':') && !host.startsWith('[') ? '[' + host + ']' : host;
  // the storages speak the console's scheme (TLS on every HTTP port of a cluster, or on none)
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + h + ':' + s.httpPort + '/' + encodeURIComponent(groupName) + '/ws-upload';
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    let result = null;
    let sent = 0;
    ws.onopen = async () => {
      try {
        ws.send(JSON.stringify({ size: file.size, ext: extension(file.name), meta: {} }));
        while (sent < file.size && ws.readyState === WebSocket.OPEN) {
          while (ws.bufferedAmount > HIGH_WATER && ws.readyState === WebSocket.OPEN) {
            setProgress(sent - ws.bufferedAmount, file.size);
            await sleep(10);
          }
          const buf = await file.slice(sent, sent + SLICE).arrayBuffer();
          ws.send(buf);
          sent += buf.byteLength;
          setProgress(sent - ws.bufferedAmount, file.size);
        }
        while (ws.bufferedAmount > 0 && ws.readyState === WebSocket.OPEN) {
          setProgress(sent - ws.bufferedAmount, file.size);
          await sleep(10);
        }
      } catch (e) {
        ws.close(1000);
        reject(e);
      }
    };
    ws.onmessage = (m) => {
      try { result = JSON.parse(m.data); } catch (e) { reject(new Error('bad answer: ' + m.data)); }
    };
    ws.onclose = (c) => {
      if (c.code === 1000 && result && result.fileId) {
        resolve(result);
      } else {
        reject(new Error('storage ' + s.host + ':' + s.httpPort + ' closed the upload (code ' + c.code + ')'
          + (c.reason ? ': ' + c.reason : '')));
      }
    };
    ws.onerror = () => { /* onclose follows with the code */ };
  });
}

$('upload-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('upload-error').hidden = true;
  $('upload-result').hidden = true;
  const file = $('file').files[0];
  if (!file) { showError('choose a file first'); return; }
  const button = $('upload');
  button.disabled = true;
  setProgress(0, file.size);
  try {
    const r = await upload(file, $('group').value);
    setProgress(file.size, file.size);
    $('file-id').textContent = r.fileId;
    $('download').href = location.origin + '/' + r.fileId;
    $('upload-result').hidden = false;
  } catch (err) {
    showError('upload failed: ' + err.message);
  } finally {
    button.disabled = false;
  }
});

refresh();
setInterval(refresh, 2000);
listen();
