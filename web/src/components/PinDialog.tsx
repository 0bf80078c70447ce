import { Dialog } from './Dialog.tsx';

export interface ShownPin {
  name: string;
  pin: string;
}

/**
 * The one place a clear leader PIN appears: in the dialog right after the
 * action that made it. Closing it drops the PIN; every other view shows *****.
 */
export function PinDialog({ pins, onClose }: { pins: ShownPin[]; onClose: () => void }) {
  return (
    <Dialog
      title={pins.length === 1 ? 'New leader PIN' : 'New leader PINs'}
      onClose={onClose}
      footer={
        <button type="button" className="primary" onClick={onClose}>
          Done
        </button>
      }
    >
      <p>
        This is the only time the PIN is shown. Write it down or send it to the user now; after you
        close this window it is shown as <code>*****</code>.
      </p>
      <dl className="pins">
        {pins.map((p) => (
          <div key={p.name}>
            <dt>{p.name}</dt>
            <dd>
              <output className="pin" aria-label={`Leader PIN for ${p.name}`}>
                {p.pin}
              </output>
            </dd>
          </div>
        ))}
      </dl>
      <p className="hint">If automatic emails are on, the user also gets the PIN by email.</p>
    </Dialog>
  );
}
