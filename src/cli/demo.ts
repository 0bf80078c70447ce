import { ApiError, type Client } from './client.ts';

/**
 * A demo organization a newcomer can look at at once: Contoso, a bridge,
 * numbers in several countries and languages, licensed users (Amos Marble
 * among them) and one user with a third-party provider. Running it twice
 * changes nothing the second time.
 */
const NUMBERS = [
  {
    Identity: '+14255550100',
    Type: 'Toll',
    City: 'Redmond',
    PrimaryLanguage: 'en-US',
    SecondaryLanguages: ['es-ES', 'fr-FR'],
  },
  { Identity: '+18005550100', Type: 'TollFree', City: 'Redmond', PrimaryLanguage: 'en-US' },
  { Identity: '+442071234567', Type: 'Toll', City: 'London', PrimaryLanguage: 'en-GB' },
  {
    Identity: '+4930123456789',
    Type: 'Toll',
    City: 'Berlin',
    PrimaryLanguage: 'de-DE',
    SecondaryLanguages: ['en-GB'],
  },
  {
    Identity: '+33142685300',
    Type: 'Toll',
    City: 'Paris',
    PrimaryLanguage: 'fr-FR',
    SecondaryLanguages: ['en-GB', 'de-DE'],
  },
  { Identity: '+34912345678', Type: 'Toll', City: 'Madrid', Shared: true },
  {
    Identity: '+81312345678',
    Type: 'Toll',
    City: 'Tokyo',
    PrimaryLanguage: 'ja-JP',
    SecondaryLanguages: ['en-US'],
  },
];

const USERS = [
  {
    UserPrincipalName: 'amos.marble@contoso.com',
    DisplayName: 'Amos Marble',
    UsageLocation: 'US',
    licensed: true,
  },
  {
    UserPrincipalName: 'megan.bowen@contoso.com',
    DisplayName: 'Megan Bowen',
    UsageLocation: 'US',
    licensed: true,
  },
  {
    UserPrincipalName: 'alex.wilber@contoso.com',
    DisplayName: 'Alex Wilber',
    UsageLocation: 'GB',
    licensed: true,
  },
  {
    UserPrincipalName: 'diego.siciliani@contoso.com',
    DisplayName: 'Diego Siciliani',
    UsageLocation: 'DE',
    licensed: false,
  },
  {
    UserPrincipalName: 'isaiah.langer@contoso.com',
    DisplayName: 'Isaiah Langer',
    UsageLocation: 'FR',
    licensed: false,
  },
];

/** Runs a step; "already there" (409) counts as done, so the demo can be re-run. */
async function ensure(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) return false;
    throw err;
  }
}

export async function runDemo(api: Client) {
  const org = await api.call<{ name: string; domain: string | null }>(
    'GET',
    '/api/v1/organization',
  );
  if (org.name === 'default')
    await api.call('PATCH', '/api/v1/organization', { name: 'contoso', domain: 'contoso.com' });
  await ensure(() =>
    api.call('POST', '/api/v1/bridges', { Name: 'Conference Bridge', Region: 'NOAM' }),
  );
  for (const n of NUMBERS) {
    await ensure(() =>
      api.call('POST', '/api/v1/service-numbers', { ...n, BridgeName: 'Conference Bridge' }),
    );
  }
  for (const u of USERS) {
    await ensure(() =>
      api.call('POST', '/api/v1/users', {
        UserPrincipalName: u.UserPrincipalName,
        DisplayName: u.DisplayName,
        UsageLocation: u.UsageLocation,
      }),
    );
  }
  const { name } = await api.call<{ name: string }>('GET', '/api/v1/organization');
  const toLicense = [];
  for (const u of USERS.filter((x) => x.licensed)) {
    const cur = await api.call<{ IsLicensed: boolean }>(
      'GET',
      `/api/v1/users/${encodeURIComponent(u.UserPrincipalName)}`,
    );
    if (!cur.IsLicensed) toLicense.push(u.UserPrincipalName);
  }
  const pins: string[] = [];
  if (toLicense.length) {
    const results = await api.call<{ dialIn: { DisplayName: string; LeaderPin: string | null } }[]>(
      'POST',
      '/api/v1/licenses',
      {
        UserPrincipalName: toLicense,
        AddLicenses: [`${name}:MCOMEETADV`],
      },
    );
    for (const r of results) pins.push(`${r.dialIn.DisplayName}: ${r.dialIn.LeaderPin}`);
  }
  await api.call('PUT', `/api/v1/users/${encodeURIComponent('diego.siciliani@contoso.com')}/acp`, {
    Name: 'Fabrikam Audio Conferencing',
    Domain: 'fabrikam.example',
    TollNumber: '+4930123456700',
    TollFreeNumbers: ['+4980012345678'],
    ParticipantPasscode: '4711007',
    Url: 'https://audio.fabrikam.example/join',
  });
  return api.call('GET', '/api/v1/dialin-users').then((users) => ({
    Organization: name,
    Bridge: 'Conference Bridge',
    ServiceNumbers: NUMBERS.length,
    DialInUsers: (users as { DisplayName: string; ConferenceId: string }[]).map(
      (u) => `${u.DisplayName} (${u.ConferenceId})`,
    ),
    // Shown on the run that made them, never again (reset one with -ResetLeaderPin).
    LeaderPins: pins.length
      ? pins
      : 'already issued; reset with Set-CsOnlineDialInConferencingUser -ResetLeaderPin',
    Next: 'dialbridge Get-CsOnlineDialInConferencingUser',
  }));
}
