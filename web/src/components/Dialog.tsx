import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the native <dialog>: the browser traps focus, Escape
 * closes it, and focus returns to what opened it.
 */
export function Dialog({
  title,
  onClose,
  children,
  footer,
  wide,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    if (!d.open) d.showModal();
    return () => {
      if (d.open) d.close();
      opener?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog wide' : 'dialog'}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="dialog-body">{children}</div>
      {footer && <footer className="dialog-foot">{footer}</footer>}
    </dialog>
  );
}

/** A yes/no question before an action that cannot be undone. */
export function Confirm({
  title,
  children,
  yes,
  busy,
  error,
  onYes,
  onNo,
  danger,
}: {
  title: string;
  children: ReactNode;
  yes: string;
  busy?: boolean;
  error?: ReactNode;
  onYes: () => void;
  onNo: () => void;
  danger?: boolean;
}) {
  return (
    <Dialog
      title={title}
      onClose={onNo}
      footer={
        <>
          <button type="button" onClick={onNo}>
            Cancel
          </button>
          <button
            type="button"
            className={danger ? 'danger' : 'primary'}
            disabled={busy}
            onClick={onYes}
          >
            {busy ? 'Working…' : yes}
          </button>
        </>
      }
    >
      {children}
      {error}
    </Dialog>
  );
}
