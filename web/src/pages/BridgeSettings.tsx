import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { useTitle } from '../router.tsx';
import type { Settings } from '../types.ts';
import { Check, Field } from '../components/Field.tsx';
import { Confirm } from '../components/Dialog.tsx';
import { ErrorAlert, Loading, Notice } from '../components/Status.tsx';

type Form = Record<keyof Settings, string | boolean>;

const toForm = (s: Settings): Form =>
  Object.fromEntries(
    Object.entries(s).map(([k, v]) => [
      k,
      typeof v === 'boolean' ? v : v === null ? '' : String(v),
    ]),
  ) as Form;

/** What the form sends: the changed settings only, text as the service reads it. */
function changes(saved: Settings, form: Form): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(form) as [keyof Settings, string | boolean][]) {
    const before = saved[k];
    if (typeof v === 'boolean') {
      if (v !== before) out[k] = v;
    } else if (v !== (before === null ? '' : String(before))) {
      out[k] =
        v === '' && (k === 'SendEmailFromAddress' || k === 'SendEmailFromDisplayName') ? null : v;
    }
  }
  return out;
}

/**
 * Bridge settings: how meetings greet callers, security, users and emails;
 * with the defaults and ranges, and the service's refusal next to the field.
 */
export default function BridgeSettings() {
  useTitle('Bridge settings');
  const settings = useLoad(() => api<Settings>('GET', '/api/v1/settings'), []);
  const [form, setForm] = useState<Form>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState('');
  const [restoring, setRestoring] = useState(false);
  useEffect(() => {
    if (settings.data) setForm(toForm(settings.data));
  }, [settings.data]);

  if (settings.error)
    return (
      <>
        <h1>Bridge settings</h1>
        <ErrorAlert error={settings.error} onRetry={settings.reload} />
      </>
    );
  if (!form || !settings.data)
    return (
      <>
        <h1>Bridge settings</h1>
        <Loading what="Loading settings" />
      </>
    );

  const fieldError = (f: string) =>
    error instanceof ApiError && error.field === f ? error.message : undefined;
  const set = (k: keyof Settings, v: string | boolean) => {
    setForm({ ...form, [k]: v });
    setNotice('');
  };
  const check = (k: keyof Settings, label: string, hint?: string) => (
    <Check
      label={label}
      hint={hint}
      checked={form[k] as boolean}
      onChange={(v) => set(k, v)}
      error={fieldError(k)}
    />
  );
  const pending = changes(settings.data, form);
  const dirty = Object.keys(pending).length > 0;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setNotice('');
    try {
      await api<Settings>('PATCH', '/api/v1/settings', pending);
      setNotice('Settings saved.');
      settings.reload();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const restore = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api('DELETE', '/api/v1/settings');
      setRestoring(false);
      setNotice('Every setting is back to its default.');
      settings.reload();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  const unnamed = error && !(error instanceof ApiError && error.field && error.field in form);

  return (
    <>
      <h1>Bridge settings</h1>
      <form className="settings" onSubmit={save} noValidate>
        <fieldset>
          <legend>Meeting join experience</legend>
          {check(
            'EnableEntryExitNotifications',
            'Enable meeting entry and exit notifications',
            'On by default. A meeting can override it.',
          )}
          <Field
            label="Entry and exit announcements"
            hint="Names plays the recorded name, or the caller's number without a recording. Default: names."
            error={fieldError('EntryExitAnnouncementsType')}
          >
            {(p) => (
              <select
                {...p}
                value={form.EntryExitAnnouncementsType as string}
                disabled={!form.EnableEntryExitNotifications}
                onChange={(e) => set('EntryExitAnnouncementsType', e.target.value)}
              >
                <option value="UseNames">Names or phone numbers</option>
                <option value="ToneOnly">Tone only</option>
              </select>
            )}
          </Field>
          {check(
            'EnableNameRecording',
            'Ask callers to record their name before joining the meeting',
            'On by default.',
          )}
        </fieldset>

        <fieldset>
          <legend>Security</legend>
          <Field
            label="PIN length"
            hint="4 to 12 digits. Default: 5. Applies to PINs made after the change; existing PINs keep working."
            error={fieldError('PinLength')}
          >
            {(p) => (
              <input
                {...p}
                type="number"
                inputMode="numeric"
                min={4}
                max={12}
                value={form.PinLength as string}
                onChange={(e) => set('PinLength', e.target.value)}
              />
            )}
          </Field>
          {check(
            'UseUniqueConferenceIds',
            'Use dynamic conference IDs (a new ID for each meeting)',
            'On by default. Meetings scheduled with a static ID keep it.',
          )}
          <Field
            label="Phone number masking"
            hint="How callers' numbers show in rosters and logs. Default: masked for external users."
            error={fieldError('MaskPstnNumbersType')}
          >
            {(p) => (
              <select
                {...p}
                value={form.MaskPstnNumbersType as string}
                onChange={(e) => set('MaskPstnNumbersType', e.target.value)}
              >
                <option value="MaskedForExternalUsers">Masked for external users</option>
                <option value="MaskedForAllUsers">Masked for all users</option>
                <option value="NoMasking">No masking</option>
              </select>
            )}
          </Field>
        </fieldset>

        <fieldset>
          <legend>Users and meetings</legend>
          {check(
            'AllowPSTNOnlyMeetingsByDefault',
            'Allow callers to start meetings without the leader, for newly enabled users',
            'Off by default. Existing users keep their setting.',
          )}
          {check(
            'AutomaticallyReplaceAcpProvider',
            'Switch third-party provider users to the built-in bridge when they get the license',
            'On by default.',
          )}
          {check(
            'AutomaticallyMigrateUserMeetings',
            "Update users' scheduled meetings when their dial-in details change",
            'On by default.',
          )}
        </fieldset>

        <fieldset>
          <legend>Emails</legend>
          {check(
            'AutomaticallySendEmailsToUsers',
            'Automatically send emails to users if any of their dial-in details change',
            'On by default.',
          )}
          {check(
            'SendEmailFromOverride',
            'Send emails from this address instead of the default sender',
            'Needs both the address and the display name below.',
          )}
          <Field label="Sender address" error={fieldError('SendEmailFromAddress')}>
            {(p) => (
              <input
                {...p}
                type="email"
                value={form.SendEmailFromAddress as string}
                onChange={(e) => set('SendEmailFromAddress', e.target.value)}
              />
            )}
          </Field>
          <Field label="Sender display name" error={fieldError('SendEmailFromDisplayName')}>
            {(p) => (
              <input
                {...p}
                value={form.SendEmailFromDisplayName as string}
                onChange={(e) => set('SendEmailFromDisplayName', e.target.value)}
              />
            )}
          </Field>
        </fieldset>

        {unnamed ? <ErrorAlert error={error} /> : null}
        {error && !unnamed ? (
          <p className="alert error" role="alert">
            Not saved: {(error as ApiError).message}
          </p>
        ) : null}
        {notice && <Notice>{notice}</Notice>}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy || !dirty}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button
            type="button"
            disabled={busy || !dirty}
            onClick={() => {
              setForm(toForm(settings.data!));
              setError(undefined);
            }}
          >
            Discard changes
          </button>
          <span className="spacer" />
          <button type="button" onClick={() => setRestoring(true)}>
            Restore defaults
          </button>
        </div>
      </form>
      {restoring && (
        <Confirm
          title="Restore every default?"
          yes="Restore defaults"
          danger
          busy={busy}
          error={<ErrorAlert error={error} />}
          onYes={restore}
          onNo={() => setRestoring(false)}
        >
          <p>All bridge settings go back to their defaults (PIN length 5, emails on, and so on).</p>
        </Confirm>
      )}
    </>
  );
}
