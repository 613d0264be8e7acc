// Console panels beyond app.js: the last-hour charts (GET /api/history), the file lookup and delete
// (GET/DELETE /api/file?id=), and per-storage details (GET /api/storages/{id}).
'use strict';

const HOUR = 3600 * 1000;
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const history = { intervalMs: 5000, now: Date.now(), lastT: 0, storages: new Map() };
const q = (id) => document.getElementById(id);

// ---- charts --------------------------------------------------------------------------------------

function merge(json) {
  history.intervalMs = json.intervalMs;
  history.now = json.now;
  for (const s of json.storages) {
    let e = history.storages.get(s.id);
    if (!e) { e = { samples: [] }; history.storages.set(s.id, e); }
    Object.assign(e, { id: s.id, group: s.group, host: s.host, paths: s.paths });
    for (const x of s.samples) {
      if (e.samples.length === 0 || x.t > e.samples[e.samples.length - 1].t) e.samples.push(x);
      if (x.t > history.lastT) history.lastT = x.t;
    }
  }
  for (const e of history.storages.values()) {
    while (e.samples.length && e.samples[0].t < history.now - HOUR) e.samples.shift();
  }
}

/** One point per tick: the sum (or max) over storages of f(sample); f returns null to skip. */
function combine(f, how) {
  const at = new Map();
  for (const e of history.storages.values()) {
    for (const x of e.samples) {
      const v = f(x);
      if (v === null || v === undefined) continue;
      const old = at.get(x.t);
      at.set(x.t, old === undefined ? v : how === 'max' ? Math.max(old, v) : old + v);
    }
  }
  return [...at.entries()].sort((a, b) => a[0] - b[0]);
}

const fixed = (digits) => (v) => (Math.round(v * 10 ** digits) / 10 ** digits).toString();

function drawCharts() {
  const from = history.now - HOUR, to = history.now, gapMs = history.intervalMs * 2.5;
  const base = { from, to, gapMs };
  lineChart(q('chart-ops'), { ...base, format: fixed(1), series: [
    { name: 'upload', color: '#1a73e8', points: combine((x) => x.up) },
    { name: 'download', color: '#e8710a', points: combine((x) => x.down) }] });
  lineChart(q('chart-mib'), { ...base, format: fixed(2), series: [
    { name: 'upload', color: '#1a73e8', points: combine((x) => x.upB / MiB) },
    { name: 'download', color: '#e8710a', points: combine((x) => x.downB / MiB) }] });
  lineChart(q('chart-p99'), { ...base, format: fixed(1), empty: 'no requests with latency yet', series: [
    { name: 'upload', color: '#1a73e8', points: combine((x) => (x.upP99 >= 0 ? x.upP99 : null), 'max') },
    { name: 'download', color: '#e8710a', points: combine((x) => (x.downP99 >= 0 ? x.downP99 : null), 'max') }] });
  const free = [];
  const lag = [];
  for (const e of history.storages.values()) {
    (e.paths || []).forEach((p, i) => free.push({ name: e.id + ' ' + p,
      points: e.samples.filter((x) => x.free.length > i).map((x) => [x.t, x.free[i] / GiB]) }));
    const sources = new Set();
    e.samples.forEach((x) => Object.keys(x.lag || {}).forEach((k) => sources.add(k)));
    for (const src of sources) {
      lag.push({ name: e.id + ' from ' + src, points: e.samples
        .filter((x) => x.lag && x.lag[src] !== undefined && x.lag[src] >= 0).map((x) => [x.t, x.lag[src]]) });
    }
  }
  lineChart(q('chart-free'), { ...base, format: fixed(1), series: free });
  lineChart(q('chart-lag'), { ...base, format: fixed(0), series: lag,
    empty: 'no replication: every group has a single member' });
}

async function pollHistory() {
  try {
    const res = await fetch('/api/history?since=' + history.lastT, { cache: 'no-store' });
    if (!res.ok) throw new Error('GET /api/history answered ' + res.status);
    merge(await res.json());
    drawCharts();
    q('history-error').hidden = true;
  } catch (e) {
    q('history-error').textContent = 'cannot read the history: ' + e.message;
    q('history-error').hidden = false;
  }
}

// ---- file lookup and delete ------------------------------------------------------------------------

function row(name, value, mono) {
  const tr = document.createElement('tr');
  const th = document.createElement('th');
  th.textContent = name;
  const td = document.createElement('td');
  if (value instanceof Node) td.append(value); else td.textContent = value;
  if (mono) td.className = 'mono';
  tr.dataset.field = name;
  tr.append(th, td);
  return tr;
}

function storageText(s) {
  return s ? s.id + ' (' + s.host + ':' + s.port + ', ' + s.state + ')' : 'not in the group map';
}

function describeFile(f) {
  const rows = [row('file id', f.fileId), row('group', f.group), row('store path', f.storePath + ' (directory ' + f.directory + ')')];
  rows.push(row('source storage', f.source ? storageText(f.source)
    : f.sourceStorageId + (f.sourceIp ? ' / ' + f.sourceIp : '') + ' (not in the group map)'));
  rows.push(row('created', new Date(f.created * 1000).toLocaleString() + ' (' + f.createdIso + ')'));
  const kind = f.appender ? 'appender' : f.slave ? 'slave' : f.trunk ? 'packed (trunk)' : 'normal';
  rows.push(row('kind', kind));
  rows.push(row('size', f.size === null ? 'not in the name (' + kind + ' file)' : f.size + ' bytes (from the name)'));
  rows.push(row('CRC32', f.crc32 === null ? '—' : f.crc32));
  rows.push(row('held by', (f.holders || []).map(storageText).join('; ') || 'nobody'));
  let status = f.exists === true ? 'yes' : f.exists === false ? 'no' : 'unknown';
  if (f.problem) status += ' — ' + f.problem;
  rows.push(row('exists', status));
  if (f.stored) {
    rows.push(row('stored', f.stored.size + ' bytes on storage ' + f.stored.storageId + ', ' + f.stored.contentType
      + ', modified ' + f.stored.lastModified));
  }
  if (f.metadata) {
    const keys = Object.keys(f.metadata);
    rows.push(row('metadata', keys.length ? keys.map((k) => k + ' = ' + f.metadata[k]).join(', ') : 'none'));
  } else if (f.metadataProblem) {
    rows.push(row('metadata', 'cannot read: ' + f.metadataProblem));
  }
  return rows;
}

let lookedUp = null;

async function lookup(id) {
  q('lookup-error').hidden = true;
  q('delete-result').hidden = true;
  try {
    const res = await fetch('/api/file?id=' + encodeURIComponent(id.trim()), { cache: 'no-store' });
    const body = await res.json();
    if (!res.ok) throw new Error(body.message || ('answered ' + res.status));
    lookedUp = body;
    q('lookup-table').tBodies[0].replaceChildren(...describeFile(body));
    q('lookup-download').href = location.origin + '/' + body.fileId;
    q('lookup-download').hidden = body.exists !== true;
    q('lookup-delete').disabled = body.exists === false;
    q('lookup-result').hidden = false;
    q('lookup-result').dataset.exists = String(body.exists);
  } catch (e) {
    q('lookup-result').hidden = true;
    q('lookup-error').textContent = 'lookup failed: ' + e.message;
    q('lookup-error').hidden = false;
  }
}

async function deleteLooked() {
  if (!lookedUp) return;
  const id = lookedUp.fileId;
  if (!window.confirm('Delete ' + id + ' from every member of ' + lookedUp.group + '? This cannot be undone.')) return;
  const headers = {};
  if (q('api-key').value) headers['X-Api-Key'] = q('api-key').value;
  const out = q('delete-result');
  try {
    const res = await fetch('/api/file?id=' + encodeURIComponent(id), { method: 'DELETE', headers });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.message || ('answered ' + res.status));
    await lookup(id);
    out.className = 'ok';
    out.textContent = 'deleted ' + id;
  } catch (e) {
    out.className = 'error';
    out.textContent = 'delete failed: ' + e.message;
  }
  out.hidden = false;
}

// ---- storage details -------------------------------------------------------------------------------

let selectedStorage = null;

function bytes(n) {
  return n >= GiB ? (n / GiB).toFixed(1) + ' GiB' : n >= MiB ? (n / MiB).toFixed(1) + ' MiB' : n + ' B';
}

async function showStorage(id) {
  selectedStorage = id;
  const box = q('storage-details');
  try {
    const res = await fetch('/api/storages/' + encodeURIComponent(id), { cache: 'no-store' });
    const s = await res.json();
    if (!res.ok) throw new Error(s.message || ('answered ' + res.status));
    const t = document.createElement('table');
    const c = s.counters;
    t.append(...[
      row('storage', s.id + ' of ' + s.group + ' — ' + s.state),
      row('endpoints', s.host + ':' + s.port + ' (FastDFS), HTTP ' + (s.httpPort > 0 ? s.httpPort : 'off')),
      row('version', s.version + ', up since ' + new Date(s.upTime * 1000).toLocaleString()
        + ', joined ' + new Date(s.joinTime * 1000).toLocaleString()),
      row('store paths', s.storePaths.map((p) => p.path + ': ' + bytes(p.freeBytes) + ' free of ' + bytes(p.totalBytes)
        + ' (reserve ' + bytes(p.reservedBytes) + ')' + (p.readOnly ? ', read-only' : '')).join('; ')),
      row('operations ok/all', 'uploads ' + c.uploads + ', downloads ' + c.downloads + ', deletes ' + c.deletes
        + ', appends ' + c.appends + ', metadata ' + c.metadataSets),
      row('bytes', 'uploaded ' + bytes(c.uploadBytes) + ', downloaded ' + bytes(c.downloadBytes)
        + ', replicated in ' + bytes(c.syncInBytes) + ', out ' + bytes(c.syncOutBytes)),
      row('replication', Object.keys(s.syncedUntil).length === 0 ? 'no peers'
        : Object.entries(s.syncedUntil).map(([p, u]) => 'from ' + p + ' up to '
          + (u > 0 ? new Date(u * 1000).toLocaleTimeString() : 'nothing yet')).join(', ')),
      row('connections', String(s.connections)),
    ]);
    box.replaceChildren(t);
    box.dataset.storage = String(s.id);
    box.hidden = false;
  } catch (e) {
    box.textContent = 'cannot read storage ' + id + ': ' + e.message;
    box.hidden = false;
  }
  for (const tr of q('storages').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.storage === String(id));
}

// ---- wiring ------------------------------------------------------------------------------------------

q('lookup-form').addEventListener('submit', (e) => { e.preventDefault(); lookup(q('lookup-id').value); });
q('lookup-delete').addEventListener('click', deleteLooked);
q('upload-lookup').addEventListener('click', (e) => {
  e.preventDefault();
  q('lookup-id').value = q('file-id').textContent;
  lookup(q('lookup-id').value);
});
q('storages').tBodies[0].addEventListener('click', (e) => {
  const tr = e.target.closest('tr');
  if (tr && tr.dataset.storage) showStorage(tr.dataset.storage);
});
setInterval(() => { if (selectedStorage !== null) showStorage(selectedStorage); }, 2000);
const fromUrl = new URLSearchParams(location.search).get('file');
if (fromUrl) { q('lookup-id').value = fromUrl; lookup(fromUrl); }
pollHistory();
setInterval(pollHistory, 5000);
