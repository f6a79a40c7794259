// A full disk never loses a photo silently. The browser's profile lives
// on a small tmpfs; once the observer is recording, the disk is filled until a few MB are
// left, and photos are taken until IndexedDB refuses one. The refused photo is not shown as
// taken, nothing refers to it, the observer is told why and what to do; every photo the
// finding refers to is stored, and with space freed the finding saves with exactly those.
// When Chromium itself drops the database instead, the app must tell the observer.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assert, logIn, onDevice, run, shot, sleep } from './lib.mjs';

const MOUNT_MB = 64;
/** Space left on the disk once it is filled: a few photos' worth. */
const LEFT_BYTES = 5 * 1024 * 1024;

/** A 2048 × 1536 JPEG of noise: stored at about the size a real photo is, every one new. */
async function noisyJpeg(page, seed) {
  const b64 = await page.evaluate(async (seed) => {
    const c = new OffscreenCanvas(2048, 1536);
    const g = c.getContext('2d');
    const img = g.createImageData(2048, 1536);
    let x = seed * 2654435761 >>> 0;
    for (let i = 0; i < img.data.length; i += 4) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      img.data[i] = x & 255; img.data[i + 1] = (x >>> 8) & 255; img.data[i + 2] = (x >>> 16) & 255; img.data[i + 3] = 255;
    }
    g.putImageData(img, 0, 0);
    const blob = await c.convertToBlob({ type: 'image/jpeg', quality: 0.95 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, seed);
  return Buffer.from(b64, 'base64');
}

/** Set when Chromium, not the app, lost the database: see `attempt`. */
let dropped = false;

/** What the phone holds, telling apart the one failure that is the browser's own: when a
 * disk-full error hits IndexedDB's own files (not a quota refusal of the app's write),
 * Chromium may drop the whole database, and a fresh open then finds no stores. Then the
 * app must say so: with space freed, it starts again on a new database and tells the
 * observer that what was not sent is lost. */
async function held(page, ballast) {
  try {
    return await onDevice(page);
  } catch (e) {
    if (!String(e).includes('object stores was not found')) throw e;
    rmSync(ballast, { force: true });
    await page.reload();
    await page.locator('[data-testid=storage-lost]').waitFor({ timeout: 20000 });
    await shot(page, 'dropped-database-told', 'full-disk-');
    console.error('full-disk: Chromium dropped its IndexedDB database when the disk filled; the app started on a new one and told the observer');
    dropped = true;
    throw e;
  }
}

/** One run on a fresh tmpfs. */
async function attempt() {
  const mount = mkdtempSync(join(tmpdir(), 'flowwalk-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${MOUNT_MB}m`, 'tmpfs', mount]);
  } catch (e) {
    console.error(`browser test full-disk: cannot mount a ${MOUNT_MB} MB tmpfs at ${mount} (run as root): ${e.message}`);
    process.exit(1);
  }
  const ballast = join(mount, 'ballast');
  try {
    await run('full-disk', async ({ page, server }) => {
      await logIn(page, server);
      await page.locator('[data-testid=start-walk]').first().click();
      await page.click('[data-testid=btn-wait]');
      await page.click('[data-testid=add-finding]');
      await page.locator('[data-testid=category]').first().click();
      await page.fill('textarea[name=description]', '拍照时手机存储已满');
      await sleep(500);

      // Fill the disk but for a few photos' worth.
      const { bavail, bsize } = statfsSync(mount);
      writeFileSync(ballast, Buffer.alloc(Math.max(0, bavail * bsize - LEFT_BYTES)));

      let shown = 0;
      let refusedAt = null;
      for (let i = 1; i <= 12 && refusedAt === null; i++) {
        const jpeg = await noisyJpeg(page, i);
        await page.setInputFiles('[data-testid=photo-input]', { name: `IMG_${i}.jpg`, mimeType: 'image/jpeg', buffer: jpeg });
        // Either it shows as taken, or the observer is told it was not stored.
        for (let t = 0; t < 200; t++) {
          const thumbs = await page.locator('[data-testid=photo-thumb]').count();
          if (thumbs > shown) { shown = thumbs; break; }
          if (await page.locator('[data-testid=finding-problem]').count() > 0) { refusedAt = i; break; }
          await sleep(100);
        }
      }
      assert.ok(refusedAt !== null, 'the small disk refused a photo');
      await shot(page, 'refused-photo', 'full-disk-');
      const problem = await page.textContent('[data-testid=finding-problem]');
      assert.match(problem, /没有保存/, 'says the photo was not saved');
      assert.match(problem, /清理手机空间/, 'says what to do');
      assert.equal(await page.locator('[data-testid=photo-thumb]').count(), shown, 'the refused photo is not shown as taken');

      // What the phone holds: the finding refers only to stored photos, all it shows.
      const device = await held(page, ballast);
      const referenced = device.drafts[0].finding.photos;
      assert.equal(referenced.length, shown, 'no reference to the refused photo');
      for (const h of referenced) assert.equal(device.photos[h], h, `referenced photo ${h} is stored intact`);

      // Space again: the finding saves, with exactly the stored photos.
      rmSync(ballast, { force: true });
      await page.click('[data-testid=save-finding]');
      await page.locator('[data-testid=current-step]').waitFor();
      const after = await held(page, ballast);
      assert.deepEqual(after.drafts[0].findings[0].photos, referenced);
      console.log(`full-disk: ${shown} photo(s) stored, photo ${refusedAt} refused and reported`);
    }, { userDataDir: join(mount, 'profile') });
  } finally {
    rmSync(ballast, { force: true });
    try { execFileSync('umount', [mount]); } catch { /* busy: leave it */ }
    rmSync(mount, { recursive: true, force: true });
  }
}

await attempt();
if (dropped) {
  // Seen about once in five runs on this machine: Chromium dropped its IndexedDB files
  // after the disk filled under them (and the app said so, checked in `held`). One more run
  // on a fresh disk for the rest; a second drop, or any other failure, stays a failure.
  console.error('full-disk: running once more on a fresh disk');
  dropped = false;
  process.exitCode = 0;
  await attempt();
}
