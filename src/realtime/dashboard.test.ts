/**
 * The dashboard in a real headless Chromium: load the page, record
 * invocations through the HTTP API, and check that the page shows them live.
 * Leaves a screenshot in test-artifacts/dashboard.png.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { startHttpServer, type RunningHttpServer } from '../server/http-server.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { CONTENT_TYPE, encodeEvents } from '../testing/otlp-encode.js';
import { createRealtime } from './realtime-mounts.js';

const CHROMIUM = '/usr/bin/chromium';
const BIN = fileURLToPath(new URL('../../bin/session-buddy.js', import.meta.url));
const execFileAsync = promisify(execFile);
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

function inv(skill: string, completed: boolean, durationMs: number) {
  return { skill_name: skill, user_id: 'browser-user', session_id: 'browser-session', workflow_phase: 'testing', completed, duration_ms: durationMs };
}

describe('web dashboard in headless Chromium', { skip: fs.existsSync(CHROMIUM) ? false : 'chromium not installed' }, () => {
  let app: TestApp;
  let http: RunningHttpServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let token: string;
  const pageErrors: string[] = [];

  before(async () => {
    const { chromium } = await import('playwright-core');
    app = createTestApp();
    const rt = await createRealtime(app, { wsRequireToken: true, snapshotIntervalMs: 250 });
    http = await startHttpServer(app, rt.mounts);
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-chromium-'));
    // A fresh profile directory per run (launchPersistentContext is how Playwright takes --user-data-dir).
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 1100 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    // The token travels in the fragment, which the browser never sends to the server.
    token = rt.token!;
    await page.goto(`${http.url}/#token=${encodeURIComponent(token)}`);
  });

  after(async () => {
    await context?.close();
    await http?.close();
    await app?.dispose();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('connects to the live stream; with no data the latency chart shows no scale', async () => {
    await page.waitForSelector('#status[data-state="connected"]', { timeout: 10_000 });
    await page.waitForFunction(() => Number((document.getElementById('chart-latency') as HTMLCanvasElement).dataset.points) >= 1);
    // Not "1 ms, 1 ms, 1 ms, 0 ms, 0 ms": no labels until there is a value to scale to.
    assert.equal(await page.locator('#chart-latency').getAttribute('data-y-ticks'), '');
    assert.equal(await page.locator('#chart-success').getAttribute('data-y-ticks'), '0 %|25 %|50 %|75 %|100 %');
  });

  it('shows invocations recorded through the API in the table, the feed and the charts', async () => {
    const res = await fetch(`${http.url}/api/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([inv('browser-check', true, 120), inv('browser-check', true, 180), inv('browser-check', false, 900), inv('other-skill', true, 40)]),
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { inserted: number }).inserted, 4);

    // Top skills: browser-check with 3 invocations, 2 of them successful (66.7 %).
    const row = page.locator('#top-skills tbody tr[data-skill="browser-check"]');
    await row.locator('td[data-field="invocations"]').filter({ hasText: /^3$/ }).waitFor({ timeout: 10_000 });
    assert.equal(await row.locator('td[data-field="success_rate"]').textContent(), '66.7 %');
    assert.equal(await page.locator('#top-skills tbody tr[data-skill="other-skill"] td[data-field="invocations"]').textContent(), '1');
    // Live feed: all four events, pushed by the server as they were recorded.
    await page.waitForFunction(() => document.querySelectorAll('#feed li[data-skill]').length === 4, null, { timeout: 10_000 });
    assert.equal(await page.locator('#feed li[data-skill="browser-check"]').count(), 3);
    // Summary card: 4 invocations in the window.
    await page.locator('#sum-invocations').filter({ hasText: /^4$/ }).waitFor({ timeout: 10_000 });
    // Charts received points.
    await page.waitForFunction(() => Number((document.getElementById('chart-success') as HTMLCanvasElement).dataset.points) >= 1);
    await page.waitForFunction(() => Number((document.getElementById('chart-latency') as HTMLCanvasElement).dataset.points) >= 1);
    // The latency axis: one unit, evenly spaced round steps (1, 2 or 5 × 10^k ms), up to at least the p95 shown.
    await page.waitForFunction(() => ((document.getElementById('chart-latency') as HTMLCanvasElement).dataset.yTicks ?? '') !== '');
    const ticks = ((await page.locator('#chart-latency').getAttribute('data-y-ticks')) ?? '').split('|');
    assert.ok(
      ticks.every((t) => / ms$/.test(t)),
      ticks.join(', '),
    );
    const values = ticks.map((t) => Number.parseFloat(t));
    const step = values[1]! - values[0]!;
    assert.equal(values[0], 0);
    assert.ok(
      values.every((v, i) => v === i * step),
      ticks.join(', '),
    );
    assert.ok([1, 2, 5].includes(step / 10 ** Math.floor(Math.log10(step))), `step ${step}`);
    assert.ok(values.at(-1)! >= Number.parseFloat((await page.locator('#sum-p95').textContent()) ?? ''), ticks.join(', '));
  });

  it('lists anomalies as they are detected, each once', async () => {
    const anomaly = {
      skill_name: 'browser-check',
      metric: 'success_rate' as const,
      baseline_value: 0.95,
      observed_value: 0.6667,
      deviation_score: 3.2,
      direction: 'down' as const,
      severity: 'critical' as const,
      detected_at: Date.now(),
    };
    app.bus.emit('anomalies.detected', [anomaly]);
    const item = page.locator('#anomalies li[data-skill="browser-check"]');
    await item.waitFor({ timeout: 10_000 });
    // The observed value, not a drop of 66.7 points.
    assert.match((await item.textContent()) ?? '', /critical.*browser-check.*success rate down to 66\.7 % \(baseline 95\.0 %\)/);
    // With the window it was detected over, when the event says (it is often not the Top skills window).
    app.bus.emit('anomalies.detected', [{ ...anomaly, skill_name: 'browser-windowed', window_hours: 3 }]);
    const windowed = page.locator('#anomalies li[data-skill="browser-windowed"]');
    await windowed.waitFor({ timeout: 10_000 });
    assert.match((await windowed.textContent()) ?? '', /success rate down to 66\.7 % over the last 3 h \(baseline 95\.0 %\)/);
    // The smallest window (5 minutes, 0.0833 h) in minutes.
    app.bus.emit('anomalies.detected', [{ ...anomaly, skill_name: 'browser-five-minutes', window_hours: 0.0833 }]);
    const fiveMinutes = page.locator('#anomalies li[data-skill="browser-five-minutes"]');
    await fiveMinutes.waitFor({ timeout: 10_000 });
    assert.match((await fiveMinutes.textContent()) ?? '', /success rate down to 66\.7 % over the last 5 min \(baseline 95\.0 %\)/);
    assert.match((await page.locator('#top-window').textContent()) ?? '', /^\(since \d\d:\d\d/);
    // The same anomaly again (as every reconnect's hello lists the recent ones) is not listed twice.
    app.bus.emit('anomalies.detected', [anomaly]);
    app.bus.emit('anomalies.detected', [{ ...anomaly, skill_name: 'browser-other' }]);
    await page.locator('#anomalies li[data-skill="browser-other"]').waitFor({ timeout: 10_000 });
    assert.equal(await item.count(), 1);

    // Filtered to some skills, the list shows theirs only, as the server sends only theirs from then on.
    const visible = () => page.locator('#anomalies li[data-key]:visible').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.skill));
    await page.locator('#filter').fill('browser-other, no-anomaly-here');
    await page.locator('#filter-form button').click();
    await page.locator('#top-caption').filter({ hasText: '(filtered: browser-other, no-anomaly-here)' }).waitFor({ timeout: 10_000 });
    assert.deepEqual(await visible(), ['browser-other']);
    await page.locator('#filter').fill('no-anomaly-here');
    await page.locator('#filter-form button').click();
    await page.locator('#anomalies li.empty').filter({ hasText: 'none detected for the filtered skills' }).waitFor({ timeout: 10_000 });
    assert.deepEqual(await visible(), []);
    await page.locator('#filter').fill('');
    await page.locator('#filter-form button').click();
    await page.waitForFunction(() => document.getElementById('top-caption')?.textContent === '', null, { timeout: 10_000 });
    assert.deepEqual((await visible()).sort(), ['browser-check', 'browser-five-minutes', 'browser-other', 'browser-windowed']);
    assert.equal(await page.locator('#anomalies li.empty').count(), 0);
  });

  it('shows the hourly trend of a skill chosen in the table, with the keyboard too', async () => {
    // Tab reaches the row; Enter chooses it as a click does.
    const row = page.locator('#top-skills tbody tr[data-skill="browser-check"]');
    assert.equal(await row.getAttribute('tabindex'), '0');
    await row.focus();
    await page.keyboard.press('Enter');
    await page.locator('#trend-summary').filter({ hasText: 'browser-check: 3 invocations in the last 24 h, success 66.7 %' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#chart-trend').getAttribute('data-points'), '24');
    // A new invocation of the chosen skill refreshes the trend.
    await app.tracker.track(inv('browser-check', true, 100));
    await page.locator('#trend-summary').filter({ hasText: 'browser-check: 4 invocations' }).waitFor({ timeout: 10_000 });
    // Counts on the y axis: whole, round and none skipped (5 in an hour: 0, 2, 4, 6 — not 0, 1, 3, 4, 5).
    assert.equal(await page.locator('#chart-trend').getAttribute('data-y-ticks'), '0|1|2|3|4');
    await app.tracker.track(inv('browser-check', true, 100));
    await page.locator('#trend-summary').filter({ hasText: 'browser-check: 5 invocations' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#chart-trend').getAttribute('data-y-ticks'), '0|2|4|6');
  });

  it('keeps a top-skill row focused across snapshots: Tab, wait, Enter shows its trend', async () => {
    const row = page.locator('#top-skills tbody tr[data-skill="other-skill"]');
    await row.focus();
    // At least two snapshots (one every 250 ms here) after the focus.
    const at = async () => page.locator('#top-skills').getAttribute('data-at');
    for (let i = 0; i < 2; i++) {
      const seen = await at();
      await page.waitForFunction((prev) => document.getElementById('top-skills')!.dataset.at !== prev, seen, { timeout: 10_000 });
    }
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.skill), 'other-skill');
    await page.keyboard.press('Enter');
    await page.locator('#trend-summary').filter({ hasText: 'other-skill: 1 invocation in the last 24 h' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#trend-skill').inputValue(), 'other-skill');
    assert.equal(await page.locator('#chart-trend').getAttribute('data-skill'), 'other-skill');
  });

  it('refuses a trend skill name over the server limit on the field, and never shows another skill under it', async () => {
    const input = page.locator('#trend-skill');
    await input.fill('x'.repeat(300));
    await page.locator('#trend-form button').click();
    assert.equal(await input.evaluate((i: HTMLInputElement) => i.validationMessage), 'a skill name has at most 128 characters (300 given)');
    // The previous skill's chart and caption are gone, not left under the new name.
    assert.equal(await page.locator('#trend-summary').textContent(), 'Trend not shown: a skill name has at most 128 characters (300 given).');
    assert.equal(await page.locator('#chart-trend').getAttribute('data-points'), '0');
    assert.equal(await page.locator('#chart-trend').getAttribute('data-skill'), '');
    assert.equal(await page.locator('#top-skills tbody tr.selected').count(), 0);
    // Typing clears the complaint; a valid name shows its trend again.
    await input.fill('browser-check');
    assert.equal(await input.evaluate((i: HTMLInputElement) => i.validationMessage), '');
    await page.locator('#trend-form button').click();
    await page
      .locator('#trend-summary')
      .filter({ hasText: /^browser-check: \d+ invocations/ })
      .waitFor({ timeout: 10_000 });
    // A request the server refuses (here 500 hours, past its 168) empties the panel as well.
    await page.locator('#trend-hours').evaluate((s: HTMLSelectElement) => {
      s.options[0]!.value = '500';
      s.value = '500';
    });
    await page.locator('#trend-form button').click();
    await page
      .locator('#trend-summary')
      .filter({ hasText: /^Trend not shown: hours/ })
      .waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#chart-trend').getAttribute('data-points'), '0');
    assert.match((await page.locator('#status').textContent()) ?? '', /^server: hours/);
    await page.locator('#trend-hours').evaluate((s: HTMLSelectElement) => {
      s.options[0]!.value = '24';
      s.value = '24';
    });
  });

  it('applies another Hours (trend) or Days (Skills view) at once, without Show or Refresh', async () => {
    const summary = page.locator('#trend-summary');
    await page.locator('#trend-skill').fill('browser-check');
    await page.locator('#trend-form button').click();
    await summary.filter({ hasText: /^browser-check: \d+ invocations in the last 24 h/ }).waitFor({ timeout: 10_000 });
    await page.locator('#trend-hours').selectOption('72');
    await summary.filter({ hasText: /^browser-check: \d+ invocations in the last 72 h/ }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#chart-trend').getAttribute('data-points'), '72');
    await page.locator('#trend-hours').selectOption('24');
    await summary.filter({ hasText: /^browser-check: \d+ invocations in the last 24 h/ }).waitFor({ timeout: 10_000 });

    const caption = page.locator('#skills-caption');
    await caption.filter({ hasText: /^\(last 30 days:/ }).waitFor({ timeout: 10_000 });
    await page.locator('#skills-days').selectOption('7');
    await caption.filter({ hasText: /^\(last 7 days:/ }).waitFor({ timeout: 10_000 });
    await page.locator('#skills-days').selectOption('30');
    await caption.filter({ hasText: /^\(last 30 days:/ }).waitFor({ timeout: 10_000 });
  });

  it("draws only the latest request's answer: a late older one overwrites neither the Skills view nor the trend", async () => {
    const p = await context.newPage();
    try {
      // Counts the skill reports the page has read; the timeout runs after the code awaiting the body has drawn it (or not).
      await p.addInitScript(() => {
        const json = Response.prototype.json;
        const w = window as unknown as { reportsRead: number };
        w.reportsRead = 0;
        Response.prototype.json = function (this: Response) {
          const counts = this.url.includes('/api/skill-report') && this.url.includes('limit=1000');
          return json.call(this).then((v: unknown) => {
            if (counts) setTimeout(() => w.reportsRead++);
            return v;
          });
        };
      });
      // The Skills view's first 7-day request is answered late, after the 90-day one that followed it.
      let held: (() => Promise<void>) | null = null;
      const heldAsked = new Promise<void>((resolve) => {
        void p.route(
          (url) => url.pathname === '/api/skill-report' && url.searchParams.get('limit') === '1000',
          async (route) => {
            if (!held && new URL(route.request().url()).searchParams.get('days') === '7') {
              held = () => route.continue();
              resolve();
            } else await route.continue();
          },
        );
      });
      // The trend's first 24-hour answer likewise; anything else passes, and the test can add a message of its own.
      const late: string[] = [];
      let toPage: ((m: string) => void) | null = null;
      await p.routeWebSocket(/\/ws/, (ws) => {
        const server = ws.connectToServer();
        ws.onMessage((m) => server.send(m));
        toPage = (m) => ws.send(m);
        server.onMessage((m) => {
          const msg = JSON.parse(String(m)) as { type: string; hours?: number };
          if (msg.type === 'trend' && msg.hours === 24 && late.length === 0) late.push(String(m));
          else ws.send(m);
        });
      });
      await p.goto(`${http.url}/#token=${encodeURIComponent(token)}`);
      await p.locator('#status[data-state="connected"]').waitFor({ timeout: 10_000 });

      const caption = p.locator('#skills-caption');
      await caption.filter({ hasText: /^\(last 30 days:/ }).waitFor({ timeout: 10_000 });
      await p.locator('#skills-days').selectOption('7');
      await heldAsked;
      await p.locator('#skills-days').selectOption('90');
      await caption.filter({ hasText: /^\(last 90 days:/ }).waitFor({ timeout: 10_000 });
      await held!();
      await p.waitForFunction(() => (window as unknown as { reportsRead: number }).reportsRead === 3, null, { timeout: 10_000 });
      assert.match((await caption.textContent()) ?? '', /^\(last 90 days:/);

      const summary = p.locator('#trend-summary');
      await p.locator('#trend-skill').fill('browser-check');
      await p.locator('#trend-form button').click();
      await p.waitForFunction(() => document.getElementById('trend-summary')?.textContent === 'browser-check: loading…');
      await p.locator('#trend-hours').selectOption('72');
      await summary.filter({ hasText: /^browser-check: \d+ invocations in the last 72 h/ }).waitFor({ timeout: 10_000 });
      assert.equal(late.length, 1);
      // Every text the status pill shows from now on, however briefly.
      await p.evaluate(() => {
        const w = window as unknown as { statusTexts: string[] };
        w.statusTexts = [];
        const status = document.getElementById('status')!;
        new MutationObserver(() => w.statusTexts.push(status.textContent ?? '')).observe(status, { childList: true, characterData: true, subtree: true });
      });
      // The late 24-hour answer, a late error to that superseded request, then a message of the test's own:
      // once that shows, the page has handled the late ones.
      toPage!(late[0]!);
      const supersededId = (JSON.parse(late[0]!) as { id: number }).id;
      toPage!(JSON.stringify({ v: 1, type: 'error', code: 'INTERNAL', message: 'superseded request failed', ref: supersededId }));
      toPage!(JSON.stringify({ v: 1, type: 'error', code: 'INVALID_INPUT', message: 'after the late answer' }));
      await p.locator('#status').filter({ hasText: 'server: after the late answer' }).waitFor({ timeout: 10_000 });
      assert.match((await summary.textContent()) ?? '', /^browser-check: \d+ invocations in the last 72 h/);
      assert.equal(await p.locator('#chart-trend').getAttribute('data-points'), '72');
      // The superseded request's error was never shown (the pill showed the test's own message, as the observer saw).
      const shown = await p.evaluate(() => (window as unknown as { statusTexts: string[] }).statusTexts);
      assert.ok(shown.includes('server: after the late answer'), shown.join(' | '));
      assert.ok(!shown.some((t) => t.includes('superseded')), shown.join(' | '));
    } finally {
      await p.close();
    }
  });

  it('fits a 420 px wide screen: no sideways scrolling, cards inside, skill names not a letter per line', async () => {
    await app.tracker.track(inv('mcp__github__list_issues', true, 300));
    const narrow = await context.newPage();
    narrow.on('pageerror', (err) => pageErrors.push(err.message));
    try {
      await narrow.setViewportSize({ width: 420, height: 900 });
      await narrow.goto(`${http.url}/#token=${encodeURIComponent(token)}`);
      await narrow.locator('#top-skills tbody tr[data-skill="mcp__github__list_issues"]').waitFor({ timeout: 10_000 });
      await narrow.locator('#trend-skill').fill('browser-check');
      await narrow.locator('#trend-form button').click();
      await narrow.locator('#trend-summary').filter({ hasText: 'browser-check:' }).waitFor({ timeout: 10_000 });
      const layout = await narrow.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        cardRights: [...document.querySelectorAll('.card, figure, .panel')].map((e) => e.getBoundingClientRect().right),
      }));
      assert.ok(layout.scrollWidth <= 420, `page is ${layout.scrollWidth} px wide`);
      assert.ok(
        layout.cardRights.every((r) => r <= 420),
        layout.cardRights.join(', '),
      );
      // Measured in one go: the rows are updated at every snapshot.
      const [long, oneLine] = await narrow.evaluate(() =>
        ['mcp__github__list_issues', 'other-skill'].map((s) => document.querySelector(`#top-skills tr[data-skill="${s}"] td`)!.getBoundingClientRect().height),
      );
      // A 24-character name in at most two lines (a letter per line made it six or more).
      assert.ok(long! < 2 * oneLine!, `skill cell ${long} px tall, a one-line cell ${oneLine} px`);
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await narrow.screenshot({ path: path.join(ARTIFACTS, 'dashboard-420.png'), fullPage: true });
    } finally {
      await narrow.close();
    }
  });

  it('keeps a 128-character name without separators inside its table, list and caption (390 px and 1280 px)', async () => {
    const unbroken = `u${'x'.repeat(127)}`;
    const long = `mcp__${'longserver'.repeat(10)}__tool`;
    await app.tracker.track(inv(unbroken, true, 50));
    const narrow = await context.newPage();
    narrow.on('pageerror', (err) => pageErrors.push(err.message));
    try {
      await narrow.setViewportSize({ width: 390, height: 900 });
      await narrow.goto(`${http.url}/#token=${encodeURIComponent(token)}`);
      // Unfiltered first: the Top skills columns at their narrowest (skill name, "Invocations", "100.0 %", p95)
      // fit the 336 px box a 390 px screen leaves them (they made it 338 px: 2 px of sideways scroll and a "scroll →" cue).
      await narrow.locator('#top-skills tbody tr[data-skill="browser-check"]').waitFor({ timeout: 10_000 });
      const unfiltered = await narrow.evaluate(() => {
        const wrap = document.querySelector('#top-skills')!.parentElement!;
        return {
          page: document.documentElement.scrollWidth,
          table: wrap.scrollWidth,
          box: wrap.clientWidth,
          cue: wrap.previousElementSibling!.hasAttribute('hidden'),
        };
      });
      assert.ok(unfiltered.page <= 390, `page ${unfiltered.page} px wide in a 390 px viewport`);
      assert.ok(unfiltered.table <= unfiltered.box, `top skills ${unfiltered.table} px wide in a ${unfiltered.box} px box`);
      assert.equal(unfiltered.cue, true);
      await narrow.locator('#filter').fill(`${unbroken}, ${long}`);
      await narrow.locator('#filter-form button').click();
      await narrow.locator('#top-caption').filter({ hasText: long }).waitFor({ timeout: 10_000 });
      await narrow.locator(`#top-skills tbody tr[data-skill="${unbroken}"]`).waitFor({ timeout: 10_000 });
      // Live: the feed and the anomaly list show names the same way.
      await app.tracker.trackBatch([inv(unbroken, true, 60), inv(long, false, 70)]);
      await narrow.locator(`#feed li[data-skill="${long}"]`).waitFor({ timeout: 10_000 });
      const measure = () =>
        narrow.evaluate(() => {
          const wrap = document.querySelector('#top-skills')!.parentElement!;
          return {
            page: document.documentElement.scrollWidth,
            viewport: document.documentElement.clientWidth,
            panels: Math.max(...[...document.querySelectorAll('.card, figure, .panel')].map((e) => e.getBoundingClientRect().right)),
            table: wrap.scrollWidth,
            box: wrap.clientWidth,
            feed: Math.max(...[...document.querySelectorAll('#feed li')].map((e) => e.scrollWidth - e.clientWidth)),
          };
        });
      const small = await measure();
      assert.ok(small.page <= small.viewport, `page ${small.page} px wide in a ${small.viewport} px viewport`);
      assert.ok(small.panels <= small.viewport, `a panel ends at ${small.panels} px`);
      assert.ok(small.table <= small.box, `top skills ${small.table} px wide in a ${small.box} px box`);
      assert.equal(small.feed, 0);
      await narrow.setViewportSize({ width: 1280, height: 900 });
      await narrow.waitForFunction(() => document.documentElement.clientWidth === 1280);
      const wide = await measure();
      assert.ok(wide.table <= wide.box, `top skills ${wide.table} px wide in a ${wide.box} px box`);
      assert.ok(wide.page <= wide.viewport, `page ${wide.page} px wide`);
    } finally {
      await narrow.close();
    }
  });

  it('shows in the live feed rows another process writes to the same database (session-buddy record)', async () => {
    const before = await page.locator('#feed li[data-skill]').count();
    const { stdout } = await execFileAsync(process.execPath, [
      BIN,
      '--data-dir',
      app.dir,
      'record',
      '--skill',
      'from-another-process',
      '--user',
      'cli-user',
      '--session',
      'cli-session',
      '--failed',
      '--error',
      'timeout',
      '--duration',
      '70',
    ]);
    assert.match(stdout, /"id":"[0-9A-Z]{26}"/);
    const item = page.locator('#feed li[data-skill="from-another-process"]');
    await item.waitFor({ timeout: 10_000 });
    assert.match((await item.textContent()) ?? '', /from-another-process\s*timeout\s*unknown · 70 ms/);
    assert.equal(await page.locator('#feed li[data-skill]').count(), before + 1);
    // Once: not again at the next polls.
    await page.waitForTimeout(2500);
    assert.equal(await page.locator('#feed li[data-skill="from-another-process"]').count(), 1);
  });

  it('says a duration that was not measured (a typed skill) is not measured, not "0 ms"', async () => {
    await app.tracker.trackBatch([
      { ...inv('skill:typed-one', true, 0), trigger: 'typed', metadata: { source: 'hook', tool: 'slash_command', duration_source: 'unknown' } },
      { ...inv('skill:fast-one', true, 0), metadata: { source: 'hook', duration_source: 'claude_code' } },
    ]);
    const typed = page.locator('#feed li[data-skill="skill:typed-one"]');
    await typed.waitFor({ timeout: 10_000 });
    assert.match((await typed.textContent()) ?? '', /testing · duration not measured$/);
    // Measured as 0 ms: shown as such.
    assert.match((await page.locator('#feed li[data-skill="skill:fast-one"]').textContent()) ?? '', /testing · 0 ms$/);
  });

  it('opens its charts with the recent past: the window figures of the last 24 hours, then live points', async () => {
    // Two invocations 10 minutes before the current hour: inside the window that ends on the hour.
    const hourStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const past = (completed: boolean, ms: number) => ({ ...inv('history-check', completed, ms), invoked_at: new Date(hourStart - 600_000).toISOString() });
    const res = await fetch(`${http.url}/api/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify([past(true, 400), past(false, 800)]),
    });
    assert.equal(res.status, 200);
    const fresh = await context.newPage();
    try {
      fresh.on('pageerror', (err) => pageErrors.push(err.message));
      await fresh.goto(`${http.url}/#token=${encodeURIComponent(token)}`);
      // The history message draws 24 hourly points before (and besides) the live ones.
      await fresh.waitForFunction(() => (document.getElementById('chart-latency') as HTMLCanvasElement).dataset.history === '24', null, { timeout: 10_000 });
      await fresh.waitForFunction(() => Number((document.getElementById('chart-success') as HTMLCanvasElement).dataset.points) >= 25, null, {
        timeout: 10_000,
      });
      assert.equal(await fresh.locator('#chart-success').getAttribute('data-history'), '24');
      assert.notEqual(await fresh.locator('#chart-latency').getAttribute('data-y-ticks'), '');
    } finally {
      await fresh.close();
    }
  });

  it('refuses a filter over the server limits on the field, keeping the one in force', async () => {
    const filter = page.locator('#filter');
    await filter.fill('browser-check');
    await page.locator('#filter-form button').click();
    await page.locator('#top-caption').filter({ hasText: '(filtered: browser-check)' }).waitFor({ timeout: 10_000 });
    await filter.fill(Array.from({ length: 101 }, (_, i) => `s${i}`).join(','));
    await page.locator('#filter-form button').click();
    assert.equal(await filter.evaluate((i: HTMLInputElement) => i.validationMessage), 'at most 100 skills (101 given)');
    assert.match((await page.locator('#status').textContent()) ?? '', /filter not applied: at most 100 skills/);
    assert.equal(await page.locator('#top-caption').textContent(), '(filtered: browser-check)');
    // Back to every skill.
    await filter.fill('');
    await page.locator('#filter-form button').click();
    await page.waitForFunction(() => document.getElementById('top-caption')?.textContent === '', null, { timeout: 10_000 });
  });

  it('greys the figures while the stream is down and reconnects within seconds', async () => {
    const other = await context.newPage();
    try {
      // The stream goes through a route that can cut it, as a server restart does.
      const cut: Array<() => Promise<void>> = [];
      await other.routeWebSocket(/\/ws/, (ws) => {
        ws.connectToServer();
        cut.push(() => ws.close({ code: 4000, reason: 'cut' }));
      });
      await other.goto(`${http.url}/#token=${encodeURIComponent(token)}`);
      await other.locator('#status[data-state="connected"]').waitFor({ timeout: 10_000 });
      assert.equal(await other.evaluate(() => document.body.dataset.stale), undefined);
      await cut.at(-1)!();
      await other.waitForFunction(() => document.body.dataset.stale === 'true', null, { timeout: 10_000 });
      assert.equal(await other.locator('.cards').evaluate((e) => getComputedStyle(e).opacity), '0.45');
      // Retried after 1 s, then live again: the figures are current once more.
      await other.locator('#status[data-state="connected"]').waitFor({ timeout: 10_000 });
      assert.equal(await other.evaluate(() => document.body.dataset.stale), undefined);
    } finally {
      await other.close();
    }
  });

  it("shows a skill's success rate in the Skills view as its reason does (424 of 447: 94.9 %)", async () => {
    // Three days ago: in the report's 30 days, out of the live window.
    const when = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const items = Array.from({ length: 447 }, (_, i) => ({ ...inv('rate-check', i < 424, 50), invoked_at: when }));
    const res = await fetch(`${http.url}/api/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(items),
    });
    assert.equal(res.status, 200);
    await page.locator('#skills-form button').click();
    const row = page.locator('#skills-report tbody tr').filter({ has: page.locator('td:first-child', { hasText: /^rate-check$/ }) });
    await row.waitFor({ timeout: 10_000 });
    // Not "94.8 %" from the 0.9485 the JSON gives, rounded again.
    assert.equal(await row.locator('td:nth-child(3)').textContent(), '94.9 %');
    assert.match((await row.locator('td.reason').textContent()) ?? '', /94\.9% succeeded/);
  });

  it("shows the cost Claude Code's telemetry reported for a skill in the Skills view", async () => {
    const when = Date.now() - 60_000;
    const res = await fetch(`${http.url}/api/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ ...inv('skill:tele-cost', true, 80), invoked_at: new Date(when).toISOString() }),
    });
    assert.equal(res.status, 200);
    const attributes = {
      'session.id': 'browser-session',
      'user.id': 'browser-user',
      'skill.name': 'tele-cost',
      model: 'claude-sonnet-4-5',
      input_tokens: 1200,
      output_tokens: 300,
    };
    const events = [
      { name: 'api_request', at: when, attributes: { ...attributes, request_id: 'req_tele_1', cost_usd: 0.0123 } },
      { name: 'api_request', at: when + 1000, attributes: { ...attributes, request_id: 'req_tele_2', cost_usd: 0.0077 } },
    ];
    const sent = await fetch(`${http.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': CONTENT_TYPE.protobuf, authorization: `Bearer ${token}` },
      body: Buffer.from(await encodeEvents(events, 'protobuf')),
    });
    assert.equal(sent.status, 200);
    await page.locator('#skills-form button').click();
    const row = page.locator('#skills-report tbody tr').filter({ has: page.locator('td:first-child', { hasText: /^skill:tele-cost$/ }) });
    await row.waitFor({ timeout: 10_000 });
    // The two requests' total, as Claude Code sent it, under the telemetry attribution.
    const cell = row.locator('td[data-field="cost_telemetry"]');
    assert.equal(await cell.textContent(), '$0.0200');
    assert.match((await cell.getAttribute('title')) ?? '', /^2 API call\(s\), 3,000 tokens/);
    assert.equal(await page.locator('#skills-report thead th').nth(7).textContent(), 'Cost telemetry');
  });

  it('shows long durations in hours and days, not thousands of minutes', async () => {
    await app.tracker.track(inv('day-long', true, 86_400_000));
    await app.tracker.track(inv('hour-and-a-half', true, 5_400_000));
    const day = page.locator('#feed li[data-skill="day-long"]');
    await day.waitFor({ timeout: 10_000 });
    assert.match((await day.textContent()) ?? '', /testing · 24\.0 h$/);
    await page
      .locator('#feed li[data-skill="hour-and-a-half"]')
      .filter({ hasText: /testing · 1\.5 h$/ })
      .waitFor({ timeout: 10_000 });
    app.bus.emit('anomalies.detected', [
      {
        skill_name: 'day-long',
        metric: 'duration' as const,
        baseline_value: 3_600_000,
        observed_value: 129_600_000,
        deviation_score: 4,
        direction: 'up' as const,
        severity: 'warning' as const,
        detected_at: Date.now(),
      },
    ]);
    const anomaly = page.locator('#anomalies li[data-skill="day-long"]');
    await anomaly.waitFor({ timeout: 10_000 });
    assert.match((await anomaly.textContent()) ?? '', /duration up to 1\.5 d \(baseline 1\.0 h\)/);
  });

  it('tells a refused token (401) from a stopped server while the stream is down', async () => {
    // A server that demands the token on loopback too, opened without #token=.
    const locked = createTestApp({ flags: { wsRequireToken: true } });
    const lockedRt = await createRealtime(locked, { snapshotIntervalMs: 250 });
    const lockedHttp = await startHttpServer(locked, lockedRt.mounts);
    const p = await context.newPage();
    try {
      await p.goto(`${lockedHttp.url}/`);
      await p
        .locator('#status')
        .filter({ hasText: /^unauthorized \(401\): open the dashboard as \/#token=/ })
        .waitFor({ timeout: 10_000 });
      assert.match((await p.locator('#status').textContent()) ?? '', /<token from <data-dir>\/token>; retrying in \d+ s$/);
      // With the token it connects.
      await p.goto(`${lockedHttp.url}/#token=${encodeURIComponent(lockedRt.token!)}`);
      await p.reload();
      await p.locator('#status[data-state="connected"]').waitFor({ timeout: 10_000 });
      // The server stops: no token hint, the server is not reachable.
      await lockedHttp.close();
      await p
        .locator('#status')
        .filter({ hasText: /^server unreachable; retrying in \d+ s$/ })
        .waitFor({ timeout: 15_000 });
      assert.doesNotMatch((await p.locator('#status').textContent()) ?? '', /token/);
      assert.equal(await p.evaluate(() => document.body.dataset.stale), 'true');
    } finally {
      await p.close();
      await lockedHttp.close().catch(() => {});
      await locked.dispose();
    }
  });

  it('lists every skill in the Skills view up to 1,000 (not the report default of 100), and says when there are more', async () => {
    // 1,001 more skills, one invocation each (three days ago: out of the live window), after those recorded above.
    const when = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const names = Array.from({ length: 1001 }, (_, i) => `many-${String(i).padStart(4, '0')}`);
    await app.tracker.trackBatch(names.slice(0, 100).map((n) => ({ ...inv(n, true, 10), invoked_at: when })));
    // Asked from the page: a connection of this process kept alive across the long writes below may be closed by the server as it is reused.
    const report = () =>
      page.evaluate(
        async (t) => (await (await fetch('/api/skill-report?limit=1000', { headers: { authorization: `Bearer ${t}` } })).json()) as { total_skills: number },
        token,
      );
    const total = (await report()).total_skills;
    assert.ok(total > 100, `${total} skills`);
    await page.locator('#skills-form button').click();
    await page.waitForFunction((n) => document.querySelectorAll('#skills-report tbody tr').length === n, total, { timeout: 10_000 });
    // The least used of them is listed too (the report's default of 100 rows cut it off).
    await page.locator('#skills-report tbody td:first-child', { hasText: /^many-0099$/ }).waitFor({ timeout: 10_000 });
    assert.doesNotMatch((await page.locator('#skills-caption').textContent()) ?? '', /showing/);

    await app.tracker.trackBatch(names.slice(100).map((n) => ({ ...inv(n, true, 10), invoked_at: when })));
    const all = (await report()).total_skills;
    assert.ok(all > 1000, `${all} skills`);
    await page.locator('#skills-form button').click();
    await page
      .locator('#skills-caption')
      .filter({ hasText: `${all.toLocaleString('en-US')} skills` })
      .waitFor({ timeout: 10_000 });
    const caption = (await page.locator('#skills-caption').textContent()) ?? '';
    assert.match(caption, /; showing the 1,000 most used\)$/);
    // The verdict counts read as the totals do ("1,003 keep", not "1003 keep").
    const keep = Number(/ ([\d,]+) keep,/.exec(caption)?.[1]?.replaceAll(',', ''));
    assert.ok(keep >= 1000, caption);
    assert.match(caption, new RegExp(` ${keep.toLocaleString('en-US')} keep,`));
    assert.equal(await page.locator('#skills-report tbody tr').count(), 1000);
  });

  it('renders without script errors and saves a screenshot', async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, 'dashboard.png');
    await page.screenshot({ path: file, fullPage: true });
    assert.ok(fs.statSync(file).size > 10_000);
    assert.deepEqual(pageErrors, []);
  });
});

interface DashboardRig {
  app: TestApp;
  http: RunningHttpServer;
  browser: Awaited<ReturnType<typeof import('playwright-core')['chromium']['launch']>>;
  close(): Promise<void>;
}

/** `app` served with its realtime mounts over a real HTTP server, and a headless Chromium to look at it. */
async function dashboardRig(app: TestApp, opts: Parameters<typeof createRealtime>[1]): Promise<DashboardRig> {
  const { chromium } = await import('playwright-core');
  const rt = await createRealtime(app, opts);
  const http = await startHttpServer(app, rt.mounts);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  return {
    app,
    http,
    browser,
    async close() {
      await browser.close();
      await http.close();
      await app.dispose();
    },
  };
}

describe('dashboard charts on a page left open for hours', { skip: fs.existsSync(CHROMIUM) ? false : 'chromium not installed' }, () => {
  const HOUR = 3_600_000;
  const H = 480_000; // an epoch hour
  const opened = H * HOUR + 30 * 60_000;
  let clock = opened;
  let rig: DashboardRig;

  before(async () => {
    const app = createTestApp({ now: () => clock });
    await app.tracker.track({ ...inv('left-open', true, 100), invoked_at: opened - 60_000 });
    // A snapshot every 20 ms while the clock below moves a minute every 20 ms: hours pass in seconds.
    rig = await dashboardRig(app, { snapshotIntervalMs: 20 });
  });
  after(() => rig?.close());

  it('keeps a point for every hour of the last day, then the last minutes live: no straight line over the hours since it opened', async () => {
    const page = await rig.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${rig.http.url}/`);
    await page.waitForFunction(() => document.getElementById('chart-success')?.dataset.history === '24', null, { timeout: 10_000 });
    const tick = setInterval(() => {
      clock += 60_000;
    }, 20);
    try {
      // Eight hours later (about 480 snapshots, more than the 300 live points the page keeps).
      const later = opened + 8 * HOUR;
      await page.waitForFunction((t) => Date.parse(document.getElementById('top-skills')?.dataset.at ?? '') >= t, later, { timeout: 60_000 });
    } finally {
      clearInterval(tick);
    }
    const chart = await page.locator('#chart-success').evaluate((c: HTMLCanvasElement) => ({ gap: Number(c.dataset.gapMs), span: Number(c.dataset.spanMs) }));
    // One point an hour at least (a snapshot lands up to a couple of simulated minutes after the hour).
    assert.ok(chart.gap < 1.5 * HOUR, `a ${(chart.gap / HOUR).toFixed(2)} h straight line`);
    assert.ok(chart.span <= 24 * HOUR, `the chart spans ${(chart.span / HOUR).toFixed(2)} h`);
    await page.close();
  });
});

describe('dashboard charts on a new installation', { skip: fs.existsSync(CHROMIUM) ? false : 'chromium not installed' }, () => {
  let rig: DashboardRig;

  before(async () => {
    rig = await dashboardRig(createTestApp(), { snapshotIntervalMs: 250 });
  });
  after(() => rig?.close());

  it('marks the live figures at the right end of a 24 h axis when the past hours hold nothing', async () => {
    // Only live invocations (the first hour of telemetry): the 24 hourly points are empty and the live
    // ones fall within a pixel of the axis' end, where a line over them cannot be seen.
    await rig.app.tracker.trackBatch([inv('first-hour', true, 400), inv('first-hour', false, 900)]);
    const page = await rig.browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${rig.http.url}/`);
      await page.waitForFunction(() => document.getElementById('chart-success')?.dataset.history === '24', null, { timeout: 10_000 });
      await page.waitForFunction(() => Number((document.getElementById('chart-success') as HTMLCanvasElement).dataset.points) >= 26, null, {
        timeout: 10_000,
      });
      // Pixels of each series' colour in the plot area (the legend above it excluded).
      const inked = (id: string, rgb: [number, number, number]) =>
        page.locator(`#${id}`).evaluate((c: HTMLCanvasElement, [r, g, b]) => {
          const dpr = window.devicePixelRatio || 1;
          const data = c.getContext('2d')!.getImageData(0, Math.round(14 * dpr), c.width, c.height - Math.round(34 * dpr)).data;
          let n = 0;
          for (let i = 0; i < data.length; i += 4)
            if (Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) < 60 && data[i + 3]! > 128) n++;
          return n;
        }, rgb);
      assert.ok((await inked('chart-success', [0x1f, 0x9d, 0x55])) >= 9, 'the success rate is drawn');
      assert.ok((await inked('chart-latency', [0x2f, 0x6f, 0xdb])) >= 9, 'the average duration is drawn');
      assert.ok((await inked('chart-latency', [0xd6, 0x45, 0x45])) >= 9, 'the p95 duration is drawn');
    } finally {
      await page.close();
    }
  });
});

describe('dashboard: why the live stream is refused', { skip: fs.existsSync(CHROMIUM) ? false : 'chromium not installed' }, () => {
  const servers: { app: TestApp; http: RunningHttpServer }[] = [];
  let browser: Awaited<ReturnType<typeof import('playwright-core')['chromium']['launch']>>;
  const serve = async (opts: Parameters<typeof createRealtime>[1]) => {
    const app = createTestApp();
    const rt = await createRealtime(app, opts);
    const http = await startHttpServer(app, rt.mounts);
    servers.push({ app, http });
    return http.url;
  };
  before(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });
  after(async () => {
    await browser?.close();
    for (const s of servers) {
      await s.http.close();
      await s.app.dispose();
    }
  });
  const status = (page: import('playwright-core').Page, text: RegExp) =>
    page.locator('#status[data-state="disconnected"]').filter({ hasText: text }).waitFor({ timeout: 10_000 });

  it('says the stream is turned off on a server started without it, not to look for a token', async () => {
    const page = await browser.newPage();
    await page.goto(`${await serve({ ws: false })}/`);
    await status(page, /^live stream turned off on this server \(started with --no-ws\); retrying in \d+ s$/);
    await page.close();
  });

  it('says the stream is full when the server has its most viewers', async () => {
    const url = await serve({ wsMaxClients: 1 });
    const first = await browser.newPage();
    await first.goto(`${url}/`);
    await first.waitForSelector('#status[data-state="connected"]', { timeout: 10_000 });
    const second = await browser.newPage();
    await second.goto(`${url}/`);
    await status(second, /^live stream full \(1 of 1 viewers\); retrying in \d+ s$/);
    // The first one closed: the second gets in at its next try.
    await first.close();
    await second.waitForSelector('#status[data-state="connected"]', { timeout: 15_000 });
    await second.close();
  });
});

describe('dashboard Skills view with a per-user token', { skip: fs.existsSync(CHROMIUM) ? false : 'chromium not installed' }, () => {
  let rig: DashboardRig;
  let alice: string;

  before(async () => {
    const app = createTestApp({ env: { SESSION_BUDDY_COMMUNITY_MIN_USERS: '5' } });
    // lint: alice and bob (2 users < k = 5), listed to alice as she used it; build: bob alone, withheld from alice.
    const by = (user: string, skill: string) => ({ ...inv(skill, true, 100), user_id: user, session_id: `s-${user}` });
    await app.tracker.trackBatch([by('alice', 'lint'), by('alice', 'lint'), by('bob', 'lint'), by('bob', 'build')]);
    alice = (await app.userTokens.create({ userId: 'alice', admin: false })).token;
    rig = await dashboardRig(app, { snapshotIntervalMs: 250 });
  });
  after(() => rig?.close());

  it('says in the caption how many skills the report withheld, and why (fewer than k users)', async () => {
    const page = await rig.browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${rig.http.url}/#token=${encodeURIComponent(alice)}`);
      const caption = page.locator('#skills-caption');
      await caption.filter({ hasText: /^\(last 30 days: / }).waitFor({ timeout: 10_000 });
      // One skill listed (lint), one withheld (build): both said in the singular.
      assert.match((await caption.textContent()) ?? '', /^\(last 30 days: 1 skill, .*; 1 skill withheld, not listed: fewer than 5 users used it\)$/);
      await page.locator('#skills-report tbody td:first-child', { hasText: /^lint$/ }).waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('#skills-report tbody td:first-child', { hasText: /^build$/ }).count(), 0);
    } finally {
      await page.close();
    }
    // Nothing withheld (the local user sees everyone's skills): nothing said.
    const local = await rig.browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await local.goto(`${rig.http.url}/`);
      const caption = local.locator('#skills-caption');
      await caption.filter({ hasText: /^\(last 30 days: / }).waitFor({ timeout: 10_000 });
      assert.doesNotMatch((await caption.textContent()) ?? '', /withheld/);
      await local.locator('#skills-report tbody td:first-child', { hasText: /^build$/ }).waitFor({ timeout: 10_000 });
    } finally {
      await local.close();
    }
  });
});

describe('dashboard: MCP calls in Top skills and the Skills view', { skip: fs.existsSync(CHROMIUM) ? false : 'chromium not installed' }, () => {
  let rig: DashboardRig;

  before(async () => {
    const app = createTestApp();
    await app.tracker.trackBatch([
      inv('mcp__github__create_issue', true, 300),
      inv('mcp__github__create_issue', true, 200),
      inv('mcp__github__list_issues', true, 100),
    ]);
    rig = await dashboardRig(app, { snapshotIntervalMs: 250 });
  });
  after(() => rig?.close());

  it('names each call by its tool and its server in both views: the Skills row of the server lists the tools Top skills shows', async () => {
    const page = await rig.browser.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${rig.http.url}/`);
      // Top skills: one row per tool, its server beside it as the Skills view names it.
      const top = page.locator('#top-skills tbody tr[data-skill="mcp__github__create_issue"]');
      await top.waitFor({ timeout: 10_000 });
      const server = (await top.locator('.server').textContent()) ?? '';
      assert.equal(server, 'mcp:github');
      assert.equal(await page.locator('#top-skills tbody tr[data-skill="mcp__github__list_issues"] .server').textContent(), 'mcp:github');
      // Skills view: the server's row under that same name, naming the tools it sums, as Top skills names them.
      const row = page.locator(`#skills-report tbody tr[data-skill="${server}"]`);
      await row.waitFor({ timeout: 10_000 });
      assert.equal(await row.locator('td:first-child .skill-name').textContent(), 'mcp:github');
      assert.equal(await row.locator('td:first-child .tools').textContent(), 'mcp__github__create_issue, mcp__github__list_issues');
      assert.equal(await row.locator('td:nth-child(2)').textContent(), '3');
    } finally {
      await page.close();
    }
  });
});
