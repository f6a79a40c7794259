// The observer app in Debian's Chromium at phone size: log in online, lose the network
// (browser offline and the server stopped), record a whole walkthrough with two photos,
// reload offline, come back online — the server holds the walkthrough exactly once with
// both photos byte-identical — then a manager returns it and the comment reaches the phone,
// which sends the correction as revision 2. On the way: axe-core on every screen, and the
// bundle's size as it travelled (compressed) on first open.

import {
  BACKEND, PASSWORD, accessible, assert, onDevice, phoneJpeg, run, sha256, shot, sleep,
  waitForState, withOrientation6,
} from './lib.mjs';

/** What the first open downloads of the app itself (wasm, JS), as it travelled. */
async function watchBundle(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const seen = new Map();
  cdp.on('Network.responseReceived', (e) => {
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    seen.set(e.requestId, { url: e.response.url, encoding: h['content-encoding'] || 'identity', cache: h['cache-control'] });
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = seen.get(e.requestId);
    if (r) r.bytes = e.encodedDataLength;
  });
  // Read once, then let go of the session (a second Network session would keep the page
  // "online" across a reload under Playwright's offline emulation).
  return async () => {
    const files = [...seen.values()].filter((r) => /\/(flowwalk_mobile[^/]*\.(js|wasm)|snippets\/.*\.js)$/.test(new URL(r.url).pathname));
    await cdp.detach();
    return files;
  };
}

await run('offline', async ({ page, server, browser, context }) => {
    const bundle = await watchBundle(context, page);
    // --- Online: log in once; the tasks and templates come down.
    await page.goto(server.base + '/');
    await page.locator('input[name=username]').waitFor();
    await shot(page, 'login');
    await accessible(page, 'login');

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
    await accessible(page, 'tasks');
    // The app came compressed; its hashed files are cached for good.
    const files = await bundle();
    const wasm = files.find((r) => r.url.endsWith('.wasm'));
    assert.ok(wasm, 'the wasm was downloaded');
    assert.ok(['br', 'gzip'].includes(wasm.encoding), `wasm sent compressed, not ${wasm.encoding}`);
    assert.match(wasm.cache, /immutable/);
    const total = files.reduce((n, r) => n + (r.bytes || 0), 0);
    console.log(`bundle transferred (${BACKEND}): ${files.map((r) => `${new URL(r.url).pathname.split('/').pop()} ${r.bytes} B ${r.encoding}`).join(', ')}; total ${total} bytes`);
    assert.ok(total < 1_000_000, `the app reaches the phone in under 1 MB (${total})`);
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
    // Shown once stored: the recorder moves on to the second step.
    await page.locator('.step-no', { hasText: '2/' }).waitFor();
    await page.click('[data-testid=btn-wait]');
    await page.click('[data-testid=add-unplanned]');
    await page.locator('[data-testid=unplanned-kind]').first().click();
    await page.locator('.step-row .tag', { hasText: '计划外' }).waitFor();
    await shot(page, 'recorder');
    await accessible(page, 'recorder');

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
    await accessible(page, 'finding');
    await page.click('[data-testid=save-finding]');

    await page.click('[data-testid=to-finish]');
    await page.locator('[data-testid=satisfaction]').nth(3).click();
    await page.locator('[data-testid=smoothness]').nth(3).click();
    await shot(page, 'finish');
    await accessible(page, 'finish');
    await page.click('[data-testid=submit]');
    await waitForState(page, 'waiting', 10000);
    assert.equal(await page.locator('[data-testid=outbox-entry]').count(), 1, 'one entry in the outbox');
    await shot(page, 'outbox-offline');
    await accessible(page, 'outbox');

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

});
