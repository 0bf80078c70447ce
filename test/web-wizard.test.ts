import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestService, type TestService } from './support/service.ts';
import { seedDialIn } from './support/contoso.ts';
import { launchBrowser, screenshot } from './support/browser.ts';
import { ensureWebBuilt, signIn } from './support/admin-ui.ts';

/**
 * The third-party provider wizard in Debian's Chromium against the real
 * service: choose users, download their CSV, import a bad file (every bad row
 * with its line), import a good one (preview), apply it, and check the users
 * through the API.
 */
const HEADER =
  'Identity,DisplayName,Email,Provider,Domain,TollNumber,TollFreeNumbers,ParticipantPasscode,Url';

describe('the provider wizard page', () => {
  let t: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await t.api(method, path, body);
    if (r.status >= 300)
      throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const acpOf = (upn: string) => t.api('GET', `/api/v1/users/${encodeURIComponent(upn)}/acp`);
  const choose = async (file: { name: string; text: string }) => {
    await page.getByLabel('CSV file from the provider').setInputFiles({
      name: file.name,
      mimeType: 'text/csv',
      buffer: Buffer.from(file.text),
    });
    await page.getByRole('button', { name: 'Upload and check' }).click();
  };

  beforeAll(async () => {
    await ensureWebBuilt();
    t = await startTestService('pglite');
    await seedDialIn(t, { primary: 'en-US', secondary: [] });
    for (const [upn, name] of [
      ['alex.wilber@contoso.com', 'Alex Wilber'],
      ['bea.lee@contoso.com', 'Bea Lee'],
      ['cy.ng@contoso.com', 'Cy Ng'],
    ])
      await ok('POST', '/api/v1/users', { UserPrincipalName: upn, DisplayName: name });
    await ok('PUT', '/api/v1/users/bea.lee%40contoso.com/acp', {
      Name: 'Acme Audio',
      TollNumber: '+14255550199',
      ParticipantPasscode: '445566',
    });
    browser = await launchBrowser();
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
  });

  it('chooses users and downloads their CSV', { timeout: 60_000 }, async () => {
    await signIn(page, t.url, { token: t.token }, '/provider-wizard');
    await page.getByRole('heading', { level: 1, name: 'Third-party provider wizard' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Step 1: Choose users' }).waitFor();
    const search = page.getByRole('searchbox', { name: 'Search users' });
    await page.getByRole('checkbox', { name: 'Cy Ng' }).waitFor();
    // The search asks the service: the list narrows, and the chosen users stay chosen.
    await search.fill('alex');
    await page.getByRole('checkbox', { name: 'Cy Ng' }).waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: 'Alex Wilber' }).check();
    await search.fill('bea');
    await page.getByRole('checkbox', { name: 'Alex Wilber' }).waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: 'Bea Lee' }).check();
    await page.getByText('2 users chosen').waitFor();
    await page.getByRole('button', { name: 'Remove Alex Wilber' }).waitFor();
    await screenshot(page, 'provider-wizard-1-choose');
    await page.getByRole('button', { name: 'Next: export' }).click();
    await page
      .getByRole('heading', { level: 2, name: 'Step 2: Export the file for the provider' })
      .waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^provider-export-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text.split('\r\n')[0]).toBe(HEADER);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.Identity, r.Provider, r.ParticipantPasscode])).toEqual([
      ['alex.wilber@contoso.com', '', ''],
      ['bea.lee@contoso.com', 'Acme Audio', '445566'],
    ]);
    await page.getByText('Downloaded provider-export-').waitFor();
    await screenshot(page, 'provider-wizard-2-export');
  });

  it('a bad file: the error rows with their line numbers, nothing written', async () => {
    await page.getByRole('button', { name: 'Next: import' }).click();
    await page
      .getByRole('heading', { level: 2, name: 'Step 3: Import the provider’s file' })
      .waitFor();
    await choose({
      name: 'bad.csv',
      text: [
        HEADER,
        'alex.wilber@contoso.com,Alex Wilber,,Acme Audio,,+14255550199,,,',
        'ghost@contoso.com,,,Acme Audio,,+14255550199,,1,',
        'bea.lee@contoso.com,Bea Lee,,Acme Audio,,not a number,,445566,',
        'alex.wilber@contoso.com,,,Acme Audio,,+14255550199,,2,',
      ].join('\n'),
    });
    const alert = page.getByRole('alert').filter({ hasText: 'have errors' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/4 rows of 4 have errors\. Nothing was written/);
    const table = page.getByRole('table', { name: 'Rows with errors' });
    const cells = await table
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent)),
      );
    expect(cells.map((c) => c.slice(0, 3))).toEqual([
      ['2', 'ParticipantPasscode', 'alex.wilber@contoso.com'],
      ['3', 'Identity', 'ghost@contoso.com'],
      ['4', 'TollNumber', 'bea.lee@contoso.com'],
      ['5', 'Identity', 'alex.wilber@contoso.com'],
    ]);
    expect(cells[1]![3]).toMatch(/no user 'ghost@contoso.com'/);
    expect(cells[3]![3]).toMatch(/appears again: it is already on line 2/);
    await expect(page.getByRole('button', { name: /Step 4/ }).isDisabled()).resolves.toBe(true);
    await screenshot(page, 'provider-wizard-3-errors');
    // A file that is not the provider CSV at all: one clear reason.
    await choose({ name: 'contacts.csv', text: 'Name,Phone\nAlex,555\n' });
    const refused = page.getByRole('alert').filter({ hasText: 'The file was refused' });
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(
      /missing required columns Identity, Provider, TollNumber, ParticipantPasscode; unknown columns Name, Phone/,
    );
    expect((await acpOf('alex.wilber@contoso.com')).status).toBe(404);
    expect((await acpOf('bea.lee@contoso.com')).json.TollNumber).toBe('+14255550199');
  });

  it('a good file: the preview, then apply, and the users have the provider', async () => {
    await choose({
      name: 'acme-returned.csv',
      text: [
        HEADER,
        'alex.wilber@contoso.com,Alex Wilber,,Acme Audio,acme.example,+14255550199,+18005550100,7654321,https://acme.example/alex',
        'bea.lee@contoso.com,Bea Lee,,Acme Audio,,+14255550199,,998877,',
        'cy.ng@contoso.com,Cy Ng,,Acme Audio,,+14255550199,,,',
      ]
        .slice(0, 3)
        .join('\n'),
    });
    const done = page.getByRole('status').filter({ hasText: 'All 2 rows checked' });
    await done.waitFor();
    expect(await done.textContent()).toMatch(
      /2 users would change, 0 unchanged\. Nothing has been written yet/,
    );
    const preview = page.getByRole('table', { name: 'Changes the import makes' });
    const rows = await preview
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent).join(' | ')),
      );
    expect(rows).toContain('2 | alex.wilber@contoso.com | DialInProvider | None | ThirdParty');
    expect(rows).toContain('2 | alex.wilber@contoso.com | ParticipantPasscode | — | 7654321');
    expect(rows).toContain('2 | alex.wilber@contoso.com | TollFreeNumbers | — | +18005550100');
    expect(rows).toContain('3 | bea.lee@contoso.com | ParticipantPasscode | 445566 | 998877');
    await screenshot(page, 'provider-wizard-4-preview');
    // Still nothing written.
    expect((await acpOf('alex.wilber@contoso.com')).status).toBe(404);

    await page.getByRole('button', { name: 'Next: apply' }).click();
    await page.getByRole('heading', { level: 2, name: 'Step 4: Apply' }).waitFor();
    await page.getByRole('button', { name: 'Apply changes' }).click();
    const applied = page.getByRole('status').filter({ hasText: 'Applied:' });
    await applied.waitFor();
    expect(await applied.textContent()).toMatch(/Applied: 2 users changed/);
    await screenshot(page, 'provider-wizard-5-applied');

    expect((await acpOf('alex.wilber@contoso.com')).json).toEqual({
      Identity: 'alex.wilber@contoso.com',
      Name: 'Acme Audio',
      Domain: 'acme.example',
      TollNumber: '+14255550199',
      TollFreeNumbers: ['+18005550100'],
      ParticipantPasscode: '7654321',
      Url: 'https://acme.example/alex',
    });
    expect((await acpOf('bea.lee@contoso.com')).json.ParticipantPasscode).toBe('998877');
    const [last] = await ok('GET', '/api/v1/provider-csv/imports');
    expect(last).toMatchObject({
      state: 'applied',
      fileName: 'acme-returned.csv',
      changedUsers: 2,
    });
  });

  it(
    'a large file shows its progress while it is checked and applied',
    { timeout: 90_000 },
    async () => {
      const [org] = await t.service.db.query<{ id: string }>('select id from organizations');
      await t.service.db.query(
        `insert into users (id, org_id, upn, display_name, email, sip_address)
       select 'bulk-' || i, $1, 'bulk' || i || '@contoso.com', 'Bulk ' || i, 'bulk' || i || '@contoso.com',
         'sip:bulk' || i || '@contoso.com' from generate_series(1, 4000) as i`,
        [org!.id],
      );
      const lines = [HEADER];
      for (let i = 1; i <= 4000; i++)
        lines.push(`bulk${i}@contoso.com,Bulk ${i},,Initech,,+14255550199,,${500000 + i},`);
      await page.getByRole('button', { name: 'Back' }).click();
      await page
        .getByRole('heading', { level: 2, name: 'Step 3: Import the provider’s file' })
        .waitFor();
      // Every progress line the page shows, however briefly (on the embedded
      // store the apply holds the store, so its progress may show only once).
      await page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { progress: string[] }).progress = seen;
        new MutationObserver(() => {
          for (const el of document.querySelectorAll('.wiz-progress[role="status"]')) {
            const text = el.textContent ?? '';
            const bar = el.querySelector('progress');
            const line = `${text} [${bar?.getAttribute('value')}/${bar?.getAttribute('max')}]`;
            if (seen.at(-1) !== line) seen.push(line);
          }
        }).observe(document.body, {
          subtree: true,
          childList: true,
          characterData: true,
          attributes: true,
        });
      });
      await choose({ name: 'big.csv', text: lines.join('\n') });
      await page
        .getByRole('status')
        .filter({ hasText: 'All 4,000 rows checked' })
        .waitFor({ timeout: 60_000 });
      await page.getByRole('button', { name: 'Next: apply' }).click();
      await page.getByRole('button', { name: 'Apply changes' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: 'Applied: 4,000 users changed' })
        .waitFor({ timeout: 60_000 });
      await screenshot(page, 'provider-wizard-6-applied-large');
      const progress = await page.evaluate(
        () => (window as unknown as { progress: string[] }).progress,
      );
      const checking = progress.filter((l) => l.startsWith('Checking rows'));
      const applying = progress.filter((l) => l.startsWith('Applying rows'));
      // Both steps showed "N of 4,000 rows" with a bar, only ever moving forward
      // (how many readings there are depends on the machine's speed).
      const value = (l: string) => Number(/\[(\d+)\/4000\]$/.exec(l)?.[1]);
      for (const lines of [checking, applying]) {
        expect(lines.length).toBeGreaterThan(0);
        expect(lines.every((l) => /rows: [\d,]+ of 4,000 rows \[\d+\/4000\]$/.test(l))).toBe(true);
        const values = lines.map(value);
        expect(values).toEqual([...values].sort((a, b) => a - b));
      }
      expect(checking[0]).toBe('Checking rows: 0 of 4,000 rows [0/4000]');
      expect((await acpOf('bulk3999@contoso.com')).json).toMatchObject({
        Name: 'Initech',
        ParticipantPasscode: '503999',
      });
    },
  );

  it('works at 375 pixels wide, by keyboard', async () => {
    // The same session (cookie) in a phone-sized window.
    const small = await browser.newContext({
      viewport: { width: 375, height: 800 },
      storageState: await context.storageState(),
    });
    const p = await small.newPage();
    try {
      await p.goto(`${t.url}/provider-wizard`);
      await p.getByRole('heading', { level: 1, name: 'Third-party provider wizard' }).waitFor();
      await p.getByRole('searchbox', { name: 'Search users' }).fill('cy.ng');
      await p.getByRole('checkbox', { name: 'Cy Ng' }).waitFor();
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth);
      expect(overflow).toBeLessThanOrEqual(375);
      // Keyboard only: focus the checkbox, tick it with Space, reach "Next: export" and press Enter.
      await p.getByRole('checkbox', { name: 'Cy Ng' }).focus();
      await p.keyboard.press('Space');
      await p.getByText('1 user chosen').waitFor();
      await p.getByRole('button', { name: 'Next: export' }).focus();
      await p.keyboard.press('Enter');
      const heading = p.getByRole('heading', {
        level: 2,
        name: 'Step 2: Export the file for the provider',
      });
      await heading.waitFor();
      // Focus follows to the new step's heading.
      await expect(heading.evaluate((h) => h === document.activeElement)).resolves.toBe(true);
      await screenshot(p, 'provider-wizard-375px');
    } finally {
      await small.close();
    }
  });
});
