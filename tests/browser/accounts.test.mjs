// What an office needs on its first day, through the real apps: the admin lands on the
// accounts screen at the desk, makes a volunteer's account (the password policy caught in
// the form), disables an observer whose phone holds an unsent walkthrough — the phone says
// so at its next call and keeps the walkthrough — resets the volunteer's password (the
// one-time password shown once), the volunteer logs in with it on a phone and must set a
// new one first; the new password works, the one-time one no longer; the observer, enabled
// again, logs in and the walkthrough goes. axe-core and screenshots on every new screen.

import {
  DESKTOP, PASSWORD, PHONE, accessible, assert, deskLogin, logIn, onDevice, run, shot, waitForState,
} from './lib.mjs';

const DISABLED = '账号已停用,请联系管理员。未发送的记录仍保存在本机。';

/** A login's HTTP status. */
async function loginStatus(server, username, password) {
  const r = await fetch(`${server.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return r.status;
}

/** Opens an account's page from the desk's list, found by its username. */
async function openAccount(desk, server, username) {
  await desk.goto(`${server.base}/desk/users`);
  await desk.fill('input[name=q]', username);
  const row = desk.locator(`[data-testid=account][data-username="${username}"]`);
  await row.waitFor({ timeout: 20000 });
  await row.locator('[data-testid=account-open]').click();
  await desk.locator(`[data-testid=account-page][data-username="${username}"]`).waitFor({ timeout: 20000 });
  assert.match(new URL(desk.url()).pathname, /^\/desk\/users\/[^/]+$/);
}

/** Logs a phone in (no task list awaited). */
async function phoneLogin(phone, server, username, password) {
  await phone.goto(server.base + '/');
  await phone.locator('input[name=username]').waitFor();
  await phone.fill('input[name=username]', username);
  await phone.fill('input[name=password]', password);
  await phone.click('[data-testid=login-submit]');
}

await run('accounts', async ({ page, server, browser, context, watch }) => {
  const check = (p, name) => async () => { await accessible(p, name); };
  const deskContext = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
  const desk = await deskContext.newPage();
  watch(desk);

  // --- The admin lands on the accounts screen.
  await deskLogin(desk, server, 'admin');
  await desk.locator('[data-testid=accounts]').waitFor({ timeout: 20000 });
  await desk.locator('[data-testid=account][data-username=experiencer]').waitFor({ timeout: 20000 });
  const listText = await desk.textContent('[data-testid=accounts]');
  assert.ok(listText.includes('体验员') && listText.includes('部门整改人员'), 'roles by their Chinese labels');
  assert.ok(!/department_officer|panel_member/.test(listText), 'no wire names of roles');
  await shot(desk, 'accounts', 'accounts-', check(desk, 'accounts list'));

  // --- A new account: the policy is applied in the form, the error at its field.
  await desk.click('[data-testid=new-account]');
  await desk.waitForFunction(() => location.pathname === '/desk/users/new');
  await desk.fill('input[name=username]', 'volunteer1');
  await desk.fill('input[name=display_name]', '志愿者小林');
  assert.equal(await desk.locator('select[name=department_id]').count(), 0, 'an observer has no department');
  await desk.selectOption('select[name=role]', 'department_officer');
  await desk.locator('select[name=department_id]').waitFor();
  await desk.selectOption('select[name=role]', 'experiencer');
  await desk.locator('select[name=department_id]').waitFor({ state: 'detached' });
  await desk.fill('input[name=password]', 'short');
  await desk.click('[data-testid=create-account]');
  await desk.locator('[data-testid=field-error]', { hasText: '至少需要 8 个字符' }).waitFor();
  assert.equal(await desk.getAttribute('input[name=password]', 'aria-invalid'), 'true');
  await shot(desk, 'new-account-error', 'accounts-', check(desk, 'new account'));
  // The server's refusal shows at the field it names: a username already taken.
  await desk.fill('input[name=username]', 'experiencer');
  await desk.fill('input[name=password]', 'volunteer-first-day');
  await desk.click('[data-testid=create-account]');
  await desk.locator('#f-username-error').waitFor({ timeout: 20000 });
  assert.equal(await desk.locator('#f-password-error').count(), 0, 'the password error went away');
  await desk.fill('input[name=username]', 'volunteer1');
  await desk.click('[data-testid=create-account]');
  await desk.waitForFunction(() => location.pathname === '/desk/users', null, { timeout: 20000 });
  const created = desk.locator('[data-testid=account][data-username=volunteer1]');
  await created.waitFor({ timeout: 20000 });
  assert.ok((await created.textContent()).includes('志愿者小林'));
  assert.ok((await created.textContent()).includes('体验员'));
  assert.equal(await loginStatus(server, 'volunteer1', 'volunteer-first-day'), 200, 'the new account logs in');

  // --- An observer's phone holds an unsent walkthrough.
  await logIn(page, server, 'experiencer');
  await context.setOffline(true);
  await page.locator('[data-testid=net]', { hasText: '离线' }).waitFor();
  await page.locator('[data-testid=start-walk]').first().click();
  await page.click('[data-testid=btn-wait]');
  await page.click('[data-testid=to-finish]');
  await page.locator('[data-testid=satisfaction]').nth(3).click();
  await page.locator('[data-testid=smoothness]').nth(3).click();
  await page.click('[data-testid=submit]');
  await waitForState(page, 'waiting', 10000);
  const unsent = (await onDevice(page)).outbox.entries.map((e) => e.record.id);
  assert.equal(unsent.length, 1);

  // --- The admin disables it: asked first, told what it does.
  await openAccount(desk, server, 'experiencer');
  await desk.click('[data-testid=disable-account]');
  const confirm = desk.locator('[data-testid=confirm-disable]');
  await confirm.waitFor();
  assert.ok((await confirm.textContent()).includes('停用后该账号立即无法使用,已有记录保留'));
  await shot(desk, 'confirm-disable', 'accounts-', check(desk, 'confirm disable'));
  await desk.click('[data-testid=confirm-disable-yes]');
  await desk.locator('[data-testid=enable-account]').waitFor({ timeout: 20000 });
  assert.equal(await loginStatus(server, 'experiencer', PASSWORD), 403, 'a disabled account cannot log in');
  // Back to the list as it was searched (the search is in its address), the account marked.
  await desk.getByRole('button', { name: '← 返回账号列表' }).click();
  await desk.locator('[data-testid=account][data-username=experiencer][data-active=false]').waitFor({ timeout: 20000 });
  assert.equal(await desk.inputValue('input[name=q]'), 'experiencer');
  assert.equal(new URL(desk.url()).searchParams.get('q'), 'experiencer');
  const found = await desk.locator('[data-testid=account]').evaluateAll((rows) => rows.map((r) => r.dataset.username));
  assert.deepEqual(found.sort(), ['experiencer', 'experiencer2'], 'only what the search finds');

  // --- The phone's next call: the message within about a second; the record stays.
  await context.setOffline(false);
  const asked = Date.now();
  await page.click('[data-testid=sync-now]');
  const banner = page.locator('[data-testid=account-disabled]');
  await banner.waitFor({ timeout: 5000 });
  const took = Date.now() - asked;
  assert.ok(took < 2500, `the phone said it within about a second (${took} ms)`);
  assert.ok((await banner.textContent()).includes(DISABLED));
  await waitForState(page, 'waiting', 5000);
  const kept = await onDevice(page);
  assert.deepEqual(kept.outbox.entries.map((e) => e.record.id), unsent, 'the unsent walkthrough is kept');
  assert.deepEqual(kept.outbox.entries[0].state, { state: 'waiting' }, 'not refused, still waiting');
  await shot(page, 'phone-disabled', 'accounts-', check(page, 'phone disabled'));
  // No more tries with that session.
  const session = await page.evaluate(async () => {
    const db = await new Promise((res, rej) => { const r = indexedDB.open('flowwalk'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const raw = await new Promise((res, rej) => { const r = db.transaction('docs').objectStore('docs').get('session'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    db.close();
    const doc = JSON.parse(raw);
    return 'format' in doc ? doc.data : doc;
  });
  assert.ok(session.needs_login && session.disabled, 'the session is marked');

  // --- The volunteer's password reset: asked first, the one-time password shown once.
  await openAccount(desk, server, 'volunteer1');
  await desk.click('[data-testid=reset-password]');
  await desk.locator('[data-testid=confirm-reset]').waitFor();
  await desk.click('[data-testid=confirm-reset-yes]');
  const otpBox = desk.locator('[data-testid=one-time-password]');
  await otpBox.waitFor({ timeout: 20000 });
  const otp = (await otpBox.textContent()).trim();
  assert.ok(otp.length >= 8, `a one-time password (${otp})`);
  assert.ok((await desk.textContent('[data-testid=one-time]')).includes('必须先设置新密码'));
  await desk.locator('[data-testid=must-change]').waitFor({ timeout: 20000 });
  await shot(desk, 'one-time-password', 'accounts-', check(desk, 'one-time password'));

  // --- The volunteer, on a phone: only the new-password screen until it is set.
  const phone2Context = await browser.newContext(PHONE);
  const phone2 = await phone2Context.newPage();
  watch(phone2);
  await phoneLogin(phone2, server, 'volunteer1', otp);
  await phone2.locator('[data-testid=password-form]').waitFor({ timeout: 20000 });
  assert.equal(await phone2.locator('[data-testid=task], [data-testid=no-tasks]').count(), 0, 'nothing else shown');
  assert.equal(await phone2.locator('input[name=old_password]').count(), 0, 'the one-time password is not asked again');
  await phone2.fill('input[name=new_password]', 'my-own-secret-1');
  await phone2.fill('input[name=repeat]', 'my-own-secret-2');
  await phone2.click('[data-testid=password-submit]');
  await phone2.locator('[data-testid=field-error]', { hasText: '两次输入的新密码不一致' }).waitFor();
  await shot(phone2, 'phone-new-password', 'accounts-', check(phone2, 'new password'));
  await phone2.fill('input[name=repeat]', 'my-own-secret-1');
  await phone2.click('[data-testid=password-submit]');
  await phone2.locator('[data-testid=no-tasks], [data-testid=task]').first().waitFor({ timeout: 20000 });
  assert.equal(await phone2.locator('[data-testid=password-form]').count(), 0);
  assert.equal(await loginStatus(server, 'volunteer1', 'my-own-secret-1'), 200, 'the new password works');
  assert.notEqual(await loginStatus(server, 'volunteer1', otp), 200, 'the one-time password no longer does');
  // And on a phone: logged in anew with it, straight to the task list.
  const phone3Context = await browser.newContext(PHONE);
  const phone3 = await phone3Context.newPage();
  await phoneLogin(phone3, server, 'volunteer1', 'my-own-secret-1');
  await phone3.locator('[data-testid=no-tasks], [data-testid=task]').first().waitFor({ timeout: 20000 });
  await phone3Context.close();
  await phone2Context.close();

  // --- Still disabled, a login on the phone says so.
  await page.click('[data-testid=account-disabled] button');
  await page.locator('input[name=username]').waitFor();
  await page.fill('input[name=username]', 'experiencer');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.locator('[data-testid=toast]', { hasText: DISABLED }).waitFor({ timeout: 20000 });

  // --- Enabled again, the observer logs in again and the walkthrough goes.
  await openAccount(desk, server, 'experiencer');
  await desk.click('[data-testid=enable-account]');
  await desk.locator('[data-testid=disable-account]').waitFor({ timeout: 20000 });
  await page.fill('input[name=username]', 'experiencer');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.locator('[data-testid=task]').first().waitFor({ timeout: 20000 });
  assert.equal(await page.locator('[data-testid=account-disabled]').count(), 0, 'the message is gone');
  await page.click('[data-testid=nav-outbox]');
  await waitForState(page, 'sent', 30000);

  // --- At the desk too, a reset password must be replaced before anything else.
  await openAccount(desk, server, 'panel');
  await desk.click('[data-testid=reset-password]');
  await desk.click('[data-testid=confirm-reset-yes]');
  const panelOtp = (await desk.locator('[data-testid=one-time-password]').textContent()).trim();
  const panelContext = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN' });
  const panelDesk = await panelContext.newPage();
  watch(panelDesk);
  await panelDesk.goto(server.base + '/desk/');
  await panelDesk.fill('input[name=username]', 'panel');
  await panelDesk.fill('input[name=password]', panelOtp);
  await panelDesk.click('[data-testid=login-submit]');
  await panelDesk.locator('[data-testid=password-form]').waitFor({ timeout: 20000 });
  assert.equal(await panelDesk.locator('[data-testid=nav-notifications]').count(), 0, 'only the password form');
  assert.equal(await panelDesk.locator('input[name=old_password]').count(), 0, 'the one-time password is not asked again');
  await shot(panelDesk, 'desk-new-password', 'accounts-', check(panelDesk, 'desk new password'));
  await panelDesk.fill('input[name=new_password]', 'panel-own-secret');
  await panelDesk.fill('input[name=repeat]', 'panel-own-secret');
  await panelDesk.click('[data-testid=password-submit]');
  await panelDesk.locator('[data-testid=nav-notifications]').waitFor({ timeout: 20000 });
  assert.equal(await panelDesk.locator('[data-testid=password-form]').count(), 0);
  await panelDesk.reload();
  await panelDesk.locator('[data-testid=nav-notifications]').waitFor({ timeout: 20000 });
  assert.equal(await loginStatus(server, 'panel', 'panel-own-secret'), 200);
  await panelContext.close();

  // --- The last admin cannot be disabled nor lose the role: the server's refusal shown
  // where it belongs.
  await openAccount(desk, server, 'admin');
  await desk.click('[data-testid=disable-account]');
  await desk.click('[data-testid=confirm-disable-yes]');
  await desk.locator('[data-testid=form-error]', { hasText: '最后一个' }).waitFor({ timeout: 20000 });
  await desk.selectOption('select[name=role]', 'manager');
  await desk.click('[data-testid=save-account]');
  await desk.locator('#f-role-error', { hasText: '最后一个' }).waitFor({ timeout: 20000 });
  await shot(desk, 'last-admin', 'accounts-', check(desk, 'last admin'));
  assert.equal(await loginStatus(server, 'admin', PASSWORD), 200, 'still an admin, still active');

  // --- The admin's own password form, and the accounts screen in English.
  await desk.click('[data-testid=nav-password]');
  await desk.locator('[data-testid=password-form]').waitFor();
  await desk.fill('input[name=old_password]', PASSWORD);
  await desk.fill('input[name=new_password]', 'admin');
  await desk.fill('input[name=repeat]', 'admin');
  await desk.click('[data-testid=password-submit]');
  await desk.locator('[data-testid=field-error]', { hasText: '至少需要 8 个字符' }).waitFor();
  await shot(desk, 'own-password', 'accounts-', check(desk, 'own password'));
  await desk.goto(`${server.base}/desk/users`);
  await desk.click('[data-testid=lang]');
  await desk.locator('[data-testid=account][data-username=volunteer1]', { hasText: 'Observer' }).waitFor({ timeout: 20000 });
  await shot(desk, 'accounts-english', 'accounts-', check(desk, 'accounts in English'));
  await deskContext.close();
});
