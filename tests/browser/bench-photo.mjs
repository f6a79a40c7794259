// Benchmark: how long the observer app takes to store a 12 MP phone photo — from the file
// handed to the finding form to the photo stored in IndexedDB, referenced by the finding
// and shown (the app's own `flowwalk:photo-stored` User Timing measure) — in headless
// Chromium at phone size. Printed beside a baseline measured in the same run on the same
// files: the browser's own decode → resize → JPEG pipeline alone, in plain JS. Then the
// resize filters side by side: time, and how close each keeps the text in the photo to
// the best filter's (PSNR of the text's region at 2048 px), which is how the app's filter
// was chosen.
//
// Run: ./tests/browser/bench-photo [COUNT]   (default 9 photos)

import { BACKEND, logIn, run } from './lib.mjs';

const COUNT = Number(process.argv[2] || process.env.PHOTOS || 9);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A 12 MP (4032 × 3024) phone-like JPEG, with a sign's text in it, different per seed. */
async function twelveMegapixels(page, seed) {
  const b64 = await page.evaluate(async (seed) => {
    const c = new OffscreenCanvas(4032, 3024);
    const g = c.getContext('2d');
    for (let y = 0; y < 3024; y += 48) {
      for (let x = 0; x < 4032; x += 48) {
        g.fillStyle = `hsl(${(x * 7 + y * 3 + seed * 77) % 360}, 55%, ${25 + ((x ^ y) + seed) % 50}%)`;
        g.fillRect(x, y, 48, 48);
      }
    }
    // Sensor noise, as in a photo taken indoors: the file is as large as a phone's (3–5 MB).
    const img = g.getImageData(0, 0, 4032, 3024);
    let x = (seed * 2654435761) >>> 0;
    for (let i = 0; i < img.data.length; i += 4) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      const n = (x & 31) - 16;
      img.data[i] += n; img.data[i + 1] += n; img.data[i + 2] += (x >>> 8 & 31) - 16;
    }
    g.putImageData(img, 0, 0);
    // A sign: black on white, the way a notice board or a queue screen looks.
    g.fillStyle = '#fff';
    g.fillRect(400, 1000, 3200, 1000);
    g.fillStyle = '#000';
    g.font = '120px sans-serif';
    g.fillText(`办事指南 第${seed}号窗口 受理时间 9:00-17:00`, 460, 1250);
    g.font = '64px sans-serif';
    g.fillText('Materials: ID card, application form, photo 2 inch, proof of address', 460, 1500);
    g.fillText('请按叫号顺序办理,如有疑问请咨询导办台。Please wait for your number.', 460, 1700);
    const blob = await c.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, seed);
  return Buffer.from(b64, 'base64');
}

await run('bench-photo', async ({ page, server }) => {
  await logIn(page, server);
  await page.locator('[data-testid=start-walk]').first().click();
  await page.click('[data-testid=add-finding]');
  await page.locator('[data-testid=photo-input]').waitFor({ state: 'attached' });

  const files = [];
  for (let i = 0; i < COUNT; i++) files.push(await twelveMegapixels(page, i + 1));
  const mb = files.reduce((n, f) => n + f.length, 0) / files.length / 1e6;

  // The app, one photo at a time as an observer takes them.
  for (let i = 0; i < COUNT; i++) {
    await page.setInputFiles('[data-testid=photo-input]', { name: `IMG_${i}.jpg`, mimeType: 'image/jpeg', buffer: files[i] });
    await page.locator('[data-testid=photo-thumb]').nth(i).waitFor({ timeout: 60000 });
  }
  const app = await page.evaluate(() => performance.getEntriesByName('flowwalk:photo-stored').map((e) => e.duration));
  if (app.length !== COUNT) throw new Error(`expected ${COUNT} measures, got ${app.length}`);

  // The baseline and the filters, in plain JS on the same files.
  const b64 = files.map((f) => f.toString('base64'));
  const filters = await page.evaluate(async (b64) => {
    const blobs = b64.map((s) => new Blob([Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0))], { type: 'image/jpeg' }));
    const once = async (blob, quality) => {
      const t0 = performance.now();
      const bmp = await createImageBitmap(blob, { resizeWidth: 2048, resizeHeight: 1536, resizeQuality: quality, imageOrientation: 'from-image' });
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const g = c.getContext('2d');
      g.drawImage(bmp, 0, 0);
      bmp.close();
      const out = await c.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
      const ms = performance.now() - t0;
      // The sign's text region, at the stored size (0.508 of the original).
      const px = g.getImageData(203, 508, 1626, 508).data;
      return { ms, px, bytes: out.size };
    };
    const out = {};
    for (const q of ['high', 'medium', 'low', 'pixelated']) out[q] = { ms: [], px: [], bytes: [] };
    for (const blob of blobs) {
      for (const q of Object.keys(out)) {
        const r = await once(blob, q);
        out[q].ms.push(r.ms);
        out[q].bytes.push(r.bytes);
        out[q].px.push(r.px);
      }
    }
    // PSNR of each filter's text region against the best (high) filter's.
    const psnr = (a, b) => {
      let se = 0;
      let n = 0;
      for (let i = 0; i < a.length; i += 4) {
        for (let k = 0; k < 3; k++) { const d = a[i + k] - b[i + k]; se += d * d; n++; }
      }
      const mse = se / n;
      return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
    };
    const result = {};
    for (const [q, r] of Object.entries(out)) {
      result[q] = { ms: r.ms, bytes: r.bytes, psnr: r.px.map((px, i) => psnr(px, out.high.px[i])) };
    }
    return result;
  }, b64);

  const appMedian = median(app);
  const base = median(filters.high.ms);
  console.log(`== photo benchmark (${BACKEND}, headless Chromium, ${COUNT} photos of 4032 × 3024, ${mb.toFixed(1)} MB each)`);
  console.log(`   app: photo stored and shown, median ${appMedian.toFixed(0)} ms (min ${Math.min(...app).toFixed(0)}, max ${Math.max(...app).toFixed(0)})`);
  console.log(`   baseline: the browser's decode → resize → JPEG alone, median ${base.toFixed(0)} ms`);
  console.log(`   ratio app / baseline: ${(appMedian / base).toFixed(2)}`);
  console.log('   resize filters (time median, text PSNR vs high, JPEG size):');
  for (const [q, r] of Object.entries(filters)) {
    const p = median(r.psnr);
    console.log(`     ${q.padEnd(9)} ${median(r.ms).toFixed(0).padStart(5)} ms   ${Number.isFinite(p) ? p.toFixed(1) + ' dB' : 'reference'}   ${(median(r.bytes) / 1024).toFixed(0)} KB`);
  }
  console.log(`PHOTO_MEDIAN_MS=${appMedian.toFixed(0)}`);
});
