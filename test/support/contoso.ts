import type { TestService } from './service.ts';

/**
 * The bridge the call tests dial: Contoso's Redmond number +14255550100 with
 * the given languages, and Amos Marble licensed for dial-in. Returns his
 * conference ID and leader PIN (shown once, when the license enabled him).
 */
export async function seedDialIn(
  t: Pick<TestService, 'api'>,
  languages: { primary: string; secondary: string[] },
): Promise<{ conferenceId: string; pin: string }> {
  const ok = async (method: string, path: string, body: unknown) => {
    const r = await t.api(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${JSON.stringify(r.json)}`);
    return r.json;
  };
  await ok('PATCH', '/api/v1/organization', { name: 'contoso', domain: 'contoso.com' });
  await ok('POST', '/api/v1/bridges', { Name: 'Conference Bridge' });
  await ok('POST', '/api/v1/service-numbers', {
    Identity: '+14255550100',
    Type: 'Toll',
    City: 'Redmond',
    BridgeName: 'Conference Bridge',
  });
  await ok('PATCH', '/api/v1/service-numbers/%2B14255550100', {
    PrimaryLanguage: languages.primary,
    SecondaryLanguages: languages.secondary,
  });
  await ok('POST', '/api/v1/users', {
    UserPrincipalName: 'amos.marble@contoso.com',
    DisplayName: 'Amos Marble',
  });
  const lic = await ok('POST', '/api/v1/licenses', {
    UserPrincipalName: ['amos.marble@contoso.com'],
    AddLicenses: ['contoso:MCOMEETADV'],
  });
  return { conferenceId: lic[0].dialIn.ConferenceId, pin: lic[0].dialIn.LeaderPin };
}
