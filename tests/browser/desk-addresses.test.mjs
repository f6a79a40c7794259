// The desk's addresses: every screen has one, so a link or a bookmark opens it, a reload
// keeps it, and Back returns to the list as it was filtered. An issue's address opened
// before login shows the login form and then that issue; a filtered list's filters are in
// its address; list → issue → Back is the same filtered list (the browser's Back and the
// page's own "back to the list" alike); a reload keeps the issue and the filtered list.

import { assert, run, PASSWORD, deskLogin, openIssue, DESKTOP } from './lib.mjs';

await run('desk-addresses', async ({ page, server }) => {
  const manager = await server.login('manager');
  const r = await server.api(manager, 'GET', '/api/v1/issues?status=ledger&limit=200');
  assert.equal(r.status, 200);
  const { items } = await r.json();
  assert.ok(items.length >= 1, 'a demo issue in the ledger');
  const issue = items[0];
  await page.setViewportSize(DESKTOP);

  // An issue's address, opened directly before login: the login form, then that issue.
  await deskLogin(page, server, 'manager');
  await page.click('[data-testid=logout]');
  await page.goto(`${server.base}/desk/issues/${issue.id}`);
  await page.locator('input[name=username]').waitFor({ timeout: 20000 });
  await page.fill('input[name=username]', 'manager');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('[data-testid=login-submit]');
  await page.locator(`[data-testid=issue-page][data-id="${issue.id}"]`).waitFor({ timeout: 20000 });
  assert.equal(new URL(page.url()).pathname, `/desk/issues/${issue.id}`);
  assert.ok((await page.textContent('[data-testid=issue-page]')).includes(issue.title), 'that issue is shown');

  // Logged in, the address opened directly (a bookmark): the same issue.
  await page.goto(`${server.base}/desk/issues/${issue.id}`);
  await page.locator(`[data-testid=issue-page][data-id="${issue.id}"]`).waitFor({ timeout: 20000 });

  // A filtered list: the filter goes into the address.
  await page.goto(`${server.base}/desk/`);
  await page.click('[data-testid=tab-issues]');
  await page.locator('[data-testid=issue]').first().waitFor({ timeout: 20000 });
  await page.selectOption('select[name=status]', 'ledger');
  await page.waitForFunction(() => location.pathname === '/desk/issues'
    && new URLSearchParams(location.search).get('status') === 'ledger', null, { timeout: 20000 });
  const onlyLedger = async () => {
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid=issue]')];
      return rows.length > 0 && rows.every((row) => row.dataset.status === 'ledger');
    }, null, { timeout: 20000 });
    assert.equal(await page.inputValue('select[name=status]'), 'ledger', 'the filter is shown as set');
  };
  await onlyLedger();
  const listAddress = page.url();

  // list → issue → the browser's Back: the same filtered list.
  await openIssue(page, issue.id);
  assert.equal(new URL(page.url()).pathname, `/desk/issues/${issue.id}`);
  await page.goBack();
  await page.waitForFunction((a) => location.href === a, listAddress, { timeout: 20000 });
  await onlyLedger();

  // Forward to the issue, a reload keeps it; the page's own Back returns to the list.
  await page.goForward();
  await page.locator(`[data-testid=issue-page][data-id="${issue.id}"]`).waitFor({ timeout: 20000 });
  await page.reload();
  await page.locator(`[data-testid=issue-page][data-id="${issue.id}"]`).waitFor({ timeout: 20000 });
  await page.getByRole('button', { name: '← 返回列表' }).click();
  await page.waitForFunction((a) => location.href === a, listAddress, { timeout: 20000 });
  await onlyLedger();

  // A reload keeps the filtered list.
  await page.reload();
  await onlyLedger();
  assert.equal(page.url(), listAddress);
});
