import { describe, expect, it } from 'vitest';
import {
  EMAIL_KINDS,
  escapeHtml,
  formatConferenceId,
  formatNumber,
  renderEmail,
} from './templates.ts';

const data = {
  orgName: 'contoso',
  userName: 'Amos <b>Marble</b> & Co',
  conferenceId: '8271964',
  tollNumber: '+14255550100',
  tollFreeNumber: '+18005550199',
  pin: '48213',
};

describe('email templates', () => {
  it('formats conference IDs and numbers for reading', () => {
    expect(formatConferenceId('8271964')).toBe('827 1964');
    expect(formatConferenceId('12345678')).toBe('1234 5678');
    expect(formatNumber('+14255550100')).toBe('+1 425 555 0100');
    expect(formatNumber('garbage')).toBe('garbage');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });

  it('puts the PIN only in the enabled and PIN-reset emails, in text and HTML', () => {
    for (const kind of EMAIL_KINDS) {
      const m = renderEmail(kind, data);
      const carries = kind === 'enabled' || kind === 'pin_reset';
      expect(m.text.includes('48213'), kind).toBe(carries);
      expect(m.html.includes('48213'), kind).toBe(carries);
      expect(m.subject).toContain('contoso');
    }
  });

  it('lists what each kind must say', () => {
    const enabled = renderEmail('enabled', data);
    expect(enabled.text).toContain('Conference ID: 827 1964');
    expect(enabled.text).toContain('Toll number: +1 425 555 0100');
    expect(enabled.text).toContain('Toll-free number: +1 800 555 0199');
    expect(enabled.text).toMatch(/update its dial-in information/);
    const changed = renderEmail('changed', data);
    expect(changed.text).toContain('827 1964');
    expect(changed.text).toContain('+1 425 555 0100');
    expect(changed.text).toMatch(/PIN has not changed/);
    const reset = renderEmail('pin_reset', data);
    expect(reset.text).toContain('Leader PIN: 48213');
    expect(reset.text).toContain('827 1964');
    const disabled = renderEmail('disabled', data);
    expect(disabled.text).toMatch(/no longer/);
    const info = renderEmail('conference_info', data);
    expect(info.text).toContain('827 1964');
    expect(info.text).toMatch(/never sent in this message/);
  });

  it('says meetings are updated for the user when migration is on, and asks them to do it when it is off', () => {
    for (const kind of ['enabled', 'changed', 'conference_info'] as const) {
      const auto = renderEmail(kind, { ...data, meetingsMigrated: true });
      expect(auto.text).toMatch(/being updated with these details for you/);
      expect(auto.text).not.toMatch(/update its dial-in information/);
      const manual = renderEmail(kind, { ...data, meetingsMigrated: false });
      expect(manual.text).toMatch(/update its dial-in information/);
      expect(manual.text).not.toMatch(/for you/);
    }
    expect(renderEmail('disabled', { ...data, meetingsMigrated: true }).text).toMatch(
      /being removed from your scheduled meetings for you/,
    );
    expect(renderEmail('disabled', data).text).toMatch(/should be updated/);
  });

  it('escapes names in HTML and masks a missing PIN', () => {
    const m = renderEmail('pin_reset', { ...data, pin: undefined });
    expect(m.html).toContain('Amos &lt;b&gt;Marble&lt;/b&gt; &amp; Co');
    expect(m.html).not.toContain('<b>Marble');
    expect(m.text).toContain('Leader PIN: *****');
  });
});
