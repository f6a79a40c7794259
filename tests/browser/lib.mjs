// What the browser tests share: the real server started and stopped at will, Debian's
// Chromium at phone size, phone-like JPEGs made by the browser itself, what the phone holds
// in IndexedDB, screenshots (shots.mjs), and axe-core run on a screen.
//
// Env: FLOWWALK_BIN (server binary), FLOWWALK_WEB_DIR (built bundle), BACKEND (sqlite |
// postgres), FLOWWALK_DATABASE_URL (for postgres: a fresh database), SCREENSHOTS (folder).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

import { DESKTOP, PHONE_SIZE, SHOTS, shot } from './shots.mjs';

export { assert, chromium, DESKTOP, PHONE_SIZE, SHOTS, shot };

export const BIN = process.env.FLOWWALK_BIN;
export const WEB_DIR = process.env.FLOWWALK_WEB_DIR;
export const BACKEND = process.env.BACKEND || 'sqlite';
export const PASSWORD = 'flowwalk-demo';
assert.ok(BIN && WEB_DIR, 'FLOWWALK_BIN and FLOWWALK_WEB_DIR are required');

export const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The real server, started and stopped at will on one port and one database. */
export class Server {
  constructor(port, dataDir) {
    this.port = port;
    this.base = `http://127.0.0.1:${port}`;
    this.dataDir = dataDir;
    this.log = '';
    this.proc = null;
  }

  async start() {
    const env = {
      ...process.env,
      FLOWWALK_BIND: `127.0.0.1:${this.port}`,
      FLOWWALK_DATA_DIR: this.dataDir,
      FLOWWALK_WEB_DIR: WEB_DIR,
      RUST_LOG: 'warn',
    };
    this.proc = spawn(BIN, ['serve', '--demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d) => { this.log = (this.log + d).slice(-20000); };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    const exited = new Promise((r) => {
      this.proc.once('exit', r);
      this.proc.once('error', (e) => { this.log += `\ncannot start ${BIN}: ${e.message}`; r(); });
    });
    for (let i = 0; i < 300; i++) {
      const up = await fetch(`${this.base}/readyz`).then((r) => r.ok, () => false);
      if (up) return;
      const done = await Promise.race([exited.then(() => true), sleep(100).then(() => false)]);
      if (done) throw new Error(`server exited at start:\n${this.log}`);
    }
    throw new Error(`server not ready:\n${this.log}`);
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null || this.proc.pid === undefined) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await Promise.race([exited, sleep(15000)]);
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }

  async login(username) {
    const r = await fetch(`${this.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    assert.equal(r.status, 200, `login ${username}`);
    return (await r.json()).access_token;
  }

  async api(token, method, path, body) {
    const r = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return r;
  }
}


/** A phone-like JPEG made by the browser itself: big, detailed, different per seed. */
export async function phoneJpeg(page, seed, landscape = false) {
  const b64 = await page.evaluate(async ([seed, landscape]) => {
    const c = landscape ? new OffscreenCanvas(4032, 3024) : new OffscreenCanvas(3024, 4032);
    const g = c.getContext('2d');
    for (let y = 0; y < 4032; y += 96) {
      for (let x = 0; x < 3024; x += 96) {
        g.fillStyle = `hsl(${(x + y + seed * 77) % 360}, 60%, ${30 + ((x * y + seed) % 40)}%)`;
        g.fillRect(x, y, 96, 96);
      }
    }
    g.fillStyle = '#fff';
    g.font = 'bold 360px sans-serif';
    g.fillText(`叫号机 ${seed}`, 200, 2000);
    const blob = await c.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, [seed, landscape]);
  return Buffer.from(b64, 'base64');
}

/** The JPEG with an EXIF block saying Orientation = 6 (rotate 90° clockwise to view). */
export function withOrientation6(jpeg) {
  const tiff = Buffer.from([
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF, IFD0 at 8
    0x00, 0x01, // one entry
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, // Orientation = 6
    0x00, 0x00, 0x00, 0x00, // no next IFD
  ]);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(body.length + 2);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1]), len, body, jpeg.subarray(2)]);
}

/** What the phone holds in IndexedDB: the outbox document and each photo's own hash. */
export async function onDevice(page) {
  return page.evaluate(async () => {
    const db = await new Promise((res, rej) => {
      const r = indexedDB.open('flowwalk');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const all = (store, what) => new Promise((res, rej) => {
      const r = db.transaction(store).objectStore(store)[what]();
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const outboxReq = await new Promise((res, rej) => {
      const r = db.transaction('docs').objectStore('docs').get('outbox');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const keys = await all('photos', 'getAllKeys');
    const values = await all('photos', 'getAll');
    const photos = {};
    const sizes = {};
    for (let i = 0; i < keys.length; i++) {
      const digest = await crypto.subtle.digest('SHA-256', values[i]);
      photos[keys[i]] = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
      const bmp = await createImageBitmap(new Blob([values[i]], { type: 'image/jpeg' }));
      sizes[keys[i]] = [bmp.width, bmp.height];
      bmp.close();
    }
    // Documents are stored in an envelope naming their format ({format, data}).
    const unwrap = (raw) => {
      if (!raw) return null;
      const doc = JSON.parse(raw);
      return doc && typeof doc === 'object' && 'format' in doc ? doc.data : doc;
    };
    const draftsRaw = await new Promise((res, rej) => {
      const r = db.transaction('docs').objectStore('docs').get('drafts');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    db.close();
    return { outbox: unwrap(outboxReq), drafts: unwrap(draftsRaw) || [], photos, sizes };
  });
}

export async function waitForState(page, state, timeout = 60000) {
  await page.locator(`[data-testid=outbox-entry][data-state=${state}]`).first().waitFor({ timeout });
}


/** Debian's Chromium, headless, no network of its own. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A phone: 360 × 740, touch, Chinese, in the hall of 天宁区. */
export const PHONE = {
  viewport: PHONE_SIZE,
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  geolocation: { latitude: 31.7795, longitude: 119.9741, accuracy: 25 },
  permissions: ['geolocation'],
};

/** Logs the page in as `username` and waits for the task list. */
export async function logIn(page, server, username = 'experiencer') {
  await page.goto(server.base + '/');
  await page.locator('input[name=username]').waitFor();
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.locator('[data-testid=task]').first().waitFor({ timeout: 20000 });
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the screen as it is: fails on any violation of impact serious or critical,
 * naming each with its elements; the screen must have a heading.
 */
export async function accessible(page, screen) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ content: AXE });
  }
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') + ' :: ' + n.failureSummary) }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (process.env.AXE_REPORT_ONLY) {
    // For finding every violation in one run while fixing them; never in the tests.
    if (bad.length) console.log(`axe on ${screen}: ${JSON.stringify(bad, null, 2)}`);
  } else {
    assert.deepEqual(bad, [], `axe on ${screen}: ${JSON.stringify(bad, null, 2)}`);
  }
  assert.ok(await page.locator('h1').count() >= 1, `${screen} has a heading`);
  return violations.length;
}

/** Runs `body({page, server, browser, context, watch})` against a fresh server, in a fresh
 * browser (with its profile in `userDataDir` when given); prints why it failed. */
export async function run(name, body, { userDataDir } = {}) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dataDir = mkdtempSync(join(tmpdir(), 'flowwalk-browser-'));
  const server = new Server(await freePort(), dataDir);
  const browser = userDataDir ? null : await launch();
  const context = userDataDir
    ? await chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, ...PHONE })
    : await browser.newContext(PHONE);
  const page = context.pages()[0] || await context.newPage();
  const consoleLines = [];
  const watch = (p) => {
    p.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    p.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  };
  watch(page);
  const started = Date.now();
  try {
    await server.start();
    await body({ page, server, browser, context, watch });
    console.log(`browser test ${name} (${BACKEND}): passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    await page.screenshot({ path: join(SHOTS, `${BACKEND}-${name}-failure.png`), fullPage: true }).catch(() => {});
    console.error(`browser test ${name} (${BACKEND}) FAILED: ${e.stack || e}`);
    console.error('--- page console\n' + consoleLines.slice(-40).join('\n'));
    console.error('--- server log (tail)\n' + server.log.slice(-4000));
    process.exitCode = 1;
  } finally {
    await (browser || context).close().catch(() => {});
    await server.stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// --- The desk (/desk/), shared by the desk and the whole-loop tests.

/** Logs in at the desk as `username` (logging out whoever the browser kept). */
export async function deskLogin(page, server, username) {
  await page.goto(server.base + '/desk/');
  // The app starts logged in when the browser kept a session: log that one out.
  await page.locator('input[name=username], [data-testid=logout]').first().waitFor();
  const logout = page.locator('[data-testid=logout]');
  if (await logout.count()) await logout.click();
  await page.locator('input[name=username]').waitFor();
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.locator('[data-testid=who]').waitFor({ timeout: 20000 });
}

/** Opens issue `id` from the desk's list. */
export async function openIssue(page, id) {
  const row = page.locator(`[data-testid=issue][data-id="${id}"]`);
  await row.waitFor({ timeout: 20000 });
  await row.locator('[data-testid=issue-open]').click();
  await page.locator(`[data-testid=issue-page]`).waitFor();
}

/** Waits until the open issue page shows `status`. */
export async function statusIs(page, status) {
  await page.locator(`[data-testid=issue-page][data-status=${status}]`).waitFor({ timeout: 20000 });
}
