// tests/browser/run.mjs - the lab page (web/) in a real browser.
//
//   node tests/browser/run.mjs PSINET_BIN SCREENSHOT_DIR
//
// Starts PSINET_BIN on a free loopback port with a fresh database (and a
// second one with an API key), drives Debian's Chromium (/usr/bin/chromium)
// with playwright-core through every view as a person would: it creates a
// state, measures it (whole, and one qubit), applies gates to a stored
// state, collapses it, walks its lineage back, runs a layer and a stored
// network, runs each
// experiment kind, pages through experiments and edits one, triggers
// validation errors, and enters an API key. It checks that the numbers the
// page shows (each number's full value, in its <data value>) and the data
// of its charts (Chart.getChart(canvas).data) are exactly the numbers psinet
// answers to the same request made here, never pixels. Any console error,
// uncaught exception, Content-Security-Policy violation, failed request or
// error status the test did not ask for fails the check it happened in.
// A screenshot of each view goes to SCREENSHOT_DIR.
//
// Prints one line per check, then "N passed, N failed"; exits 0 only when
// all passed. playwright-core never downloads a browser: it is told where
// Debian's is.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const [bin, shotDir] = process.argv.slice(2);
if (!bin || !shotDir) {
  console.error('usage: node run.mjs PSINET_BIN SCREENSHOT_DIR');
  process.exit(2);
}
mkdirSync(shotDir, { recursive: true });
const work = mkdtempSync(path.join(tmpdir(), 'psinet-browser-'));
const CHROMIUM = process.env.PSINET_CHROMIUM || '/usr/bin/chromium';
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
  "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// ------------------------------------------------------------------ psinet

/** Starts psinet with args; resolves to {base, stop} once it listens. */
function startPsinet(name, args = []) {
  const db = path.join(work, `${name}.db`);
  const proc = spawn(bin, ['--bind', '127.0.0.1', '--port', '0', '--db', db, '--threads', '2', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  let listening = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`psinet did not listen:\n${log}`)), 20000);
    const early = (code) => reject(new Error(`psinet exited with ${code}:\n${log}`));
    proc.on('exit', early);
    proc.stderr.on('data', (chunk) => {
      log += chunk;
      const m = /"event":"listening"[^\n]*"port":(\d+)/.exec(log);
      if (m && !listening) {
        listening = true;
        clearTimeout(timer);
        proc.off('exit', early);
        resolve({
          base: `http://127.0.0.1:${m[1]}`,
          stop: () => new Promise((done) => {
            proc.on('exit', (code) => done(code));
            proc.kill('SIGTERM');
          }),
        });
      }
    });
  });
}

/** Calls psinet directly (not through the page): the numbers to compare with. */
async function call(base, method, p, body, key) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers.Authorization = `Bearer ${key}`;
  const r = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

// ------------------------------------------------------------------ checks

let passed = 0;
let failed = 0;
let problems = []; // what the page did wrong during the current check
const expected = []; // error statuses a check asks for: {pattern, status, any}

/** Lets the next response to a URL matching pattern have status (for
 * `any`, every one while the check runs). */
function expectStatus(pattern, status, any = false) {
  expected.push({ pattern, status, any, seen: 0 });
}

async function check(name, fn) {
  problems = [];
  expected.length = 0;
  const t0 = Date.now();
  try {
    await fn();
    for (const e of expected) {
      if (!e.any && e.seen === 0) problems.push(`expected a ${e.status} from ${e.pattern}, none came`);
    }
    if (problems.length) throw new Error(`the page went wrong:\n    ${problems.join('\n    ')}`);
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n  ${String(e.stack || e).split('\n').slice(0, 8).join('\n  ')}`);
  }
}

/** Watches page: console errors, uncaught exceptions, CSP violations,
 * failed requests and unexpected error statuses become problems. */
function watch(page) {
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium also logs each error status it receives; those are judged
    // by their response below.
    if (/^Failed to load resource: the server responded with a status of \d+/.test(m.text())) return;
    problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const e = expected.find((x) => x.status === r.status() && r.url().includes(x.pattern) && (x.any || x.seen === 0));
    if (e) e.seen++;
    else problems.push(`unexpected ${r.status()} for ${r.request().method()} ${r.url()}`);
  });
}

// ------------------------------------------------------------------ reading the page

/** The full values of the numbers in column col (1-based) of a table's body. */
function column(page, table, col) {
  return page.$$eval(`${table} tbody tr > :nth-child(${col})`, (cells) => cells.map((c) => {
    const d = c.querySelector('data.num');
    return d ? d.value : c.querySelector('.none') ? null : c.textContent.trim();
  }));
}

/** The datasets of the chart on canvas #id: [{label, data}]. */
function chartData(page, id) {
  return page.evaluate((cid) => {
    const chart = window.Chart.getChart(document.getElementById(cid));
    return chart ? { labels: chart.data.labels, datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })) } : null;
  }, id);
}

// As the page writes a full value: the shortest text that reads back as
// the same double (what psinet writes too).
const full = (xs) => xs.map((x) => (x === null ? null : String(x)));

async function fill(page, selector, text) {
  await page.fill(selector, text);
}

/** Waits until the status line sel says something new (after an action). */
async function waitStatus(page, sel, re) {
  await page.waitForFunction(([s, r]) => new RegExp(r).test(document.querySelector(s).textContent), [sel, re.source]);
}

/** Waits until the experiments' list has the answer to its latest load
 * (the page marks it aria-busy while one is under way; loads start when
 * the click that asks for them is dispatched). */
function listed(page) {
  return page.waitForSelector('#exp-list:not([aria-busy])');
}

async function shot(page, name) {
  const file = path.join(shotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ------------------------------------------------------------------ the run

const launchArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function browserContext(viewport) {
  // A fresh profile each time; playwright-core passes it as --user-data-dir.
  const profile = mkdtempSync(path.join(work, 'profile-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: launchArgs, viewport,
  });
}

async function openPage(context, base) {
  const page = context.pages()[0] || await context.newPage();
  watch(page);
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content-Security-Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const response = await page.goto(`${base}/`);
  await page.waitForSelector('html[data-ready="true"]');
  return { page, response };
}

const shots = [];
const a = await startPsinet('lab');
const b = await startPsinet('keyed', ['--auth-reads']);
let context;
try {
  context = await browserContext({ width: 1280, height: 800 });
  context.setDefaultTimeout(10000);
  let page;
  let response;

  await check('the page is served at / with its type, ETag, cache policy and CSP, and loads clean', async () => {
    ({ page, response } = await openPage(context, a.base));
    assert.equal(response.status(), 200);
    const h = response.headers();
    assert.match(h['content-type'], /^text\/html; charset=utf-8$/);
    assert.equal(h['content-security-policy'], CSP);
    assert.match(h.etag, /^"[0-9a-f]{16}"$/);
    assert.equal(h['cache-control'], 'no-cache');
    // The page's own script is all in files: none inline.
    assert.equal(await page.locator('script:not([src])').count(), 0);
    await page.waitForSelector('#state-table tbody tr');
    const version = (await call(a.base, 'GET', '/version')).json.version;
    await page.waitForFunction((v) => document.getElementById('version').textContent === v, version);
  });

  await check('every field has a label, and the views are reached with the keyboard', async () => {
    const unlabelled = await page.$$eval('input, select, textarea', (els) => els
      .filter((e) => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label'))
      .map((e) => e.id || e.outerHTML.slice(0, 80)));
    assert.deepEqual(unlabelled, []);
    await page.focus('body');
    const reached = [];
    for (let i = 0; i < 12 && reached.length < 3; i++) {
      await page.keyboard.press('Tab');
      const t = await page.evaluate(() => document.activeElement.dataset.view || null);
      if (t && !reached.includes(t)) reached.push(t);
    }
    assert.deepEqual(reached, ['state', 'layer', 'experiments']);
    await page.focus('nav a[data-view="layer"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#view-layer:not([hidden])');
    assert.equal(await page.isHidden('#view-state'), true);
    await page.focus('nav a[data-view="state"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#view-state:not([hidden])');
  });

  // ---------------------------------------------------------------- State
  const amplitudes = [3, [0, 4], 0, [1, -1]];
  const labels = ['up', 'down', 'left', 'right'];
  await check('State: edit amplitudes and labels, normalize: the numbers are psinet\'s', async () => {
    await page.selectOption('#amp-qubits', '2'); // four rows
    const rows = page.locator('#amp-rows tr');
    assert.equal(await rows.count(), 4);
    for (let i = 0; i < 4; i++) {
      const [re, im] = typeof amplitudes[i] === 'number' ? [amplitudes[i], ''] : amplitudes[i];
      await rows.nth(i).locator('.amp-label').fill(labels[i]);
      await rows.nth(i).locator('.amp-re').fill(String(re));
      await rows.nth(i).locator('.amp-im').fill(String(im));
    }
    await page.click('#state-normalize');
    await waitStatus(page, '#state-status', /had norm/);
    const api = (await call(a.base, 'POST', '/v1/superpositions/normalize', { amplitudes })).json;
    assert.deepEqual(await column(page, '#state-table', 3), full(api.probabilities));
    const phases = api.amplitudes.map(([re, im]) => (re === 0 && im === 0 ? null : Math.atan2(im, re)));
    assert.deepEqual(await column(page, '#state-table', 4), full(phases));
    assert.deepEqual(await column(page, '#state-table', 1), labels);
    const probs = await chartData(page, 'chart-probabilities');
    assert.deepEqual(probs.labels, labels);
    assert.deepEqual(probs.datasets[0].data, api.probabilities);
    assert.deepEqual((await chartData(page, 'chart-phases')).datasets[0].data, phases);
    // The editor now holds the normalized amplitudes.
    const re = await page.$$eval('#amp-rows .amp-re', (els) => els.map((e) => e.value));
    assert.deepEqual(re, full(api.amplitudes.map((c) => c[0])));
    assert.match(await page.textContent('#state-status'), new RegExp(`had norm ${api.norm}\\.`));
    // A rounded number's full value is a hover away (its title), and a
    // copy gives full values: of one number, or of table rows (tabs
    // between cells).
    const copied = await page.evaluate(() => {
      const copy = (node, whole) => {
        const range = document.createRange();
        if (whole) range.selectNode(node);
        else range.selectNodeContents(node);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        const data = new DataTransfer();
        document.dispatchEvent(new ClipboardEvent('copy', { clipboardData: data, bubbles: true, cancelable: true }));
        return data.getData('text/plain');
      };
      const d = document.querySelector('#state-table tbody td:nth-child(3) data');
      return { shown: d.textContent, title: d.title, one: copy(d, false),
        rows: copy(document.querySelector('#state-table tbody'), true) };
    });
    assert.deepEqual([copied.shown, copied.title, copied.one],
      ['0.333333', String(api.probabilities[0]), String(api.probabilities[0])]);
    const lines = copied.rows.split('\n').map((line) => line.split('\t'));
    assert.deepEqual(lines.map((r) => [r[0], r[2], r[3]]),
      labels.map((l, i) => [l, String(api.probabilities[i]), phases[i] === null ? '—' : String(phases[i])]));
    shots.push(await shot(page, 'state'));
  });

  let stored;
  await check('State: store it, list the stored states and open one', async () => {
    await fill(page, '#state-name', 'browser state');
    await page.click('#state-store');
    await waitStatus(page, '#state-status', /Stored as sup_/);
    const id = /sup_[a-z2-7]{20}/.exec(await page.textContent('#state-status'))[0];
    stored = (await call(a.base, 'GET', `/v1/superpositions/${id}`)).json;
    assert.equal(stored.name, 'browser state');
    assert.deepEqual(stored.labels, labels);
    await page.waitForSelector(`#states-list tr[data-id="${id}"]`);
    assert.deepEqual(await column(page, '#state-table', 3), full(stored.probabilities));
    // Another state, stored by someone else, opened from the list.
    const other = (await call(a.base, 'POST', '/v1/superpositions', { name: 'from the API', amplitudes: [1, 2, 2] })).json;
    await page.click('#states-refresh');
    await page.click(`#states-list tr[data-id="${other.id}"] button`);
    await page.waitForFunction(() => /from the API/.test(document.getElementById('state-which').textContent));
    assert.deepEqual(await column(page, '#state-table', 3), full(other.probabilities));
    assert.deepEqual(await column(page, '#state-table', 1), other.labels);
    assert.equal(await page.inputValue('#state-name'), 'from the API');
    await page.click(`#states-list tr[data-id="${stored.id}"] button`);
    await page.waitForFunction(() => /browser state/.test(document.getElementById('state-which').textContent));
  });

  await check('State: measure with shots and a seed: the counts beside the Born distribution', async () => {
    await fill(page, '#measure-shots', '1000');
    await fill(page, '#measure-seed', '42');
    await page.click('#measure-run');
    await page.waitForSelector('#measure-result:not([hidden])');
    const m = (await call(a.base, 'POST', `/v1/superpositions/${stored.id}/measure`, { shots: 1000, seed: 42 })).json;
    const counts = labels.map((l) => m.counts[l] || 0);
    assert.deepEqual(await column(page, '#counts-table', 2), full(counts));
    const chart = await chartData(page, 'chart-counts');
    assert.deepEqual(chart.datasets[0].data, counts.map((c) => c / 1000));
    assert.deepEqual(chart.datasets[1].data, stored.probabilities);
    assert.deepEqual(await column(page, '#counts-table', 4), full(stored.probabilities));
    shots.push(await shot(page, 'state-measured'));
  });

  await check('State: psinet\'s validation errors are shown next to the fields their pointers name', async () => {
    await fill(page, '#measure-shots', '0');
    expectStatus('/measure', 422);
    await page.click('#measure-run');
    await page.waitForSelector('#measure-shots[aria-invalid="true"]');
    const api = (await call(a.base, 'POST', `/v1/superpositions/${stored.id}/measure`, { shots: 0, seed: 42 })).json;
    assert.equal(api.errors[0].pointer, '/shots');
    const shown = await page.$eval('#measure-shots', (e) => document.getElementById(e.getAttribute('aria-describedby')).textContent);
    assert.equal(shown, api.errors[0].message);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'measure-shots');
    // A duplicate label: the error sits by that label's field.
    await page.locator('#amp-rows .amp-label').nth(1).fill('up');
    expectStatus('/v1/superpositions', 422);
    await page.click('#state-store');
    await page.waitForSelector('#amp-rows .amp-label[aria-invalid="true"]');
    const body = { amplitudes: stored.amplitudes.map((c) => (c[1] === 0 ? c[0] : c)), labels: ['up', 'up', 'left', 'right'], name: 'browser state' };
    const dup = (await call(a.base, 'POST', '/v1/superpositions', body)).json;
    // psinet points at the whole list: the message goes by its first field.
    assert.deepEqual(dup.errors.map((e) => e.pointer), ['/labels']);
    const shownDup = await page.$$eval('#amp-rows [aria-invalid="true"]', (els) => els.map((e) =>
      [e.dataset.pointer, document.getElementById(e.getAttribute('aria-describedby')).textContent]));
    assert.deepEqual(shownDup, [['/labels/0', `/labels: ${dup.errors[0].message}`]]);
    // Editing a field in error clears its error.
    await page.locator('#amp-rows .amp-label').nth(1).fill('down');
    assert.equal(await page.locator('#amp-rows .field-error').count(), 1);
    await page.locator('#amp-rows .amp-label').nth(0).fill('up');
    assert.equal(await page.locator('#amp-rows .field-error').count(), 0);
    assert.equal(await page.locator('#amp-rows [aria-invalid]').count(), 0);
    await fill(page, '#measure-shots', '1000');
    assert.equal(await page.locator('#measure-form .field-error').count(), 0);
  });

  // ---------------------------------------------------------------- State: operations
  /** The text of the field-error note that describes field sel. */
  const noteOf = (sel) => page.$eval(sel, (e) => document.getElementById(e.getAttribute('aria-describedby')).textContent);
  const ops = '#state-operations';
  let zero;
  let bell;
  const bellOps = [{ gate: 'h', qubits: [0] }, { gate: 'cx', qubits: [0, 1] }];
  await check('Operations: apply H then CX to |00⟩: the page shows the Bell state psinet answers', async () => {
    await page.selectOption('#amp-qubits', '00');
    await fill(page, '#state-name', 'zero');
    await page.click('#state-store');
    await waitStatus(page, '#state-status', /Stored as sup_/);
    zero = (await call(a.base, 'GET', `/v1/superpositions/${/sup_[a-z2-7]{20}/.exec(await page.textContent('#state-status'))[0]}`)).json;
    assert.deepEqual(zero.amplitudes, [[1, 0], [0, 0], [0, 0], [0, 0]]);
    // The list starts with one gate, H on qubit 0; add CX, control 0, target 1.
    assert.equal(await page.isHidden('#state-operations-hint'), true);
    assert.deepEqual(await page.$$eval(`${ops} .gate-row`, (rows) => rows.map((r) => [r.querySelector('.gate-name').value,
      [...r.querySelectorAll('.gate-qubit')].map((s) => s.value)])), [['h', ['0']]]);
    await page.click(`${ops} .gate-add`);
    const second = `${ops} .gate-row:nth-child(2)`;
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Gate 2');
    await page.selectOption(`${second} .gate-name`, 'cx');
    assert.deepEqual(await page.$$eval(`${second} .gate-qubit`, (s) => s.map((x) => [x.getAttribute('aria-label'), x.value])),
      [['Gate 2, control', '0'], ['Gate 2, target', '1']]);
    await fill(page, `${ops} .gate-result-name`, 'bell');
    // Every field the operations add has a label too.
    const unlabelled = await page.$$eval(`${ops} input, ${ops} select, ${ops} textarea`, (els) => els
      .filter((e) => e.labels.length === 0 && !e.getAttribute('aria-label')).map((e) => e.outerHTML.slice(0, 80)));
    assert.deepEqual(unlabelled, []);
    await page.click(`${ops} .gate-apply`);
    await waitStatus(page, `${ops} .gates-form .status`, /stored as sup_/);
    const id = /stored as (sup_[a-z2-7]{20})/.exec(await page.textContent(`${ops} .gates-form .status`))[1];
    const api = (await call(a.base, 'POST', '/v1/superpositions/apply', { state: { id: zero.id }, operations: bellOps, store: false })).json;
    bell = (await call(a.base, 'GET', `/v1/superpositions/${id}`)).json;
    assert.equal(bell.parent, zero.id);
    assert.deepEqual(bell.operation, { op: 'apply', operations: bellOps });
    assert.deepEqual(bell.amplitudes, api.amplitudes);
    assert.match(await page.textContent('#state-which'), new RegExp(`bell, ${id}`));
    // The amplitudes (real: the imaginary parts are zero), probabilities and
    // norm shown are psinet's, to the last digit.
    assert.ok(api.amplitudes.every((c) => c[1] === 0));
    assert.deepEqual(await column(page, '#state-table', 2), full(api.amplitudes.map((c) => c[0])));
    assert.deepEqual(await column(page, '#state-table', 3), full(api.probabilities));
    assert.deepEqual((await chartData(page, 'chart-probabilities')).datasets[0].data, api.probabilities);
    assert.equal(await page.$eval('#state-summary data', (d) => d.value), String(api.norm));
    assert.equal(await page.$eval('#state-table tbody tr:first-child td:nth-child(2) data', (d) => d.textContent), '0.707107');
    shots.push(await shot(page, 'state-gates'));
  });

  await check('Operations: a repeated qubit is psinet\'s 422, shown at that qubit\'s field', async () => {
    const target = `${ops} .gate-row:nth-child(2) .gate-qubit[data-role="target"]`;
    await page.selectOption(target, '0');
    expectStatus('/v1/superpositions/apply', 422);
    await page.click(`${ops} .gate-apply`);
    await page.waitForSelector(`${target}[aria-invalid="true"]`);
    const api = (await call(a.base, 'POST', '/v1/superpositions/apply', { state: { id: bell.id }, name: 'bell',
      operations: [{ gate: 'h', qubits: [0] }, { gate: 'cx', qubits: [0, 0] }] })).json;
    assert.deepEqual(api.errors.map((e) => e.pointer), ['/operations/1/qubits/1']);
    assert.equal(await page.$eval(target, (e) => e.dataset.pointer), '/operations/1/qubits/1');
    assert.equal(await noteOf(target), api.errors[0].message);
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Gate 2, target');
    shots.push(await shot(page, 'state-gates-error'));
    // Answered: the error goes.
    await page.selectOption(target, '1');
    await page.dispatchEvent(target, 'input');
    assert.equal(await page.locator(`${ops} .field-error`).count(), 0);
  });

  await check('Operations: angles may be written with pi; a result not stored is shown, not opened', async () => {
    await page.click(`${ops} .gate-clear`);
    await page.click(`${ops} .gate-add`);
    await page.selectOption(`${ops} .gate-row:nth-child(1) .gate-name`, 'ry');
    await fill(page, `${ops} .gate-row:nth-child(1) .gate-angle`, '-pi/3');
    await page.uncheck(`${ops} .gate-store`);
    const sent = [];
    const onRequest = (r) => { if (r.url().endsWith('/v1/superpositions/apply')) sent.push(JSON.parse(r.postData())); };
    page.on('request', onRequest);
    await page.click(`${ops} .gate-apply`);
    await waitStatus(page, `${ops} .gates-form .status`, /not stored/);
    page.off('request', onRequest);
    assert.deepEqual(sent, [{ state: { id: bell.id }, operations: [{ gate: 'ry', qubits: [0], params: [-Math.PI / 3] }], store: false, name: 'bell' }]);
    const api = (await call(a.base, 'POST', '/v1/superpositions/apply', sent[0])).json;
    assert.equal(api.id, null);
    assert.match(await page.textContent('#state-which'), /not stored/);
    assert.deepEqual(await column(page, '#state-table', 3), full(api.probabilities));
    // The open state is still the Bell state: what is measured, collapsed.
    assert.match(await page.textContent('#measure-target'), new RegExp(bell.id));
    // Back to H then CX, stored, for whoever comes next.
    await page.click(`${ops} .gate-bell`);
    await page.check(`${ops} .gate-store`);
    await fill(page, `${ops} .gate-result-name`, '');
    await page.click(`#states-list tr[data-id="${bell.id}"] button`);
    await page.waitForFunction((id) => document.getElementById('state-which').textContent.includes(id), bell.id);
  });

  let measured;
  await check('Operations: collapse qubit 0 with a seed: the outcome, its probability and the state after are psinet\'s', async () => {
    await fill(page, `${ops} .collapse-qubits`, '0');
    await fill(page, `${ops} .collapse-name`, 'measured');
    await fill(page, `${ops} .collapse-seed`, '1');
    await page.press(`${ops} .collapse-seed`, 'Enter'); // the keyboard submits it
    await page.waitForFunction(() => /measured/.test(document.getElementById('state-which').textContent));
    await page.waitForSelector(`${ops} .collapse-result:not([hidden])`);
    const api = (await call(a.base, 'POST', `/v1/superpositions/${bell.id}/collapse`, { qubits: [0], seed: 1, store: false })).json;
    assert.equal(await page.textContent(`${ops} .collapse-result .outcome`), api.outcome);
    assert.equal(await page.$eval(`${ops} .collapse-result .probability data`, (d) => d.value), String(api.probability));
    assert.equal(await page.$eval(`${ops} .collapse-result .seed data`, (d) => d.value), '1');
    const nonzero = api.state.amplitudes.map((c, i) => [c, i]).filter(([c]) => c[0] !== 0 || c[1] !== 0);
    const rows = await page.$$eval(`${ops} .collapse-state tbody tr`, (trs) => trs.map((tr) =>
      [tr.cells[0].textContent, ...[...tr.querySelectorAll('data.num')].map((d) => d.value)]));
    assert.deepEqual(rows, nonzero.map(([c, i]) => [api.state.labels[i], ...full(c[1] === 0 ? [c[0]] : c), String(api.state.probabilities[i])]));
    const id = /sup_[a-z2-7]{20}/.exec(await page.textContent('#state-which'))[0];
    measured = (await call(a.base, 'GET', `/v1/superpositions/${id}`)).json;
    assert.equal(measured.parent, bell.id);
    assert.deepEqual(measured.operation, { op: 'collapse', qubits: [0], seed: 1, outcome: api.outcome });
    assert.deepEqual(measured.amplitudes, api.state.amplitudes);
    assert.deepEqual(await column(page, '#state-table', 3), full(api.state.probabilities));
    shots.push(await shot(page, 'state-collapse'));
  });

  await check('Operations: the lineage walks back through the parents to the root, opening each', async () => {
    const lineageIds = () => page.$$eval(`${ops} .lineage-list li[data-id]`, (lis) => lis.map((li) => li.dataset.id));
    const api = (await call(a.base, 'GET', `/v1/superpositions/${measured.id}/lineage`)).json;
    assert.deepEqual(api.items.map((s) => s.id), [measured.id, bell.id, zero.id]);
    await page.waitForFunction((n) => document.querySelectorAll('#state-operations .lineage-list li[data-id]').length === n, 3);
    assert.deepEqual(await lineageIds(), api.items.map((s) => s.id));
    const ops3 = await page.$$eval(`${ops} .lineage-list .lineage-op`, (els) => els.map((e) => e.textContent));
    assert.deepEqual(ops3, [`made by collapse of qubits 0 with seed 1: outcome ${measured.operation.outcome}`,
      'made by gates h on 0 · cx on 0, 1', 'the first: sent as it is']);
    assert.match(await page.textContent(`${ops} .lineage-end`), /3 states, back to the first/);
    shots.push(await shot(page, 'state-lineage'));
    // One step back at a time: each opens, with its own lineage.
    for (const [i, s] of [[1, bell], [1, zero]].map(([k, st]) => [k, st])) {
      await page.click(`${ops} .lineage-list li:nth-child(${i + 1}) .lineage-open`);
      await page.waitForFunction((sid) => document.getElementById('state-which').textContent.includes(sid), s.id);
      assert.deepEqual(await column(page, '#state-table', 3), full(s.probabilities));
      const walk = (await call(a.base, 'GET', `/v1/superpositions/${s.id}/lineage`)).json.items.map((x) => x.id);
      await page.waitForFunction((first) => document.querySelector('#state-operations .lineage-list li[data-id]')?.dataset.id === first, s.id);
      assert.deepEqual(await lineageIds(), walk);
    }
    assert.equal(await page.textContent(`${ops} .lineage-end`), 'Nothing before it: it was sent as it is.');
    assert.equal(await page.locator(`${ops} .collapse-result:not([hidden])`).count(), 0);
  });

  await check('Operations: the gate list is worked with the keyboard; each row\'s pointers follow its place', async () => {
    const rows = () => page.$$eval(`${ops} .gate-row`, (lis) => lis.map((li) => [li.querySelector('.gate-name').value,
      li.querySelector('.gate-name').dataset.pointer, ...[...li.querySelectorAll('.gate-qubit')].map((q) => q.dataset.pointer)]));
    assert.deepEqual(await rows(), [['h', '/operations/0/gate', '/operations/0/qubits/0'],
      ['cx', '/operations/1/gate', '/operations/1/qubits/0', '/operations/1/qubits/1']]);
    await page.focus(`${ops} button[aria-label="Move gate 2 up"]`);
    await page.keyboard.press('Enter');
    assert.deepEqual(await rows(), [['cx', '/operations/0/gate', '/operations/0/qubits/0', '/operations/0/qubits/1'],
      ['h', '/operations/1/gate', '/operations/1/qubits/0']]);
    // The focus stays on the gate moved, under its new name.
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Move gate 1 up');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // "Move gate 1 down"
    assert.deepEqual((await rows()).map((r) => r[0]), ['h', 'cx']);
    await page.focus(`${ops} button[aria-label="Remove gate 2"]`);
    await page.keyboard.press('Enter');
    assert.deepEqual((await rows()).map((r) => r[0]), ['h']);
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Gate 1');
    await page.click(`${ops} .gate-bell`);
  });

  await check('Operations: a lineage whose ancestor was deleted says where the walk stops', async () => {
    assert.equal((await call(a.base, 'DELETE', `/v1/superpositions/${zero.id}`)).status, 204);
    await page.click(`#states-list tr[data-id="${measured.id}"] button`);
    const api = (await call(a.base, 'GET', `/v1/superpositions/${measured.id}/lineage`)).json;
    assert.deepEqual([api.complete, api.missing, api.items.map((s) => s.id)], [false, zero.id, [measured.id, bell.id]]);
    await page.waitForFunction((id) => document.querySelector('#state-operations .lineage-end').textContent.includes(id), zero.id);
    assert.equal(await page.textContent(`${ops} .lineage-end`), `The walk stops at ${zero.id}: that state was deleted.`);
    assert.deepEqual(await page.$$eval(`${ops} .lineage-list li[data-id]`, (lis) => lis.map((li) => li.dataset.id)), [measured.id, bell.id]);
    // The collapse that made it is still beside it.
    assert.equal(await page.textContent(`${ops} .collapse-result .outcome`), measured.operation.outcome);
  });

  await check('psinet.js: compare, tensor and expectation answer what psinet answers', async () => {
    const viaPage = await page.evaluate(async (id) => {
      const { Psinet } = await import('./ui/psinet.js');
      const api = new Psinet({ base: '' });
      return {
        compare: await api.compare({ id }, { amplitudes: [0, 0, 0, [0, 1]] }),
        tensor: await api.tensor({ basis: '1' }, { id }),
        expectation: await api.expectation({ id }, ['ZZ', 'XX', 'YY', 'IZ']),
        lineage: await api.lineage(id),
      };
    }, bell.id);
    assert.deepEqual(viaPage.compare, (await call(a.base, 'POST', '/v1/superpositions/compare', { a: { id: bell.id }, b: { amplitudes: [0, 0, 0, [0, 1]] } })).json);
    assert.deepEqual(viaPage.tensor, (await call(a.base, 'POST', '/v1/superpositions/tensor', { a: { basis: '1' }, b: { id: bell.id } })).json);
    assert.deepEqual(viaPage.expectation, (await call(a.base, 'POST', '/v1/superpositions/expectation', { state: { id: bell.id }, paulis: ['ZZ', 'XX', 'YY', 'IZ'] })).json);
    // The Bell state's correlations: ZZ = XX = 1, YY = -1, Z on qubit 0 alone 0.
    const analytic = [1, 1, -1, 0];
    viaPage.expectation.expectations.forEach((e, i) => assert.ok(Math.abs(e.value - analytic[i]) <= 1e-15, `${e.pauli}: ${e.value}`));
    assert.deepEqual(viaPage.lineage, (await call(a.base, 'GET', `/v1/superpositions/${bell.id}/lineage`)).json);
  });

  await check('State: measure qubit 1 alone, each shot listed: counts, marginal probabilities and memory are psinet\'s', async () => {
    await page.click(`#states-list tr[data-id="${bell.id}"] button`);
    await page.waitForFunction((id) => document.getElementById('measure-target').textContent.includes(id), bell.id);
    await fill(page, '#measure-shots', '10');
    await fill(page, '#measure-seed', '5');
    await fill(page, '#measure-qubits', '1');
    await page.check('#measure-memory');
    await page.click('#measure-run');
    await page.waitForFunction(() => /qubits 1/.test(document.getElementById('counts-caption').textContent));
    const m = (await call(a.base, 'POST', `/v1/superpositions/${bell.id}/measure`, { shots: 10, seed: 5, qubits: [1], memory: true })).json;
    assert.deepEqual(await column(page, '#counts-table', 1), ['0', '1']);
    assert.deepEqual(await column(page, '#counts-table', 2), full(['0', '1'].map((l) => m.counts[l] || 0)));
    assert.deepEqual(await column(page, '#counts-table', 4), full(['0', '1'].map((l) => m.probabilities[l])));
    assert.equal(await page.textContent('#measure-memory-list'), m.memory.join(' '));
    const chart = await chartData(page, 'chart-counts');
    assert.deepEqual(chart.datasets[1].data, ['0', '1'].map((l) => m.probabilities[l]));
    await page.click('#measure-memory-box summary');
    shots.push(await shot(page, 'state-measure-qubits'));
    // A repeated qubit: the error by the qubits' field.
    await fill(page, '#measure-qubits', '1, 1');
    expectStatus('/measure', 422);
    await page.click('#measure-run');
    await page.waitForSelector('#measure-qubits[aria-invalid="true"]');
    const bad = (await call(a.base, 'POST', `/v1/superpositions/${bell.id}/measure`, { shots: 10, seed: 5, qubits: [1, 1], memory: true })).json;
    assert.deepEqual(bad.errors.map((e) => e.pointer), ['/qubits/1']);
    assert.equal(await noteOf('#measure-qubits'), `/qubits/1: ${bad.errors[0].message}`);
    await fill(page, '#measure-qubits', '');
    await page.uncheck('#measure-memory');
    await fill(page, '#measure-shots', '1000');
  });

  // ---------------------------------------------------------------- Layer
  await page.click('nav a[data-view="layer"]');
  const layer = { weights: [[1, 2], [-1, 0]], bias: [0.5, -0.5], activation: 'tanh' };
  await check('Layer: run it; the output, its Born probabilities and softmax(z) are psinet\'s', async () => {
    await fill(page, '#layer-weights', '1 2\n-1 0');
    await fill(page, '#layer-bias', '0.5, -0.5');
    await page.selectOption('#layer-activation', 'tanh');
    await fill(page, '#layer-input', '[1, 2]');
    await page.click('#layer-run');
    await waitStatus(page, '#layer-status', /Ran a layer of 2 neurons/);
    const out = (await call(a.base, 'POST', '/v1/layers/forward', { ...layer, input: [1, 2] })).json;
    assert.deepEqual(await column(page, '#output-table', 2), full(out.pre_activation));
    assert.deepEqual(await column(page, '#output-table', 3), full(out.output));
    assert.deepEqual((await chartData(page, 'chart-output')).datasets[0].data, out.output);
    const born = (await call(a.base, 'POST', '/v1/superpositions/normalize', { amplitudes: out.output })).json.probabilities;
    const soft = (await call(a.base, 'POST', '/v1/layers/forward', { ...layer, activation: 'softmax', input: [1, 2] })).json.output;
    assert.deepEqual(await column(page, '#born-table', 2), full(born));
    assert.deepEqual(await column(page, '#born-table', 3), full(soft));
    const chart = await chartData(page, 'chart-born');
    assert.deepEqual(chart.datasets.map((d) => d.data), [born, soft]);
    shots.push(await shot(page, 'layer'));
  });

  await check('Layer: a ragged weight matrix gets psinet\'s error by the weights', async () => {
    await fill(page, '#layer-weights', '[[1, 2], [3]]');
    expectStatus('/v1/layers/forward', 422);
    await page.click('#layer-run');
    await page.waitForSelector('#layer-weights[aria-invalid="true"]');
    const api = (await call(a.base, 'POST', '/v1/layers/forward', { weights: [[1, 2], [3]], bias: layer.bias, activation: 'tanh', input: [1, 2] })).json;
    const shown = await page.$eval('#layer-weights', (e) => document.getElementById(e.getAttribute('aria-describedby')).textContent);
    assert.equal(shown, `${api.errors[0].pointer}: ${api.errors[0].message}`);
    assert.equal(api.errors[0].pointer, '/weights/1');
  });

  await check('Layer: 20,000 weights travel as base64 doubles and read back exactly', async () => {
    await page.click('details.random summary');
    await fill(page, '#random-rows', '200');
    await fill(page, '#random-cols', '100');
    await page.click('#random-fill');
    await page.selectOption('#layer-activation', 'sigmoid');
    const sent = [];
    const onRequest = (r) => { if (r.url().endsWith('/v1/layers/forward')) sent.push(r.postData()); };
    page.on('request', onRequest);
    await page.click('#layer-run');
    await waitStatus(page, '#layer-status', /Ran a layer of 200 neurons on 100 inputs \(sent and answered as binary/);
    page.off('request', onRequest);
    assert.ok(sent.length >= 2 && sent.every((b) => JSON.parse(b).encoding === 'b64' && JSON.parse(b).weights.shape[0] === 200));
    const parse = (t) => t.split(/[\s,]+/).filter(Boolean).map(Number);
    const weights = (await page.inputValue('#layer-weights')).split('\n').map(parse);
    const body = { weights, bias: parse(await page.inputValue('#layer-bias')), activation: 'sigmoid', input: parse(await page.inputValue('#layer-input')) };
    const out = (await call(a.base, 'POST', '/v1/layers/forward', body)).json;
    assert.deepEqual(await column(page, '#output-table', 3), full(out.output));
    assert.deepEqual(await column(page, '#output-table', 2), full(out.pre_activation));
    // The client module on its own, both ways, past 16,384 doubles.
    const roundTrip = await page.evaluate(async () => {
      const m = await import('./ui/psinet.js');
      const xs = Array.from({ length: 40000 }, (_, i) => Math.sin(i) * 1e3 + i / 7);
      const back = m.fromB64(m.vectorToB64(xs));
      const api = new m.Psinet({ base: '' });
      const bin = await api.normalize(xs, { binary: true });
      const json = await api.normalize(xs);
      return { same: back.every((x, i) => Object.is(x, xs[i])) && back.length === xs.length,
        sameAnswer: JSON.stringify(bin) === JSON.stringify(json) };
    });
    assert.deepEqual(roundTrip, { same: true, sameAnswer: true });
  });

  let net;
  await check('Network: store one, run it with trace; every layer\'s activations in a heat map', async () => {
    await page.check('input[name="layer-mode"][value="network"]');
    await page.click('details.new-network summary');
    await page.click('#network-store');
    await waitStatus(page, '#layer-status', /Stored network net_/);
    const id = /net_[a-z2-7]{20}/.exec(await page.textContent('#layer-status'))[0];
    net = (await call(a.base, 'GET', `/v1/networks/${id}?include=weights`)).json;
    assert.equal(await page.inputValue('#network-select'), id);
    await fill(page, '#layer-input', '1, 0');
    await page.click('#layer-run');
    await waitStatus(page, '#layer-status', /Ran xor-ish: 2 layers/);
    const res = (await call(a.base, 'POST', `/v1/networks/${id}/forward`, { input: [1, 0], trace: true })).json;
    const cells = await page.$$eval('#trace-map tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td data.num')].map((d) => d.value)));
    assert.deepEqual(cells, [full([1, 0]), ...res.layers.map((l) => full(l.output))]);
    assert.deepEqual(await column(page, '#output-table', 3), full(res.output));
    const last = net.layers[1];
    const soft = (await call(a.base, 'POST', '/v1/layers/forward',
      { weights: last.weights, activation: 'softmax', input: res.layers[0].output })).json.output;
    assert.deepEqual(await column(page, '#born-table', 3), full(soft));
    shots.push(await shot(page, 'network'));
  });

  // ---------------------------------------------------------------- Experiments
  await page.click('nav a[data-view="experiments"]');
  await check('Experiments: run a layer_superposition: parameters, metrics and charts are psinet\'s', async () => {
    await page.click('#exp-run');
    await waitStatus(page, '#exp-status', /Stored as exp_/);
    const id = /exp_[a-z2-7]{20}/.exec(await page.textContent('#exp-status'))[0];
    const exp = (await call(a.base, 'GET', `/v1/experiments/${id}`)).json;
    assert.equal(await page.textContent('#exp-detail-title'), 'softmax vs born');
    assert.deepEqual(exp.params, { layer: { weights: [[1, 0], [0, 1], [1, 1]], activation: 'sigmoid' }, input: [0.5, -0.5], mapping: 'l2', shots: 100, seed: 7 });
    assert.deepEqual(JSON.parse(await page.textContent('#exp-params')), exp.params);
    const metrics = await page.$$eval('#exp-metrics tr', (trs) => trs.map((tr) => [tr.dataset.metric, tr.querySelector('data')?.value ?? tr.cells[1].textContent]));
    assert.deepEqual(metrics, Object.entries(exp.result.metrics).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v)]));
    const dist = await chartData(page, 'exp-chart-distribution');
    assert.deepEqual(dist.datasets.map((d) => d.data), [exp.result.state.probabilities, exp.result.reference_distribution]);
    const meas = await chartData(page, 'exp-chart-measurement');
    assert.deepEqual(meas.datasets[0].data, dist.labels.map((l) => (exp.result.measurement.counts[l] || 0) / 100));
    assert.equal(await page.evaluate(() => window.location.hash), `#experiments/${id}`);
    shots.push(await shot(page, 'experiment-layer-superposition'));
  });

  await check('Experiments: run a neuron_activation on a stored state', async () => {
    await page.selectOption('#exp-kind', 'neuron_activation');
    await fill(page, '#exp-name', 'neurons as measurements');
    await page.check('input[name="na-source"][value="stored"]');
    await page.selectOption('#na-state', stored.id);
    // Complex amplitudes are refused for neurons: the error names the state.
    expectStatus('/v1/experiments', 422);
    await page.click('#exp-run');
    await page.waitForSelector('#na-state[aria-invalid="true"]');
    await page.check('input[name="na-source"][value="amplitudes"]');
    await fill(page, '#na-amplitudes', '0.6 0.8');
    await page.click('#exp-run');
    await page.waitForFunction(() => document.getElementById('exp-detail-title').textContent === 'neurons as measurements');
    const id = /exp_[a-z2-7]{20}/.exec(await page.textContent('#exp-status'))[0];
    const exp = (await call(a.base, 'GET', `/v1/experiments/${id}`)).json;
    assert.equal(exp.kind, 'neuron_activation');
    const chart = await chartData(page, 'exp-chart-neurons');
    assert.deepEqual(chart.datasets.map((d) => d.data),
      [exp.result.neurons.map((n) => n.activation), exp.result.neurons.map((n) => n.probability)]);
    const corr = await page.$eval('#exp-metrics tr[data-metric="activation_probability_correlation"] data', (d) => d.value);
    assert.equal(corr, String(exp.result.metrics.activation_probability_correlation));
    shots.push(await shot(page, 'experiment-neuron-activation'));
  });

  await check('Experiments: filters and cursor pages show the pages psinet gives', async () => {
    for (let i = 0; i < 11; i++) {
      await call(a.base, 'POST', '/v1/experiments', { name: `paged ${i}`, kind: 'neuron_activation', tags: ['paged'],
        params: { amplitudes: [1, i], weights: [[1, 1]], activation: 'relu' } });
    }
    await fill(page, '#filter-tag', 'paged');
    await page.selectOption('#filter-limit', '5');
    await page.click('#exp-filter button[type="submit"]');
    const ids = () => page.$$eval('#exp-list tbody tr[data-id]', (trs) => trs.map((tr) => tr.dataset.id));
    let cursor = null;
    const apiPages = [];
    do {
      const q = new URLSearchParams({ tag: 'paged', limit: '5' });
      if (cursor) q.set('cursor', cursor);
      const p = (await call(a.base, 'GET', `/v1/experiments?${q}`)).json;
      apiPages.push(p.items.map((x) => x.id));
      cursor = p.next_cursor;
    } while (cursor);
    assert.equal(apiPages.length, 3);
    for (let i = 0; i < apiPages.length; i++) {
      await listed(page);
      assert.equal(await page.textContent('#exp-page'), `Page ${i + 1}`);
      assert.deepEqual(await ids(), apiPages[i]);
      if (i < apiPages.length - 1) await page.click('#exp-next');
    }
    assert.equal(await page.isDisabled('#exp-next'), true);
    await page.click('#exp-prev');
    await listed(page);
    assert.equal(await page.textContent('#exp-page'), 'Page 2');
    assert.deepEqual(await ids(), apiPages[1]);
    shots.push(await shot(page, 'experiments'));
    // By kind.
    await page.click('#exp-filter button[type="reset"]');
    await page.selectOption('#filter-kind', 'layer_superposition');
    await page.click('#exp-filter button[type="submit"]');
    await listed(page);
    const lsIds = (await call(a.base, 'GET', '/v1/experiments?kind=layer_superposition&limit=10')).json.items.map((x) => x.id);
    assert.deepEqual(await ids(), lsIds);
    // Created after a time still to come: none.
    await page.selectOption('#filter-kind', '');
    await fill(page, '#filter-after', '2999-01-01T00:00');
    await page.click('#exp-filter button[type="submit"]');
    await listed(page);
    assert.equal(await page.textContent('#exp-list tbody td.hint'), 'No experiment matches.');
    await page.click('#exp-filter button[type="reset"]');
    await page.waitForFunction(() => document.querySelectorAll('#exp-list tbody tr[data-id]').length === 10);
  });

  await check('Experiments: export saves every experiment the filters select, as psinet streams it (CSV and NDJSON)', async () => {
    await page.click('#exp-filter button[type="reset"]');
    await fill(page, '#filter-tag', 'paged');
    await page.selectOption('#filter-limit', '5'); // a page is not a limit of the export
    for (const format of ['csv', 'ndjson']) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click(`#exp-export-${format}`),
      ]);
      assert.equal(download.suggestedFilename(), `experiments.${format}`);
      const saved = readFileSync(await download.path(), 'utf8');
      const direct = await (await fetch(`${a.base}/v1/experiments/export?tag=paged&format=${format}`)).text();
      assert.equal(saved, direct);
      if (format === 'ndjson') {
        const items = saved.split('\n').filter((l) => l).map((l) => JSON.parse(l));
        assert.equal(items.length, 11);
        assert.ok(items.every((x) => x.tags.includes('paged')));
        await waitStatus(page, '#exp-export-status', /^Saved experiments\.ndjson: 11 experiments\.$/);
      } else {
        assert.equal(saved.split('\r\n')[0].split(',').slice(0, 3).join(','), 'id,name,kind');
        await waitStatus(page, '#exp-export-status', /^Saved experiments\.csv/);
      }
    }
    await page.click('#exp-filter button[type="reset"]');
    await page.waitForFunction(() => document.querySelectorAll('#exp-list tbody tr[data-id]').length === 10);
  });

  await check('Experiments: open one from the list, edit its name, notes and tags', async () => {
    const first = await page.$eval('#exp-list tbody tr[data-id]', (tr) => tr.dataset.id);
    await page.click(`#exp-list tr[data-id="${first}"] button`);
    await page.waitForFunction((id) => window.location.hash === `#experiments/${id}`, first);
    await fill(page, '#edit-name', 'renamed in the lab');
    await fill(page, '#edit-tags', 'paged, edited');
    await fill(page, '#edit-notes', 'checked in the browser');
    await page.click('#edit-save');
    await waitStatus(page, '#edit-status', /Saved/);
    const exp = (await call(a.base, 'GET', `/v1/experiments/${first}`)).json;
    assert.equal(exp.name, 'renamed in the lab');
    assert.deepEqual(exp.tags, ['paged', 'edited']);
    assert.equal(exp.notes, 'checked in the browser');
    assert.equal(await page.textContent('#exp-detail-title'), 'renamed in the lab');
    await page.waitForFunction((id) => document.querySelector(`#exp-list tr[data-id="${id}"] button`).textContent === 'renamed in the lab', first);
    // An empty name is psinet's to refuse, by the name field.
    await fill(page, '#edit-name', '');
    expectStatus('/v1/experiments/', 422);
    await page.click('#edit-save');
    await page.waitForSelector('#edit-name[aria-invalid="true"]');
    shots.push(await shot(page, 'experiment-edited'));
  });

  await check('Experiments: rerun says identical, or where the result first differs and why', async () => {
    const sup = (await call(a.base, 'POST', '/v1/superpositions', { name: 'as measured', amplitudes: [3, 4], normalize: false })).json;
    const exp = (await call(a.base, 'POST', '/v1/experiments', { name: 'before normalizing', kind: 'neuron_activation',
      params: { superposition_id: sup.id, weights: [[1, 1]], activation: 'identity' } })).json;
    await page.evaluate((id) => { window.location.hash = `#experiments/${id}`; }, exp.id);
    await page.waitForFunction(() => document.getElementById('exp-detail-title').textContent === 'before normalizing');
    assert.equal(await page.locator('#exp-action-output .verdict').count(), 0);
    const rerunButton = '#exp-actions button[data-action="rerun"]';
    const verdict = '#exp-action-output .verdict';
    const inputs = () => page.$$eval('#exp-action-output .rerun-inputs tbody tr', (trs) => trs.map((tr) =>
      [...tr.cells].map((c) => c.querySelector('code')?.title || c.textContent)));
    // As it ran: identical.
    await page.click(rerunButton);
    await page.waitForSelector(verdict);
    const same = (await call(a.base, 'POST', `/v1/experiments/${exp.id}/rerun`)).json;
    assert.equal(same.identical, true);
    assert.equal(await page.textContent(verdict), `Identical — ${same.summary}`);
    assert.equal(await page.locator('#exp-action-output .rerun-difference').count(), 0);
    const h0 = same.inputs[0];
    assert.deepEqual(await inputs(), [['superposition', sup.id, 'same', h0.recorded_sha256, h0.current_sha256]]);
    // Its superposition normalized since: the first difference, both values.
    assert.equal((await call(a.base, 'POST', `/v1/superpositions/${sup.id}/normalize`)).status, 200);
    await page.click(rerunButton);
    await page.waitForSelector(`${verdict}.differs`);
    const diff = (await call(a.base, 'POST', `/v1/experiments/${exp.id}/rerun`)).json;
    assert.equal(diff.identical, false);
    assert.equal(await page.textContent(verdict), `Different — ${diff.summary}`);
    assert.equal(await page.textContent('#exp-action-output .rerun-difference .pointer'), diff.difference.pointer);
    const sides = await page.$$eval('#exp-action-output .rerun-difference tr[data-side]', (trs) => trs.map((tr) => tr.querySelector('data').value));
    assert.deepEqual(sides, [String(diff.difference.stored), String(diff.difference.recomputed)]);
    assert.deepEqual(await inputs(), [['superposition', sup.id, 'differs', diff.inputs[0].recorded_sha256, diff.inputs[0].current_sha256]]);
    shots.push(await shot(page, 'experiment-rerun'));
    // Deleted: not recomputed, and said so.
    assert.equal((await call(a.base, 'DELETE', `/v1/superpositions/${sup.id}`)).status, 204);
    await page.click(rerunButton);
    await page.waitForFunction(() => /^Not recomputed/.test(document.querySelector('#exp-action-output .verdict')?.textContent || ''));
    const gone = (await call(a.base, 'POST', `/v1/experiments/${exp.id}/rerun`)).json;
    assert.equal(await page.textContent(verdict), `Not recomputed — ${gone.summary}`);
    assert.equal((await inputs())[0][2], 'deleted');
    // Another experiment opened: the verdict goes with the one it was about.
    await page.click('#exp-list tbody tr[data-id] button');
    await page.waitForFunction(() => document.querySelector('#exp-action-output .verdict') === null);
  });

  await check('Experiments: a collapse_propagation run by the API shows its outcomes beside the deterministic output', async () => {
    const made = (await call(a.base, 'POST', '/v1/experiments', { name: 'collapse in the lab', kind: 'collapse_propagation',
      params: { layers: [{ weights: [[1, 0], [0, 1], [1, 1]], activation: 'sigmoid' }, { weights: [[2, 0, 1], [0, 2, 1]], activation: 'softmax' }],
        input: [0.5, -0.5], shots: 300, seed: 11 } })).json;
    await page.evaluate((id) => { window.location.hash = `#experiments/${id}`; }, made.id);
    await page.waitForFunction(() => document.getElementById('exp-detail-title').textContent === 'collapse in the lab');
    const chart = await chartData(page, 'exp-chart-final');
    assert.deepEqual(chart.datasets.map((d) => d.data), [made.result.final.distribution, made.result.deterministic.distribution]);
    const agreement = await page.$eval('#exp-metrics tr[data-metric="agreement"] data', (d) => d.value);
    assert.equal(agreement, String(made.result.metrics.agreement));
    shots.push(await shot(page, 'experiment-collapse-propagation'));
  });

  await check('every view is readable in a narrow window (390 px): nothing wider than it', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const view of ['state', 'layer', 'experiments']) {
      await page.click(`nav a[data-view="${view}"]`);
      await page.waitForSelector(`#view-${view}:not([hidden])`);
      const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(over <= 0, `${view}: ${over} px wider than the window`);
      shots.push(await shot(page, `narrow-${view}`));
      if (view === 'state') {
        const file = path.join(shotDir, 'narrow-state-operations.png');
        await page.locator('#state-operations').screenshot({ path: file });
        shots.push(file);
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await context.close();

  // ---------------------------------------------------------------- an API key
  await check('with an API key (and --auth-reads) the page asks for it and keeps it for the session only', async () => {
    const key = 'lab-browser-key-0123456789';
    await b.stop();
    const keyFile = path.join(work, 'key');
    writeFileSync(keyFile, `${key}\n`);
    const keyed = await startPsinet('keyed', ['--auth-reads', '--api-key-file', keyFile]);
    b.stop = keyed.stop;
    context = await browserContext({ width: 1280, height: 800 });
    expectStatus(keyed.base, 401, true);
    const { page: p } = await openPage(context, keyed.base);
    await p.waitForSelector('#key-panel[open]');
    await p.waitForSelector('#lab-alert:not([hidden])');
    assert.equal(await p.evaluate(() => document.activeElement.id), 'key-input');
    shots.push(await shot(p, 'api-key'));
    expected.length = 0; // no 401 from here on
    await p.fill('#key-input', key);
    await p.click('#key-form button[type="submit"]');
    await p.waitForSelector('#key-panel:not([open])');
    const state = (await call(keyed.base, 'POST', '/v1/superpositions', { name: 'keyed', amplitudes: [1, 1] }, key)).json;
    await p.click('#states-refresh');
    await p.waitForSelector(`#states-list tr[data-id="${state.id}"]`);
    assert.equal(await p.textContent('#key-badge'), 'set');
    assert.deepEqual(await p.evaluate(() => [sessionStorage.getItem('psinet.apiKey'), localStorage.length]), [key, 0]);
    // A reload keeps it (the same session); a new browser does not have it.
    await p.reload();
    await p.waitForSelector(`#states-list tr[data-id="${state.id}"]`);
    await context.close();
    context = await browserContext({ width: 1280, height: 800 });
    expectStatus(keyed.base, 401, true);
    const { page: fresh } = await openPage(context, keyed.base);
    await fresh.waitForSelector('#key-panel[open]');
    assert.equal(await fresh.evaluate(() => sessionStorage.getItem('psinet.apiKey')), null);
  });
} catch (e) {
  failed++;
  console.log(`FAIL the run stopped: ${e.stack || e}`);
} finally {
  if (context) await context.close().catch(() => {});
  const codes = [await a.stop(), await b.stop()];
  if (codes.some((c) => c !== 0)) {
    failed++;
    console.log(`FAIL psinet exited with ${codes.join(', ')} after SIGTERM`);
  }
  rmSync(work, { recursive: true, force: true });
}
console.log('screenshots:');
for (const s of shots) console.log(`  ${s}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
