import type { CmdletDef, ParamDef, Value } from './cmdlet/types.ts';
import { seg, type Client } from './client.ts';
import { SETTING_SPECS } from '../admin/setting-specs.ts';
import { NEW_SERVICE_NUMBER_FIELDS, SET_DIALIN_USER_FIELDS } from '../admin/fields.ts';

/** What a cmdlet prints: data, the columns a table shows, and notes for people. */
export interface Output {
  data: unknown;
  columns?: string[];
  notes?: string[];
}

export interface Cmdlet extends CmdletDef {
  run(p: Record<string, Value>, api: Client): Promise<Output>;
}

const str = (name: string, position?: number, aliases?: string[]): ParamDef => ({
  name,
  type: 'string',
  position,
  aliases,
});
const sw = (name: string, aliases?: string[]): ParamDef => ({ name, type: 'switch', aliases });
const bool = (name: string): ParamDef => ({ name, type: 'bool' });
const list = (name: string, position?: number): ParamDef => ({ name, type: 'string[]', position });
const int = (name: string): ParamDef => ({ name, type: 'int' });

/** Where the email -SendEmail asked for went: the outbox, delivered over SMTP when configured. */
function emailNote(p: Record<string, Value>): string[] {
  return p.SendEmail
    ? [
        `The email was queued${p.SendEmailToAddress ? ` to ${String(p.SendEmailToAddress)}` : ''}; 'dialbridge outbox list' shows when it is sent (without DIALBRIDGE_SMTP_URL it stays in the outbox).`,
      ]
    : [];
}

/** Picks the named parameters that were given, for a request body. */
function pick(p: Record<string, Value>, names: readonly string[]): Record<string, Value> {
  return Object.fromEntries(names.filter((n) => p[n] !== undefined).map((n) => [n, p[n]!]));
}

function query(q: Record<string, Value | undefined>): string {
  const parts = Object.entries(q)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

const DIALIN_COLUMNS = [
  'Identity',
  'DisplayName',
  'ConferenceId',
  'BridgeName',
  'ServiceNumber',
  'TollFreeServiceNumber',
  'LeaderPin',
];
const NUMBER_COLUMNS = [
  'Number',
  'Type',
  'City',
  'Shared',
  'BridgeName',
  'PrimaryLanguage',
  'SecondaryLanguages',
];
const USER_COLUMNS = ['UserPrincipalName', 'DisplayName', 'IsLicensed'];

const settingParams: ParamDef[] = Object.entries(SETTING_SPECS).map(([name, spec]) =>
  spec.type === 'bool'
    ? {
        name,
        type: 'bool',
        aliases: name === 'SendEmailFromOverride' ? ['SendEmailOverride'] : undefined,
      }
    : spec.type === 'int'
      ? { name, type: 'int' }
      : { name, type: 'string' },
);
const SETTING_NAMES = Object.keys(SETTING_SPECS);

/** Cmdlets the hosted service documents; PowerShell binding rules apply (see cmdlet/bind.ts). */
export const CMDLETS: Cmdlet[] = [
  {
    name: 'Get-CsOnlineDialInConferencingTenantSettings',
    aliases: ['Get-CsOnlineDialInConferencingTenantSetting'],
    params: [str('Identity', 0)],
    run: async (_p, api) => ({ data: await api.call('GET', '/api/v1/settings') }),
  },
  {
    name: 'Set-CsOnlineDialInConferencingTenantSettings',
    aliases: ['Set-CsOnlineDialInConferencingTenantSetting'],
    params: [str('Identity', 0), sw('Force'), ...settingParams],
    run: async (p, api) => ({
      data: await api.call('PATCH', '/api/v1/settings', pick(p, SETTING_NAMES)),
    }),
  },
  {
    name: 'Remove-CsOnlineDialInConferencingTenantSettings',
    aliases: ['Remove-CsOnlineDialInConferencingTenantSetting'],
    params: [str('Identity', 0), sw('Force')],
    run: async (_p, api) => ({ data: await api.call('DELETE', '/api/v1/settings') }),
  },
  {
    name: 'Get-CsOnlineDialInConferencingUser',
    params: [str('Identity', 0), str('SearchString'), int('ResultSize')],
    run: async (p, api) =>
      p.Identity !== undefined
        ? { data: await api.call('GET', `/api/v1/dialin-users/${seg(p.Identity)}`) }
        : {
            data: await api.call(
              'GET',
              `/api/v1/dialin-users${query({ search: p.SearchString, limit: p.ResultSize ?? 1000 })}`,
            ),
            columns: DIALIN_COLUMNS,
          },
  },
  {
    name: 'Set-CsOnlineDialInConferencingUser',
    params: [
      str('Identity', 0),
      str('ConferenceId'),
      sw('ResetConferenceId'),
      sw('ResetLeaderPin'),
      str('ServiceNumber'),
      str('TollFreeServiceNumber'),
      str('BridgeId'),
      str('BridgeName'),
      bool('AllowPSTNOnlyMeetings'),
      bool('AllowTollFreeDialIn'),
      sw('SendEmail'),
      str('SendEmailToAddress'),
      sw('Force'),
    ],
    run: async (p, api) => {
      const data = await api.call<{ LeaderPin: string | null }>(
        'PATCH',
        `/api/v1/dialin-users/${seg(p.Identity)}`,
        pick(p, SET_DIALIN_USER_FIELDS),
      );
      return {
        data,
        notes: [
          ...(p.ResetLeaderPin ? ['The new leader PIN is shown only this once.'] : []),
          ...emailNote(p),
        ],
      };
    },
  },
  {
    name: 'Enable-CsOnlineDialInConferencingUser',
    params: [str('Identity', 0), sw('ReplaceProvider'), sw('SendEmail'), sw('Force')],
    run: async (p, api) => {
      const data = await api.call<{ LeaderPin: string | null }>(
        'POST',
        `/api/v1/dialin-users/${seg(p.Identity)}/enable`,
        pick(p, ['ReplaceProvider', 'SendEmail', 'Force']),
      );
      const newPin = /^\d+$/.test(data.LeaderPin ?? '');
      return {
        data,
        notes: [...(newPin ? ['The leader PIN is shown only this once.'] : []), ...emailNote(p)],
      };
    },
  },
  {
    name: 'Disable-CsOnlineDialInConferencingUser',
    params: [str('Identity', 0), sw('SendEmail'), sw('Force')],
    run: async (p, api) => ({
      data: await api.call(
        'POST',
        `/api/v1/dialin-users/${seg(p.Identity)}/disable`,
        pick(p, ['SendEmail', 'Force']),
      ),
      notes: emailNote(p),
    }),
  },
  {
    name: 'Set-CsOnlineDialInConferencingUserDefaultNumber',
    params: [str('FromNumber'), str('ToNumber'), str('NumberType'), sw('RescheduleMeetings')],
    run: async (p, api) => {
      const r = (await api.call(
        'POST',
        '/api/v1/default-numbers/move',
        pick(p, ['FromNumber', 'ToNumber', 'NumberType', 'RescheduleMeetings']),
      )) as { Moved: string[]; Skipped: { User: string; Reason: string }[] };
      return {
        data: r,
        notes: [
          `${r.Moved.length} user(s) moved; ${r.Skipped.length} skipped.`,
          ...r.Skipped.map((s) => `${s.User}: ${s.Reason}`),
        ],
      };
    },
  },
  {
    name: 'Start-CsExMeetingMigration',
    params: [str('Identity', 0), str('SourceMeetingType'), str('TargetMeetingType')],
    run: async (p, api) => ({
      data: await api.call(
        'POST',
        '/api/v1/meeting-migrations',
        pick(p, ['Identity', 'SourceMeetingType', 'TargetMeetingType']),
      ),
      notes: ["'Get-CsMeetingMigrationStatus -Identity …' shows how it went."],
    }),
  },
  {
    name: 'Get-CsMeetingMigrationStatus',
    params: [str('Identity', 0), sw('SummaryOnly'), str('State')],
    run: async (p, api) => ({
      data: await api.call(
        'GET',
        `/api/v1/meeting-migrations${query({
          identity: p.Identity,
          state: p.State,
          summaryOnly: p.SummaryOnly ? 'true' : undefined,
        })}`,
      ),
      columns: p.SummaryOnly
        ? undefined
        : [
            'UserPrincipalName',
            'Trigger',
            'State',
            'RetryCount',
            'LastMessage',
            'MeetingsMigrated',
            'ModifiedDate',
          ],
    }),
  },
  {
    name: 'Get-CsOnlineDialInConferencingBridge',
    params: [str('Identity', 0), str('Name')],
    run: async (p, api) => {
      const ref = p.Identity ?? p.Name;
      return ref !== undefined
        ? { data: await api.call('GET', `/api/v1/bridges/${seg(ref)}`) }
        : {
            data: await api.call('GET', '/api/v1/bridges'),
            columns: ['Name', 'Region', 'IsDefault', 'DefaultServiceNumber', 'Identity'],
          };
    },
  },
  {
    name: 'New-CsOnlineDialInConferencingBridge',
    params: [str('Name', 0), str('Region')],
    run: async (p, api) => ({
      data: await api.call('POST', '/api/v1/bridges', pick(p, ['Name', 'Region'])),
    }),
  },
  {
    name: 'Set-CsOnlineDialInConferencingBridge',
    params: [
      str('Identity', 0),
      str('Name'),
      str('DefaultServiceNumber'),
      sw('SetDefault'),
      sw('Force'),
    ],
    run: async (p, api) => {
      const ref = p.Identity ?? p.Name;
      const patch = pick(p, ['DefaultServiceNumber', 'SetDefault']);
      if (p.Identity !== undefined && p.Name !== undefined) patch.Name = p.Name;
      return { data: await api.call('PATCH', `/api/v1/bridges/${seg(ref ?? '')}`, patch) };
    },
  },
  {
    name: 'New-CsOnlineDialInConferencingServiceNumber',
    params: [
      str('Identity', 0),
      str('Type'),
      str('City'),
      str('BridgeName'),
      str('BridgeId'),
      sw('Shared'),
      str('PrimaryLanguage'),
      list('SecondaryLanguages'),
    ],
    run: async (p, api) => ({
      data: await api.call('POST', '/api/v1/service-numbers', pick(p, NEW_SERVICE_NUMBER_FIELDS)),
    }),
  },
  {
    name: 'Get-CsOnlineDialInConferencingServiceNumber',
    params: [str('Identity', 0), str('BridgeName'), str('BridgeId'), str('City'), str('Type')],
    run: async (p, api) =>
      p.Identity !== undefined
        ? { data: await api.call('GET', `/api/v1/service-numbers/${seg(p.Identity)}`) }
        : {
            data: await api.call(
              'GET',
              `/api/v1/service-numbers${query({ bridge: p.BridgeId ?? p.BridgeName, city: p.City, type: p.Type })}`,
            ),
            columns: NUMBER_COLUMNS,
          },
  },
  {
    name: 'Set-CsOnlineDialInConferencingServiceNumber',
    params: [
      str('Identity', 0),
      str('PrimaryLanguage'),
      list('SecondaryLanguages'),
      sw('RestoreDefaultLanguages'),
      sw('Force'),
    ],
    run: async (p, api) => ({
      data: await api.call(
        'PATCH',
        `/api/v1/service-numbers/${seg(p.Identity)}`,
        pick(p, ['PrimaryLanguage', 'SecondaryLanguages', 'RestoreDefaultLanguages']),
      ),
    }),
  },
  {
    name: 'Register-CsOnlineDialInConferencingServiceNumber',
    params: [str('Identity', 0), str('BridgeName'), str('BridgeId')],
    run: async (p, api) => ({
      data: await api.call(
        'POST',
        `/api/v1/service-numbers/${seg(p.Identity)}/register`,
        pick(p, ['BridgeName', 'BridgeId']),
      ),
    }),
  },
  {
    name: 'Unregister-CsOnlineDialInConferencingServiceNumber',
    params: [
      str('Identity', 0),
      str('BridgeName'),
      str('BridgeId'),
      sw('RemoveDefaultServiceNumber'),
      sw('Force'),
    ],
    run: async (p, api) => ({
      data: await api.call(
        'POST',
        `/api/v1/service-numbers/${seg(p.Identity)}/unregister`,
        pick(p, ['BridgeName', 'BridgeId', 'RemoveDefaultServiceNumber']),
      ),
    }),
  },
  {
    name: 'Get-CsOnlineDialInConferencingLanguagesSupported',
    params: [],
    run: async (_p, api) => ({
      data: await api.call('GET', '/api/v1/languages'),
      columns: ['code', 'name', 'nativeName'],
    }),
  },
  {
    name: 'Get-CsUserAcp',
    params: [str('Identity', 0)],
    run: async (p, api) =>
      p.Identity !== undefined
        ? { data: await api.call('GET', `/api/v1/users/${seg(p.Identity)}/acp`) }
        : {
            data: await api.call('GET', '/api/v1/acp'),
            columns: ['Identity', 'Name', 'TollNumber', 'ParticipantPasscode'],
          },
  },
  {
    name: 'Set-CsUserAcp',
    params: [
      str('Identity', 0),
      str('Name'),
      str('Domain'),
      str('TollNumber'),
      list('TollFreeNumbers'),
      str('ParticipantPasscode'),
      str('Url'),
    ],
    run: async (p, api) => ({
      data: await api.call(
        'PUT',
        `/api/v1/users/${seg(p.Identity)}/acp`,
        pick(p, ['Name', 'Domain', 'TollNumber', 'TollFreeNumbers', 'ParticipantPasscode', 'Url']),
      ),
    }),
  },
  {
    name: 'Remove-CsUserAcp',
    params: [str('Identity', 0)],
    run: async (p, api) => {
      await api.call('DELETE', `/api/v1/users/${seg(p.Identity)}/acp`);
      return {
        data: undefined,
        notes: [`Removed the third-party provider of ${String(p.Identity)}.`],
      };
    },
  },
  {
    name: 'New-MsolUser',
    params: [
      str('UserPrincipalName'),
      str('DisplayName'),
      str('UsageLocation'),
      str('FirstName'),
      str('LastName'),
    ],
    run: async (p, api) => ({
      data: await api.call(
        'POST',
        '/api/v1/users',
        pick(p, ['UserPrincipalName', 'DisplayName', 'UsageLocation']),
      ),
    }),
  },
  {
    name: 'Get-MsolUser',
    params: [
      str('UserPrincipalName', 0, ['ObjectId']),
      str('SearchString'),
      int('MaxResults'),
      sw('All'),
    ],
    run: async (p, api) =>
      p.UserPrincipalName !== undefined
        ? { data: await api.call('GET', `/api/v1/users/${seg(p.UserPrincipalName)}`) }
        : {
            data: await api.call(
              'GET',
              `/api/v1/users${query({ search: p.SearchString, limit: p.MaxResults ?? (p.All ? 1000 : 500) })}`,
            ),
            columns: USER_COLUMNS,
          },
  },
  {
    name: 'Set-MsolUser',
    params: [str('UserPrincipalName', 0, ['ObjectId']), str('DisplayName'), str('UsageLocation')],
    run: async (p, api) => ({
      data: await api.call(
        'PATCH',
        `/api/v1/users/${seg(p.UserPrincipalName)}`,
        pick(p, ['DisplayName', 'UsageLocation']),
      ),
    }),
  },
  {
    name: 'Remove-MsolUser',
    params: [str('UserPrincipalName', 0, ['ObjectId']), sw('Force')],
    run: async (p, api) => {
      await api.call('DELETE', `/api/v1/users/${seg(p.UserPrincipalName)}`);
      return { data: undefined, notes: [`Removed ${String(p.UserPrincipalName)}.`] };
    },
  },
  {
    name: 'Set-MsolUserLicense',
    params: [list('UserPrincipalName', 0), list('AddLicenses'), list('RemoveLicenses')],
    run: async (p, api) => {
      const results = await api.call<
        { user: Record<string, unknown>; dialIn: Record<string, unknown>; notes: string[] }[]
      >(
        'POST',
        '/api/v1/licenses',
        pick(p, ['UserPrincipalName', 'AddLicenses', 'RemoveLicenses']),
      );
      const rows = results.map((r) => ({
        UserPrincipalName: r.user.UserPrincipalName,
        Licenses: r.user.Licenses,
        Provider: r.dialIn.Provider,
        ConferenceId: r.dialIn.ConferenceId,
        ServiceNumber: r.dialIn.ServiceNumber,
        LeaderPin: r.dialIn.LeaderPin,
      }));
      const newPins = rows.some(
        (r) => typeof r.LeaderPin === 'string' && /^\d+$/.test(r.LeaderPin),
      );
      return {
        data: rows,
        columns: Object.keys(rows[0] ?? {}),
        notes: [
          ...results.flatMap((r) => r.notes),
          ...(newPins ? ['New leader PINs are shown only this once.'] : []),
        ],
      };
    },
  },
];
