import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Db } from '../src/store/db.ts';
import { AdminService } from '../src/admin/service.ts';
import { ensureOrganization } from '../src/admin/organizations.ts';
import { verifyPin } from '../src/admin/pin.ts';
import type { Actor } from '../src/admin/context.ts';
import { DomainError } from '../src/errors.ts';
import { emptyStore, freshStore, STORES } from './support/stores.ts';

/** Asserts that fn is refused with a DomainError naming `field`, and returns it. */
async function refused(
  fn: () => Promise<unknown>,
  field: string,
  text?: RegExp,
): Promise<DomainError> {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a refusal naming ${field}`).toBeInstanceOf(DomainError);
  const d = err as DomainError;
  expect(d.field).toBe(field);
  expect(d.message).toContain(field);
  if (text) expect(d.message).toMatch(text);
  return d;
}

describe.each(STORES)('admin rules on %s', (kind) => {
  let db: Db;
  let admin: AdminService;
  let actor: Actor;

  beforeAll(async () => {
    db = await freshStore(kind);
  });
  afterAll(async () => {
    await db.close();
  });

  beforeEach(async () => {
    await emptyStore(db);
    const { org } = await ensureOrganization(db, 'contoso');
    actor = { orgId: org.id, name: 'test' };
    admin = new AdminService({ db, log: pino({ level: 'silent' }), quarantineDays: 90 });
    await admin.createBridge(actor, { Name: 'Conference Bridge', Region: 'NOAM' });
    await admin.createNumber(actor, {
      Identity: '+14255550100',
      Type: 'Toll',
      City: 'Redmond',
      BridgeName: 'Conference Bridge',
    });
    await admin.createNumber(actor, {
      Identity: '14255550101',
      Type: 'Toll',
      City: 'Seattle',
      BridgeName: 'Conference Bridge',
    });
    await admin.createNumber(actor, {
      Identity: 'tel:+18005550100',
      Type: 'TollFree',
      City: 'Redmond',
      BridgeName: 'Conference Bridge',
    });
    await admin.createUser(actor, {
      UserPrincipalName: 'amos.marble@contoso.com',
      DisplayName: 'Amos Marble',
      UsageLocation: 'US',
    });
    await admin.createUser(actor, {
      UserPrincipalName: 'bo.lee@contoso.com',
      DisplayName: 'Bo Lee',
    });
  });

  const license = (upn: string | string[]) =>
    admin.setLicenses(actor, { UserPrincipalName: upn, AddLicenses: 'contoso:MCOMEETADV' });
  const pinHash = async (upn: string) =>
    (await db.query<{ pin_hash: string }>('select pin_hash from users where upn = $1', [upn]))[0]!
      .pin_hash;

  describe('organization settings', () => {
    it('starts with the documented defaults', async () => {
      const s = await admin.getSettings(actor);
      expect(s).toMatchObject({
        EnableEntryExitNotifications: true,
        EntryExitAnnouncementsType: 'UseNames',
        EnableNameRecording: true,
        PinLength: 5,
        AllowPSTNOnlyMeetingsByDefault: false,
        AutomaticallySendEmailsToUsers: true,
        SendEmailFromOverride: false,
        SendEmailFromAddress: null,
        SendEmailFromDisplayName: null,
        AutomaticallyReplaceAcpProvider: true,
        AutomaticallyMigrateUserMeetings: true,
        UseUniqueConferenceIds: true,
        MaskPstnNumbersType: 'MaskedForExternalUsers',
      });
    });

    it.each([3, 13, 0, -1, 5.5, 'seven'])(
      'refuses PinLength %s and keeps the old value',
      async (bad) => {
        await admin.setSettings(actor, { PinLength: 7 });
        await refused(
          () => admin.setSettings(actor, { PinLength: bad, EnableNameRecording: false }),
          'PinLength',
          /4 to 12/,
        );
        const s = await admin.getSettings(actor);
        expect(s.PinLength).toBe(7);
        expect(s.EnableNameRecording).toBe(true);
      },
    );

    it('refuses bad enum, bool and email values, naming the setting and the allowed values', async () => {
      await refused(
        () => admin.setSettings(actor, { MaskPstnNumbersType: 'Sometimes' }),
        'MaskPstnNumbersType',
        /NoMasking/,
      );
      await refused(
        () => admin.setSettings(actor, { EntryExitAnnouncementsType: 'Loud' }),
        'EntryExitAnnouncementsType',
        /ToneOnly/,
      );
      await refused(
        () => admin.setSettings(actor, { EnableNameRecording: 'yes' }),
        'EnableNameRecording',
        /\$true or \$false/,
      );
      await refused(
        () => admin.setSettings(actor, { SendEmailFromAddress: 'not-an-address' }),
        'SendEmailFromAddress',
        /email/,
      );
      await refused(() => admin.setSettings(actor, { NoSuchSetting: true }), 'NoSuchSetting');
    });

    it('allows SendEmailFromOverride only with both sender fields, and accepts the SendEmailOverride alias', async () => {
      await refused(
        () => admin.setSettings(actor, { SendEmailFromOverride: true }),
        'SendEmailFromOverride',
      );
      await refused(
        () =>
          admin.setSettings(actor, {
            SendEmailOverride: true,
            SendEmailFromAddress: 'amos.marble@contoso.com',
          }),
        'SendEmailFromOverride',
      );
      expect((await admin.getSettings(actor)).SendEmailFromAddress).toBeNull();
      const s = await admin.setSettings(actor, {
        SendEmailOverride: true,
        SendEmailFromAddress: 'amos.marble@contoso.com',
        SendEmailFromDisplayName: 'Amos Marble',
      });
      expect(s).toMatchObject({
        SendEmailFromOverride: true,
        SendEmailFromAddress: 'amos.marble@contoso.com',
        SendEmailFromDisplayName: 'Amos Marble',
      });
      await refused(
        () => admin.setSettings(actor, { SendEmailFromAddress: null }),
        'SendEmailFromOverride',
      );
    });

    it('restores every default when the settings are removed', async () => {
      await admin.setSettings(actor, {
        PinLength: 9,
        EnableNameRecording: false,
        MaskPstnNumbersType: 'NoMasking',
      });
      const s = await admin.removeSettings(actor);
      expect(s.PinLength).toBe(5);
      expect((await admin.getSettings(actor)).EnableNameRecording).toBe(true);
    });
  });

  describe('licenses and dial-in users', () => {
    it('enables dial-in on license: 7-digit ID, PIN of PinLength shown once, default bridge and number', async () => {
      const [r] = await license('amos.marble@contoso.com');
      expect(r!.user.IsLicensed).toBe(true);
      expect(r!.user.Licenses).toEqual(['contoso:MCOMEETADV']);
      expect(r!.dialIn.ConferenceId).toMatch(/^[1-9]\d{6}$/);
      expect(r!.dialIn.LeaderPin).toMatch(/^\d{5}$/);
      expect(r!.dialIn).toMatchObject({
        Provider: 'BuiltIn',
        BridgeName: 'Conference Bridge',
        ServiceNumber: '+14255550100',
        TollFreeServiceNumber: null,
        AllowPstnOnlyMeetings: false,
      });
      expect(await verifyPin(r!.dialIn.LeaderPin!, await pinHash('amos.marble@contoso.com'))).toBe(
        true,
      );
      const again = await admin.getDialInUser(actor, 'Amos Marble');
      expect(again.LeaderPin).toBe('*****');
    });

    it('licenses several users at once, or none when one of them is unknown', async () => {
      await refused(
        () => license(['amos.marble@contoso.com', 'nobody@contoso.com']),
        'UserPrincipalName',
      );
      expect((await admin.getUser(actor, 'amos.marble@contoso.com')).IsLicensed).toBe(false);
      const rs = await license(['amos.marble@contoso.com', 'bo.lee@contoso.com']);
      expect(rs.map((r) => r.dialIn.Provider)).toEqual(['BuiltIn', 'BuiltIn']);
      expect(rs[0]!.dialIn.ConferenceId).not.toBe(rs[1]!.dialIn.ConferenceId);
    });

    it('refuses an unknown license or another organization prefix', async () => {
      await refused(
        () =>
          admin.setLicenses(actor, {
            UserPrincipalName: 'bo.lee@contoso.com',
            AddLicenses: 'contoso:ENTERPRISEPACK',
          }),
        'AddLicenses',
        /contoso:MCOMEETADV/,
      );
      await refused(
        () =>
          admin.setLicenses(actor, {
            UserPrincipalName: 'bo.lee@contoso.com',
            AddLicenses: 'fabrikam:MCOMEETADV',
          }),
        'AddLicenses',
      );
    });

    it('a PIN length change applies to new PINs only; existing PINs keep working', async () => {
      const [r] = await license('amos.marble@contoso.com');
      const hashBefore = await pinHash('amos.marble@contoso.com');
      await admin.setSettings(actor, { PinLength: 8 });
      expect(await pinHash('amos.marble@contoso.com')).toBe(hashBefore);
      expect(await verifyPin(r!.dialIn.LeaderPin!, hashBefore)).toBe(true);
      const reset = await admin.setDialInUser(actor, {
        Identity: 'amos.marble@contoso.com',
        ResetLeaderPin: true,
      });
      expect(reset.LeaderPin).toMatch(/^\d{8}$/);
      expect(await verifyPin(r!.dialIn.LeaderPin!, await pinHash('amos.marble@contoso.com'))).toBe(
        false,
      );
      const [bo] = await license('bo.lee@contoso.com');
      expect(bo!.dialIn.LeaderPin).toMatch(/^\d{8}$/);
    });

    it('sets a chosen conference ID, refusing malformed and taken ones without changing anything', async () => {
      const [a] = await license('amos.marble@contoso.com');
      const [b] = await license('bo.lee@contoso.com');
      const set = await admin.setDialInUser(actor, {
        Identity: 'Amos Marble',
        ConferenceId: '8271964',
      });
      expect(set.ConferenceId).toBe('8271964');
      for (const bad of ['827196', '82719645', '0271964', '82a1964']) {
        await refused(
          () => admin.setDialInUser(actor, { Identity: 'bo.lee@contoso.com', ConferenceId: bad }),
          'ConferenceId',
          /7 digits/,
        );
      }
      await refused(
        () =>
          admin.setDialInUser(actor, {
            Identity: 'bo.lee@contoso.com',
            ConferenceId: '8271964',
            ResetLeaderPin: true,
          }),
        'ConferenceId',
        /taken/,
      );
      const bo = await admin.getDialInUser(actor, 'bo.lee@contoso.com');
      expect(bo.ConferenceId).toBe(b!.dialIn.ConferenceId);
      // The PIN reset in the refused request did not happen either.
      expect(await verifyPin(b!.dialIn.LeaderPin!, await pinHash('bo.lee@contoso.com'))).toBe(true);
      expect(a!.dialIn.ConferenceId).not.toBe('8271964');
    });

    it('reset gives a new random ID; the old one is dead at once and quarantined from others', async () => {
      const [a] = await license('amos.marble@contoso.com');
      await license('bo.lee@contoso.com');
      const old = a!.dialIn.ConferenceId!;
      const reset = await admin.setDialInUser(actor, {
        Identity: 'amos.marble@contoso.com',
        ResetConferenceId: true,
      });
      expect(reset.ConferenceId).toMatch(/^[1-9]\d{6}$/);
      expect(reset.ConferenceId).not.toBe(old);
      const [row] = await db.query<{ state: string }>(
        'select state from conference_ids where id = $1',
        [old],
      );
      expect(row!.state).toBe('quarantined');
      await refused(
        () => admin.setDialInUser(actor, { Identity: 'bo.lee@contoso.com', ConferenceId: old }),
        'ConferenceId',
        /quarantine/,
      );
      // Its former owner may take it back.
      const back = await admin.setDialInUser(actor, {
        Identity: 'amos.marble@contoso.com',
        ConferenceId: old,
      });
      expect(back.ConferenceId).toBe(old);
    });

    it('removing the license disables dial-in: ID released, PIN destroyed', async () => {
      const [a] = await license('amos.marble@contoso.com');
      await admin.setLicenses(actor, {
        UserPrincipalName: 'amos.marble@contoso.com',
        RemoveLicenses: 'contoso:MCOMEETADV',
      });
      const [u] = await db.query<Record<string, unknown>>('select * from users where upn = $1', [
        'amos.marble@contoso.com',
      ]);
      expect(u).toMatchObject({ provider: 'None', conference_id: null, pin_hash: null });
      const [row] = await db.query<{ state: string }>(
        'select state from conference_ids where id = $1',
        [a!.dialIn.ConferenceId],
      );
      expect(row!.state).toBe('quarantined');
      await refused(
        () => admin.getDialInUser(actor, 'amos.marble@contoso.com'),
        'Identity',
        /not enabled/,
      );
    });

    it('AllowPSTNOnlyMeetingsByDefault is copied onto users enabled after the change only', async () => {
      await license('amos.marble@contoso.com');
      await admin.setSettings(actor, { AllowPSTNOnlyMeetingsByDefault: true });
      await license('bo.lee@contoso.com');
      expect(
        (await admin.getDialInUser(actor, 'amos.marble@contoso.com')).AllowPstnOnlyMeetings,
      ).toBe(false);
      expect((await admin.getDialInUser(actor, 'bo.lee@contoso.com')).AllowPstnOnlyMeetings).toBe(
        true,
      );
    });

    it("default numbers must be numbers of the right type on the user's bridge", async () => {
      await license('amos.marble@contoso.com');
      const u = await admin.setDialInUser(actor, {
        Identity: 'amos.marble@contoso.com',
        ServiceNumber: '+1 425 555 0101',
        TollFreeServiceNumber: '18005550100',
      });
      expect(u).toMatchObject({
        ServiceNumber: '+14255550101',
        TollFreeServiceNumber: '+18005550100',
      });
      await refused(
        () =>
          admin.setDialInUser(actor, {
            Identity: 'amos.marble@contoso.com',
            ServiceNumber: '+18005550100',
          }),
        'ServiceNumber',
        /toll number/,
      );
      await refused(
        () =>
          admin.setDialInUser(actor, {
            Identity: 'amos.marble@contoso.com',
            ServiceNumber: '+14255550199',
          }),
        'ServiceNumber',
        /bridge/,
      );
      await refused(
        () =>
          admin.setDialInUser(actor, { Identity: 'amos.marble@contoso.com', ServiceNumber: '555' }),
        'ServiceNumber',
        /E\.164/,
      );
    });

    it('changing the bridge default number does not change existing users', async () => {
      await license('amos.marble@contoso.com');
      await admin.setBridge(actor, {
        Name: 'Conference Bridge',
        DefaultServiceNumber: '+14255550101',
      });
      expect((await admin.getDialInUser(actor, 'amos.marble@contoso.com')).ServiceNumber).toBe(
        '+14255550100',
      );
      const [bo] = await license('bo.lee@contoso.com');
      expect(bo!.dialIn.ServiceNumber).toBe('+14255550101');
    });

    it('refuses unknown identities, naming the field', async () => {
      await refused(() => admin.getDialInUser(actor, 'nobody@contoso.com'), 'Identity', /no user/);
      await refused(
        () => admin.setDialInUser(actor, { Identity: 'ghost', ResetLeaderPin: true }),
        'Identity',
      );
      await refused(
        () => admin.createUser(actor, { UserPrincipalName: 'not an email', DisplayName: 'X' }),
        'UserPrincipalName',
      );
      await refused(
        () =>
          admin.createUser(actor, {
            UserPrincipalName: 'amos.marble@contoso.com',
            DisplayName: 'Again',
          }),
        'UserPrincipalName',
        /already exists/,
      );
    });
  });

  describe('third-party providers', () => {
    const acp = {
      Name: 'Fabrikam Audio',
      Domain: 'fabrikam.example',
      TollNumber: '+14255550177',
      ParticipantPasscode: '5551234',
    };

    it('license after a third-party provider switches the user to the built-in bridge by default', async () => {
      await admin.setAcp(actor, { Identity: 'bo.lee@contoso.com', ...acp });
      const [r] = await license('bo.lee@contoso.com');
      expect(r!.dialIn.Provider).toBe('BuiltIn');
      await refused(() => admin.getAcp(actor, 'bo.lee@contoso.com'), 'Identity');
    });

    it('with AutomaticallyReplaceAcpProvider off the provider stays until -ReplaceProvider', async () => {
      await admin.setSettings(actor, { AutomaticallyReplaceAcpProvider: false });
      await admin.setAcp(actor, { Identity: 'bo.lee@contoso.com', ...acp });
      const [r] = await license('bo.lee@contoso.com');
      expect(r!.user.IsLicensed).toBe(true);
      expect(r!.dialIn.Provider).toBe('ThirdParty');
      expect(r!.notes.join()).toMatch(/ReplaceProvider/);
      await refused(
        () => admin.enableDialInUser(actor, { Identity: 'bo.lee@contoso.com' }),
        'ReplaceProvider',
      );
      const on = await admin.enableDialInUser(actor, {
        Identity: 'bo.lee@contoso.com',
        ReplaceProvider: true,
      });
      expect(on.Provider).toBe('BuiltIn');
      expect(on.LeaderPin).toMatch(/^\d{5}$/);
    });

    it('one provider per user: a built-in user must be disabled before a third-party provider is set', async () => {
      await license('amos.marble@contoso.com');
      await refused(
        () => admin.setAcp(actor, { Identity: 'amos.marble@contoso.com', ...acp }),
        'Identity',
        /Disable-CsOnlineDialInConferencingUser/,
      );
      await admin.disableDialInUser(actor, 'amos.marble@contoso.com');
      const v = await admin.setAcp(actor, {
        Identity: 'amos.marble@contoso.com',
        ...acp,
        TollFreeNumbers: ['+18005550177'],
      });
      expect(v).toMatchObject({
        TollNumber: '+14255550177',
        TollFreeNumbers: ['+18005550177'],
        ParticipantPasscode: '5551234',
      });
      expect((await admin.getUser(actor, 'amos.marble@contoso.com')).DialInProvider).toBe(
        'ThirdParty',
      );
    });

    it('validates provider fields', async () => {
      await refused(
        () =>
          admin.setAcp(actor, { Identity: 'bo.lee@contoso.com', ...acp, TollNumber: undefined }),
        'TollNumber',
        /required/,
      );
      await refused(
        () =>
          admin.setAcp(actor, {
            Identity: 'bo.lee@contoso.com',
            ...acp,
            ParticipantPasscode: 'abc',
          }),
        'ParticipantPasscode',
      );
      await refused(
        () => admin.setAcp(actor, { Identity: 'bo.lee@contoso.com', ...acp, Url: 'ftp://x' }),
        'Url',
      );
      expect((await admin.getUser(actor, 'bo.lee@contoso.com')).DialInProvider).toBe('None');
    });
  });

  describe('bridges and service numbers', () => {
    it('stores one canonical E.164 form whatever the input', async () => {
      const n = await admin.getNumber(actor, 'tel:+14255550101');
      expect(n).toMatchObject({
        Number: '+14255550101',
        Type: 'Toll',
        City: 'Seattle',
        Country: 'US',
        PrimaryLanguage: 'en-US',
        BridgeName: 'Conference Bridge',
      });
      await refused(
        () => admin.createNumber(actor, { Identity: '4255550101', Type: 'Toll', City: 'X' }),
        'Identity',
      );
      await refused(
        () =>
          admin.createNumber(actor, {
            Identity: '+1 (425) 555-0101',
            Type: 'Toll',
            City: 'Seattle',
          }),
        'Identity',
        /already exists/,
      );
    });

    it('the first toll number becomes the bridge default; the default must be a toll number on the bridge', async () => {
      const b = await admin.getBridge(actor, 'Conference Bridge');
      expect(b.DefaultServiceNumber).toBe('+14255550100');
      expect(b.IsDefault).toBe(true);
      await refused(
        () =>
          admin.setBridge(actor, {
            Name: 'Conference Bridge',
            DefaultServiceNumber: '+18005550100',
          }),
        'DefaultServiceNumber',
        /toll number/,
      );
      await admin.createNumber(actor, { Identity: '+442071234567', Type: 'Toll', City: 'London' });
      await refused(
        () =>
          admin.setBridge(actor, {
            Name: 'Conference Bridge',
            DefaultServiceNumber: '+442071234567',
          }),
        'DefaultServiceNumber',
        /registered on bridge/,
      );
    });

    it('sets languages on dedicated numbers only: primary plus up to four secondary, in order', async () => {
      const n = await admin.setNumber(actor, {
        Identity: '+14255550100',
        PrimaryLanguage: 'fr-FR',
        SecondaryLanguages: ['en-US', 'de-DE', 'es-es', 'it-IT'],
      });
      expect(n.PrimaryLanguage).toBe('fr-FR');
      expect(n.SecondaryLanguages).toEqual(['en-US', 'de-DE', 'es-ES', 'it-IT']);
      await refused(
        () =>
          admin.setNumber(actor, {
            Identity: '+14255550100',
            SecondaryLanguages: ['en-US', 'de-DE', 'es-ES', 'it-IT', 'nl-NL'],
          }),
        'SecondaryLanguages',
        /at most 4/,
      );
      await refused(
        () => admin.setNumber(actor, { Identity: '+14255550100', PrimaryLanguage: 'xx-XX' }),
        'PrimaryLanguage',
        /supported language/,
      );
      await refused(
        () => admin.setNumber(actor, { Identity: '+14255550100', SecondaryLanguages: ['fr-FR'] }),
        'SecondaryLanguages',
        /primary/,
      );
      const restored = await admin.setNumber(actor, {
        Identity: '+14255550100',
        RestoreDefaultLanguages: true,
      });
      expect(restored).toMatchObject({ PrimaryLanguage: 'en-US', SecondaryLanguages: [] });
      await admin.createNumber(actor, {
        Identity: '+442071234567',
        Type: 'Toll',
        City: 'London',
        Shared: true,
      });
      expect((await admin.getNumber(actor, '+442071234567')).PrimaryLanguage).toBe('en-GB');
      await refused(
        () => admin.setNumber(actor, { Identity: '+442071234567', PrimaryLanguage: 'fr-FR' }),
        'Identity',
        /dedicated numbers only/,
      );
    });

    it('unregisters a number only when no user and no default depends on it', async () => {
      await license('amos.marble@contoso.com');
      await refused(
        () =>
          admin.unregisterNumber(actor, {
            Identity: '+14255550100',
            BridgeName: 'Conference Bridge',
          }),
        'Identity',
        /default number of 1 user/,
      );
      await admin.createBridge(actor, { Name: 'EMEA Bridge' });
      await refused(
        () =>
          admin.unregisterNumber(actor, { Identity: '+14255550101', BridgeName: 'EMEA Bridge' }),
        'BridgeName',
        /registered on bridge 'Conference Bridge'/,
      );
      await refused(
        () =>
          admin.unregisterNumber(actor, {
            Identity: '+14255550101',
            BridgeName: 'EMEA Bridge',
            BridgeId: 'x',
          }),
        'BridgeId',
        /cannot be combined/,
      );
      const off = await admin.unregisterNumber(actor, {
        Identity: '+14255550101',
        BridgeName: 'Conference Bridge',
      });
      expect(off.BridgeName).toBeNull();
      const on = await admin.registerNumber(actor, {
        Identity: '+14255550101',
        BridgeName: 'Conference Bridge',
      });
      expect(on.BridgeName).toBe('Conference Bridge');
    });
  });

  describe('organizations', () => {
    it('the operator adds organizations; each sees only its own records; conference IDs are unique across all', async () => {
      const { organization, token } = await admin.createOrganization(actor, {
        name: 'fabrikam',
        domain: 'Fabrikam.com',
      });
      expect(organization).toMatchObject({
        name: 'fabrikam',
        domain: 'fabrikam.com',
        operator: false,
      });
      expect(token).toMatch(/^dbt_/);
      const other: Actor = { orgId: organization.id, name: 'fabrikam admin' };
      expect(await admin.listUsers(other, {})).toEqual([]);
      expect(await admin.listBridges(other)).toEqual([]);
      await refused(
        () => admin.getUser(other, 'amos.marble@contoso.com'),
        'UserPrincipalName',
        /no user/,
      );
      await refused(
        () => admin.createOrganization(other, { name: 'tailspin' }),
        'organization',
        /operator/,
      );
      expect((await admin.listOrganizations(other)).map((o) => o.name)).toEqual(['fabrikam']);
      expect((await admin.listOrganizations(actor)).map((o) => o.name)).toEqual([
        'contoso',
        'fabrikam',
      ]);
      await refused(
        () => admin.createOrganization(actor, { name: 'Fabrikam' }),
        'name',
        /already exists/,
      );
      await refused(() => admin.createOrganization(actor, { name: 'bad name!' }), 'name');

      const [amos] = await license('amos.marble@contoso.com');
      await admin.createBridge(other, { Name: 'Fabrikam Bridge' });
      await admin.createUser(other, { UserPrincipalName: 'kai@fabrikam.com', DisplayName: 'Kai' });
      await refused(
        () =>
          admin.setLicenses(other, {
            UserPrincipalName: 'kai@fabrikam.com',
            AddLicenses: 'contoso:MCOMEETADV',
          }),
        'AddLicenses',
        /fabrikam:MCOMEETADV/,
      );
      await admin.setLicenses(other, {
        UserPrincipalName: 'kai@fabrikam.com',
        AddLicenses: 'fabrikam:MCOMEETADV',
      });
      await refused(
        () =>
          admin.setDialInUser(other, {
            Identity: 'kai@fabrikam.com',
            ConferenceId: amos!.dialIn.ConferenceId,
          }),
        'ConferenceId',
        /taken/,
      );
      // Settings are per organization.
      await admin.setSettings(other, { PinLength: 9 });
      expect((await admin.getSettings(actor)).PinLength).toBe(5);
    });
  });

  describe('audit log', () => {
    it('records who changed what, old and new, and never a PIN', async () => {
      const [r] = await license('amos.marble@contoso.com');
      const reset = await admin.setDialInUser(actor, {
        Identity: 'amos.marble@contoso.com',
        ResetLeaderPin: true,
      });
      await admin.setSettings(actor, { PinLength: 6 });
      const entries = await admin.audit(actor, { limit: 1000 });
      expect(entries.find((e) => e.field === 'PinLength')).toMatchObject({
        actor: 'test',
        oldValue: '5',
        newValue: '6',
        action: 'settings.set',
      });
      const dump = JSON.stringify(await db.query('select * from audit_log'));
      expect(dump).not.toContain(r!.dialIn.LeaderPin!);
      expect(dump).not.toContain(reset.LeaderPin!);
    });
  });
});
