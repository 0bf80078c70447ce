import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreKind } from '../support/stores.ts';
import { startTestService, type TestService } from '../support/service.ts';

/**
 * The seed documents' commands, pasted verbatim into the real `dialbridge`
 * command, against the running service — on both stores.
 */
export function cliSeedsSuite(kind: StoreKind): void {
  describe(`the seeds through the command line (${kind})`, () => {
    let t: TestService;
    const pinHash = async (upn: string) =>
      (
        await t.service.db.query<{ pin_hash: string }>(
          'select pin_hash from users where upn = $1',
          [upn],
        )
      )[0]?.pin_hash;
    const settings = () =>
      t.cliJson<Record<string, unknown>>(['Get-CsOnlineDialInConferencingTenantSettings']);

    beforeAll(async () => {
      t = await startTestService(kind);
      const demo = await t.cli(['demo']);
      expect(demo.code, demo.stderr).toBe(0);
      expect(demo.stdout).toMatch(/Amos Marble \(\d{7}\)/);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('Set-CsOnlineDialInConferencingUser -Identity "Amos Marble"  -ConferenceId 8271964', async () => {
      const r = await t.cli([
        'Set-CsOnlineDialInConferencingUser -Identity "Amos Marble"  -ConferenceId 8271964',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/ConferenceId\s+: 8271964/);
      const u = await t.cliJson([
        'Get-CsOnlineDialInConferencingUser',
        '-Identity',
        'amos.marble@contoso.com',
      ]);
      expect(u.ConferenceId).toBe('8271964');
      // Shell-split words work the same as the pasted line.
      const again = await t.cli([
        'Set-CsOnlineDialInConferencingUser',
        '-Identity',
        'Amos Marble',
        '-ConferenceId',
        '8271964',
      ]);
      expect(again.code).toBe(0);
    });

    it('a taken or malformed conference ID is refused, exit non-zero, nothing changed', async () => {
      const taken = await t.cli([
        'Set-CsOnlineDialInConferencingUser -Identity "Megan Bowen" -ConferenceId 8271964',
      ]);
      expect(taken.code).not.toBe(0);
      expect(taken.stderr).toMatch(/ConferenceId.*taken/);
      for (const bad of ['123456', '0123456', '12345678']) {
        const r = await t.cli([
          'Set-CsOnlineDialInConferencingUser',
          '-Identity',
          'Megan Bowen',
          '-ConferenceId',
          bad,
        ]);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/ConferenceId must be exactly 7 digits/);
      }
      const megan = await t.cliJson([
        'Get-CsOnlineDialInConferencingUser',
        'megan.bowen@contoso.com',
      ]);
      expect(megan.ConferenceId).not.toBe('8271964');
      expect(megan.ConferenceId).toMatch(/^[1-9]\d{6}$/);
    });

    it('Set-CsOnlineDialInConferencingUser -id amos.marble@contoso.com -ResetLeaderPIN shows the PIN once', async () => {
      const before = await pinHash('amos.marble@contoso.com');
      const r = await t.cli([
        'Set-CsOnlineDialInConferencingUser -id amos.marble@contoso.com -ResetLeaderPIN',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const pin = /LeaderPin\s+: (\d+)/.exec(r.stdout)?.[1];
      expect(pin).toMatch(/^\d{5}$/);
      expect(await pinHash('amos.marble@contoso.com')).not.toBe(before);
      const list = await t.cli(['Get-CsOnlineDialInConferencingUser']);
      expect(list.stdout).toContain('amos.marble@contoso.com');
      expect(list.stdout).toContain('*****');
      // As a whole number: a 5-digit PIN may well occur inside a phone number or ID.
      expect(list.stdout).not.toMatch(new RegExp(`(?<!\\d)${pin}(?!\\d)`));
      const one = await t.cliJson([
        'Get-CsOnlineDialInConferencingUser',
        '-Identity',
        'Amos Marble',
      ]);
      expect(one.LeaderPin).toBe('*****');
    });

    it("Get-CsCsOnlineDialInConfencingUser (the seed's typo) suggests the right cmdlet", async () => {
      const r = await t.cli(['Get-CsCsOnlineDialInConfencingUser']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('Did you mean Get-CsOnlineDialInConferencingUser?');
    });

    it('Set-CsOnlineDialInConferencingUser -amos.marble –ResetLeaderPIN … is refused with a suggestion and changes nothing', async () => {
      const before = await pinHash('amos.marble@contoso.com');
      const line =
        'Set-CsOnlineDialInConferencingUser -amos.marble –ResetLeaderPIN -SendEmail -SendEmailToAddress "u@hotmail.com"';
      const r = await t.cli([line]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('-Identity amos.marble');
      expect(await pinHash('amos.marble@contoso.com')).toBe(before);
      // What the seed meant, with the en dash it was written with.
      const fixed = await t.cli([
        'Set-CsOnlineDialInConferencingUser -Identity amos.marble –ResetLeaderPIN -SendEmail -SendEmailToAddress "u@hotmail.com"',
      ]);
      expect(fixed.code, fixed.stderr).toBe(0);
      expect(fixed.stdout).toMatch(/LeaderPin\s+: \d{5}/);
      expect(fixed.stderr).toMatch(/email was queued to u@hotmail\.com/);
      expect(await pinHash('amos.marble@contoso.com')).not.toBe(before);
    });

    it('-SendEmailToAddress without -SendEmail is refused, as the seed says SendEmail is required', async () => {
      const r = await t.cli([
        'Set-CsOnlineDialInConferencingUser -Identity amos.marble -ResetLeaderPIN -SendEmailToAddress "u@hotmail.com"',
      ]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/SendEmailToAddress requires -SendEmail/);
    });

    it('Set-CsOnlineDialInConferencingTenantSetting -AutomaticallySendEmailsToUsers $true|$false', async () => {
      const verbatim = await t.cli([
        'Set-CsOnlineDialInConferencingTenantSetting -AutomaticallySendEmailsToUsers $true|$false',
      ]);
      expect(verbatim.code).not.toBe(0);
      expect(verbatim.stderr).toMatch(/AutomaticallySendEmailsToUsers.*\$true or \$false/);
      expect((await settings()).AutomaticallySendEmailsToUsers).toBe(true);
      for (const v of ['$false', '$true']) {
        const r = await t.cli([
          `Set-CsOnlineDialInConferencingTenantSetting -AutomaticallySendEmailsToUsers ${v}`,
        ]);
        expect(r.code, r.stderr).toBe(0);
        expect((await settings()).AutomaticallySendEmailsToUsers).toBe(v === '$true');
      }
    });

    it('Set-CsOnlineDialInConferencingTenantSetting -SendEmailOverride $true -SendEmailFromAddress amos.marble@contoso.com -SendEmailFromDisplayName "Amos Marble"', async () => {
      const r = await t.cli([
        'Set-CsOnlineDialInConferencingTenantSetting -SendEmailOverride $true -SendEmailFromAddress amos.marble@contoso.com -SendEmailFromDisplayName "Amos Marble"',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(await settings()).toMatchObject({
        SendEmailFromOverride: true,
        SendEmailFromAddress: 'amos.marble@contoso.com',
        SendEmailFromDisplayName: 'Amos Marble',
      });
    });

    it.each([
      ['EnableEntryExitNotifications', '$false', false],
      ['EnableEntryExitNotifications', '$true', true],
      ['EnableNameRecording', '$false', false],
      ['EnableNameRecording', 'false', false],
      ['EnableNameRecording', '$true', true],
      ['PinLength', '7', 7],
      ['AllowPSTNOnlyMeetingsByDefault', '$true', true],
      ['AllowPSTNOnlyMeetingsByDefault', '$false', false],
      ['AutomaticallySendEmailsToUsers', '$false', false],
      ['SendEmailFromOverride', '$false', false],
      ['SendEmailFromAddress', 'amos.marble@contoso.com', 'amos.marble@contoso.com'],
      ['SendEmailFromDisplayName', '"Amos Marble"', 'Amos Marble'],
    ])('Set-CsOnlineDialInConferencingTenantSettings -%s %s', async (name, value, expected) => {
      const r = await t.cli([`Set-CsOnlineDialInConferencingTenantSettings -${name} ${value}`]);
      expect(r.code, r.stderr).toBe(0);
      expect((await settings())[name]).toBe(expected);
    });

    it('each setting out of range is refused naming the setting and the rule; nothing changes', async () => {
      const before = await settings();
      const bad: [string, RegExp][] = [
        ['-PinLength 3', /PinLength must be a whole number from 4 to 12/],
        ['-PinLength 13', /PinLength must be a whole number from 4 to 12/],
        ['-PinLength seven', /PinLength must be an integer/],
        ['-EnableNameRecording maybe', /EnableNameRecording.*\$true or \$false/],
        ['-MaskPstnNumbersType Sometimes', /MaskPstnNumbersType must be one of/],
        [
          '-EntryExitAnnouncementsType Loud',
          /EntryExitAnnouncementsType must be one of UseNames, ToneOnly/,
        ],
        ['-SendEmailFromAddress not-an-address', /SendEmailFromAddress must be a valid email/],
        ['-SendEmailFromAddress', /Missing value for parameter -SendEmailFromAddress/],
        ['-PinLenght 7', /Unknown parameter '-PinLenght'.*PinLength/],
        ['-PinLength 6 -EnableNameRecording maybe', /EnableNameRecording/],
      ];
      for (const [args, msg] of bad) {
        const r = await t.cli([`Set-CsOnlineDialInConferencingTenantSettings ${args}`]);
        expect(r.code, args).not.toBe(0);
        expect(r.stderr, args).toMatch(msg);
      }
      expect(await settings()).toEqual(before);
    });

    it('Remove-CsOnlineDialInConferencingTenantSettings restores the defaults', async () => {
      const r = await t.cli(['Remove-CsOnlineDialInConferencingTenantSettings']);
      expect(r.code, r.stderr).toBe(0);
      expect(await settings()).toMatchObject({
        PinLength: 5,
        SendEmailFromOverride: false,
        SendEmailFromAddress: null,
        AllowPSTNOnlyMeetingsByDefault: false,
      });
    });

    it('users and licenses: New-MsolUser, Set-MsolUserLicense (several at once), Get-MsolUser, Remove-MsolUser', async () => {
      for (const [upn, name] of [
        ['ana.ruiz@contoso.com', 'Ana Ruiz'],
        ['li.wei@contoso.com', 'Li Wei'],
      ]) {
        const r = await t.cli([
          'New-MsolUser',
          '-UserPrincipalName',
          upn!,
          '-DisplayName',
          name!,
          '-UsageLocation',
          'ES',
        ]);
        expect(r.code, r.stderr).toBe(0);
      }
      const lic = await t.cli([
        'Set-MsolUserLicense -UserPrincipalName ana.ruiz@contoso.com,li.wei@contoso.com -AddLicenses "contoso:MCOMEETADV"',
      ]);
      expect(lic.code, lic.stderr).toBe(0);
      expect(lic.stdout).toMatch(/ana\.ruiz@contoso\.com.*BuiltIn\s+\d{7}\s+\+14255550100\s+\d{5}/);
      const users = await t.cliJson<{ UserPrincipalName: string; IsLicensed: boolean }[]>([
        'Get-MsolUser',
        '-SearchString',
        'ruiz',
      ]);
      expect(users).toEqual([
        expect.objectContaining({ UserPrincipalName: 'ana.ruiz@contoso.com', IsLicensed: true }),
      ]);
      const bad = await t.cli([
        'Set-MsolUserLicense -UserPrincipalName ana.ruiz@contoso.com -AddLicenses contoso:NOSUCHSKU',
      ]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/AddLicenses.*contoso:MCOMEETADV/);
      const off = await t.cli([
        'Set-MsolUserLicense -UserPrincipalName li.wei@contoso.com -RemoveLicenses contoso:MCOMEETADV',
      ]);
      expect(off.code, off.stderr).toBe(0);
      const gone = await t.cli(['Get-CsOnlineDialInConferencingUser -Identity li.wei@contoso.com']);
      expect(gone.code).not.toBe(0);
      expect(gone.stderr).toMatch(/not enabled for dial-in/);
      const rm = await t.cli(['Remove-MsolUser -UserPrincipalName li.wei@contoso.com -Force']);
      expect(rm.code, rm.stderr).toBe(0);
      const unknown = await t.cli(['Get-MsolUser -UserPrincipalName li.wei@contoso.com']);
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toMatch(/no user matches 'li.wei@contoso.com'/);
    });

    it('third-party provider: Disable- the built-in bridge, Set-CsUserAcp, then a license brings the user back', async () => {
      const en = await t.cli([
        'New-MsolUser -UserPrincipalName kim.ode@contoso.com -DisplayName "Kim Ode"',
      ]);
      expect(en.code, en.stderr).toBe(0);
      await t.cli([
        'Set-MsolUserLicense -UserPrincipalName kim.ode@contoso.com -AddLicenses contoso:MCOMEETADV',
      ]);
      const refused = await t.cli([
        'Set-CsUserAcp -Identity kim.ode@contoso.com -Name "Fabrikam" -TollNumber +14255550177 -ParticipantPasscode 5551234',
      ]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/Disable-CsOnlineDialInConferencingUser/);
      expect(
        (await t.cli(['Disable-CsOnlineDialInConferencingUser -Identity kim.ode@contoso.com']))
          .code,
      ).toBe(0);
      const set = await t.cliJson([
        'Set-CsUserAcp',
        '-Identity',
        'kim.ode@contoso.com',
        '-Name',
        'Fabrikam',
        '-TollNumber',
        '+14255550177',
        '-TollFreeNumbers',
        '+18005550177,+18885550177',
        '-ParticipantPasscode',
        '5551234',
      ]);
      expect(set).toMatchObject({
        TollNumber: '+14255550177',
        TollFreeNumbers: ['+18005550177', '+18885550177'],
      });
      const enable = await t.cli([
        'Enable-CsOnlineDialInConferencingUser -Identity kim.ode@contoso.com',
      ]);
      expect(enable.code, enable.stderr).toBe(0);
      expect(enable.stdout).toMatch(/Provider\s+: BuiltIn/);
      expect((await t.cli(['Get-CsUserAcp -Identity kim.ode@contoso.com'])).code).not.toBe(0);
    });

    it('bridges and numbers: New-, Register-, Unregister-, Get-, Set- and the languages list', async () => {
      const b = await t.cli([
        'New-CsOnlineDialInConferencingBridge -Name "EMEA Bridge" -Region EMEA',
      ]);
      expect(b.code, b.stderr).toBe(0);
      const n = await t.cli([
        'New-CsOnlineDialInConferencingServiceNumber -Identity tel:+31201234567 -Type Toll -City Amsterdam -PrimaryLanguage nl-NL',
      ]);
      expect(n.code, n.stderr).toBe(0);
      expect(n.stdout).toMatch(/Number\s+: \+31201234567/);
      const reg = await t.cli([
        'Register-CsOnlineDialInConferencingServiceNumber -Identity 31201234567 -BridgeName "EMEA Bridge"',
      ]);
      expect(reg.code, reg.stderr).toBe(0);
      const bridge = await t.cliJson([
        'Get-CsOnlineDialInConferencingBridge',
        '-Name',
        'EMEA Bridge',
      ]);
      expect(bridge).toMatchObject({ DefaultServiceNumber: '+31201234567', IsDefault: false });
      const langs = await t.cli([
        'Set-CsOnlineDialInConferencingServiceNumber -Identity +31201234567 -PrimaryLanguage nl-NL -SecondaryLanguages en-GB,de-DE,fr-FR',
      ]);
      expect(langs.code, langs.stderr).toBe(0);
      expect(
        (await t.cliJson(['Get-CsOnlineDialInConferencingServiceNumber', '+31201234567']))
          .SecondaryLanguages,
      ).toEqual(['en-GB', 'de-DE', 'fr-FR']);
      const shared = await t.cli([
        'Set-CsOnlineDialInConferencingServiceNumber -Identity +34912345678 -PrimaryLanguage fr-FR',
      ]);
      expect(shared.code).not.toBe(0);
      expect(shared.stderr).toMatch(/dedicated numbers only/);
      const badLang = await t.cli([
        'Set-CsOnlineDialInConferencingServiceNumber -Identity +31201234567 -PrimaryLanguage tlh-KX',
      ]);
      expect(badLang.code).not.toBe(0);
      expect(badLang.stderr).toMatch(/PrimaryLanguage must be a supported language/);
      const badNum = await t.cli([
        'New-CsOnlineDialInConferencingServiceNumber -Identity 12ab -Type Toll -City X',
      ]);
      expect(badNum.code).not.toBe(0);
      expect(badNum.stderr).toMatch(/Identity must be a phone number in E.164 form/);
      const def = await t.cli([
        'Unregister-CsOnlineDialInConferencingServiceNumber -Identity +31201234567 -BridgeName "EMEA Bridge"',
      ]);
      expect(def.code).not.toBe(0);
      expect(def.stderr).toMatch(/RemoveDefaultServiceNumber/);
      const unreg = await t.cli([
        'Unregister-CsOnlineDialInConferencingServiceNumber -Identity +31201234567 -BridgeName "EMEA Bridge" -RemoveDefaultServiceNumber',
      ]);
      expect(unreg.code, unreg.stderr).toBe(0);
      const setDefault = await t.cli([
        'Set-CsOnlineDialInConferencingBridge -Name "Conference Bridge" -DefaultServiceNumber 442071234567',
      ]);
      expect(setDefault.code, setDefault.stderr).toBe(0);
      expect(setDefault.stdout).toMatch(/DefaultServiceNumber\s+: \+442071234567/);
      const supported = await t.cliJson<{ code: string }[]>([
        'Get-CsOnlineDialInConferencingLanguagesSupported',
      ]);
      expect(supported.map((l) => l.code)).toEqual(
        expect.arrayContaining(['en-US', 'ja-JP', 'zh-CN']),
      );
    });

    it('finds the service and token in the data directory when nothing else is given', async () => {
      const r = await t.cli(['Get-CsOnlineDialInConferencingBridge'], {
        DIALBRIDGE_URL: '',
        DIALBRIDGE_TOKEN: '',
        DIALBRIDGE_DATA_DIR: t.dataDir,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Conference Bridge');
      const bad = await t.cli(['Get-CsOnlineDialInConferencingBridge'], {
        DIALBRIDGE_TOKEN: 'dbt_wrong',
      });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/not valid/);
    });
  });
}
