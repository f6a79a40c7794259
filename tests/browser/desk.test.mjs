// The desk (/desk/): each demo role logs in and finds its work, on a desktop window and on
// a phone; a manager returns a walkthrough (not without a comment) and opens its printable
// form, sets two walks of one service side by side, and triages the demo's new issue into
// the ledger with its panel; the department submits evidence with a photo, three panel
// members approve, the observer is satisfied: closed; the rejection path back to the
// department; a vote control absent where the rules forbid it (and the server refusing it
// anyway); a transfer asked for and made; an unsatisfied re-check reopening an issue; a
// long list paged; notifications read; a manager who logs in on the observer app is handed
// to the desk. axe-core on every screen, and a screenshot of every screen desktop- and
// phone-sized. (The whole loop from an offline recording is loop.test.mjs.)

import {
  assert, run, shot, accessible, phoneJpeg, PASSWORD, deskLogin, openIssue, statusIs,
  DESKTOP, PHONE_SIZE,
} from './lib.mjs';

/** axe on the screen, then a screenshot of it, at both sizes; the desk goes on desktop-sized. */
async function screen(page, name) {
  await shot(page, name, 'desk-', (size) => accessible(page, `${name} (${size})`));
  await page.setViewportSize(DESKTOP);
}

await run('desk', async ({ page, server, browser }) => {
  const manager = await server.login('manager');
  const issueWith = async (state, words) => {
    const r = await server.api(manager, 'GET', `/api/v1/issues?status=${state}&limit=200`);
    assert.equal(r.status, 200);
    const { items } = await r.json();
    const hits = items.filter((i) => words === undefined || JSON.stringify(i).includes(words));
    assert.ok(hits.length >= 1, `a demo issue in state ${state}`);
    return hits[0];
  };
  const loop = await issueWith('new');
  const rejected = await issueWith('panel_review');
  const ledger = await issueWith('ledger');

  // The login page, then a manager: the inbox of walkthroughs to review.
  await page.setViewportSize(DESKTOP);
  await page.goto(server.base + '/desk/');
  await page.locator('input[name=username]').waitFor();
  await screen(page, 'login');
  await deskLogin(page, server, 'manager');
  await page.locator('[data-testid=walkthrough]').first().waitFor({ timeout: 20000 });
  await screen(page, 'manager-inbox');
  const before = await page.locator('[data-testid=walkthrough]').count();
  await page.locator('[data-testid=walkthrough-open]').first().click();
  await page.locator('[data-testid=journey] li').first().waitFor();
  await screen(page, 'manager-feedback');
  // Its printable feedback form opens as a page of its own.
  const [form] = await Promise.all([page.waitForEvent('popup'), page.click('[data-testid=print-feedback]')]);
  await form.waitForLoadState();
  assert.match(await form.textContent('body'), /体验反馈表/, 'the printable 体验反馈表');
  await form.close();
  // Returned for correction: refused without saying what to correct, then with a comment.
  // (Accepting one is the whole-loop test's part.)
  await page.click('[data-testid=return-walkthrough]');
  await page.locator('[data-testid=toast]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('[data-testid=walkthrough-status]').textContent(), '待审核', 'nothing changed');
  await page.fill('textarea[name=review-comment]', '请补充第二个环节的等候时间');
  await page.click('[data-testid=return-walkthrough]');
  await page.locator('[data-testid=walkthrough-status]', { hasText: '已退回' }).waitFor({ timeout: 20000 });
  await page.getByRole('button', { name: '← 返回列表' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=walkthrough]').length === n - 1
    || document.querySelector('[data-testid=inbox-empty]'), before);

  // The same service at the same venue, before and after, side by side.
  const walks = (await (await server.api(manager, 'GET', '/api/v1/walkthroughs?limit=200')).json()).items;
  const pair = walks.find((w) => walks.some((o) => o.id !== w.id && o.scenario_id === w.scenario_id && o.venue_id === w.venue_id));
  assert.ok(pair, 'the demo has two walks of one service at one venue');
  await page.selectOption('select[name=walkthrough-status]', '');
  await page.locator(`[data-testid=walkthrough][data-id="${pair.id}"] [data-testid=walkthrough-open]`).click();
  await page.locator('[data-testid=same-place] [data-testid=compare-open]').first().click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=compare-side] [data-testid=journey]').length === 2, null, { timeout: 20000 });
  assert.match(await page.locator('[data-testid=compare-change]').textContent(), /总用时(减少|增加)/);
  await screen(page, 'manager-before-after');
  await page.getByRole('button', { name: '← 返回列表' }).click();

  // The issue list: filters, search, bulk-triage selection, then the loop's issue.
  await page.click('[data-testid=tab-issues]');
  await page.locator('[data-testid=issue]').first().waitFor({ timeout: 20000 });
  await screen(page, 'manager-issues');
  await page.selectOption('select[name=status]', 'new');
  // The status filter: only new issues are left.
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=issue]')];
    return rows.length > 0 && rows.every((r) => r.dataset.status === 'new');
  }, null, { timeout: 20000 });
  await page.locator(`[data-testid=issue][data-id="${loop.id}"] [data-testid=issue-select]`).check();
  await page.locator('[data-testid=bulk]').waitFor();
  await screen(page, 'manager-bulk');
  await page.locator(`[data-testid=issue][data-id="${loop.id}"] [data-testid=issue-select]`).uncheck();
  await openIssue(page, loop.id);
  await screen(page, 'manager-issue-new');
  await page.selectOption('select[name=decision]', 'ledger');
  await page.click('[data-testid=triage]');
  await statusIs(page, 'ledger');
  // Its panel: one member of each constituency.
  await page.locator('[data-testid=form-panel]').waitFor();
  for (const [c, user] of [['service_office', 'panel'], ['window_rep', 'panel_window'], ['citizen_patrol', 'panel_citizen']]) {
    const select = page.locator(`select[name=panel-${c}]`);
    const value = await select.locator('option', { hasText: `(${user})` }).getAttribute('value');
    await select.selectOption(value);
  }
  await page.click('[data-testid=form-panel]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=panel-member]').length === 3, null, { timeout: 20000 });
  assert.ok(await page.locator('[data-testid=timeline] li').count() >= 3, 'the audit trail shows triage and panel');
  await screen(page, 'manager-issue-ledger');

  // Figures and report downloads; planning with an invite code for a volunteer.
  await page.click('.bar-title');
  await page.click('[data-testid=tab-reports]');
  await page.locator('[data-testid=by-category] tbody tr').first().waitFor({ timeout: 20000 });
  // The charts are drawn (SVG by dioxus-charts): one bar per category row (up to 12), two
  // rates a month, two bars per scenario.
  const categories = Math.min(12, await page.locator('[data-testid=by-category] tbody tr').count());
  assert.equal(await page.locator('[data-testid=by-category-chart] svg line.dx-bar').count(), categories, 'a bar per category');
  const months = await page.locator('[data-testid=monthly] tbody tr').count();
  assert.equal(await page.locator('[data-testid=monthly-chart] svg line.dx-bar').count(), 2 * months, 'two rates a month');
  const scenarios = await page.locator('[data-testid=scenario-timing] tbody tr').count();
  assert.equal(await page.locator('[data-testid=scenario-chart] svg line.dx-bar').count(), 2 * scenarios, 'average and promise per scenario');
  await screen(page, 'manager-figures');
  for (const [button, ext] of [['download-csv', 'csv'], ['download-xlsx', 'xlsx']]) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${button}]`)]);
    assert.ok(download.suggestedFilename().endsWith(`.${ext}`), download.suggestedFilename());
    const bytes = await new Promise(async (resolve, reject) => {
      const chunks = [];
      const stream = await download.createReadStream();
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => resolve(Buffer.concat(chunks)));
      stream.on('error', reject);
    });
    if (ext === 'xlsx') assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX (zip) file');
    else assert.ok(bytes.length > 50 && bytes.toString('utf8').includes(','), 'a CSV table');
  }
  await page.click('[data-testid=tab-planning]');
  // A new assignment: the shared rule refuses an end before the start before anything is
  // sent; then a good one is stored with its observer and listed.
  await page.locator('[data-testid=assignment-observer]').first().waitFor({ timeout: 20000 });
  const assignmentsBefore = (await (await server.api(manager, 'GET', '/api/v1/assignments')).json()).length;
  const listed = await page.locator('[data-testid=assignment-pick]').count();
  const pickFirst = async (name) => {
    const value = await page.locator(`select[name=${name}] option`).nth(1).getAttribute('value');
    await page.selectOption(`select[name=${name}]`, value);
    return value;
  };
  const scenarioId = await pickFirst('assignment-scenario');
  const venueId = await pickFirst('assignment-venue');
  await page.locator('[data-testid=assignment-observer]').first().check();
  await page.fill('input[name=assignment-starts]', '2027-01-10');
  await page.fill('input[name=assignment-ends]', '2027-01-05');
  await page.click('[data-testid=create-assignment]');
  assert.match(await page.locator('[data-testid=assignment-problem]').textContent({ timeout: 20000 }), /结束日期不能早于开始日期/);
  assert.equal((await (await server.api(manager, 'GET', '/api/v1/assignments')).json()).length, assignmentsBefore, 'nothing sent');
  await page.fill('input[name=assignment-ends]', '2027-01-20');
  await page.click('[data-testid=create-assignment]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=assignment-pick]').length === n + 1, listed, { timeout: 20000 });
  const made = (await (await server.api(manager, 'GET', '/api/v1/assignments')).json())
    .filter((a) => a.scenario_id === scenarioId && a.venue_id === venueId && a.starts_on === '2027-01-10' && a.ends_on === '2027-01-20');
  assert.equal(made.length, 1, 'the assignment is stored once');
  assert.equal(made[0].observer_ids.length, 1, 'with its observer');
  await page.locator('[data-testid=assignment-pick]').first().check();
  await page.click('[data-testid=create-invite]');
  const code = (await page.locator('[data-testid=invite-code]').textContent({ timeout: 20000 })).trim();
  assert.ok(code.length >= 6, `an invite code: ${code}`);
  await screen(page, 'manager-planning');
  const invites = await (await server.api(manager, 'GET', '/api/v1/invites')).json();
  assert.equal(invites.filter((i) => i.role === 'experiencer' && i.assignment_ids.length === 1 && !i.used_at).length >= 1, true, 'the invite is stored with its assignment');

  // The department officer, on a phone-sized window: notifications, then the evidence.
  await deskLogin(page, server, 'officer');
  await page.locator('[data-testid=issue]').first().waitFor({ timeout: 20000 });
  await screen(page, 'officer-issues');
  await page.locator('[data-testid=unread]').waitFor();
  await page.click('[data-testid=nav-notifications]');
  await page.locator('[data-testid=notification]').first().waitFor();
  await screen(page, 'officer-notifications');
  await page.click('[data-testid=mark-all-read]');
  await page.locator('[data-testid=unread]').waitFor({ state: 'detached', timeout: 20000 });
  assert.equal(await page.locator('[data-testid=notification][data-read=false]').count(), 0, 'all read');
  await page.click('.bar-title');
  await page.setViewportSize(PHONE_SIZE);
  await openIssue(page, loop.id);
  await page.fill('textarea[name=evidence-note]', '已在大厅显示屏公示预计等候时间,增开名称申报窗口');
  const jpeg = await phoneJpeg(page, 7);
  await page.setInputFiles('input[name=evidence-photos]', { name: 'fix.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await page.click('[data-testid=submit-evidence]');
  await statusIs(page, 'panel_review');
  await page.locator('[data-testid=after] [data-testid=photo]').first().waitFor({ timeout: 20000 });
  await screen(page, 'officer-issue-evidence');

  // Three panel members approve; before and after side by side.
  for (const user of ['panel', 'panel_window', 'panel_citizen']) {
    await deskLogin(page, server, user);
    await openIssue(page, loop.id);
    if (user === 'panel') await screen(page, 'panel-vote');
    await page.click('[data-testid=vote-approve]');
    await page.locator('[data-testid=vote-approve]').waitFor({ state: 'detached', timeout: 20000 });
  }
  await statusIs(page, 'signed_off');

  // Where the rules forbid a vote the control is absent, and the server refuses anyway.
  await deskLogin(page, server, 'panel');
  await page.selectOption('select[name=status]', '');
  await openIssue(page, ledger.id);
  assert.equal(await page.locator('[data-testid=vote-approve]').count(), 0, 'no vote before evidence');
  await screen(page, 'panel-no-vote');
  const panelToken = await server.login('panel');
  const refused = await server.api(panelToken, 'POST', `/api/v1/issues/${ledger.id}/votes`, { expected_version: ledger.version, approve: true });
  assert.ok(refused.status >= 400 && refused.status < 500, `the server refuses the vote (${refused.status})`);

  // The rejection path: a panel member rejects with a comment; back to the department.
  await deskLogin(page, server, 'panel_window');
  await openIssue(page, rejected.id);
  await page.fill('textarea[name=vote-reason]', '现场复核仍需下载两个APP');
  await page.click('[data-testid=vote-reject]');
  await statusIs(page, 'ledger');
  await deskLogin(page, server, 'officer');
  await openIssue(page, rejected.id);
  await page.getByText('现场复核仍需下载两个APP').first().waitFor();
  assert.equal(await page.locator('[data-testid=submit-evidence]').count(), 1, 'the department can fix it again');
  await screen(page, 'officer-issue-rejected');

  // The observer whose walkthrough raised it: satisfied, closed.
  await deskLogin(page, server, 'inspector');
  await openIssue(page, loop.id);
  await screen(page, 'observer-recheck');
  await page.click('[data-testid=recheck-satisfied]');
  await statusIs(page, 'closed');
  await screen(page, 'observer-issue-closed');
  const closed = await (await server.api(manager, 'GET', `/api/v1/issues/${loop.id}`)).json();
  assert.equal(closed.summary.status, 'closed');
  // (Accepting the walkthrough above may have added an occurrence of it.)
  assert.deepEqual(closed.events.map((e) => e.action).filter((a) => a !== 'create' && a !== 'add_occurrence'),
    ['ledger', 'form_panel', 'submit_evidence', 'approve', 'approve', 'approve', 'sign_off', 'recheck_satisfied']);
  assert.equal(closed.evidence.at(-1).photos.length, 1, 'the evidence photo');

  // A transfer: the department asks, a manager moves the issue to another department.
  const officerToken = await server.login('officer');
  const mine = (await (await server.api(officerToken, 'GET', '/api/v1/issues?status=fix_now&limit=200')).json()).items;
  assert.ok(mine.length >= 1, 'the demo officer has a fix-now issue');
  const moving = mine[0];
  await deskLogin(page, server, 'officer');
  await openIssue(page, moving.id);
  await page.fill('textarea[name=request-transfer-note]', '该事项由区人社局负责受理');
  await page.click('[data-testid=request-transfer]');
  // One request at a time: asked, the control goes.
  await page.locator('[data-testid=request-transfer]').waitFor({ state: 'detached', timeout: 20000 });
  await deskLogin(page, server, 'manager');
  await page.click('[data-testid=tab-issues]');
  await openIssue(page, moving.id);
  await page.locator('[data-testid=decline-transfer]').waitFor();
  const other = await page.locator('select[name=transfer-department] option')
    .evaluateAll((os, from) => os.map((o) => o.value).find((v) => v && v !== from), moving.department_id);
  await page.selectOption('select[name=transfer-department]', other);
  await page.fill('textarea[name=transfer-note]', '同意转办');
  await page.click('[data-testid=transfer]');
  // Once moved, the request is settled: nothing left to decline.
  await page.locator('[data-testid=decline-transfer]').waitFor({ state: 'detached', timeout: 20000 });
  const moved = await (await server.api(manager, 'GET', `/api/v1/issues/${moving.id}`)).json();
  assert.equal(moved.summary.department_id, other, 'the issue is with the other department');
  assert.deepEqual(moved.events.slice(-2).map((e) => e.action), ['request_transfer', 'transfer']);
  await screen(page, 'manager-issue-transferred');

  // A re-check the observer is not satisfied with reopens the issue.
  const signedOff = await issueWith('signed_off');
  const so = await (await server.api(manager, 'GET', `/api/v1/issues/${signedOff.id}`)).json();
  const walk = await (await server.api(manager, 'GET', `/api/v1/walkthroughs/${so.occurrences[0].walkthrough_id}`)).json();
  const observer = (await (await server.api(manager, 'GET', '/api/v1/users')).json()).find((u) => u.id === walk.summary.observer_id);
  await deskLogin(page, server, observer.username);
  await openIssue(page, signedOff.id);
  await page.fill('textarea[name=recheck-note]', '复访时叫号机仍未修好');
  await page.click('[data-testid=recheck-unsatisfied]');
  await statusIs(page, 'reopened');
  await screen(page, 'observer-issue-reopened');

  // A long list pages: 205 bad reviews imported, the first 200 shown, the rest on request.
  const rows = Array.from({ length: 205 }, (_, i) =>
    `社保卡补办,天宁区政务服务中心,hrss,窗口,2026-11-${String(1 + (i % 28)).padStart(2, '0')},第${i}次评价:窗口让我跑了三趟,不满意`);
  const imported = await fetch(`${server.base}/api/v1/issues/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${manager}`, 'content-type': 'text/csv' },
    body: ['事项,场所,部门,渠道,日期,评价内容,评价等级', ...rows].join('\n'),
  });
  assert.equal(imported.status, 200, await imported.text());
  const allNew = (await (await server.api(manager, 'GET', '/api/v1/issues?status=new&limit=200')).json());
  assert.ok(allNew.next_cursor, 'more than a page of new issues');
  await deskLogin(page, server, 'manager');
  await page.click('[data-testid=tab-issues]');
  await page.selectOption('select[name=status]', 'new');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=issue]').length === 200, null, { timeout: 30000 });
  await page.click('[data-testid=load-more]');
  await page.locator('[data-testid=load-more]').waitFor({ state: 'detached', timeout: 30000 });
  const shown = await page.locator('[data-testid=issue]').count();
  assert.ok(shown > 205, `every new issue, over two pages (${shown})`);
  const ids = await page.locator('[data-testid=issue]').evaluateAll((els) => els.map((e) => e.dataset.id));
  assert.equal(new Set(ids).size, ids.length, 'no issue twice');

  // A manager who logs in on the observer app is handed to the desk.
  const phone = await browser.newContext({ viewport: PHONE_SIZE, locale: 'zh-CN' });
  const p2 = await phone.newPage();
  await p2.goto(server.base + '/');
  await p2.locator('input[name=username]').waitFor();
  await p2.fill('input[name=username]', 'manager');
  await p2.fill('input[name=password]', PASSWORD);
  await p2.click('[data-testid=login-submit]');
  await p2.waitForURL('**/desk/', { timeout: 20000 });
  await p2.locator('[data-testid=tab-inbox]').waitFor({ timeout: 20000 });
  await phone.close();
});
