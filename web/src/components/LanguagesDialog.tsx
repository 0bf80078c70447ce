import { useState, type DragEvent } from 'react';
import { api, ApiError } from '../api.ts';
import { enc } from '../format.ts';
import type { Language, ServiceNumber } from '../types.ts';
import { Dialog } from './Dialog.tsx';
import { Field } from './Field.tsx';
import { ErrorAlert } from './Status.tsx';

const MAX_SECONDARY = 4;

/**
 * Set languages on a dedicated number: the primary language and up to four
 * secondary ones in the order callers hear them. Reorder by dragging, or with
 * the Move up / Move down buttons (keyboard and screen readers).
 */
export function LanguagesDialog({
  number,
  languages,
  onClose,
  onSaved,
}: {
  number: ServiceNumber;
  languages: Language[];
  onClose: () => void;
  onSaved: (n: ServiceNumber) => void;
}) {
  const [primary, setPrimary] = useState(number.PrimaryLanguage);
  const [secondary, setSecondary] = useState<string[]>(number.SecondaryLanguages);
  const [adding, setAdding] = useState('');
  const [dragged, setDragged] = useState<number | null>(null);
  const [announce, setAnnounce] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const name = (code: string) => languages.find((l) => l.code === code)?.name ?? code;
  const available = languages.filter((l) => l.code !== primary && !secondary.includes(l.code));

  const move = (from: number, to: number) => {
    if (to < 0 || to >= secondary.length || from === to) return;
    const next = [...secondary];
    const [it] = next.splice(from, 1);
    next.splice(to, 0, it!);
    setSecondary(next);
    setAnnounce(`${name(it!)} moved to position ${to + 1} of ${next.length}.`);
  };
  const onDrop = (e: DragEvent, to: number) => {
    e.preventDefault();
    if (dragged !== null) move(dragged, to);
    setDragged(null);
  };

  const save = async (body: Record<string, unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      onSaved(
        await api<ServiceNumber>('PATCH', `/api/v1/service-numbers/${enc(number.Number)}`, body),
      );
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const fieldError = (f: string) =>
    error instanceof ApiError && error.field === f ? error.message : undefined;

  return (
    <Dialog
      title={`Set languages: ${number.Number}`}
      onClose={onClose}
      footer={
        <>
          <button
            type="button"
            disabled={busy}
            onClick={() => save({ RestoreDefaultLanguages: true })}
          >
            Restore defaults
          </button>
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => save({ PrimaryLanguage: primary, SecondaryLanguages: secondary })}
          >
            {busy ? 'Saving…' : 'Save'}
          </button>
        </>
      }
    >
      <p className="hint">
        Callers hear the languages in this order. Only languages with recorded prompts are offered.
      </p>
      <Field label="Primary language" error={fieldError('PrimaryLanguage')}>
        {(p) => (
          <select
            {...p}
            value={primary}
            onChange={(e) => {
              setPrimary(e.target.value);
              setSecondary(secondary.filter((c) => c !== e.target.value));
            }}
          >
            {languages.map((l) => (
              <option key={l.code} value={l.code}>
                {l.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <fieldset>
        <legend>Secondary languages (up to {MAX_SECONDARY}, in order)</legend>
        {secondary.length === 0 && <p className="empty">No secondary languages.</p>}
        <ol className="reorder" aria-label="Secondary languages">
          {secondary.map((code, i) => (
            <li
              key={code}
              draggable
              className={dragged === i ? 'dragging' : undefined}
              onDragStart={(e) => {
                setDragged(i);
                e.dataTransfer.effectAllowed = 'move';
                e.dataTransfer.setData('text/plain', code);
              }}
              onDragOver={(e) => e.preventDefault()}
              onDrop={(e) => onDrop(e, i)}
              onDragEnd={() => setDragged(null)}
            >
              <span className="grip" aria-hidden="true">
                ⠿
              </span>
              <span className="grow">
                {i + 1}. {name(code)} <small>({code})</small>
              </span>
              <button
                type="button"
                aria-label={`Move ${name(code)} up`}
                disabled={i === 0}
                onClick={() => move(i, i - 1)}
              >
                ↑
              </button>
              <button
                type="button"
                aria-label={`Move ${name(code)} down`}
                disabled={i === secondary.length - 1}
                onClick={() => move(i, i + 1)}
              >
                ↓
              </button>
              <button
                type="button"
                aria-label={`Remove ${name(code)}`}
                onClick={() => setSecondary(secondary.filter((c) => c !== code))}
              >
                Remove
              </button>
            </li>
          ))}
        </ol>
        <p className="sr-only" aria-live="polite">
          {announce}
        </p>
        {secondary.length < MAX_SECONDARY && available.length > 0 && (
          <div className="inline">
            <Field label="Add a secondary language" error={fieldError('SecondaryLanguages')}>
              {(p) => (
                <select {...p} value={adding} onChange={(e) => setAdding(e.target.value)}>
                  <option value="">Choose a language</option>
                  {available.map((l) => (
                    <option key={l.code} value={l.code}>
                      {l.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button
              type="button"
              disabled={!adding}
              onClick={() => {
                setSecondary([...secondary, adding]);
                setAdding('');
              }}
            >
              Add
            </button>
          </div>
        )}
      </fieldset>
      <ErrorAlert error={error} />
    </Dialog>
  );
}
