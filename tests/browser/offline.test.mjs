// The observer app in Debian's Chromium at phone size: log in online, lose the network
// (browser offline and the server stopped), record a whole walkthrough with two photos,
// reload offline, come back online — the server holds the walkthrough exactly once with
// both photos byte-identical — then a manager returns it and the comment reaches the phone,
// which sends the correction as revision 2.
//
// Env: FLOWWALK_BIN (server binary), FLOWWALK_WEB_DIR (built bundle), BACKEND (sqlite |
// postgres), FLOWWALK_DATABASE_URL (for postgres: a fresh database), SCREENSHOTS (folder).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BIN = process.env.FLOWWALK_BIN;
const WEB_DIR = process.env.FLOWWALK_WEB_DIR;
const BACKEND = process.env.BACKEND || 'sqlite';
const SHOTS = process.env.SCREENSHOTS || fileURLToPath(new URL('./screenshots', import.meta.url));
const PASSWORD = 'flowwalk-demo';
assert.ok(BIN && WEB_DIR, 'FLOWWALK_BIN and FLOWWALK_WEB_DIR are required');
mkdirSync(SHOTS, { recursive: true });

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
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

/** The real server, started and stopped at will on one port and one database. */
class Server {
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

let step = 0;
async function shot(page, name) {
  step += 1;
  await page.screenshot({ path: join(SHOTS, `${BACKEND}-${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** A phone-like JPEG made by the browser itself: big, detailed, different per seed. */
async function phoneJpeg(page, seed, landscape = false) {
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
function withOrientation6(jpeg) {
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
async function onDevice(page) {
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
    db.close();
    return { outbox: outboxReq ? JSON.parse(outboxReq) : null, photos, sizes };
  });
}

async function waitForState(page, state, timeout = 60000) {
  await page.locator(`[data-testid=outbox-entry][data-state=${state}]`).first().waitFor({ timeout });
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'flowwalk-browser-'));
  const server = new Server(await freePort(), dataDir);
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
    // The hall: 天宁区 (Changzhou). The phone's position fix works offline.
    geolocation: { latitude: 31.7795, longitude: 119.9741, accuracy: 25 },
    permissions: ['geolocation'],
  });
  const page = await context.newPage();
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`pageerror: ${e.message}`));
  const started = Date.now();
  try {
    await server.start();

    // --- Online: log in once; the tasks and templates come down.
    await page.goto(server.base + '/');
    await page.locator('input[name=username]').waitFor();
    await shot(page, 'login');
    await page.fill('input[name=username]', 'experiencer');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('[data-testid=login-submit]');
    await page.locator('[data-testid=task]').first().waitFor({ timeout: 20000 });
    // The service worker controls the page before the network goes.
    await page.evaluate(() => navigator.serviceWorker.ready);
    if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) {
      await page.reload();
      await page.locator('[data-testid=task]').first().waitFor();
      assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller), 'service worker controls the page');
    }
    await shot(page, 'tasks');
    // A second tab of the app stays idle, so two windows never overwrite each other.
    const tab2 = await context.newPage();
    await tab2.goto(server.base + '/');
    await tab2.locator('[data-testid=second-window]').waitFor();
    await tab2.close();
    // English on request, and back to Chinese (the choice is kept on the phone).
    await page.click('[data-testid=lang]');
    await page.locator('[data-testid=nav-outbox]', { hasText: 'Outbox' }).waitFor();
    await shot(page, 'tasks-english');
    await page.click('[data-testid=lang]');
    await page.locator('[data-testid=nav-outbox]', { hasText: '发件箱' }).waitFor();

    // --- The network goes: the browser is offline and the server is down.
    await context.setOffline(true);
    await server.stop();
    await page.locator('[data-testid=net]', { hasText: '离线' }).waitFor();

    // --- A whole walkthrough, offline.
    await page.locator('[data-testid=start-walk]').first().click();
    await page.click('[data-testid=btn-wait]');
    await sleep(1200);
    await page.click('[data-testid=btn-serve]');
    await sleep(1200);
    const waited = await page.locator('[data-testid=wait-time]').textContent();
    assert.notEqual(waited, '0分00秒', 'waiting was timed');
    await page.click('[data-testid=outcome-Done]');
    await page.click('[data-testid=btn-wait]');
    await page.click('[data-testid=add-unplanned]');
    await page.locator('[data-testid=unplanned-kind]').first().click();
    await page.locator('.step-row .tag', { hasText: '计划外' }).waitFor();
    await shot(page, 'recorder');

    await page.click('[data-testid=add-finding]');
    await page.locator('[data-testid=category]').first().click();
    await page.fill('textarea[name=description]', '叫号屏不显示,等候20分钟无人叫号');
    // The second is a portrait photo as phones store them: landscape pixels, Orientation 6.
    const shots = [await phoneJpeg(page, 1), withOrientation6(await phoneJpeg(page, 2, true))];
    await page.setInputFiles('[data-testid=photo-input]', shots.map((buffer, i) => ({
      name: `IMG_000${i + 1}.jpg`, mimeType: 'image/jpeg', buffer,
    })));
    await page.locator('[data-testid=photo-thumb]').nth(1).waitFor({ timeout: 20000 });
    await page.click('[data-testid=attach-location]');
    await page.locator('[data-testid=location-fixed]').waitFor({ timeout: 15000 });
    await shot(page, 'finding');
    await page.click('[data-testid=save-finding]');

    await page.click('[data-testid=to-finish]');
    await page.locator('[data-testid=satisfaction]').nth(3).click();
    await page.locator('[data-testid=smoothness]').nth(3).click();
    await shot(page, 'finish');
    await page.click('[data-testid=submit]');
    await waitForState(page, 'waiting', 10000);
    assert.equal(await page.locator('[data-testid=outbox-entry]').count(), 1, 'one entry in the outbox');
    await shot(page, 'outbox-offline');

    // Durable on the phone: the record, and every photo under its own hash.
    const before = await onDevice(page);
    for (const [key, digest] of Object.entries(before.photos)) {
      assert.equal(digest, key, `stored photo ${key} hashes to its key`);
    }
    assert.equal(before.outbox.entries.length, 1);
    const record = before.outbox.entries[0].record;
    const hashes = record.findings.flatMap((f) => f.photos);
    assert.equal(hashes.length, 2, 'two photos referenced');
    for (const h of hashes) {
      assert.equal(before.photos[h], h, `photo ${h} stored intact`);
      // Downscaled on the phone, upright, long edge 2048: both photos are portrait, one
      // drawn so (3024 × 4032), one stored sideways with Orientation 6 (4032 × 3024).
      assert.deepEqual(before.sizes[h], [1536, 2048], `photo ${h} downscaled upright`);
    }
    assert.ok(record.steps.length >= 3, 'two template steps and the unplanned one');

    // --- Reload while offline and the server is down: the shell and every record are there.
    await page.reload();
    await page.locator('[data-testid=net]', { hasText: '离线' }).waitFor();
    await page.click('[data-testid=nav-outbox]');
    await waitForState(page, 'waiting', 10000);
    assert.equal(await page.locator('[data-testid=outbox-entry]').count(), 1, 'still one entry after the reload');
    const after = await onDevice(page);
    assert.deepEqual(after.outbox.entries[0].record, record, 'the record survived the reload');
    assert.deepEqual(after.photos, before.photos, 'the photos survived the reload');
    assert.deepEqual(after.sizes, before.sizes);
    await shot(page, 'outbox-after-reload');

    // --- Back online: the app notices by itself and sends; it arrives once, whole.
    await server.start();
    await context.setOffline(false);
    await waitForState(page, 'sent', 30000);
    await shot(page, 'outbox-sent');

    const manager = await server.login('manager');
    const list = (await (await server.api(manager, 'GET', '/api/v1/walkthroughs?limit=200')).json()).items;
    assert.equal(list.filter((w) => w.id === record.id).length, 1, 'exactly one walkthrough on the server');
    const detail = await (await server.api(manager, 'GET', `/api/v1/walkthroughs/${record.id}`)).json();
    assert.deepEqual(detail.record.findings.flatMap((f) => f.photos), hashes);
    assert.equal(detail.record.findings[0].location.lat, 31.7795, 'the finding carries its location');
    for (const h of hashes) {
      const r = await server.api(manager, 'GET', `/api/v1/photos/${h}/original`);
      assert.equal(r.status, 200);
      assert.equal(sha256(Buffer.from(await r.arrayBuffer())), h, 'server photo byte-identical to the phone');
    }

    // --- The manager returns it; the comment reaches the phone; the correction goes as rev 2.
    const comment = '请补拍叫号机的照片,并注明窗口号';
    const ret = await server.api(manager, 'POST', `/api/v1/walkthroughs/${record.id}/return`, { rev: 1, comment });
    assert.equal(ret.status, 204);
    await page.click('[data-testid=sync-now]');
    await page.locator('[data-testid=review-comment]', { hasText: comment }).waitFor({ timeout: 30000 });
    await shot(page, 'returned');
    await page.click('[data-testid=correct]');
    await page.locator('[data-testid=returned-comment]', { hasText: comment }).waitFor();
    await page.click('[data-testid=to-finish]');
    await page.fill('textarea[name=comment]', '已补充:3号窗口');
    await page.click('[data-testid=submit]');
    await waitForState(page, 'sent', 60000);
    const again = (await (await server.api(manager, 'GET', '/api/v1/walkthroughs?limit=200')).json()).items;
    const mine = again.filter((w) => w.id === record.id);
    assert.equal(mine.length, 1, 'still one walkthrough');
    assert.equal(mine[0].rev, 2, 'the correction is revision 2');
    const corrected = await (await server.api(manager, 'GET', `/api/v1/walkthroughs/${record.id}`)).json();
    assert.equal(corrected.record.comment, '已补充:3号窗口');
    await shot(page, 'corrected');

    // --- A new volunteer joins with an invite code (online) and sees the assigned task.
    const assignments = await (await server.api(manager, 'GET', '/api/v1/assignments')).json();
    const invite = await (await server.api(manager, 'POST', '/api/v1/invites', {
      role: 'experiencer', assignment_ids: [assignments[0].id],
    })).json();
    const fresh = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const phone2 = await fresh.newPage();
    await phone2.goto(server.base + '/');
    await phone2.click('[data-testid=tab-invite]');
    await phone2.fill('input[name=code]', invite.code);
    await phone2.fill('input[name=username]', `volunteer_${BACKEND}`);
    await phone2.fill('input[name=password]', 'volunteer-pass-2026');
    await shot(phone2, 'invite');
    await phone2.click('[data-testid=login-submit]');
    await phone2.locator('[data-testid=task]').first().waitFor({ timeout: 20000 });
    assert.equal(await phone2.locator('[data-testid=task]').count(), 1, 'the invited task, and only it');
    await fresh.close();

    console.log(`browser test (${BACKEND}): passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    await page.screenshot({ path: join(SHOTS, `${BACKEND}-failure.png`), fullPage: true }).catch(() => {});
    console.error(`browser test (${BACKEND}) FAILED: ${e.stack || e}`);
    console.error('--- page console\n' + consoleLines.slice(-40).join('\n'));
    console.error('--- server log (tail)\n' + server.log.slice(-4000));
    process.exitCode = 1;
  } finally {
    await browser.close().catch(() => {});
    await server.stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
