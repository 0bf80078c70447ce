import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestService, type TestService } from './support/service.ts';
import { seedDialIn } from './support/contoso.ts';
import { launchBrowser, screenshot } from './support/browser.ts';
import { ensureWebBuilt, signIn } from './support/admin-ui.ts';
import { RtpPhone } from './support/rtp-phone.ts';

/**
 * The admin center (issue 6) in Debian's Chromium against the real service:
 * sign in with the form, the seeds' procedures on the pages ("go to the admin
 * center > Dial-in conferencing > …"), and a live meeting that a real SIP
 * caller joins while the page watches the event stream.
 */
describe('the web admin center', () => {
  let t: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let conferenceId: string;
  let firstPin: string;
  const phones: RtpPhone[] = [];

  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await t.api(method, path, body);
    if (r.status >= 300)
      throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const nav = async (name: string, heading: string | RegExp = name) => {
    await page
      .getByRole('navigation', { name: 'Dial-in conferencing' })
      .getByRole('link', { name, exact: true })
      .click();
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };

  beforeAll(async () => {
    await ensureWebBuilt();
    t = await startTestService('pglite');
    ({ conferenceId, pin: firstPin } = await seedDialIn(t, {
      primary: 'en-US',
      secondary: ['de-DE'],
    }));
    // A few more people: licensed, unlicensed, and on a third-party provider.
    for (const [upn, name] of [
      ['pilar.ackerman@contoso.com', 'Pilar Ackerman'],
      ['tony.krijnen@contoso.com', 'Tony Krijnen'],
      ['lola.jacobsen@contoso.com', 'Lola Jacobsen'],
    ])
      await ok('POST', '/api/v1/users', { UserPrincipalName: upn, DisplayName: name });
    await ok('POST', '/api/v1/licenses', {
      UserPrincipalName: ['pilar.ackerman@contoso.com'],
      AddLicenses: ['contoso:MCOMEETADV'],
    });
    await ok('PUT', '/api/v1/users/lola.jacobsen@contoso.com/acp', {
      Name: 'Fabrikam Conferencing',
      TollNumber: '+14255550199',
      ParticipantPasscode: '1234567',
    });
    const start = new Date(Date.now() + 86_400_000);
    await ok('POST', '/api/v1/meetings', {
      Organizer: 'amos.marble@contoso.com',
      Subject: 'Quarterly review',
      Start: start.toISOString(),
      End: new Date(start.getTime() + 3_600_000).toISOString(),
    });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    for (const p of phones) p.close();
    await context?.close();
    await browser?.close();
    await t?.close();
  });

  it('signs in through the form and lands on Dial-in users', async () => {
    await page.goto(t.url + '/users');
    await page.getByRole('heading', { name: 'Sign in to the admin center' }).waitFor();
    await screenshot(page, 'sign-in');
    // A wrong token is refused on the form.
    await page.getByRole('radio', { name: 'Administrator token' }).check();
    await page.getByLabel('Token', { exact: true }).fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/not valid|revoked/);

    await signIn(page, t.url, { token: t.token });
    expect(new URL(page.url()).pathname).toBe('/users');
    await page.getByRole('heading', { level: 1, name: 'Dial-in users' }).waitFor();
    await page.getByRole('row', { name: /Lola Jacobsen/ }).waitFor();
    expect(await page.getByRole('row', { name: /Lola Jacobsen/ }).textContent()).toContain(
      'Fabrikam Conferencing',
    );
    await screenshot(page, 'users');
  });

  it('finds Amos Marble, resets his PIN and shows it exactly once', async () => {
    await page.getByRole('searchbox', { name: 'Search' }).fill('Amos');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    const row = page.getByRole('row', { name: /Amos Marble/ });
    expect(await row.textContent()).toContain(conferenceId);
    await row.getByRole('button', { name: 'Amos Marble' }).click();
    const pane = page.getByRole('complementary', { name: 'Amos Marble' });
    await expect.poll(() => pane.getByTestId('pane-pin').textContent()).toBe('*****');
    const before = await page.locator('body').innerText();

    await pane.getByRole('button', { name: 'Reset PIN' }).click();
    const confirm = page.getByRole('dialog', { name: 'Reset PIN?' });
    await confirm.getByRole('button', { name: 'Reset PIN' }).click();
    const shown = page.getByRole('dialog', { name: 'New leader PIN' });
    const pinText = (await shown.getByLabel('Leader PIN for Amos Marble').textContent())!.trim();
    expect(pinText).toMatch(/^\d{5,}$/);
    await screenshot(page, 'users-pin-reset');
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });

    // Afterwards: ***** in the pane, the PIN nowhere on the page (unless its
    // digits happened to be on the page before, e.g. inside a phone number).
    await expect.poll(() => pane.getByTestId('pane-pin').textContent()).toBe('*****');
    const visible = (text: string) => !before.includes(pinText) && text.includes(pinText);
    expect(visible(await page.locator('body').innerText())).toBe(false);
    expect(await page.content()).not.toContain(`>${pinText}<`);

    // Reloading never shows it again: the session survives, the PIN does not.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Dial-in users' }).waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('Amos');
    await page
      .getByRole('row', { name: /Amos Marble/ })
      .getByRole('button', { name: 'Amos Marble' })
      .click();
    await expect.poll(() => pane.getByTestId('pane-pin').textContent()).toBe('*****');
    expect(visible(await page.locator('body').innerText())).toBe(false);
    expect(await page.content()).not.toContain(`>${pinText}<`);

    // The service agrees: the audit log has the reset, by the signed-in
    // administrator, with the PIN masked; and it is a new PIN.
    const audit = await ok('GET', '/api/v1/audit?target=amos.marble@contoso.com');
    const reset = audit.find((a: any) => a.field === 'LeaderPin');
    expect(reset).toMatchObject({ oldValue: '*****', newValue: '*****' });
    expect(JSON.stringify(audit)).not.toContain(pinText);
    expect(pinText).not.toBe(firstPin);

    // And the Audit log page shows it.
    await nav('Audit log');
    await page
      .getByRole('row', { name: /LeaderPin/ })
      .first()
      .waitFor();
    expect(await page.locator('body').innerText()).not.toContain(pinText);
    await screenshot(page, 'audit');
  });

  it('selects several users: only the built-in provider or none, and a license for many', async () => {
    await nav('Dial-in users');
    await page.getByRole('checkbox', { name: 'Select Tony Krijnen' }).check();
    await page.getByRole('checkbox', { name: 'Select Lola Jacobsen' }).check();
    const pane = page.getByRole('complementary', { name: '2 users selected' });
    await pane.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit 2 users' });
    const options = await edit.getByLabel('Provider name').locator('option').allTextContents();
    expect(options.filter((o) => !o.startsWith('('))).toEqual(['dialbridge (built-in)', 'None']);
    await edit.getByRole('button', { name: 'Cancel' }).click();

    // Tony alone: assign the license; his new PIN is shown once, like a reset.
    await page.getByRole('checkbox', { name: 'Select Lola Jacobsen' }).uncheck();
    const tony = page.getByRole('complementary', { name: 'Tony Krijnen' });
    await tony.getByRole('button', { name: 'Assign license' }).click();
    await page
      .getByRole('dialog', { name: /Assign/ })
      .getByRole('button', { name: 'Assign' })
      .click();
    const shown = page.getByRole('dialog', { name: 'New leader PIN' });
    expect(await shown.getByLabel('Leader PIN for Tony Krijnen').textContent()).toMatch(/^\d{5}$/);
    await shown.getByRole('button', { name: 'Done' }).click();
    await expect
      .poll(() => page.getByRole('row', { name: /Tony Krijnen/ }).textContent())
      .toContain('Licensed');
    await expect.poll(() => tony.getByTestId('pane-pin').textContent()).toBe('*****');
    const dialIn = await ok('GET', '/api/v1/dialin-users/tony.krijnen@contoso.com');
    expect(dialIn).toMatchObject({ Provider: 'BuiltIn', LeaderPin: '*****' });

    // Reset his conference ID, after the seeds' warning.
    await tony.getByRole('button', { name: 'Reset conference ID' }).click();
    const ask = page.getByRole('dialog', { name: 'Reset conference ID?' });
    expect(await ask.textContent()).toMatch(/can no longer use the old conference ID/);
    expect(await ask.textContent()).toMatch(/update their existing meeting invites/);
    await screenshot(page, 'users-reset-conference-id');
    await ask.getByRole('button', { name: 'Yes, reset' }).click();
    await ask.waitFor({ state: 'detached' });
    const after = await ok('GET', '/api/v1/dialin-users/tony.krijnen@contoso.com');
    expect(after.ConferenceId).toMatch(/^[1-9]\d{6}$/);
    expect(after.ConferenceId).not.toBe(dialIn.ConferenceId);
    await tony.getByText(`new conference ID: ${after.ConferenceId}`).waitFor();
  });

  it("edits one user's dial-in properties from the bridge's numbers", async () => {
    await page.getByRole('button', { name: 'Pilar Ackerman' }).click();
    const pane = page.getByRole('complementary', { name: 'Pilar Ackerman' });
    await pane.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Pilar Ackerman' });
    expect(await edit.getByLabel('Provider name').inputValue()).toBe('BuiltIn');
    await expect
      .poll(() => edit.getByLabel('Default toll number').locator('option').allTextContents())
      .toEqual(['+14255550100 — Redmond']);
    await edit.getByLabel('Allow callers to start meetings without the leader').check();
    await screenshot(page, 'users-edit');
    await edit.getByRole('button', { name: 'Save' }).click();
    await pane.getByText('Saved Pilar Ackerman.').waitFor();
    const dialIn = await ok('GET', '/api/v1/dialin-users/pilar.ackerman@contoso.com');
    expect(dialIn).toMatchObject({ AllowPstnOnlyMeetings: true, ServiceNumber: '+14255550100' });
  });

  it('refuses a bad PIN length next to the field and leaves the setting as it was', async () => {
    await nav('Bridge settings');
    const pinLength = page.getByLabel('PIN length');
    expect(await pinLength.inputValue()).toBe('5');
    await pinLength.fill('13');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const fieldError = page.locator('.field.invalid .field-error');
    await expect
      .poll(() => fieldError.textContent())
      .toMatch(/PinLength must be a whole number from 4 to 12/);
    expect(await pinLength.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'bridge-settings-error');
    expect((await ok('GET', '/api/v1/settings')).PinLength).toBe(5);

    // A good value saves.
    await pinLength.fill('6');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Settings saved.').waitFor();
    expect((await ok('GET', '/api/v1/settings')).PinLength).toBe(6);
    await screenshot(page, 'bridge-settings');
  });

  it("sets a dedicated number's languages by dragging and with the keyboard", async () => {
    await nav('Bridge');
    const row = page.getByRole('row', { name: /\+14255550100/ });
    expect(await row.textContent()).toContain('Dedicated');
    expect(await row.textContent()).toContain('German (Germany)');
    await row.getByRole('button', { name: 'Set languages for +14255550100' }).click();
    const dialog = page.getByRole('dialog', { name: /Set languages/ });
    await dialog.getByLabel('Add a secondary language').selectOption('fr-FR');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    const list = dialog.getByRole('list', { name: 'Secondary languages' });
    const order = async () => {
      const text = await list.innerText();
      return ['French', 'German'].sort((a, b) => text.indexOf(a) - text.indexOf(b));
    };
    expect(await order()).toEqual(['German', 'French']);
    // Drag and drop: French onto German's place.
    await list
      .getByRole('listitem')
      .filter({ hasText: 'French' })
      .dragTo(list.getByRole('listitem').filter({ hasText: 'German' }));
    expect(await order()).toEqual(['French', 'German']);
    // The keyboard way: buttons that move one place (and say so to screen readers).
    await dialog.getByRole('button', { name: 'Move French (France) down' }).click();
    expect(await order()).toEqual(['German', 'French']);
    await dialog.getByRole('button', { name: 'Move French (France) up' }).focus();
    await page.keyboard.press('Enter');
    expect(await order()).toEqual(['French', 'German']);
    await dialog
      .getByText('French (France) moved to position 1 of 2.')
      .waitFor({ state: 'attached' });
    await screenshot(page, 'bridge-languages');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Languages of +14255550100 saved.').waitFor();
    const n = await ok('GET', '/api/v1/service-numbers/%2B14255550100');
    expect(n).toMatchObject({ PrimaryLanguage: 'en-US', SecondaryLanguages: ['fr-FR', 'de-DE'] });
    await screenshot(page, 'bridge');
  });

  it('shows a real caller join a live meeting without reloading, and controls it', async () => {
    await nav('Live meetings');
    await page.getByText('Live: updates as they happen').waitFor();
    await page.getByText('No meetings are running right now.').waitFor();
    // Marks this page load: a reload would lose it.
    await page.evaluate(() => ((window as any).__noReload = true));

    // A real SIP call (UDP SIP + RTP): English, the conference ID, #, and
    // "wait" (not star): the caller waits in the lobby.
    const phone = new RtpPhone();
    phones.push(phone);
    await phone.dial(t.service.calls.port);
    for (const k of `1${conferenceId}#5`) {
      phone.pressInfo(k, t.service.calls.port);
      await new Promise((r) => setTimeout(r, 30));
    }
    const meeting = page.getByRole('region', { name: /Amos Marble’s meeting/ });
    await meeting.waitFor({ timeout: 90_000 });
    const row = meeting.locator('tbody tr').first();
    await expect.poll(() => row.textContent(), { timeout: 90_000 }).toContain('In lobby');
    expect(await row.locator('th').textContent()).toMatch(/X/); // the number is masked
    expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
    await screenshot(page, 'live-lobby');

    // Admit from the page; the roster follows the event stream.
    await row.getByRole('button', { name: /^Admit / }).click();
    await expect.poll(() => row.textContent(), { timeout: 15_000 }).not.toContain('In lobby');
    await row.getByRole('button', { name: /^Mute / }).click();
    await expect.poll(() => row.locator('.states').textContent()).toContain('Muted');
    const live = await ok('GET', '/api/v1/live/meetings');
    expect(live[0].participants[0]).toMatchObject({ inLobby: false, muted: true });
    await screenshot(page, 'live-meeting');

    await meeting.getByRole('button', { name: 'End meeting' }).click();
    await page
      .getByRole('dialog', { name: 'End the meeting?' })
      .getByRole('button', { name: 'End meeting' })
      .click();
    await page.getByText('No meetings are running right now.').waitFor({ timeout: 15_000 });
    expect(await ok('GET', '/api/v1/live/meetings')).toEqual([]);
    expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
  }, 180_000);

  it('shows meetings, the outbox, and works at phone width', async () => {
    await nav('Meetings');
    await page.getByRole('row', { name: /Quarterly review/ }).waitFor();
    expect(await page.getByRole('row', { name: /Quarterly review/ }).textContent()).toContain(
      '+14255550100',
    );
    await screenshot(page, 'meetings');

    await nav('Outbox');
    await page
      .getByRole('row', { name: /amos.marble@contoso.com/ })
      .first()
      .waitFor();
    expect(await page.locator('body').innerText()).toMatch(/PIN reset/);
    await screenshot(page, 'outbox');

    await nav('Provider wizard', /provider wizard/i);
    await screenshot(page, 'provider-wizard');

    // 375 px: the nav folds behind Menu, nothing overflows the page sideways.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Dial-in users' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dial-in users' }).waitFor();
    await page.getByRole('row', { name: /Amos Marble/ }).waitFor();
    expect(await page.getByRole('link', { name: 'Bridge settings' }).isVisible()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      375,
    );
    await screenshot(page, 'users-375');

    // Sign out: back to the form, and the session is gone.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the admin center' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to the admin center' }).waitFor();
  });

  it('signs in with a username and password; the audit log names the account', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await ok('POST', '/api/v1/admin-accounts', {
      username: 'megan',
      password: 'correct horse battery',
    });
    await page.goto(t.url + '/bridge-settings');
    await page.getByLabel('Username', { exact: true }).fill('megan');
    await page.getByLabel('Password', { exact: true }).fill('wrong horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBeTruthy();
    await signIn(page, t.url, { username: 'megan', password: 'correct horse battery' }, '/audit');
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    // The session cookie is not readable by the page's scripts.
    expect(await page.evaluate(() => document.cookie)).not.toContain('dialbridge_session');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'dialbridge_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    // A change made in this session is the account's in the audit log.
    await nav('Bridge settings');
    const pinLength = page.getByLabel('PIN length');
    await pinLength.fill('8');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(async () => (await ok('GET', '/api/v1/settings')).PinLength, { timeout: 10_000 })
      .toBe(8);
    const audit = await ok('GET', '/api/v1/audit?limit=20');
    expect(audit.find((e: any) => e.field === 'PinLength')).toMatchObject({
      actor: 'megan',
      newValue: '8',
    });
    await nav('Audit log');
    await page
      .getByRole('row', { name: /megan.*PinLength/ })
      .first()
      .waitFor();
    await screenshot(page, 'audit');
  });
});
