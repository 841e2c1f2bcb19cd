/**
 * GET /: the read-only status page. One self-contained document (no outside assets): it asks
 * for a token once (or takes it from the address's #token=… fragment, which never reaches the
 * server), then reads the status stream and redraws on every report — no reload.
 */
export const STATUS_STREAM_PATH = '/api/v1/image-management/status/stream';

const STYLE = `
:root { color-scheme: dark; --ok: #3fb950; --warn: #d29922; --bad: #f85149; --unknown: #d2a8ff; --progress: #39c5cf; --muted: #8b949e; --accent: #39c5cf; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; padding: 12px; background: #0d1117; color: #e6edf3; font: 14px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
header { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; margin-bottom: 12px; }
h1 { font-size: 16px; margin: 0; color: var(--accent); }
h2 { font-size: 15px; margin: 16px 0 6px; }
.meta { color: var(--muted); overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; color: var(--muted); font-weight: normal; border-bottom: 1px solid #30363d; padding: 4px 8px 4px 0; }
td { padding: 4px 8px 4px 0; border-bottom: 1px solid #21262d; vertical-align: top; white-space: nowrap; }
td[data-field="message"] { white-space: normal; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; }
.tone-ok { color: var(--ok); } .tone-warn { color: var(--warn); } .tone-bad { color: var(--bad); }
.tone-unknown { color: var(--unknown); } .tone-progress { color: var(--progress); } .tone-muted { color: var(--muted); }
.tone-accent { color: var(--accent); }
form { display: flex; flex-wrap: wrap; gap: 8px; margin: 24px 0; }
input { flex: 1 1 240px; font: inherit; padding: 8px; background: #161b22; color: inherit; border: 1px solid #30363d; }
button { font: inherit; padding: 8px 16px; }
#state.live { color: var(--ok); } #state.down { color: var(--bad); }
@media (max-width: 640px) {
  thead { display: none; }
  table, tbody, tr, td { display: block; width: 100%; }
  tr { border: 1px solid #30363d; margin: 0 0 8px; padding: 6px 8px; }
  td { border: 0; padding: 1px 0; display: flex; gap: 8px; white-space: normal; overflow-wrap: anywhere; }
  td:empty { display: none; }
  td::before { content: attr(data-label); color: var(--muted); flex: 0 0 7.5em; }
}
`;

const SCRIPT = `
(function () {
  var STREAM = ${JSON.stringify(STATUS_STREAM_PATH)};
  var COLUMNS = [['SERVICE', 'service'], ['MANIFEST TAG', 'manifest_tag'], ['LIVE TAG', 'live_tag'], ['SYNC', 'sync', 'sync_tone'], ['HEALTH', 'health', 'health_tone'], ['VERSION', 'version', 'version_tone'], ['STATE', 'badge', 'badge_tone', 'badge_symbol'], ['MESSAGE', 'message']];
  var main = document.getElementById('tenants');
  var state = document.getElementById('state');
  var form = document.getElementById('login');

  var hash = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (hash) { sessionStorage.setItem('ecp-token', decodeURIComponent(hash[1])); history.replaceState(null, '', location.pathname); }

  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = text; if (cls) e.className = cls; return e; }
  function setState(text, cls) { state.textContent = text; state.className = cls; }

  function render(model) {
    document.getElementById('cluster').textContent = model.cluster;
    document.getElementById('checked').textContent = 'checked ' + model.checked_at.replace('T', ' ').slice(0, 19) + ' UTC';
    var s = model.summary;
    document.getElementById('summary').textContent = s.services + ' services: ' + s.synced + ' synced, ' + s.out_of_sync + ' out of sync, ' + s.degraded + ' degraded';
    main.replaceChildren();
    model.tenants.forEach(function (t) {
      var section = el('section'); section.dataset.tenant = t.id;
      var h = el('h2'); h.append(el('span', t.id + ' '), el('span', '(namespace ' + t.namespace + ') ', 'tone-muted'), el('span', t.worst_symbol + ' ' + t.worst, 'tone-' + t.worst_tone));
      section.append(h);
      t.yaml_errors.forEach(function (e) { section.append(el('div', 'YAML error: ' + e, 'tone-bad')); });
      var table = el('table'); var head = el('tr');
      COLUMNS.forEach(function (c) { head.append(el('th', c[0])); });
      var thead = el('thead'); thead.append(head); var body = el('tbody');
      t.services.forEach(function (r) {
        var tr = el('tr'); tr.dataset.service = t.id + '/' + r.service;
        COLUMNS.forEach(function (c) {
          var text = c[3] ? r[c[3]] + ' ' + r[c[1]] : r[c[1]];
          var td = el('td', text === null ? '-' : text, c[2] ? 'tone-' + r[c[2]] : undefined);
          td.dataset.label = c[0]; td.dataset.field = c[1]; tr.append(td);
        });
        body.append(tr);
      });
      table.append(thead, body); var scroll = el('div', null, 'scroll'); scroll.append(table); section.append(scroll); main.append(section);
    });
  }

  function handle(block) {
    var event = 'message', data = '';
    block.split('\\n').forEach(function (line) {
      if (line.indexOf('event:') === 0) event = line.slice(6).trim();
      else if (line.indexOf('data:') === 0) data += line.slice(5).trim();
    });
    if (event === 'status' && data) render(JSON.parse(data));
    if (event === 'failure' && data) setState('refresh failed: ' + JSON.parse(data).message, 'down');
  }

  function askToken(message) {
    sessionStorage.removeItem('ecp-token');
    form.hidden = false; setState(message, 'down');
  }

  async function connect() {
    var token = sessionStorage.getItem('ecp-token');
    if (!token) return askToken('a reader token is needed');
    form.hidden = true;
    try {
      var response = await fetch(STREAM, { headers: { Authorization: 'Bearer ' + token, Accept: 'text/event-stream' } });
      if (response.status === 401 || response.status === 403) return askToken('the token was refused');
      if (!response.ok) throw new Error('status ' + response.status);
      setState('live', 'live');
      var reader = response.body.pipeThrough(new TextDecoderStream()).getReader(), buffer = '';
      for (;;) {
        var chunk = await reader.read();
        if (chunk.done) break;
        buffer += chunk.value;
        var end;
        while ((end = buffer.indexOf('\\n\\n')) >= 0) { handle(buffer.slice(0, end)); buffer = buffer.slice(end + 2); }
      }
      throw new Error('the stream ended');
    } catch (error) {
      setState('reconnecting (' + error.message + ')', 'down');
      setTimeout(connect, 2000);
    }
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    sessionStorage.setItem('ecp-token', document.getElementById('token').value.trim());
    connect();
  });
  connect();
})();
`;

export const STATUS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ecp — deployment status</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>ecp status</h1><span id="state">connecting</span><span class="meta" id="cluster"></span><span class="meta" id="summary"></span><span class="meta" id="checked"></span></header>
<form id="login" hidden><input id="token" type="password" autocomplete="off" placeholder="bearer token (any role)" aria-label="bearer token"><button type="submit">Show status</button></form>
<main id="tenants"></main>
<script>${SCRIPT}</script>
</body>
</html>
`;
