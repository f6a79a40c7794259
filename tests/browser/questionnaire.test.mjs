// The citizen's questionnaire as a new user meets it: `flowwalk serve --demo` prints the
// demo campaign's form link; a phone-sized Chromium with JavaScript switched off, on a
// slow link, opens it (the bytes transferred are measured: under 50 KB), answers it — a
// mistake first, shown with the answers kept — and the answer shows in the results; the
// browser that answered cannot answer again; the published results notice and the A4
// poster render.
//
// Env: FLOWWALK_BIN (server binary), BACKEND (sqlite | postgres), FLOWWALK_DATABASE_URL
// (for postgres: a fresh database), SCREENSHOTS (folder).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { SHOTS, shot } from './shots.mjs';

const BIN = process.env.FLOWWALK_BIN;
const BACKEND = process.env.BACKEND || 'sqlite';
const PASSWORD = 'flowwalk-demo';
const LIMIT = 50 * 1024;
assert.ok(BIN, 'FLOWWALK_BIN is required');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** `flowwalk serve --demo`, keeping what it prints. */
async function startServer(port, dataDir) {
  const env = {
    ...process.env,
    FLOWWALK_BIND: `127.0.0.1:${port}`,
    FLOWWALK_DATA_DIR: dataDir,
    FLOWWALK_WEB_DIR: join(dataDir, 'no-web-app'),
    RUST_LOG: 'warn',
  };
  const proc = spawn(BIN, ['serve', '--demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { text: '' };
  proc.stdout.on('data', (d) => { out.text += d; });
  proc.stderr.on('data', (d) => { out.text = (out.text + d).slice(-20000); });
  let exited = false;
  proc.once('exit', () => { exited = true; });
  proc.once('error', (e) => { out.text += `\ncannot start ${BIN}: ${e.message}`; exited = true; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    const up = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (up && out.text.includes('Citizen questionnaire')) return { proc, out, base };
    if (exited) throw new Error(`server exited at start:\n${out.text}`);
    await sleep(100);
  }
  throw new Error(`server not ready:\n${out.text}`);
}

async function api(base, token, method, path, body) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return r;
}


/** Counts the bytes that come over the wire (headers and compressed bodies). */
async function meter(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  // A weak hall Wi-Fi: 400 kbit/s down, 300 ms round trips.
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 300, downloadThroughput: 50 * 1024, uploadThroughput: 25 * 1024,
  });
  const m = { bytes: 0, requests: [] };
  cdp.on('Network.responseReceived', (e) => m.requests.push(e.response.url));
  cdp.on('Network.loadingFinished', (e) => { m.bytes += e.encodedDataLength; });
  return m;
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'flowwalk-questionnaire-'));
  const server = await startServer(await freePort(), dataDir);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    javaScriptEnabled: false,
    userAgent: 'Mozilla/5.0 (Linux; Android 12) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile Safari/537.36 MicroMessenger/8.0.47',
  });
  const page = await context.newPage();
  const started = Date.now();
  try {
    // --- The link a new user gets from `flowwalk serve --demo`.
    const line = server.out.text.split('\n').find((l) => l.includes('Citizen questionnaire'));
    const link = line && line.match(/(http:\/\/\S+)/)[1];
    assert.ok(link, `the demo prints the form link:\n${server.out.text}`);
    const manager = await (await api(server.base, null, 'POST', '/api/v1/auth/login', { username: 'manager', password: PASSWORD })).json();
    const token = manager.access_token;
    const campaign = (await (await api(server.base, token, 'GET', '/api/v1/campaigns')).json())[0];
    const resultsPath = `/api/v1/campaigns/${campaign.id}/results`;
    const before = await (await api(server.base, token, 'GET', resultsPath)).json();

    // --- First open, JavaScript off, slow link: measured.
    const m = await meter(context, page);
    const t0 = Date.now();
    const res = await page.goto(link, { waitUntil: 'load' });
    const openMs = Date.now() - t0;
    assert.equal(res.status(), 200);
    await sleep(300); // the last loadingFinished events
    console.log(`questionnaire form (${BACKEND}): first open ${m.bytes} bytes transferred in ${m.requests.length} request(s) ` +
      `(limit ${LIMIT}); ${openMs} ms at 400 kbit/s, 300 ms RTT`);
    assert.ok(m.bytes > 1000 && m.bytes < LIMIT, `first open transfers ${m.bytes} bytes`);
    assert.equal(m.requests.length, 1, `one request, nothing else to fetch: ${m.requests.join(', ')}`);
    assert.equal(await page.locator('script').count(), 0, 'no script');
    await page.getByText('您去过或知晓以下哪些政务服务场所?').waitFor();
    // Large tap targets: every option is at least 44 CSS pixels tall and full width.
    const boxes = await page.locator('label.opt').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.width, r.height]))
      .catch(async () => Promise.all((await page.locator('label.opt').all()).map(async (l) => { const b = await l.boundingBox(); return [b.width, b.height]; })));
    // (The dependent question's options are hidden, 0×0, until it is asked.)
    const shown = boxes.filter(([w, h]) => w > 0 || h > 0);
    assert.ok(shown.length > 40 && shown.length < boxes.length, `${shown.length} of ${boxes.length} options shown`);
    for (const [w, h] of shown) assert.ok(h >= 44 && w >= 280, `tap target ${w}×${h}`);
    // The dependent question waits for "是" (CSS only, no script).
    assert.equal(await page.locator('#b_q7').isVisible(), false, 'q7 hidden until q6 is yes');
    await shot(page, 'form', 'q');

    // --- Answer, with a mistake: "以上均无" together with another problem.
    const tick = (q, v) => page.locator(`input[name=${q}][value=${v}]`).check();
    await tick('q1', 'district');
    await tick('q1', 'hrss');
    await tick('q2', 'social');
    await tick('q3', 'city_app');
    await tick('q4', 'very_smooth');
    await tick('q5', 'smooth');
    await tick('q6', 'yes');
    assert.equal(await page.locator('#b_q7').isVisible(), true, 'q7 shown after yes');
    await tick('q7', 'smooth');
    await tick('q8', 'long_queue');
    await tick('q8', 'none');
    await tick('q9', 'none');
    await tick('q10', 'parking');
    await page.fill('textarea[name=q11]', '窗口人员很耐心,<b>效率高</b>');
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    await page.getByText('“以上均无”不能与其他选项同时选择').waitFor();
    assert.ok(await page.getByText('有 1 处需要修改').isVisible());
    assert.equal(await page.locator('input[name=q1][value=hrss]').isChecked(), true, 'answers kept');
    assert.equal(await page.locator('input[name=q7][value=smooth]').isChecked(), true, 'answers kept');
    assert.equal(await page.locator('textarea[name=q11]').inputValue(), '窗口人员很耐心,<b>效率高</b>', 'text kept, as text');
    await shot(page, 'form-problem', 'q');
    await page.locator('input[name=q8][value=none]').uncheck();
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    await page.getByText('提交成功').waitFor();
    await shot(page, 'thanks', 'q');

    // --- The same browser cannot answer again.
    await page.goto(link);
    await page.getByText('您已提交过本次问卷').waitFor();
    assert.equal(await page.locator('form').count(), 0);

    // --- The answer shows in the results.
    const after = await (await api(server.base, token, 'GET', resultsPath)).json();
    assert.equal(after.respondents, before.respondents + 1);
    const count = (r, q, c) => r.questions.find((x) => x.question_id === q).options.find((o) => o.choice_id === c).count;
    assert.equal(count(after, 'q8', 'long_queue'), count(before, 'q8', 'long_queue') + 1);
    assert.equal(count(after, 'q1', 'hrss'), count(before, 'q1', 'hrss') + 1);
    const q7 = (r) => r.questions.find((x) => x.question_id === 'q7').base;
    assert.equal(q7(after), q7(before) + 1, 'the dependent question counts the new "yes"');

    // --- Published again, the notice reads like the district's and counts the answer.
    const pub = await api(server.base, token, 'POST', `/api/v1/campaigns/${campaign.id}/publish`, {
      conclusion: '通过对调查结果的分析,多数企业群众办事体验感较好。\n下一步将对照问题清单逐项整改。',
    });
    assert.equal(pub.status, 200);
    await page.goto(`${server.base}/r/${campaign.code}`);
    await page.getByText('一、问卷调查结果:').waitFor();
    const notice = await page.locator('main').innerText();
    for (const part of ['结果反馈', `共收回有效问卷${after.respondents}份`, '二、总结分析:', '提及最多关键词分别为', '占比']) {
      assert.ok(notice.includes(part), `${part} in the notice`);
    }
    await shot(page, 'results-notice', 'q');

    // --- The venue's A4 poster.
    await page.goto(`${link}/poster`);
    await page.getByText('微信扫一扫 参与问卷').waitFor();
    assert.equal(await page.locator('svg').count(), 1, 'the QR code');
    await shot(page, 'poster', 'q');

    console.log(`questionnaire browser test (${BACKEND}): passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    await page.screenshot({ path: join(SHOTS, `${BACKEND}-questionnaire-failure.png`), fullPage: true }).catch(() => {});
    console.error(`questionnaire browser test (${BACKEND}) FAILED: ${e.stack || e}`);
    console.error('--- server output (tail)\n' + server.out.text.slice(-4000));
    process.exitCode = 1;
  } finally {
    await browser.close().catch(() => {});
    if (server.proc.exitCode === null) {
      const exited = new Promise((r) => server.proc.once('exit', r));
      server.proc.kill('SIGTERM');
      await Promise.race([exited, sleep(15000)]);
      if (server.proc.exitCode === null) server.proc.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
