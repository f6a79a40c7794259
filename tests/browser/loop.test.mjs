// The whole loop across roles, as each would meet it, starting from the field: an observer
// records a walkthrough on a phone with no network (browser offline, server stopped); back
// online it arrives; a manager accepts it at the desk, and its issue goes to the ledger with
// a panel; the responsible department's officer, on a phone of their own and offline again,
// writes the evidence with a photo (a reload on the way, a double tap on submit); the issue
// moves on meanwhile, so back online the evidence is refused and the officer told; taken
// back and sent again, it is delivered once; three panel members approve at the desk; the
// observer is satisfied: closed. axe-core on each new screen.

import {
  DESKTOP, PASSWORD, PHONE, accessible, assert, deskLogin, logIn, onDevice, openIssue, phoneJpeg,
  run, sha256, shot, statusIs, waitForState,
} from './lib.mjs';

/** Waits until the phone stored `note` as the evidence's note (typing is saved as it goes). */
async function noteStored(page, note) {
  for (let i = 0; i < 100; i++) {
    const ev = (await onDevice(page)).outbox?.evidence?.[0];
    if (ev && ev.note === note) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the note was not stored on the phone');
}

await run('loop', async ({ page, server, browser, context }) => {
  // --- The observer, on a phone: online once, then the network goes.
  await logIn(page, server, 'experiencer');
  await page.evaluate(() => navigator.serviceWorker.ready);
  if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) {
    await page.reload();
    await page.locator('[data-testid=task]').first().waitFor();
  }
  await context.setOffline(true);
  await server.stop();
  await page.locator('[data-testid=net]', { hasText: '离线' }).waitFor();
  await page.locator('[data-testid=start-walk]').first().click();
  await page.click('[data-testid=btn-wait]');
  await page.click('[data-testid=btn-serve]');
  await page.click('[data-testid=outcome-Done]');
  await page.locator('.step-no', { hasText: '2/' }).waitFor();
  await page.click('[data-testid=add-finding]');
  await page.locator('[data-testid=category]').first().click();
  const words = `取号机离线无法取号(全流程${Date.now()})`;
  await page.fill('textarea[name=description]', words);
  await page.setInputFiles('[data-testid=photo-input]', [{ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: await phoneJpeg(page, 11) }]);
  await page.locator('[data-testid=photo-thumb]').first().waitFor({ timeout: 20000 });
  await page.click('[data-testid=save-finding]');
  await page.click('[data-testid=to-finish]');
  await page.locator('[data-testid=satisfaction]').nth(1).click();
  await page.locator('[data-testid=smoothness]').nth(1).click();
  await page.click('[data-testid=submit]');
  await waitForState(page, 'waiting', 10000);
  const walkId = (await onDevice(page)).outbox.entries[0].record.id;
  await server.start();
  await context.setOffline(false);
  await waitForState(page, 'sent', 30000);

  // --- The manager, at the desk: accepts the walkthrough; its issue goes to the ledger.
  const desk = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
  const dp = await desk.newPage();
  await deskLogin(dp, server, 'manager');
  const row = dp.locator(`[data-testid=walkthrough][data-id="${walkId}"]`);
  await row.waitFor({ timeout: 20000 });
  await row.locator('[data-testid=walkthrough-open]').click();
  await dp.locator('[data-testid=finding]', { hasText: words }).waitFor();
  await dp.click('[data-testid=accept-walkthrough]');
  await dp.locator('[data-testid=walkthrough-status]', { hasText: '已采纳' }).waitFor({ timeout: 20000 });
  const manager = await server.login('manager');
  const found = (await (await server.api(manager, 'GET', `/api/v1/issues?status=new&q=${encodeURIComponent(words)}`)).json()).items;
  assert.equal(found.length, 1, 'accepting built one issue from the finding');
  const issue = found[0];
  await dp.click('.bar-title');
  await dp.click('[data-testid=tab-issues]');
  await dp.selectOption('select[name=status]', 'new');
  await openIssue(dp, issue.id);
  await dp.selectOption('select[name=decision]', 'ledger');
  await dp.click('[data-testid=triage]');
  await statusIs(dp, 'ledger');
  await dp.locator('[data-testid=form-panel]').waitFor();
  for (const [c, user] of [['service_office', 'panel'], ['window_rep', 'panel_window'], ['citizen_patrol', 'panel_citizen']]) {
    const select = dp.locator(`select[name=panel-${c}]`);
    await select.selectOption(await select.locator('option', { hasText: `(${user})` }).getAttribute('value'));
  }
  await dp.click('[data-testid=form-panel]');
  await dp.waitForFunction(() => document.querySelectorAll('[data-testid=panel-member]').length === 3, null, { timeout: 20000 });

  // --- The responsible department's officer, on a phone of their own.
  const users = await (await server.api(manager, 'GET', '/api/v1/users')).json();
  const officer = users.find((u) => u.role === 'department_officer' && u.department_id === issue.department_id);
  assert.ok(officer, `a demo officer of ${issue.department_name}`);
  const phone = await browser.newContext(PHONE);
  const op = await phone.newPage();
  await op.goto(server.base + '/');
  await op.locator('input[name=username]').waitFor();
  await op.fill('input[name=username]', officer.username);
  await op.fill('input[name=password]', PASSWORD);
  await op.click('[data-testid=login-submit]');
  const mine = op.locator(`[data-testid=officer-issue][data-id="${issue.id}"]`);
  await mine.waitFor({ timeout: 20000 });
  assert.ok(!op.url().includes('/desk/'), 'an officer stays in the offline app');
  await op.evaluate(() => navigator.serviceWorker.ready);
  if (!(await op.evaluate(() => !!navigator.serviceWorker.controller))) {
    await op.reload();
    await mine.waitFor();
  }
  await shot(op, 'officer-issues', 'loop-');
  await accessible(op, 'officer issues (phone app)');
  await phone.setOffline(true);
  await server.stop();
  await op.locator('[data-testid=net]', { hasText: '离线' }).waitFor();
  await mine.locator('[data-testid=start-evidence]').click();
  await op.locator('[data-testid=evidence-form]').waitFor();
  // A note is required: the rule shows beside the field, and nothing is queued.
  await op.click('[data-testid=submit-evidence]');
  await op.locator('[data-testid=field-error]').waitFor();
  await op.setInputFiles('[data-testid=photo-input]', [{ name: 'IMG_0002.jpg', mimeType: 'image/jpeg', buffer: await phoneJpeg(op, 12) }]);
  await op.locator('[data-testid=photo-thumb]').first().waitFor({ timeout: 20000 });
  const note = '已更换取号机,并在大厅张贴办事指引';
  await op.fill('textarea[name=note]', note);
  await op.locator('[data-testid=field-error]').waitFor({ state: 'detached' });
  await shot(op, 'officer-evidence', 'loop-');
  await accessible(op, 'evidence (phone app)');
  await noteStored(op, note);
  // A reload offline: back on the form, with the note and the photo.
  await op.reload();
  await op.locator('[data-testid=evidence-form]').waitFor({ timeout: 20000 });
  assert.equal(await op.inputValue('textarea[name=note]'), note, 'the note survived the reload');
  await op.locator('[data-testid=photo-thumb]').first().waitFor();
  // A double tap: one record, waiting on the phone.
  await op.dblclick('[data-testid=submit-evidence]');
  await mine.locator('[data-testid=evidence-waiting]').waitFor();
  const held = await onDevice(op);
  assert.equal(held.outbox.evidence.length, 1, 'one tap or two, one record');
  const ev = held.outbox.evidence[0];
  assert.equal(ev.state.state, 'waiting');
  assert.equal(held.photos[ev.photos[0]], ev.photos[0], 'the photo is stored under its own hash');
  await op.click('[data-testid=nav-outbox]');
  await op.locator('[data-testid=outbox-evidence][data-state=waiting]').waitFor();
  assert.notEqual((await op.locator('[data-testid=sync-status]').textContent()).trim(), '已与服务器同步');
  await shot(op, 'officer-outbox-offline', 'loop-');
  await accessible(op, 'outbox with evidence');
  // Meanwhile, at the desk, the issue moves on (its panel is formed again): the evidence
  // written against the version the phone saw is refused, and the officer is told.
  await server.start();
  const seen = await (await server.api(manager, 'GET', `/api/v1/issues/${issue.id}`)).json();
  const reformed = await server.api(manager, 'PUT', `/api/v1/issues/${issue.id}/panel`, {
    expected_version: seen.summary.version,
    members: seen.panel.map((m) => ({ user_id: m.user_id, constituency: m.constituency })),
  });
  assert.equal(reformed.status, 200, await reformed.text());
  await phone.setOffline(false);
  await op.locator('[data-testid=outbox-evidence][data-state=attention]').waitFor({ timeout: 30000 });
  assert.notEqual((await op.locator('[data-testid=sync-status]').textContent()).trim(), '已与服务器同步',
    'not "in sync" while the server refused something');
  await shot(op, 'officer-evidence-refused', 'loop-');
  // Taken back as it was, against the version now known, and sent again: delivered once.
  await op.click('.bar-title');
  await mine.locator('[data-testid=evidence-refused]').waitFor({ timeout: 20000 });
  await mine.locator('[data-testid=redo-evidence]').click();
  await op.locator('[data-testid=evidence-form]').waitFor();
  assert.equal(await op.inputValue('textarea[name=note]'), note, 'the note came back');
  await op.locator('[data-testid=photo-thumb]').first().waitFor();
  await op.click('[data-testid=submit-evidence]');
  await op.click('[data-testid=nav-outbox]');
  await op.locator('[data-testid=outbox-evidence][data-state=sent]').waitFor({ timeout: 30000 });
  await op.click('.bar-title');
  await op.locator('[data-testid=evidence-sent] [data-testid=evidence-delivered]').waitFor({ timeout: 20000 });
  assert.equal(await mine.count(), 0, 'the issue left the open list');
  await shot(op, 'officer-issues-after', 'loop-');
  const submitted = await (await server.api(manager, 'GET', `/api/v1/issues/${issue.id}`)).json();
  assert.equal(submitted.summary.status, 'panel_review');
  assert.equal(submitted.evidence.length, 1, 'one round of evidence on the server');
  assert.equal(submitted.evidence[0].note, note);
  assert.deepEqual(submitted.evidence[0].photos, ev.photos);
  const original = await server.api(manager, 'GET', `/api/v1/photos/${ev.photos[0]}/original`);
  assert.equal(sha256(Buffer.from(await original.arrayBuffer())), ev.photos[0], 'byte-identical to the phone');
  await phone.close();

  // --- Three panel members approve at the desk; before and after side by side.
  for (const user of ['panel', 'panel_window', 'panel_citizen']) {
    await deskLogin(dp, server, user);
    await openIssue(dp, issue.id);
    await dp.locator('[data-testid=after] [data-testid=photo]').first().waitFor({ timeout: 20000 });
    await dp.click('[data-testid=vote-approve]');
    await dp.locator('[data-testid=vote-approve]').waitFor({ state: 'detached', timeout: 20000 });
  }
  await statusIs(dp, 'signed_off');

  // --- The observer, satisfied: closed.
  await deskLogin(dp, server, 'experiencer');
  await openIssue(dp, issue.id);
  await dp.click('[data-testid=recheck-satisfied]');
  await statusIs(dp, 'closed');
  await shot(dp, 'observer-closed', 'loop-');
  const closed = await (await server.api(manager, 'GET', `/api/v1/issues/${issue.id}`)).json();
  assert.deepEqual(closed.events.map((e) => e.action),
    ['create', 'ledger', 'form_panel', 'form_panel', 'submit_evidence', 'approve', 'approve', 'approve', 'sign_off', 'recheck_satisfied']);
  await desk.close();
});
