import { describe, expect, it } from 'vitest';
import { providerKind, providerText, qs } from './format.ts';

describe('admin center formatting', () => {
  it('names providers as the directory gives them', () => {
    expect(providerKind('BuiltIn')).toBe('BuiltIn');
    expect(providerKind(null)).toBe('None');
    expect(providerKind('None')).toBe('None');
    expect(providerKind('Fabrikam Conferencing')).toBe('ThirdParty');
    expect(providerText('Fabrikam Conferencing', true)).toBe('Fabrikam Conferencing');
    expect(providerText('Fabrikam Conferencing')).toBe('Fabrikam Conferencing (third party)');
    expect(providerText('BuiltIn', true)).toBe('Built-in');
    expect(providerText(undefined)).toBe('None');
  });

  it('builds query strings from the values that are set only', () => {
    expect(qs({ search: 'amos marble', limit: 50, offset: 0, provider: '', sort: undefined })).toBe(
      '?search=amos+marble&limit=50&offset=0',
    );
    expect(qs({ a: null })).toBe('');
  });
});
