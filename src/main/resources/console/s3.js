// The S3 bucket browser: buckets, objects by prefix/delimiter a page at a time, an object's
// metadata and FastDFS file id, download (a presigned S3 link) and delete. Talks to
// /api/s3/* on this port with the S3 key pair typed in above (header X-S3-Key); the pair is
// kept in sessionStorage, so it lasts as long as the tab.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const s3 = { key: sessionStorage.getItem('dfstree.s3key'), bucket: null, tokens: [null], page: 0, selectedKey: null };

  function error(message) {
    const e = $('s3-error');
    e.textContent = message || '';
    e.hidden = !message;
  }

  async function call(method, path, params) {
    const url = path + '?' + new URLSearchParams(params || {}).toString();
    const res = await fetch(url, { method, cache: 'no-store', headers: { 'X-S3-Key': s3.key || '' } });
    const text = await res.text();
    let body;
    try { body = JSON.parse(text); } catch (e) { body = { error: text }; }
    if (!res.ok) throw new Error(body.message || body.error || ('HTTP ' + res.status));
    return body;
  }

  function size(n) {
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
    if (n < 1024 * 1024 * 1024) return (n / 1024 / 1024).toFixed(1) + ' MiB';
    return (n / 1024 / 1024 / 1024).toFixed(2) + ' GiB';
  }

  function cell(tr, value, cls) {
    const td = document.createElement('td');
    td.textContent = value === null || value === undefined ? '' : value;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  async function openBrowser() {
    error('');
    try {
      const json = await call('GET', '/api/s3/buckets');
      sessionStorage.setItem('dfstree.s3key', s3.key);
      $('s3-browser').hidden = false;
      $('s3-endpoint').textContent = json.endpoint + ' · ' + json.namespace;
      const ul = $('s3-buckets');
      ul.textContent = '';
      if (json.buckets.length === 0) ul.appendChild(Object.assign(document.createElement('li'), { textContent: '(no buckets)' }));
      for (const b of json.buckets) {
        const li = document.createElement('li');
        li.textContent = b.name;
        li.title = 'created ' + b.created;
        li.dataset.bucket = b.name;
        li.addEventListener('click', () => pickBucket(b.name));
        ul.appendChild(li);
      }
      if (s3.bucket && json.buckets.some((b) => b.name === s3.bucket)) pickBucket(s3.bucket);
    } catch (e) {
      $('s3-browser').hidden = true;
      error(e.message);
    }
  }

  function pickBucket(name) {
    s3.bucket = name;
    for (const li of $('s3-buckets').children) li.classList.toggle('selected', li.dataset.bucket === name);
    $('s3-prefix').value = '';
    firstPage();
  }

  function firstPage() {
    s3.tokens = [null];
    s3.page = 0;
    list();
  }

  async function list() {
    error('');
    $('s3-object').hidden = true;
    const prefix = $('s3-prefix').value;
    try {
      const json = await call('GET', '/api/s3/objects', {
        bucket: s3.bucket, prefix, delimiter: $('s3-delimiter').value,
        max: $('s3-max').value || '20', ...(s3.tokens[s3.page] ? { token: s3.tokens[s3.page] } : {}) });
      renderObjects(json);
    } catch (e) {
      error(e.message);
    }
  }

  function renderObjects(json) {
    $('s3-where').textContent = 's3://' + json.bucket + '/' + json.prefix;
    const tbody = $('s3-objects').querySelector('tbody');
    tbody.textContent = '';
    for (const p of json.prefixes) {
      const tr = document.createElement('tr');
      tr.dataset.prefix = p;
      cell(tr, p, 'prefix');
      cell(tr, 'folder', 'muted');
      cell(tr, '');
      cell(tr, '');
      tr.addEventListener('click', () => { $('s3-prefix').value = p; firstPage(); });
      tbody.appendChild(tr);
    }
    for (const o of json.objects) {
      const tr = document.createElement('tr');
      tr.dataset.key = o.key;
      cell(tr, o.key, 'mono');
      cell(tr, size(o.size));
      cell(tr, o.modified.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
      cell(tr, o.fileId || (o.parts + ' parts (multipart)'), 'mono small');
      tr.addEventListener('click', () => showObject(o.key, tr));
      tbody.appendChild(tr);
    }
    if (json.prefixes.length + json.objects.length === 0) {
      const tr = document.createElement('tr');
      cell(tr, '(nothing under this prefix)', 'muted');
      tbody.appendChild(tr);
    }
    s3.tokens[s3.page + 1] = json.nextToken;
    $('s3-next').disabled = !json.truncated;
    $('s3-prev').disabled = s3.page === 0;
    $('s3-page').textContent = 'page ' + (s3.page + 1) + (json.truncated ? ' (more)' : '');
  }

  async function showObject(key, tr) {
    error('');
    for (const row of $('s3-objects').querySelectorAll('tbody tr')) row.classList.toggle('selected', row === tr);
    try {
      const o = await call('GET', '/api/s3/object', { bucket: s3.bucket, key });
      s3.selectedKey = key;
      const tbody = $('s3-object-table').querySelector('tbody');
      tbody.textContent = '';
      const row = (name, value, cls) => {
        const r = document.createElement('tr');
        r.dataset.field = name;
        r.appendChild(Object.assign(document.createElement('th'), { textContent: name }));
        cell(r, value, cls);
        tbody.appendChild(r);
      };
      row('key', o.key, 'mono');
      row('size', o.size + ' bytes (' + size(o.size) + ')');
      row('content type', o.contentType);
      row('ETag', o.etag, 'mono');
      row('modified', o.modified);
      row('FastDFS file id', o.fileId || ('multipart: ' + o.fileIds.join(', ')), 'mono');
      for (const [k, v] of Object.entries(o.meta)) row('x-amz-meta-' + k, v);
      $('s3-download').href = o.downloadUrl;
      $('s3-delete-result').textContent = '';
      $('s3-object').hidden = false;
    } catch (e) {
      error(e.message);
    }
  }

  async function deleteObject() {
    const key = s3.selectedKey;
    if (!key || !confirm('Delete s3://' + s3.bucket + '/' + key + ' and its stored file?')) return;
    try {
      await call('DELETE', '/api/s3/object', { bucket: s3.bucket, key });
      $('s3-delete-result').textContent = 'deleted';
      $('s3-delete-result').className = 'ok';
      list();
    } catch (e) {
      error(e.message);
    }
  }

  $('s3-login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    s3.key = $('s3-access').value.trim() + ':' + $('s3-secret').value.trim();
    openBrowser();
  });
  $('s3-filter').addEventListener('submit', (ev) => { ev.preventDefault(); if (s3.bucket) firstPage(); });
  $('s3-next').addEventListener('click', () => { s3.page++; list(); });
  $('s3-prev').addEventListener('click', () => { if (s3.page > 0) { s3.page--; list(); } });
  $('s3-delete').addEventListener('click', deleteObject);
  if (s3.key) openBrowser();
})();
