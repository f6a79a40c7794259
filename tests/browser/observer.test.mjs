// The observer app under the conditions an observer meets: quick taps, reloads, an
// IndexedDB slower than the screen, a note longer than the server takes, a record from an
// older app version the server refuses, offline and back, a second window, English at
// 360 px. Each block names the item of issue 10 it proves.

import {
  BACKEND, accessible, assert, logIn, onDevice, phoneJpeg, run, shot, sleep, waitForState,
} from './lib.mjs';

/** Holds a read-write transaction on the app's documents for `ms`: the app's own writes
 * queue behind it (IndexedDB runs overlapping read-write transactions in order). */
function holdDocuments(page, ms) {
  return page.evaluate(async (ms) => {
    const db = await new Promise((res, rej) => {
      const r = indexedDB.open('flowwalk');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    await new Promise((res) => {
      const tx = db.transaction('docs', 'readwrite');
      const store = tx.objectStore('docs');
      const until = performance.now() + ms;
      const spin = () => {
        if (performance.now() < until) store.get('settings').onsuccess = spin;
      };
      spin();
      tx.oncomplete = () => res();
    });
    db.close();
  }, ms);
}

/** Lines of text an element's content takes. */
function linesOf(page, selector) {
  return page.evaluate((selector) => [...document.querySelectorAll(selector)].map((el) => {
    const r = document.createRange();
    r.selectNodeContents(el);
    return [el.textContent, new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size];
  }), selector);
}

async function withinFirstScreen(page, selector) {
  const box = await page.locator(selector).first().boundingBox();
  assert.ok(box && box.y >= 0 && box.y + box.height <= 740, `${selector} in the first screen of 360 × 740: ${JSON.stringify(box)}`);
}

await run('observer', async ({ page, server, context }) => {
  await logIn(page, server);

  // --- 9. A task whose period has ended does not offer "开始体验".
  // The demo observer has one task under way, one planned, one that ended three weeks ago.
  assert.equal(await page.locator('[data-testid=task-closed]').count(), 1, 'the ended task offers no start');
  assert.equal(await page.locator('[data-testid=start-walk]').count(), 2);

  await page.locator('[data-testid=start-walk]').first().click();
  await page.click('[data-testid=btn-wait]');
  await page.locator('[data-testid=btn-wait][aria-pressed=true]').waitFor();

  // --- 9. The outcome buttons and "记录问题/拍照" are in the first screen, past the timers.
  assert.equal(await page.evaluate(() => window.scrollY), 0);
  for (const sel of ['[data-testid=btn-wait]', '[data-testid=btn-serve]', '[data-testid=outcome-Done]',
    '[data-testid=outcome-Skipped]', '[data-testid=add-finding]']) {
    await withinFirstScreen(page, sel);
  }
  await shot(page, 'recorder', 'observer-');

  // --- 5. The screen confirms only what is stored: with IndexedDB held up, a tap on
  // "开始办理" does not show as done until its write commits.
  const held = holdDocuments(page, 1500);
  await sleep(150);
  await page.click('[data-testid=btn-serve]');
  await sleep(500);
  assert.equal(await page.getAttribute('[data-testid=btn-serve]', 'aria-pressed'), 'false',
    'the step is not shown as being served before that is stored');
  await held;
  await page.locator('[data-testid=btn-serve][aria-pressed=true]').waitFor({ timeout: 5000 });

  // --- 9. English labels do not wrap in the timers at 360 px.
  await page.click('[data-testid=lang]');
  await page.locator('[data-testid=nav-outbox]', { hasText: 'Outbox' }).waitFor();
  for (const [text, lines] of await linesOf(page, '.timer-label, .timer strong, .controls button')) {
    assert.equal(lines, 1, `"${text}" on one line`);
  }
  await shot(page, 'recorder-english', 'observer-');
  await page.click('[data-testid=lang]');
  await page.locator('[data-testid=nav-outbox]', { hasText: '发件箱' }).waitFor();

  // --- 2. The phone refuses what the server would refuse, as the observer types.
  await page.fill('textarea[name=note]', '长'.repeat(4001));
  await page.locator('[data-testid=field-error]', { hasText: '4000' }).waitFor();
  await page.click('[data-testid=to-finish]');
  await page.locator('[data-testid=satisfaction]').nth(1).click();
  await page.locator('[data-testid=smoothness]').nth(1).click();
  await page.locator('[data-testid=submit-problem]', { hasText: '4000' }).waitFor();
  await page.click('[data-testid=submit]');
  await sleep(500);
  assert.equal((await onDevice(page)).outbox?.entries?.length ?? 0, 0, 'nothing the server would refuse is queued');
  await page.click('[data-testid=back-to-walk]');
  // --- 6. A validation error goes away when the field is fixed.
  await page.fill('textarea[name=note]', '长'.repeat(4000));
  await page.locator('[data-testid=field-error]').waitFor({ state: 'detached' });

  // --- 9. The finding form opens at its top, the camera button in the first screen.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.click('[data-testid=add-finding]');
  await page.locator('[data-testid=photo-input]').waitFor({ state: 'attached' });
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'the form opens at its top');
  await withinFirstScreen(page, '.photo-add');
  // --- 6. Validation errors go away when the fields are fixed.
  await page.click('[data-testid=save-finding]');
  await page.locator('[data-testid=field-error]').first().waitFor();
  await page.locator('[data-testid=category]').nth(2).click();
  await page.fill('textarea[name=description]', '叫号屏不显示,等候20分钟无人叫号');
  await page.locator('[data-testid=field-error]').waitFor({ state: 'detached' });

  // --- 7. Several photos chosen: each shows as soon as it is stored; one that cannot be
  // read is skipped and named, and the ones after it are stored all the same.
  await page.evaluate(() => {
    window.__thumbs = [];
    new MutationObserver(() => {
      const n = document.querySelectorAll('[data-testid=photo-thumb]').length;
      if (window.__thumbs.at(-1) !== n) window.__thumbs.push(n);
    }).observe(document.body, { subtree: true, childList: true });
  });
  const photos = [await phoneJpeg(page, 3), await phoneJpeg(page, 4), await phoneJpeg(page, 5)];
  const chosen = photos.map((buffer, i) => ({ name: `IMG_10${i}.jpg`, mimeType: 'image/jpeg', buffer }));
  chosen.splice(1, 0, { name: 'IMG_BROKEN.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a photo at all') });
  await page.setInputFiles('[data-testid=photo-input]', chosen);
  await page.locator('[data-testid=photo-thumb]').nth(2).waitFor({ timeout: 30000 });
  assert.deepEqual(await page.evaluate(() => window.__thumbs), [1, 2, 3], 'one by one, as each is stored');
  await page.locator('[data-testid=finding-problem]', { hasText: 'IMG_BROKEN.jpg' }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator('[data-testid=photo-thumb]').count(), 3, 'every readable photo is kept');

  // --- 3. A reload (or a killed app) finds the finding as it was, on the finding form.
  await page.reload();
  await page.locator('[data-testid=photo-thumb]').nth(2).waitFor({ timeout: 20000 });
  assert.equal(await page.inputValue('textarea[name=description]'), '叫号屏不显示,等候20分钟无人叫号');
  assert.equal(await page.locator('[data-testid=category][aria-pressed=true]').count(), 1);
  await accessible(page, 'finding (reloaded)');

  // --- 4. Two quick taps on "保存问题" make one record.
  await page.evaluate(() => {
    const b = document.querySelector('[data-testid=save-finding]');
    b.click();
    b.click();
  });
  await page.locator('[data-testid=current-step]').waitFor();
  // --- 6. The success message follows the language and goes away by itself.
  await page.locator('[data-testid=toast]', { hasText: '问题已保存在手机上' }).waitFor();
  await page.click('[data-testid=lang]');
  await page.locator('[data-testid=toast]', { hasText: 'Problem saved on this phone' }).waitFor();
  await page.click('[data-testid=lang]');
  await page.locator('[data-testid=toast]').waitFor({ state: 'detached', timeout: 8000 });
  let device = await onDevice(page);
  assert.equal(device.drafts.length, 1);
  assert.equal(device.drafts[0].findings.length, 1, 'one finding for two taps');
  assert.equal(device.drafts[0].findings[0].photos.length, 3);
  for (const h of device.drafts[0].findings[0].photos) assert.equal(device.photos[h], h, 'every referenced photo is stored');

  // --- 3. After a reload on the recorder: the walk open, the timer running and shown.
  await page.reload();
  await page.locator('[data-testid=btn-serve][aria-pressed=true]').waitFor();
  const t1 = await page.textContent('[data-testid=serve-time]');
  await sleep(2100);
  assert.notEqual(await page.textContent('[data-testid=serve-time]'), t1, 'the timer runs on screen');
  // ... and the walk is listed once, with its task, running.
  await page.click('.bar-title');
  await page.locator('[data-testid=task-running]').waitFor();
  assert.equal(await page.locator('[data-testid=task-running]').count(), 1);
  assert.equal(await page.locator('[data-testid=draft]').count(), 0, 'not listed a second time');
  await page.click('[data-testid=continue-walk]');

  // --- 6. The outbox tells the truth: offline with an unsent walkthrough it never says
  // "in sync"; once delivered, it does. 4. Two taps on submit queue one record.
  await context.setOffline(true);
  await page.locator('[data-testid=net]', { hasText: '离线' }).waitFor();
  await page.click('[data-testid=to-finish]');
  await page.evaluate(() => {
    const b = document.querySelector('[data-testid=submit]');
    b.click();
    b.click();
  });
  await waitForState(page, 'waiting', 10000);
  assert.equal(await page.locator('[data-testid=outbox-entry]').count(), 1);
  assert.equal((await onDevice(page)).outbox.entries.length, 1, 'one record for two taps');
  await page.click('[data-testid=sync-now]');
  await sleep(1000);
  const offlineLine = await page.textContent('[data-testid=sync-status]');
  assert.ok(!offlineLine.includes('已与服务器同步'), `offline and unsent is not "in sync": ${offlineLine}`);
  await context.setOffline(false);
  await waitForState(page, 'sent', 30000);
  await page.locator('[data-testid=sync-status]', { hasText: '已与服务器同步' }).waitFor({ timeout: 10000 });

  // --- 2 and 11. A record an older app version stored (format 1: no envelope) with a note
  // the server refuses is migrated, sent, refused — and can be corrected and sent again.
  const refused = await page.evaluate(async () => {
    const db = await new Promise((res, rej) => {
      const r = indexedDB.open('flowwalk');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const get = (key) => new Promise((res, rej) => {
      const r = db.transaction('docs').objectStore('docs').get(key);
      r.onsuccess = () => res(JSON.parse(r.result).data);
      r.onerror = () => rej(r.error);
    });
    const reference = await get('reference');
    const settings = await get('settings');
    const outbox = await get('outbox');
    const a = reference.assignments.find((x) => x.status === 'in_progress');
    const sc = reference.scenarios.find((s) => s.version_id === a.scenario_version_id);
    const now = Date.now();
    const record = {
      id: crypto.randomUUID(), rev: 1, assignment_id: a.id, scenario_version_id: a.scenario_version_id,
      device_id: settings.device_id, mode: a.mode, started_at_ms: now - 600000, ended_at_ms: now - 60000,
      steps: [{ id: crypto.randomUUID(), template_step_id: sc.steps[0].id, unplanned: null, name: sc.steps[0].name,
        started_at_ms: now - 600000, ended_at_ms: now - 60000, waiting_ms: 300000, serving_ms: 240000,
        outcome: 'done', rating: null, note: '旧'.repeat(4001) }],
      findings: [], commendations: [], satisfaction: 'satisfied', smoothness: 'smooth', comment: '',
    };
    // Format 1: the bare document, as the builds before versioning wrote it.
    // (JSON in JS has no 64-bit integers: "due at once" is written as 0.)
    const legacy = { cursor: outbox.cursor, entries: [...outbox.entries.map((e) => {
      const { server_has, ...rest } = e;
      return { ...rest, next_attempt_at_ms: Number.isSafeInteger(e.next_attempt_at_ms) ? e.next_attempt_at_ms : 0 };
    }),
      { record, state: { state: 'waiting' }, attempts: 0, next_attempt_at_ms: 0, missing_photos: [], last_error: null, review: null }] };
    await new Promise((res, rej) => {
      const tx = db.transaction('docs', 'readwrite');
      tx.objectStore('docs').put(JSON.stringify(legacy), 'outbox');
      tx.oncomplete = () => res();
      tx.onerror = () => rej(tx.error);
    });
    db.close();
    return record.id;
  });
  await page.reload();
  await page.click('[data-testid=nav-outbox]');
  await waitForState(page, 'attention', 30000);
  assert.equal(await page.locator('[data-testid=outbox-entry]').count(), 2, 'the old record and the delivered one');
  await shot(page, 'outbox-refused', 'observer-');
  await page.locator('[data-testid=outbox-entry][data-state=attention] [data-testid=correct]').click();
  await page.locator('[data-testid=returned-comment]').waitFor();
  await page.locator('[data-testid=field-error]', { hasText: '4000' }).waitFor();
  await page.fill('textarea[name=note]', '窗口人员态度很好');
  await page.locator('[data-testid=field-error]').waitFor({ state: 'detached' });
  await page.click('[data-testid=to-finish]');
  await page.click('[data-testid=submit]');
  await page.locator(`[data-testid=outbox-entry][data-state=attention]`).waitFor({ state: 'detached', timeout: 30000 });
  await page.locator('[data-testid=outbox-entry][data-state=sent]').nth(1).waitFor({ timeout: 30000 });
  const manager = await server.login('manager');
  const detail = await (await server.api(manager, 'GET', `/api/v1/walkthroughs/${refused}`)).json();
  assert.equal(detail.record.steps[0].note, '窗口人员态度很好', 'the corrected record reached the server');

  // --- 9. A second window waits, and takes over when the first one closes.
  const tab2 = await context.newPage();
  await tab2.goto(server.base + '/');
  await tab2.locator('[data-testid=second-window]').waitFor();
  await accessible(tab2, 'second window');
  await page.close();
  await tab2.locator('[data-testid=nav-outbox]').waitFor({ timeout: 15000 });

  // --- 11. A document this version cannot read is kept aside and reported.
  await tab2.evaluate(async () => {
    const db = await new Promise((res, rej) => {
      const r = indexedDB.open('flowwalk');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    await new Promise((res, rej) => {
      const tx = db.transaction('docs', 'readwrite');
      tx.objectStore('docs').put('{"format":99,"data":{"from":"a newer app"}}', 'reference');
      tx.oncomplete = () => res();
      tx.onerror = () => rej(tx.error);
    });
    db.close();
  });
  await tab2.reload();
  await tab2.locator('[data-testid=quarantined]', { hasText: 'quarantine-reference-1' }).waitFor();
  const kept = await tab2.evaluate(async () => {
    const db = await new Promise((res) => { const r = indexedDB.open('flowwalk'); r.onsuccess = () => res(r.result); });
    return new Promise((res) => {
      const r = db.transaction('docs').objectStore('docs').get('quarantine-reference-1');
      r.onsuccess = () => res(r.result);
    });
  });
  assert.equal(kept, '{"format":99,"data":{"from":"a newer app"}}', 'kept byte for byte');

  // --- 12. The browser drops the database under the app (as Chromium did when the disk
  // filled: the database there, its stores gone): the app starts on a new one and says
  // that what was not sent is lost, until the observer has read it.
  await tab2.goto(server.base + '/readyz');
  await tab2.evaluate(async () => {
    await new Promise((res, rej) => {
      const r = indexedDB.deleteDatabase('flowwalk');
      r.onsuccess = () => res();
      r.onerror = () => rej(r.error);
      r.onblocked = () => rej(new Error('the database is still open'));
    });
    await new Promise((res, rej) => {
      const r = indexedDB.open('flowwalk', 1);
      r.onsuccess = () => { r.result.close(); res(); };
      r.onerror = () => rej(r.error);
    });
  });
  await tab2.goto(server.base + '/');
  await tab2.locator('[data-testid=storage-lost]').waitFor({ timeout: 20000 });
  await tab2.locator('input[name=username]').waitFor();
  await accessible(tab2, 'storage lost');
  await shot(tab2, 'storage-lost');
  // Until read, a reload says it again.
  await tab2.reload();
  await tab2.locator('[data-testid=storage-lost]').waitFor({ timeout: 20000 });
  await tab2.click('[data-testid=storage-lost-ok]');
  await tab2.locator('[data-testid=storage-lost]').waitFor({ state: 'detached' });
  await tab2.reload();
  await tab2.locator('input[name=username]').waitFor();
  assert.equal(await tab2.locator('[data-testid=storage-lost]').count(), 0, 'read, not said again');
  console.log(`observer test (${BACKEND}): ok`);
});
