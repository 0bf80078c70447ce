import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { enc, PROVIDER_LABEL, providerKind, qs } from '../format.ts';
import type {
  Acp,
  BridgeView,
  DialInUser,
  DirectoryUser,
  Provider,
  ServiceNumber,
} from '../types.ts';
import { Dialog } from './Dialog.tsx';
import { Check, Field } from './Field.tsx';
import { ErrorAlert } from './Status.tsx';
import type { ShownPin } from './PinDialog.tsx';

const KEEP = '__keep__';

/**
 * Edit one or several users' dial-in properties: provider (several users:
 * built-in or none only), default toll and toll-free numbers from the bridge,
 * and whether callers may start meetings without the leader.
 */
export function EditUserDialog({
  users,
  detail,
  acp,
  onClose,
  onSaved,
}: {
  users: DirectoryUser[];
  /** The one user's dial-in details (built-in provider only). */
  detail?: DialInUser;
  /** The one user's third-party provider details. */
  acp?: Acp;
  onClose: () => void;
  onSaved: (pins: ShownPin[], message: string) => void;
}) {
  const single = users.length === 1 ? users[0] : undefined;
  const kinds = users.map((u) => providerKind(u.provider));
  const sameProvider = kinds.every((k) => k === kinds[0]);
  const [provider, setProvider] = useState<Provider | ''>(
    sameProvider && (single || kinds[0] !== 'ThirdParty') ? kinds[0]! : '',
  );
  const [toll, setToll] = useState(detail?.ServiceNumber ?? KEEP);
  const [tollFree, setTollFree] = useState(detail ? (detail.TollFreeServiceNumber ?? '') : KEEP);
  const [pstn, setPstn] = useState<boolean | undefined>(detail?.AllowPstnOnlyMeetings);
  const [acpForm, setAcpForm] = useState({
    Name: acp?.Name ?? '',
    Domain: acp?.Domain ?? '',
    TollNumber: acp?.TollNumber ?? '',
    TollFreeNumbers: (acp?.TollFreeNumbers ?? []).join(', '),
    ParticipantPasscode: acp?.ParticipantPasscode ?? '',
    Url: acp?.Url ?? '',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const fieldError = (f: string) =>
    error instanceof ApiError && error.field === f ? error.message : undefined;

  // The numbers a user may get are those of their bridge (the default bridge for several users).
  const bridgeName = single?.bridgeName ?? detail?.BridgeName;
  const numbers = useLoad(async () => {
    let name = bridgeName;
    if (!name) {
      const bridges = await api<BridgeView[]>('GET', '/api/v1/bridges');
      name = bridges.find((b) => b.IsDefault)?.Name ?? bridges[0]?.Name;
    }
    if (!name) return [];
    return api<ServiceNumber[]>('GET', `/api/v1/service-numbers${qs({ bridge: name })}`);
  }, [bridgeName]);
  const tollNumbers = numbers.data?.filter((n) => n.Type === 'Toll') ?? [];
  const tollFreeNumbers = numbers.data?.filter((n) => n.Type === 'TollFree') ?? [];

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!provider) return;
    setBusy(true);
    setError(undefined);
    const pins: ShownPin[] = [];
    try {
      for (const u of users) {
        const id = enc(u.identity);
        const was = providerKind(u.provider);
        if (provider !== was) {
          if (was === 'BuiltIn') await api('POST', `/api/v1/dialin-users/${id}/disable`, {});
          if (was === 'ThirdParty' && provider === 'None')
            await api('DELETE', `/api/v1/users/${id}/acp`);
          if (provider === 'BuiltIn') {
            const r = await api<DialInUser>('POST', `/api/v1/dialin-users/${id}/enable`, {
              ReplaceProvider: true,
            });
            if (r.LeaderPin && /^\d+$/.test(r.LeaderPin))
              pins.push({ name: u.displayName, pin: r.LeaderPin });
          }
        }
        if (provider === 'ThirdParty') {
          await api('PUT', `/api/v1/users/${id}/acp`, {
            Name: acpForm.Name,
            Domain: acpForm.Domain || undefined,
            TollNumber: acpForm.TollNumber,
            TollFreeNumbers: acpForm.TollFreeNumbers.split(/[,\s]+/).filter(Boolean),
            ParticipantPasscode: acpForm.ParticipantPasscode,
            Url: acpForm.Url || undefined,
          });
        }
        if (provider === 'BuiltIn') {
          const patch: Record<string, unknown> = {};
          if (toll !== KEEP && toll !== (detail?.ServiceNumber ?? '')) patch.ServiceNumber = toll;
          if (tollFree !== KEEP && tollFree !== (detail?.TollFreeServiceNumber ?? ''))
            patch.TollFreeServiceNumber = tollFree;
          if (pstn !== undefined && pstn !== detail?.AllowPstnOnlyMeetings)
            patch.AllowPSTNOnlyMeetings = pstn;
          if (Object.keys(patch).length) await api('PATCH', `/api/v1/dialin-users/${id}`, patch);
        }
      }
      onSaved(
        pins,
        users.length === 1 ? `Saved ${users[0]!.displayName}.` : `Saved ${users.length} users.`,
      );
    } catch (err) {
      setError(err);
      setBusy(false);
      // A PIN made before a later step failed must still be shown once.
      // The dialog closes then, so the error goes into the page's message.
      if (pins.length)
        onSaved(
          pins,
          `Some changes were saved, then one failed: ${(err as Error).message ?? String(err)}`,
        );
    }
  };

  const providers: Provider[] = single ? ['BuiltIn', 'ThirdParty', 'None'] : ['BuiltIn', 'None'];
  const acpInput = (key: keyof typeof acpForm, label: string, hint?: string, required = false) => (
    <Field label={label} hint={hint} error={fieldError(key)}>
      {(p) => (
        <input
          {...p}
          required={required}
          value={acpForm[key]}
          onChange={(e) => setAcpForm({ ...acpForm, [key]: e.target.value })}
        />
      )}
    </Field>
  );

  return (
    <Dialog
      title={single ? `Edit ${single.displayName}` : `Edit ${users.length} users`}
      onClose={onClose}
      wide
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="edit-user" className="primary" disabled={busy || !provider}>
            {busy ? 'Saving…' : 'Save'}
          </button>
        </>
      }
    >
      <form id="edit-user" onSubmit={save} noValidate>
        <Field
          label="Provider name"
          hint={
            single
              ? undefined
              : 'With several users selected, only the built-in provider or None can be chosen.'
          }
          error={fieldError('ReplaceProvider') ?? fieldError('Provider')}
        >
          {(p) => (
            <select
              {...p}
              value={provider}
              onChange={(e) => setProvider(e.target.value as Provider)}
            >
              {!provider && <option value="">(mixed: choose one)</option>}
              {providers.map((v) => (
                <option key={v} value={v}>
                  {PROVIDER_LABEL[v]}
                </option>
              ))}
            </select>
          )}
        </Field>

        {provider === 'BuiltIn' && (
          <>
            <ErrorAlert error={numbers.error} />
            <Field
              label="Default toll number"
              hint="Printed on the user's meeting invites."
              error={fieldError('ServiceNumber')}
            >
              {(p) => (
                <select {...p} value={toll} onChange={(e) => setToll(e.target.value)}>
                  {(!detail || !single) && <option value={KEEP}>(keep each user's number)</option>}
                  {detail && !detail.ServiceNumber && <option value="">(none)</option>}
                  {tollNumbers.map((n) => (
                    <option key={n.Number} value={n.Number}>
                      {n.Number} — {n.City}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Default toll-free number" error={fieldError('TollFreeServiceNumber')}>
              {(p) => (
                <select {...p} value={tollFree} onChange={(e) => setTollFree(e.target.value)}>
                  {(!detail || !single) && <option value={KEEP}>(keep each user's number)</option>}
                  <option value="">(none)</option>
                  {tollFreeNumbers.map((n) => (
                    <option key={n.Number} value={n.Number}>
                      {n.Number} — {n.City}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Check
              label="Allow callers to start meetings without the leader"
              hint={pstn === undefined ? 'Unchanged unless you tick or clear it.' : undefined}
              checked={pstn ?? false}
              onChange={setPstn}
              error={fieldError('AllowPSTNOnlyMeetings')}
            />
          </>
        )}

        {provider === 'ThirdParty' && (
          <fieldset>
            <legend>Third-party provider</legend>
            {acpInput('Name', 'Provider name', undefined, true)}
            {acpInput('Domain', 'Domain', 'For example provider.example')}
            {acpInput('TollNumber', 'Toll number', 'Required: the number callers dial.', true)}
            {acpInput('TollFreeNumbers', 'Toll-free numbers', 'Optional; separate with commas.')}
            {acpInput(
              'ParticipantPasscode',
              'Conference ID (participant passcode)',
              'As the provider issued it.',
              true,
            )}
            {acpInput('Url', 'Web page', 'Optional: the provider’s page for the meeting.')}
          </fieldset>
        )}
        <ErrorAlert error={error} />
      </form>
    </Dialog>
  );
}
