// Session Buddy live dashboard. Plain browser JavaScript, no dependencies:
// it opens /ws (protocol v1, see src/realtime/ws-protocol.ts), renders the
// snapshot pushed every second (after the history series of the last hours,
// so the charts open with the recent past), the live invocation and anomaly events, and
// a per-skill hourly trend, with charts drawn on <canvas> by the code below,
// and the skill report (GET /api/skill-report) in the Skills view. While the
// stream is down, /health and /api/skill-report tell a stopped server from a
// missing or refused token.
// Text from the server is only ever inserted as text (textContent, text nodes), never as HTML.
(() => {
  const PROTOCOL = 1;
  const HISTORY = 300; // live chart points at most (one per snapshot, 5 minutes at 1 s)
  const LIVE_MS = 5 * 60000; // live points kept; older ones become hourly points (see keepHourly)
  const HOUR_MS = 3600000;
  const PAST_MS = 24 * HOUR_MS; // the hourly points before the live ones: the last 24 hours
  const FEED_MAX = 50;
  const ANOMALIES_MAX = 50;
  const COLORS = { accent: '#2f6fdb', p95: '#d64545', ok: '#1f9d55', grid: '#e3e6ec', axis: '#6b7385', bar: '#9db9ec', barText: '#3d64b0' };

  const $ = (id) => document.getElementById(id);
  /** The subscription limits of the server (ws-protocol.ts). */
  const MAX_FILTER_SKILLS = 100;
  const MAX_SKILL_CHARS = 128;
  /**
   * Rows of the Skills view: the report's most (its `limit`). The report lists the most used first,
   * so with its default of 100 a skill never used (a "remove") fell off the end unseen.
   */
  const SKILLS_LIMIT = 1000;
  const state = {
    ws: null,
    retryMs: 1000,
    skillsFailed: false, // the Skills view shows an error (loaded again on reconnect)
    skillsSeq: 0, // the latest skill report request: only its answer is drawn
    filter: '*',
    history: [],
    past: [], // the "history" message: the window figures at each of the last whole hours
    feedCount: 0,
    trend: null,
    trendSkill: null,
    trendHours: 24,
    trendRefreshAt: 0,
    trendSeq: 0, // the latest get_trend request's id: only its answer is drawn
    trendTimer: null,
    trendEmptyText: 'no skill chosen',
    knownSkills: new Set(),
    shownSkills: null, // the subscribed skills (null: all), as the server confirmed them
  };

  // ---- token: #token=... (kept out of server logs) or ?token=... --------------
  function readToken() {
    const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
    return fromHash || new URLSearchParams(location.search).get('token');
  }

  // ---- connection --------------------------------------------------------------
  function connect() {
    const token = readToken();
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const url = `${scheme}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
    if (!document.body.dataset.stale) setStatus('connecting', 'connecting…');
    const ws = new WebSocket(url);
    state.ws = ws;
    ws.onopen = () => {
      state.retryMs = 1000;
      setStatus('connected', 'live');
      subscribe();
      if (state.trendSkill) requestTrend();
    };
    ws.onmessage = (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg && msg.v === PROTOCOL) handle(msg);
    };
    ws.onclose = async (ev) => {
      state.ws = null;
      const wait = state.retryMs;
      state.retryMs = Math.min(state.retryMs * 2, 5000);
      if (!document.body.dataset.stale) setStatus('disconnected', 'connection lost; checking the server…');
      // A refused WebSocket tells the page nothing (always code 1006): ask the server over HTTP why.
      const why = await diagnose(ev.code, token);
      setStatus('disconnected', `${why}; retrying in ${Math.round(wait / 1000)} s`);
      setTimeout(connect, wait);
    };
  }

  /**
   * Why the stream is down, from two requests: /health (open to all) tells
   * whether the server answers at all, then a token-protected route the page
   * uses anyway (the skill report, with the token it was given) whether the
   * token is missing or refused (401) or the page is not allowed (403).
   */
  async function diagnose(code, token) {
    const probe = (url, init) => fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(3000), ...init });
    try {
      const health = await probe('/health');
      if (!health.ok) return `server unavailable (HTTP ${health.status})`;
    } catch {
      return 'server unreachable';
    }
    let res;
    try {
      res = await probe('/api/skill-report?days=1&limit=1', { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    } catch {
      return 'server unreachable';
    }
    if (res.status === 401) {
      return token
        ? 'unauthorized (401): the token in the address was refused; open the dashboard as /#token=<token from <data-dir>/token>'
        : 'unauthorized (401): open the dashboard as /#token=<token from <data-dir>/token>';
    }
    if (res.status === 403) {
      let reason = '';
      try {
        reason = (await res.json()).error.message;
      } catch {
        // no JSON body: the status alone
      }
      return `refused (403${reason ? `: ${reason}` : ''})`;
    }
    // The server answers and accepts the page: the stream itself was closed or refused. A plain GET of /ws says
    // whether it is served at all (404: turned off), how full it is and whether it needs the token.
    if (code !== 1006) return `live stream closed (${code})`;
    let ws;
    try {
      ws = await probe('/ws', { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    } catch {
      return 'server unreachable';
    }
    if (ws.status === 404) return 'live stream turned off on this server (started with --no-ws)';
    let details = null;
    try {
      details = (await ws.json()).error.details;
    } catch {
      // an older server: no details
    }
    if (details && details.clients >= details.max_clients) return `live stream full (${fmtInt(details.clients)} of ${fmtInt(details.max_clients)} viewers)`;
    const needsToken = details ? details.token_required : true;
    return `live stream refused or lost (server up)${token || !needsToken ? '' : '; if it needs the token, open /#token=…'}`;
  }

  function send(msg) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify({ v: PROTOCOL, ...msg }));
  }

  function subscribe() {
    send({ type: 'subscribe', skills: state.filter });
  }

  function requestTrend() {
    state.trendRefreshAt = Date.now();
    state.trendSeq += 1;
    send({ type: 'get_trend', skill: state.trendSkill, hours: state.trendHours, id: state.trendSeq });
  }

  function setStatus(kind, text) {
    const el = $('status');
    el.dataset.state = kind;
    // Unchanged text is left alone: the pill is a live region, and a retry every 5 s is not news.
    if (el.textContent !== text) el.textContent = text;
    // Without a connection the figures on screen are the last ones received: shown as such, not as current.
    if (kind === 'disconnected') {
      document.body.dataset.stale = 'true';
      // How many watch is the server's figure: unknown while it cannot be asked (this page is not counted).
      $('sum-clients').textContent = '';
    } else if (kind === 'connected') delete document.body.dataset.stale;
  }

  // ---- messages ----------------------------------------------------------------
  function handle(msg) {
    switch (msg.type) {
      case 'hello':
        for (const a of msg.recent_anomalies || []) addAnomaly(a);
        // Back after a disconnect: a Skills view left on an error loads again now, not on its next minute.
        if (state.skillsFailed) loadSkills();
        break;
      case 'subscribed':
        state.history = [];
        state.past = [];
        drawLive();
        $('top-caption').textContent = msg.skills === '*' ? '' : `(filtered: ${msg.skills.join(', ')})`;
        state.shownSkills = msg.skills === '*' ? null : new Set(msg.skills);
        filterAnomalies();
        break;
      case 'history':
        state.past = msg.points.map((p) => ({ t: Date.parse(p.at), rate: p.success_rate, avg: p.avg_duration_ms, p95: p.p95_duration_ms }));
        drawLive();
        break;
      case 'snapshot':
        renderSnapshot(msg);
        break;
      case 'invocations':
        renderInvocations(msg);
        break;
      case 'anomalies':
        for (const a of msg.events) addAnomaly(a);
        break;
      case 'trend':
        // Only the latest request's answer is drawn: the server answers as each is computed, so an older
        // one (another skill or hours) can come after it; and none after the panel was emptied.
        if (msg.id !== state.trendSeq || msg.skill !== state.trendSkill) break;
        state.trend = msg;
        renderTrend();
        break;
      case 'error':
        // A superseded trend request (another skill or hours asked since, or the panel emptied since) says
        // nothing, as its answer would draw nothing: not even a moment in the status pill.
        if (msg.ref !== undefined && (msg.ref !== state.trendSeq || state.trendSkill === null)) break;
        // A refused trend request: the panel says so, rather than keep the previous skill's chart.
        if (msg.ref === state.trendSeq) clearTrend(`Trend not shown: ${msg.message}`);
        setStatus('error', `server: ${msg.message}`);
        setTimeout(() => state.ws && setStatus('connected', 'live'), 4000);
        break;
      default:
        break;
    }
  }

  function renderSnapshot(s) {
    const sum = s.summary;
    $('sum-invocations').textContent = fmtInt(sum.invocations);
    $('sum-window').textContent = `since ${fmtTime(s.window.from)}`;
    $('top-window').textContent = `(since ${fmtTime(s.window.from)})`;
    $('sum-success').textContent = fmtRate(sum.success_rate);
    $('sum-avg').textContent = fmtMs(sum.avg_duration_ms);
    $('sum-p95').textContent = fmtMs(sum.p95_duration_ms);
    $('sum-skills').textContent = fmtInt(sum.active_skills);
    $('sum-clients').textContent = `${s.connections} viewer${s.connections === 1 ? '' : 's'}`;

    const point = { t: Date.parse(s.at), rate: sum.success_rate, avg: sum.avg_duration_ms, p95: sum.p95_duration_ms };
    state.history.push(point);
    while (state.history.length > HISTORY || (state.history.length > 1 && state.history[0].t < point.t - LIVE_MS)) keepHourly(state.history.shift());
    while (state.past.length > 0 && state.past[0].t < point.t - PAST_MS) state.past.shift();
    drawLive();

    renderTopSkills(s.top_skills);
    $('top-skills').dataset.at = s.at;
    refreshSkillList();
    updateScrollCues();
  }

  /**
   * A live point leaving the live part of the charts: the first of each hour stays as that hour's
   * point, as the history message's hourly points do, so a page left open for hours keeps a line
   * through every hour of the last day (not the day before it opened, then a straight line to the
   * last 5 minutes).
   */
  function keepHourly(p) {
    const last = state.past[state.past.length - 1];
    if (!last || Math.floor(p.t / HOUR_MS) > Math.floor(last.t / HOUR_MS)) state.past.push(p);
  }

  /**
   * The top-skills rows, updated in place (one row per skill, kept from one
   * snapshot to the next): a row focused with Tab stays focused, so Enter
   * still works after the next snapshot, and unchanged cells are not rewritten.
   */
  function renderTopSkills(top) {
    const tbody = $('top-skills').tBodies[0];
    const focused = document.activeElement;
    const focusedIndex = focused && focused.parentElement === tbody ? focused.sectionRowIndex : -1;
    const existing = new Map();
    for (const tr of [...tbody.rows]) {
      if (tr.dataset.skill !== undefined && !existing.has(tr.dataset.skill)) existing.set(tr.dataset.skill, tr);
      else tr.remove();
    }
    const rows = top.map((k) => {
      state.knownSkills.add(k.skill_name);
      const tr = existing.get(k.skill_name) ?? topSkillRow(k.skill_name);
      existing.delete(k.skill_name);
      const cells = tr.cells;
      setText(cells[1], fmtInt(k.invocations));
      setText(cells[2], fmtRate(k.success_rate));
      setClass(cells[2], `num ${rateClass(k.success_rate)}`.trim());
      setText(cells[3], fmtMs(k.avg_duration_ms));
      setText(cells[4], fmtMs(k.p95_duration_ms));
      setText(cells[5], fmtTime(k.last_invoked_at));
      tr.classList.toggle('selected', k.skill_name === state.trendSkill);
      return tr;
    });
    // Rows of skills no longer in the top leave.
    for (const tr of existing.values()) tr.remove();
    if (rows.length === 0) {
      tbody.replaceChildren(emptyRow('no invocations in the window yet'));
    } else {
      tbody.querySelector('tr.empty')?.remove();
      const current = [...tbody.rows];
      if (current.length !== rows.length || rows.some((tr, i) => current[i] !== tr)) {
        // Into the new order without moving the focused row (a row taken out of the page loses the
        // focus): the rows before it go before it, the others after it.
        const anchor = rows.includes(focused) ? focused : null;
        const at = anchor ? rows.indexOf(anchor) : -1;
        for (let i = 0; i < at; i++) tbody.insertBefore(rows[i], anchor);
        for (let i = at + 1; i < rows.length; i++) tbody.appendChild(rows[i]);
      }
    }
    // The focused row's skill left the top: the focus stays in the table, on the row now at its place.
    if (focusedIndex >= 0 && !focused.isConnected) {
      const next = tbody.rows[Math.min(focusedIndex, tbody.rows.length - 1)];
      if (next && next.tabIndex === 0) next.focus();
    }
  }

  function topSkillRow(skill) {
    const tr = el('tr', { 'data-skill': skill });
    const name = el('td');
    name.append(...breakable(skill));
    // An MCP tool: its server beside it, the name the Skills view counts it under.
    const server = mcpServer(skill);
    if (server) name.append(' ', el('span', { class: 'server muted', title: `counted under its MCP server ${server} in the Skills view` }, server));
    tr.append(
      name,
      el('td', { class: 'num', 'data-field': 'invocations' }),
      el('td', { class: 'num', 'data-field': 'success_rate' }),
      el('td', { class: 'num optional' }),
      el('td', { class: 'num' }),
      el('td', { class: 'optional' }),
    );
    // Reachable with Tab too: Enter or Space shows the trend, as a click does.
    tr.tabIndex = 0;
    tr.setAttribute('aria-label', `${skill}: show its trend`);
    tr.addEventListener('click', () => chooseTrendSkill(skill));
    tr.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Enter' && ev.key !== ' ') return;
      ev.preventDefault();
      chooseTrendSkill(skill);
    });
    return tr;
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }
  function setClass(node, cls) {
    if (node.className !== cls) node.className = cls;
  }

  function renderInvocations(m) {
    const list = $('feed');
    list.querySelector('.empty')?.remove();
    let touchesTrend = false;
    for (const e of m.events) {
      state.feedCount++;
      state.knownSkills.add(e.skill_name);
      if (e.skill_name === state.trendSkill) touchesTrend = true;
      const li = el('li', { 'data-skill': e.skill_name });
      li.append(
        el('span', { class: 'time' }, fmtTime(e.invoked_at)),
        nameSpan(e.skill_name),
        el('span', { class: `badge ${e.completed ? 'ok' : 'fail'}` }, e.completed ? 'ok' : e.error_type || 'failed'),
        // A duration that was not measured (a typed activation, unmatched hooks) is said so, not "0 ms".
        el('span', { class: 'muted' }, `${e.workflow_phase} · ${e.duration_known === false ? 'duration not measured' : fmtMs(e.duration_ms)}`),
      );
      list.prepend(li);
    }
    state.feedCount += m.omitted || 0;
    while (list.children.length > FEED_MAX) list.lastElementChild.remove();
    $('feed-count').textContent = `(${fmtInt(state.feedCount)} received)`;
    if (touchesTrend) scheduleTrendRefresh();
  }

  // Keep the trend of the chosen skill current: at most one request every 2 s.
  function scheduleTrendRefresh() {
    if (state.trendTimer) return;
    const wait = Math.max(0, state.trendRefreshAt + 2000 - Date.now());
    state.trendTimer = setTimeout(() => {
      state.trendTimer = null;
      if (state.trendSkill) requestTrend();
    }, wait);
  }

  function addAnomaly(a) {
    const list = $('anomalies');
    // Every (re)connect's hello lists the recent anomalies again: one shown already is not added twice.
    const key = `${a.skill_name}\u0000${a.metric}\u0000${a.direction}\u0000${a.detected_at}`;
    if ([...list.children].some((li) => li.dataset.key === key)) return;
    list.querySelector('.empty')?.remove();
    const li = el('li', { 'data-skill': a.skill_name, 'data-key': key });
    const metric = a.metric === 'duration' ? 'duration' : 'success rate';
    const fmt = a.metric === 'duration' ? fmtMs : fmtRate;
    li.append(
      el('span', { class: 'time' }, fmtTime(a.detected_at)),
      el('span', { class: `badge ${a.severity}` }, a.severity),
      nameSpan(a.skill_name),
      // "down to 80.0 %": the observed value, not the size of the change.
      // The detection's own window (often not the Top skills window above, hence the figures differ).
      el(
        'span',
        { class: 'muted' },
        `${metric} ${a.direction} to ${fmt(a.observed_value)}${a.window_hours ? ` over the last ${fmtHours(a.window_hours)}` : ''} (baseline ${fmt(a.baseline_value)})`,
      ),
    );
    list.prepend(li);
    while (list.children.length > ANOMALIES_MAX) list.lastElementChild.remove();
    filterAnomalies();
  }

  /**
   * Only the filtered skills' anomalies, as the server sends only theirs once subscribed: those
   * listed before (the hello lists every skill's) are hidden, and shown again without the filter.
   */
  function filterAnomalies() {
    const list = $('anomalies');
    let shown = 0;
    for (const li of list.querySelectorAll('li[data-key]')) {
      li.hidden = state.shownSkills !== null && !state.shownSkills.has(li.dataset.skill);
      if (!li.hidden) shown++;
    }
    let empty = list.querySelector('.empty');
    if (shown > 0) return empty?.remove();
    if (!empty) {
      empty = el('li', { class: 'empty' });
      list.append(empty);
    }
    empty.textContent = state.shownSkills === null ? 'none detected' : 'none detected for the filtered skills';
  }

  function chooseTrendSkill(skill) {
    $('trend-skill').value = skill;
    $('trend-skill').setCustomValidity('');
    // Another skill: the previous one's chart goes now, not when the answer comes.
    if (skill !== state.trendSkill) clearTrend(`${skill}: loading…`, 'loading…');
    state.trendSkill = skill;
    state.trendHours = Number($('trend-hours').value);
    for (const tr of $('top-skills').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.skill === skill);
    requestTrend();
  }

  /** Empties the trend panel (no skill, no chart) and says why. */
  function clearTrend(why, chartText = 'no skill chosen') {
    state.trend = null;
    state.trendSkill = null;
    clearTimeout(state.trendTimer);
    state.trendTimer = null;
    for (const tr of $('top-skills').tBodies[0].rows) tr.classList.remove('selected');
    $('trend-summary').textContent = why;
    $('chart-trend').dataset.skill = '';
    state.trendEmptyText = chartText;
    renderTrend();
  }

  function renderTrend() {
    const t = state.trend;
    if (!t) return drawBars($('chart-trend'), [], state.trendEmptyText);
    $('chart-trend').dataset.skill = t.skill;
    const total = t.points.reduce((n, p) => n + p.invocations, 0);
    const ok = t.points.reduce((n, p) => n + p.successes, 0);
    $('trend-summary').textContent =
      `${t.skill}: ${fmtInt(total)} invocation${total === 1 ? '' : 's'} in the last ${t.hours} h${total > 0 ? `, success ${fmtRate(ok / total)}` : ''}`;
    drawBars($('chart-trend'), t.points);
  }

  function refreshSkillList() {
    const list = $('skill-list');
    if (list.children.length === state.knownSkills.size) return;
    list.replaceChildren(...[...state.knownSkills].sort().map((s) => el('option', { value: s })));
  }

  // ---- charts ------------------------------------------------------------------
  function drawLive() {
    // The recent past first (hourly), then the live points received since the page opened.
    const first = state.history.length > 0 ? state.history[0].t : Infinity;
    const past = state.past.filter((p) => p.t < first);
    const h = past.concat(state.history);
    $('chart-success').dataset.history = String(past.length);
    $('chart-latency').dataset.history = String(past.length);
    drawLines($('chart-success'), h, [{ key: 'rate', color: COLORS.ok, label: 'success' }], { axis: rateAxis, fixed: true });
    drawLines(
      $('chart-latency'),
      h,
      [
        { key: 'avg', color: COLORS.accent, label: 'avg' },
        { key: 'p95', color: COLORS.p95, label: 'p95' },
      ],
      { axis: durationAxis, fixed: false },
    );
  }

  function prepare(canvas) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || 300;
    const h = canvas.clientHeight || 150;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = '11px system-ui, sans-serif';
    return { ctx, w, h, pad: { l: 56, r: 10, t: 16, b: 20 } };
  }

  // ---- y axes: round ticks -----------------------------------------------------
  /** The smallest of 1, 2, 5 × 10^k that is at least x. */
  function niceStep(x) {
    const p = 10 ** Math.floor(Math.log10(x));
    for (const m of [1, 2, 5]) if (m * p >= x * (1 - 1e-9)) return m * p;
    return 10 * p;
  }

  /**
   * Ticks from 0 to a round top at or above `top` (at least 1), at most 5 of
   * them, a round step apart (1, 2 or 5 × 10^k; at least 1 when `integer`).
   */
  function niceTicks(top, integer) {
    const want = Math.max(top, 1);
    let step = niceStep(want / 4);
    if (integer) step = Math.max(1, step);
    const ticks = [];
    const n = Math.ceil(want / step - 1e-9);
    for (let i = 0; i <= n; i++) ticks.push(Number((i * step).toPrecision(12)));
    return ticks;
  }

  /** A count axis: 0, 1, 2, … (never a fractional or repeated label). */
  function countAxis(top) {
    return niceTicks(top, true).map((v) => ({ v, label: fmtInt(v) }));
  }

  /** A duration axis in one unit (ms, s or min) chosen from the top value, with round steps of that unit. */
  function durationAxis(topMs) {
    const [unit, name] =
      topMs >= 2 * 86400000
        ? [86400000, 'd']
        : topMs >= 2 * 3600000
          ? [3600000, 'h']
          : topMs >= 120000
            ? [60000, 'min']
            : topMs >= 2000
              ? [1000, 's']
              : [1, 'ms'];
    const ticks = niceTicks(topMs / unit, unit === 1);
    const step = ticks[1] - ticks[0];
    const decimals = step >= 1 ? 0 : Math.ceil(-Math.log10(step) - 1e-9);
    return ticks.map((v) => ({ v: v * unit, label: `${v.toFixed(decimals)} ${name}` }));
  }

  function rateAxis() {
    return [0, 0.25, 0.5, 0.75, 1].map((v) => ({ v, label: `${v * 100} %` }));
  }

  /**
   * Grid lines at the ticks, over the plot's height or a `band` of it; labelled unless `labels` is
   * false (an empty chart has no scale to show). The labels are left in data-y-ticks (or `attr`).
   */
  function gridAndAxis(c, ticks, labels, canvas, band = { top: c.pad.t, bottom: c.h - c.pad.b }, attr = 'yTicks') {
    const { ctx, w, pad } = c;
    const min = ticks[0].v;
    const max = ticks[ticks.length - 1].v;
    ctx.strokeStyle = COLORS.grid;
    ctx.fillStyle = COLORS.axis;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of ticks) {
      const y = band.top + (band.bottom - band.top) * (1 - (t.v - min) / (max - min));
      ctx.beginPath();
      ctx.moveTo(pad.l, Math.round(y) + 0.5);
      ctx.lineTo(w - pad.r, Math.round(y) + 0.5);
      ctx.stroke();
      if (labels) ctx.fillText(t.label, pad.l - 6, y);
    }
    canvas.dataset[attr] = labels ? ticks.map((t) => t.label).join('|') : '';
  }

  function emptyText(c, text) {
    c.ctx.fillStyle = COLORS.axis;
    c.ctx.textAlign = 'center';
    c.ctx.textBaseline = 'middle';
    c.ctx.fillText(text, c.w / 2, c.h / 2);
  }

  function drawLines(canvas, points, series, opts) {
    const c = prepare(canvas);
    canvas.dataset.points = String(points.length);
    // The time drawn and the widest step between two points (a straight line over it), in ms.
    canvas.dataset.spanMs = points.length > 0 ? String(points[points.length - 1].t - points[0].t) : '0';
    canvas.dataset.gapMs = String(points.reduce((g, p, i) => (i === 0 ? 0 : Math.max(g, p.t - points[i - 1].t)), 0));
    let top = 0;
    let values = 0;
    for (const p of points) {
      for (const s of series) {
        if (p[s.key] == null) continue;
        values++;
        if (p[s.key] > top) top = p[s.key];
      }
    }
    const ticks = opts.axis(top);
    const min = ticks[0].v;
    const max = ticks[ticks.length - 1].v;
    gridAndAxis(c, ticks, values > 0 || opts.fixed, canvas);
    if (points.length === 0) return emptyText(c, 'waiting for data…');
    if (values === 0) return emptyText(c, 'no invocations in the window');
    const { ctx, w, h, pad } = c;
    const t0 = points[0].t;
    const span = Math.max(points[points.length - 1].t - t0, 1000);
    const x = (t) => pad.l + ((t - t0) / span) * (w - pad.l - pad.r);
    const y = (v) => pad.t + (1 - (v - min) / (max - min)) * (h - pad.t - pad.b);
    ctx.lineWidth = 2;
    let legendX = w - pad.r;
    for (const s of [...series].reverse()) {
      ctx.strokeStyle = s.color;
      ctx.beginPath();
      let drawing = false;
      // Runs of points too short to see as a line (a lone point; the first minutes of live points at the
      // end of a 24 h axis): a dot at their last point.
      const dots = [];
      let runStart = null;
      points.forEach((p, i) => {
        const v = p[s.key];
        if (v == null) {
          drawing = false;
          return;
        }
        if (drawing) ctx.lineTo(x(p.t), y(v));
        else {
          ctx.moveTo(x(p.t), y(v));
          runStart = x(p.t);
        }
        drawing = true;
        const next = points[i + 1];
        if ((next === undefined || next[s.key] == null) && x(p.t) - runStart < 3) dots.push([x(p.t), y(v)]);
      });
      ctx.stroke();
      ctx.fillStyle = s.color;
      for (const [dx, dy] of dots) {
        ctx.beginPath();
        ctx.arc(dx, dy, 2.5, 0, 2 * Math.PI);
        ctx.fill();
      }
      ctx.fillStyle = s.color;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'top';
      ctx.fillText(s.label, legendX, 0);
      legendX -= ctx.measureText(s.label).width + 12;
    }
    ctx.fillStyle = COLORS.axis;
    ctx.textBaseline = 'bottom';
    ctx.textAlign = 'left';
    const long = span > 12 * 3600000;
    ctx.fillText(long ? fmtDayTime(t0) : fmtTime(t0), pad.l, h);
    ctx.textAlign = 'right';
    ctx.fillText(long ? fmtDayTime(points[points.length - 1].t) : fmtTime(points[points.length - 1].t), w - pad.r, h);
  }

  /**
   * The hourly trend as two charts on one time axis, each with its own scale:
   * the success rate (a line, 0–100 %) above, invocations per hour (bars)
   * below, so neither series is read against the other's axis.
   */
  function drawBars(canvas, points, emptyMessage = 'no data') {
    const c = prepare(canvas);
    const { ctx, w, h, pad } = c;
    canvas.dataset.points = String(points.length);
    const titleH = 16;
    const rateBand = { top: titleH + 4, bottom: titleH + 4 + Math.round((h - titleH - 4 - pad.b) * 0.32) };
    const countBand = { top: rateBand.bottom + titleH + 12, bottom: h - pad.b };
    const ticks = countAxis(Math.max(0, ...points.map((p) => p.invocations)));
    const has = points.length > 0;
    gridAndAxis(c, rateTrendAxis(), has, canvas, rateBand, 'rateTicks');
    gridAndAxis(c, ticks, has, canvas, countBand, 'yTicks');
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillStyle = COLORS.ok;
    ctx.fillText('success rate', pad.l, 0);
    ctx.fillStyle = COLORS.barText;
    ctx.fillText('invocations per hour', pad.l, rateBand.bottom + 10);
    if (!has) return emptyText(c, emptyMessage);
    const max = ticks[ticks.length - 1].v;
    const plotW = w - pad.l - pad.r;
    const countH = countBand.bottom - countBand.top;
    const rateH = rateBand.bottom - rateBand.top;
    const bw = plotW / points.length;
    ctx.fillStyle = COLORS.bar;
    points.forEach((p, i) => {
      const bh = (p.invocations / max) * countH;
      ctx.fillRect(pad.l + i * bw + bw * 0.1, countBand.bottom - bh, Math.max(bw * 0.8, 1), bh);
    });
    const px = (i) => pad.l + (i + 0.5) * bw;
    const py = (r) => rateBand.top + (1 - r) * rateH;
    ctx.strokeStyle = COLORS.ok;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let drawing = false;
    points.forEach((p, i) => {
      if (p.success_rate == null) {
        drawing = false;
        return;
      }
      if (drawing) ctx.lineTo(px(i), py(p.success_rate));
      else ctx.moveTo(px(i), py(p.success_rate));
      drawing = true;
    });
    ctx.stroke();
    // A dot per hour while they stay apart (not on a week squeezed into a phone's width); always for an hour alone.
    ctx.fillStyle = COLORS.ok;
    points.forEach((p, i) => {
      if (p.success_rate == null) return;
      const alone = points[i - 1]?.success_rate == null && points[i + 1]?.success_rate == null;
      if (bw < 6 && !alone) return;
      ctx.beginPath();
      ctx.arc(px(i), py(p.success_rate), bw < 6 ? 2 : 3, 0, 2 * Math.PI);
      ctx.fill();
    });
    ctx.fillStyle = COLORS.axis;
    ctx.textBaseline = 'bottom';
    ctx.textAlign = 'left';
    ctx.fillText(fmtHour(points[0].at), pad.l, h);
    ctx.textAlign = 'right';
    ctx.fillText(fmtHour(points[points.length - 1].at), w - pad.r, h);
  }

  /** The trend's success-rate scale: 0, 50 and 100 % (its band is short). */
  function rateTrendAxis() {
    return [0, 0.5, 1].map((v) => ({ v, label: `${v * 100} %` }));
  }

  // ---- helpers -----------------------------------------------------------------
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /**
   * A name as text nodes with a line-break opportunity (<wbr>) after each
   * separator ("__", ":", "-", "/", "."), so "mcp__slack__post" wraps as
   * "mcp__slack__ / post", never mid-word. Text only: never parsed as HTML.
   */
  function breakable(name) {
    const nodes = [];
    for (const part of String(name).split(/(?<=__|[:\-/.])/)) {
      if (nodes.length > 0) nodes.push(document.createElement('wbr'));
      nodes.push(document.createTextNode(part));
    }
    return nodes;
  }

  /**
   * The MCP server an MCP tool's calls count under in the skill report (`mcp__github__create_issue` → `mcp:github`),
   * null for any other name: the rule of reportName in src/analytics/skill-verdict.ts.
   */
  function mcpServer(name) {
    const m = /^mcp__(.+?)__./.exec(name);
    return m ? `mcp:${m[1]}` : null;
  }

  /** An MCP server's tools as recorded, as Top skills names them: the first few, then how many more (all in the title). */
  function toolsLine(tools) {
    const SHOWN = 5;
    const text = tools.slice(0, SHOWN).join(', ') + (tools.length > SHOWN ? `, … ${fmtInt(tools.length - SHOWN)} more` : '');
    const line = el('small', { class: 'tools muted', title: `its tools, summed in this row: ${tools.join(', ')}` });
    line.append(...breakable(text));
    return line;
  }

  function nameSpan(name) {
    const span = el('span', { class: 'skill' });
    span.append(...breakable(name));
    return span;
  }

  /** "scroll →" above a table wider than its box (a phone), hidden when it fits or is scrolled to its end. */
  function updateScrollCues() {
    for (const wrap of document.querySelectorAll('.table-wrap')) {
      const cue = wrap.previousElementSibling;
      if (!cue?.classList.contains('scroll-cue')) continue;
      const more = wrap.scrollWidth - wrap.clientWidth - wrap.scrollLeft > 1;
      if (cue.hidden === more) cue.hidden = !more;
      wrap.classList.toggle('more-right', more);
      wrap.classList.toggle('more-left', wrap.scrollLeft > 1);
    }
  }

  function emptyRow(text) {
    const tr = el('tr', { class: 'empty' });
    tr.append(el('td', { colspan: '6' }, text));
    return tr;
  }

  function fmtInt(n) {
    return n == null ? '–' : Number(n).toLocaleString('en-US');
  }
  function fmtRate(r) {
    // Rounded half up, as the server rounds its figures (0.9485 is "94.9 %" here too, not toFixed's "94.8 %").
    return r == null ? '–' : `${(Math.round(r * 1000 * (1 + Number.EPSILON)) / 10).toFixed(1)} %`;
  }
  /**
   * A duration in the unit that reads best: ms below 1 s, s below 1 min, min
   * below 1 h, h below 36 h ("24.0 h", not "1440.0 min"), then days ("1.5 d").
   * A value that would round up to the next unit's size is shown in that unit.
   */
  function fmtMs(ms) {
    if (ms == null || !Number.isFinite(Number(ms))) return '–';
    if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
    if (ms < 9995) return `${(ms / 1000).toFixed(2)} s`;
    if (ms < 59950) return `${(ms / 1000).toFixed(1)} s`;
    if (ms < 3597000) return `${(ms / 60000).toFixed(1)} min`;
    if (ms < 36 * 3600000) return `${(ms / 3600000).toFixed(1)} h`;
    return `${(ms / 86400000).toFixed(1)} d`;
  }
  /** A window's length, as analytics/window.ts formatWindowHours says it: "5 min" under an hour (not "0.0833 h"), else "3 h", "1.5 h". */
  function fmtHours(hours) {
    const minutes = Math.round(hours * 600) / 10;
    return minutes < 60 ? `${minutes} min` : `${Math.round(hours * 100) / 100} h`;
  }
  function fmtTime(t) {
    const d = new Date(t);
    return Number.isNaN(d.getTime()) ? '–' : d.toLocaleTimeString('en-GB', { hour12: false });
  }
  function fmtDayTime(t) {
    const d = new Date(t);
    return `${d.toLocaleDateString('en-GB', { day: '2-digit', month: 'short' })} ${d.toLocaleTimeString('en-GB', { hour12: false, hour: '2-digit', minute: '2-digit' })}`;
  }
  function fmtHour(t) {
    const d = new Date(t);
    return `${d.toLocaleDateString('en-GB', { day: '2-digit', month: 'short' })} ${String(d.getHours()).padStart(2, '0')}:00`;
  }
  // Red from the skill verdict's "failing" bound (below 50 %), amber below 80 %: agents' tools commonly succeed
  // 85-95 % of the time, and a table coloured all amber warns of nothing.
  function rateClass(r) {
    return r < 0.5 ? 'rate-bad' : r < 0.8 ? 'rate-warn' : '';
  }

  // ---- skills view: GET /api/skill-report (the get_skill_report answer) -------
  async function loadSkills() {
    // Only the latest request's answer is drawn: an older one that comes after it (a slower report) is dropped.
    const seq = ++state.skillsSeq;
    const days = $('skills-days').value;
    const token = readToken();
    const tbody = $('skills-report').tBodies[0];
    try {
      const res = await fetch(`/api/skill-report?days=${encodeURIComponent(days)}&limit=${SKILLS_LIMIT}`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        cache: 'no-store',
      });
      const body = await res.json();
      if (seq !== state.skillsSeq) return;
      if (!res.ok) throw new Error(body.error ? body.error.message : `HTTP ${res.status}`);
      renderSkills(body);
      state.skillsFailed = false;
    } catch (err) {
      if (seq !== state.skillsSeq) return;
      state.skillsFailed = true;
      const tr = el('tr', { class: 'empty' });
      tr.append(el('td', { colspan: '13' }, `could not load the skill report: ${err.message}`));
      tbody.replaceChildren(tr);
    }
  }

  function fmtCost(c) {
    if (c == null) return '–';
    if (c.cost_usd == null) return 'unknown';
    return c.cost_per_invocation_usd == null ? `$${c.cost_usd.toFixed(4)}` : `$${c.cost_per_invocation_usd.toFixed(4)}/inv`;
  }
  // Telemetry: the total only (Claude Code's cost_usd of the api_request events naming the skill; those
  // calls are not linked to invocations), as the CLI's COST TELEMETRY column shows it.
  function fmtTotalCost(c) {
    if (c == null) return '–';
    return c.cost_usd == null ? 'unknown' : `$${c.cost_usd.toFixed(4)}`;
  }
  function costTitle(c) {
    if (c == null) return 'no call attributed under this rule (not measured)';
    const total = c.cost_usd == null ? `unknown (${c.unpriced_calls} call(s) of a model without a price)` : `$${c.cost_usd.toFixed(4)}`;
    return `${fmtInt(c.api_calls)} API call(s), ${fmtInt(c.tokens)} tokens (${fmtInt(c.tokens_per_invocation)}/invocation), total ${total}`;
  }

  /**
   * A per-user report leaves out the skills fewer than k users used (unless this user used them or they are
   * installed), counting them in withheld_skills, as get_community_baselines does: said, with why.
   */
  function withheldText(r) {
    const n = r.withheld_skills || 0;
    if (n === 0) return '';
    return `; ${fmtInt(n)} skill${n === 1 ? '' : 's'} withheld, not listed: fewer than ${fmtInt(r.community_min_users)} users used ${n === 1 ? 'it' : 'them'}`;
  }

  function renderSkills(r) {
    const v = r.verdicts;
    $('skills-caption').textContent =
      `(last ${r.window.days} days: ${fmtInt(r.total_skills)} skill${r.total_skills === 1 ? '' : 's'}, ${fmtInt(v.keep)} keep, ${fmtInt(v.review)} review, ${fmtInt(v.remove)} remove` +
      (r.inventory.read ? `; ${r.inventory.items} installed` : '; inventory not read') +
      withheldText(r) +
      // More skills than rows: said, with which ones are shown.
      (r.skills.length < r.total_skills ? `; showing the ${fmtInt(r.skills.length)} most used)` : ')');
    const rows = r.skills.map((s) => {
      const u = s.usage;
      // From the counts, as the reason's "… succeeded" is: success_rate is rounded to 4 decimals already.
      const rate = !u ? null : u.invocations > 0 && u.successes != null ? u.successes / u.invocations : u.success_rate;
      const tr = el('tr', { 'data-verdict': s.verdict, 'data-skill': s.skill });
      const name = el('td', { title: s.source || s.kind });
      const label = el('span', { class: 'skill-name' });
      label.append(...breakable(s.skill));
      name.append(label);
      // An MCP server: the tools it sums, under the names Top skills gives them.
      if (s.tools && s.tools.length > 0) name.append(toolsLine(s.tools));
      tr.append(
        name,
        el('td', { class: 'num' }, u ? fmtInt(u.invocations) : 'withheld'),
        el('td', { class: `num ${rate != null ? rateClass(rate) : ''}`, 'data-field': 'success_rate' }, fmtRate(rate)),
        el('td', { class: 'num' }, fmtMs(u ? u.p50_duration_ms : null)),
        el('td', { class: 'num' }, fmtMs(u ? u.p95_duration_ms : null)),
        el('td', { class: 'num', title: costTitle(u ? u.cost.stamped : null) }, fmtCost(u ? u.cost.stamped : null)),
        el('td', { class: 'num', title: costTitle(u ? u.cost.bounded : null) }, fmtCost(u ? u.cost.bounded : null)),
        el('td', { class: 'num', 'data-field': 'cost_telemetry', title: costTitle(u ? u.cost.telemetry : null) }, fmtTotalCost(u ? u.cost.telemetry : null)),
        el('td', { class: 'num optional' }, s.always_loaded_tokens == null ? '–' : `${fmtInt(s.always_loaded_tokens)} tok`),
        el('td', { class: 'optional' }, u?.last_used ? u.last_used.slice(0, 10) : '–'),
        el('td', { class: 'optional' }, u ? u.trend.usage : '–'),
      );
      const verdict = el('td');
      verdict.append(el('span', { class: `badge ${s.verdict}` }, s.verdict));
      tr.append(verdict, el('td', { class: 'reason optional' }, s.reason));
      return tr;
    });
    if (rows.length === 0) {
      const tr = el('tr', { class: 'empty' });
      tr.append(el('td', { colspan: '13' }, 'nothing recorded or installed'));
      rows.push(tr);
    }
    $('skills-report').tBodies[0].replaceChildren(...rows);
    updateScrollCues();
  }

  // ---- start -------------------------------------------------------------------
  $('skills-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadSkills();
  });
  // Another number of days applies at once, as Refresh does.
  $('skills-days').addEventListener('change', () => loadSkills());
  loadSkills();
  setInterval(loadSkills, 60000);
  $('filter-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $('filter');
    const names = input.value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    // The server's limits (ws-protocol.ts), said on the field: a refused filter would leave the previous one's data on screen.
    const problem =
      names.length > MAX_FILTER_SKILLS
        ? `at most ${MAX_FILTER_SKILLS} skills (${names.length} given)`
        : names.some((n) => n.length > MAX_SKILL_CHARS)
          ? `a skill name has at most ${MAX_SKILL_CHARS} characters`
          : '';
    input.setCustomValidity(problem);
    if (problem) {
      input.reportValidity();
      setStatus('error', `filter not applied: ${problem}`);
      setTimeout(() => state.ws && setStatus('connected', 'live'), 4000);
      return;
    }
    state.filter = names.length ? names : '*';
    subscribe();
  });
  $('filter').addEventListener('input', () => $('filter').setCustomValidity(''));
  $('trend-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $('trend-skill');
    const skill = input.value.trim();
    // The server's limit (ws-protocol.ts), said on the field as the filter does; the panel never keeps
    // another skill's chart under the name in the field.
    const problem = skill.length > MAX_SKILL_CHARS ? `a skill name has at most ${MAX_SKILL_CHARS} characters (${skill.length} given)` : '';
    input.setCustomValidity(problem);
    if (problem) {
      input.reportValidity();
      clearTrend(`Trend not shown: ${problem}.`);
      setStatus('error', `trend not shown: ${problem}`);
      setTimeout(() => state.ws && setStatus('connected', 'live'), 4000);
      return;
    }
    if (skill) chooseTrendSkill(skill);
  });
  $('trend-skill').addEventListener('input', () => $('trend-skill').setCustomValidity(''));
  // Other hours apply at once to the skill in the field, as Show does (with its checks); with no skill there is nothing to show.
  $('trend-hours').addEventListener('change', () => {
    if ($('trend-skill').value.trim()) $('trend-form').requestSubmit();
  });
  window.addEventListener('resize', () => {
    drawLive();
    renderTrend();
    updateScrollCues();
  });
  for (const wrap of document.querySelectorAll('.table-wrap')) wrap.addEventListener('scroll', updateScrollCues, { passive: true });
  drawLive();
  renderTrend();
  connect();
})();
