import { useState } from 'react';
import { api, ApiError } from '../api.ts';
import { useLoad } from '../hooks.ts';
import { dash, enc, providerKind, providerText } from '../format.ts';
import type { Acp, DialInUser, DirectoryUser, LicenseResult } from '../types.ts';
import { Confirm } from './Dialog.tsx';
import { EditUserDialog } from './EditUserDialog.tsx';
import { PinDialog, type ShownPin } from './PinDialog.tsx';
import { Field } from './Field.tsx';
import { ErrorAlert, Loading, Notice } from './Status.tsx';

type Ask = 'edit' | 'pin' | 'id' | 'email' | 'add-license' | 'remove-license' | null;

/**
 * The action pane for the selected users: their dial-in details (one user) and
 * Edit, Reset PIN, Reset conference ID, Send conference info via email, and
 * the audio conferencing license.
 */
export function UserActionPane({
  users,
  onChanged,
}: {
  users: DirectoryUser[];
  onChanged: () => void;
}) {
  const single = users.length === 1 ? users[0] : undefined;
  const [ask, setAsk] = useState<Ask>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState('');
  const [pins, setPins] = useState<ShownPin[]>([]);
  const [sendTo, setSendTo] = useState('');

  const kind = single ? providerKind(single.provider) : undefined;
  const ids = users.map((u) => u.identity).join('\n');
  const detail = useLoad(async () => {
    if (!single) return {};
    if (kind === 'BuiltIn')
      return {
        dialIn: await api<DialInUser>('GET', `/api/v1/dialin-users/${enc(single.identity)}`),
      };
    if (kind === 'ThirdParty')
      return { acp: await api<Acp>('GET', `/api/v1/users/${enc(single.identity)}/acp`) };
    return {};
  }, [ids, single?.provider, single?.conferenceId, single?.tollNumber, single?.licensed]);

  const builtIn = users.filter((u) => providerKind(u.provider) === 'BuiltIn');
  const unlicensed = users.filter((u) => !u.licensed);
  const licensed = users.filter((u) => u.licensed);

  const close = () => {
    setAsk(null);
    setError(undefined);
    setBusy(false);
  };
  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    try {
      const message = await action();
      setNotice(message);
      close();
      onChanged();
      detail.reload();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  const resetPin = () =>
    run(async () => {
      const r = await api<DialInUser>(
        'POST',
        `/api/v1/dialin-users/${enc(single!.identity)}/reset-pin`,
      );
      // The clear PIN goes to the dialog only, never into the pane's state.
      setPins([{ name: single!.displayName, pin: r.LeaderPin ?? '' }]);
      return `The leader PIN of ${single!.displayName} was reset.`;
    });
  const resetId = () =>
    run(async () => {
      const r = await api<DialInUser>(
        'POST',
        `/api/v1/dialin-users/${enc(single!.identity)}/reset-conference-id`,
      );
      return `${single!.displayName} has a new conference ID: ${r.ConferenceId}.`;
    });
  const sendInfo = () =>
    run(async () => {
      for (const u of builtIn)
        await api('POST', `/api/v1/dialin-users/${enc(u.identity)}/send-conference-info`, {
          SendEmailToAddress: sendTo.trim() || undefined,
        });
      return builtIn.length === 1
        ? `Conference info sent to ${builtIn[0]!.displayName}.`
        : `Conference info sent to ${builtIn.length} users.`;
    });
  const license = (add: boolean) =>
    run(async () => {
      const targets = add ? unlicensed : licensed;
      const r = await api<LicenseResult[]>('POST', '/api/v1/licenses', {
        UserPrincipalName: targets.map((u) => u.userPrincipalName),
        ...(add ? { AddLicenses: ['MCOMEETADV'] } : { RemoveLicenses: ['MCOMEETADV'] }),
      });
      const made = r
        .filter((x) => x.dialIn?.LeaderPin && /^\d+$/.test(x.dialIn.LeaderPin))
        .map((x) => ({ name: x.user.DisplayName, pin: x.dialIn.LeaderPin! }));
      if (made.length) setPins(made);
      const notes = r.flatMap((x) => x.notes);
      const what = add ? 'assigned to' : 'removed from';
      return `Audio conferencing license ${what} ${targets.length} user${targets.length === 1 ? '' : 's'}.${notes.length ? ' ' + notes.join(' ') : ''}`;
    });

  const errorBox = <ErrorAlert error={error} />;
  const emailField = (
    <Field
      label="Send to another address (optional)"
      hint="Leave empty to use each user's primary email address."
      error={
        error instanceof ApiError && error.field === 'SendEmailToAddress'
          ? error.message
          : undefined
      }
    >
      {(p) => (
        <input {...p} type="email" value={sendTo} onChange={(e) => setSendTo(e.target.value)} />
      )}
    </Field>
  );

  const dialIn = detail.data?.dialIn;
  const acp = detail.data?.acp;
  return (
    <aside className="pane" aria-labelledby="pane-title">
      <h2 id="pane-title">{single ? single.displayName : `${users.length} users selected`}</h2>
      {notice && <Notice>{notice}</Notice>}
      {single && (
        <>
          <p className="sub">{single.userPrincipalName}</p>
          {detail.loading && !detail.data ? (
            <Loading what="Loading dial-in details" />
          ) : (
            <dl className="props">
              <dt>Provider</dt>
              <dd>{providerText(single.provider)}</dd>
              <dt>Audio conferencing license</dt>
              <dd>{single.licensed ? 'Assigned' : 'Not assigned'}</dd>
              {dialIn && (
                <>
                  <dt>Conference ID</dt>
                  <dd>{dash(dialIn.ConferenceId)}</dd>
                  <dt>Leader PIN</dt>
                  <dd data-testid="pane-pin">{dialIn.LeaderPin ?? '—'}</dd>
                  <dt>Bridge</dt>
                  <dd>{dash(dialIn.BridgeName)}</dd>
                  <dt>Default toll number</dt>
                  <dd>{dash(dialIn.ServiceNumber)}</dd>
                  <dt>Default toll-free number</dt>
                  <dd>{dash(dialIn.TollFreeServiceNumber)}</dd>
                  <dt>Callers can start meetings</dt>
                  <dd>{dialIn.AllowPstnOnlyMeetings ? 'Yes' : 'No'}</dd>
                </>
              )}
              {acp && (
                <>
                  <dt>Provider name</dt>
                  <dd>{dash(acp.Name)}</dd>
                  <dt>Conference ID</dt>
                  <dd>{dash(acp.ParticipantPasscode)}</dd>
                  <dt>Toll number</dt>
                  <dd>{dash(acp.TollNumber)}</dd>
                  <dt>Toll-free numbers</dt>
                  <dd>{acp.TollFreeNumbers?.length ? acp.TollFreeNumbers.join(', ') : '—'}</dd>
                </>
              )}
            </dl>
          )}
          <ErrorAlert error={detail.error} onRetry={detail.reload} />
        </>
      )}

      <div className="actions" role="group" aria-label="Actions">
        <button type="button" onClick={() => setAsk('edit')}>
          Edit
        </button>
        {kind === 'BuiltIn' && (
          <>
            <button type="button" onClick={() => setAsk('pin')}>
              Reset PIN
            </button>
            <button type="button" onClick={() => setAsk('id')}>
              Reset conference ID
            </button>
          </>
        )}
        {builtIn.length > 0 && (
          <button type="button" onClick={() => setAsk('email')}>
            Send conference info via email
          </button>
        )}
        {unlicensed.length > 0 && (
          <button type="button" onClick={() => setAsk('add-license')}>
            Assign license
          </button>
        )}
        {licensed.length > 0 && (
          <button type="button" onClick={() => setAsk('remove-license')}>
            Remove license
          </button>
        )}
      </div>

      {ask === 'edit' && (
        <EditUserDialog
          users={users}
          detail={dialIn}
          acp={acp}
          onClose={close}
          onSaved={(made, message) => {
            if (made.length) setPins(made);
            setNotice(message);
            close();
            onChanged();
            detail.reload();
          }}
        />
      )}
      {ask === 'pin' && single && (
        <Confirm
          title="Reset PIN?"
          yes="Reset PIN"
          busy={busy}
          error={errorBox}
          onYes={resetPin}
          onNo={close}
        >
          <p>
            A new leader PIN is made for <strong>{single.displayName}</strong>; the old one stops
            working. The new PIN is shown once, in the next window, and emailed to the user if
            automatic emails are on.
          </p>
        </Confirm>
      )}
      {ask === 'id' && single && (
        <Confirm
          title="Reset conference ID?"
          yes="Yes, reset"
          danger
          busy={busy}
          error={errorBox}
          onYes={resetId}
          onNo={close}
        >
          <p>
            A new conference ID is created for <strong>{single.displayName}</strong> and emailed to
            them (if automatic emails are on).
          </p>
          <p className="warning">
            After the reset, callers can no longer use the old conference ID. The user should update
            their existing meeting invites so they carry the new ID; scheduled meetings are updated
            automatically when meeting migration is on.
          </p>
        </Confirm>
      )}
      {ask === 'email' && (
        <Confirm
          title="Send conference info via email"
          yes="Send"
          busy={busy}
          error={errorBox}
          onYes={sendInfo}
          onNo={close}
        >
          <p>
            {builtIn.length === 1
              ? `${builtIn[0]!.displayName} gets an email with their conference ID and dial-in numbers.`
              : `${builtIn.length} users get an email with their conference ID and dial-in numbers.`}{' '}
            The PIN is not included. It is sent even when automatic emails are off.
          </p>
          {emailField}
        </Confirm>
      )}
      {(ask === 'add-license' || ask === 'remove-license') && (
        <Confirm
          title={
            ask === 'add-license'
              ? 'Assign the audio conferencing license'
              : 'Remove the audio conferencing license'
          }
          yes={ask === 'add-license' ? 'Assign' : 'Remove'}
          danger={ask === 'remove-license'}
          busy={busy}
          error={errorBox}
          onYes={() => license(ask === 'add-license')}
          onNo={close}
        >
          <p>
            {ask === 'add-license'
              ? `${unlicensed.length} user(s) will be enabled for dial-in on the built-in bridge, with a conference ID and a leader PIN (shown once).`
              : `${licensed.length} user(s) will lose dial-in: their conference ID is released, their PIN destroyed and their scheduled meetings updated.`}
          </p>
        </Confirm>
      )}
      {pins.length > 0 && <PinDialog pins={pins} onClose={() => setPins([])} />}
    </aside>
  );
}
