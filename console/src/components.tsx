// Building blocks every screen uses: loading / empty / error states, modal dialogs and the confirmation dialog.
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

export const Loading = ({ label }: { label: string }) => (
  <p className="state state-loading" role="status">
    <span className="spinner" aria-hidden="true" />
    {label}
  </p>
);

export const Empty = ({ children }: { children: ReactNode }) => (
  <div className="state state-empty" role="status">
    {children}
  </div>
);

export const ErrorState = ({ title, error, onRetry }: { title: string; error: Error | undefined; onRetry?: () => void }) => (
  <div className="state state-error" role="alert">
    <p>
      <strong>{title}</strong> {error?.message}
    </p>
    {onRetry && (
      <button type="button" className="button" onClick={onRetry}>
        Try again
      </button>
    )}
  </div>
);

export const PageHeader = ({ title, children }: { title: string; children?: ReactNode }) => (
  <div className="page-header">
    <h1 tabIndex={-1}>{title}</h1>
    {children && <div className="page-actions">{children}</div>}
  </div>
);

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  /** role="alertdialog" for confirmations. */
  alert?: boolean;
}

/**
 * A modal <dialog>: the page behind it is inert, Escape closes it, Tab cycles inside it, and focus goes
 * back to what opened it when it closes.
 */
export const Dialog = ({ open, title, onClose, children, footer, wide, alert }: DialogProps) => {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      dialog.showModal();
      // showModal() focuses the first focusable element; a dialog can name a safer one (Cancel).
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  const trapTab = (event: KeyboardEvent<HTMLDialogElement>) => {
    if (event.key !== 'Tab' || !ref.current) return;
    const focusable = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? ' dialog-wide' : ''}`}
      aria-labelledby={titleId}
      role={alert ? 'alertdialog' : undefined}
      onKeyDown={trapTab}
      onClose={() => {
        if (opener.current instanceof HTMLElement && opener.current.isConnected) opener.current.focus();
        onClose();
      }}
    >
      <div className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="button button-quiet dialog-close" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      <div className="dialog-body">{open && children}</div>
      {footer && <div className="dialog-footer">{footer}</div>}
    </dialog>
  );
};

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: Error | undefined;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before a destructive or far-reaching action; Cancel has the focus first. */
export const ConfirmDialog = ({ open, title, children, confirmLabel, danger, busy, error, onConfirm, onCancel }: ConfirmDialogProps) => (
  <Dialog
    open={open}
    title={title}
    onClose={onCancel}
    alert
    footer={
      <>
        <button type="button" className="button" onClick={onCancel} data-autofocus>
          Cancel
        </button>
        <button type="button" className={`button ${danger ? 'button-danger' : 'button-primary'}`} onClick={onConfirm} disabled={busy} aria-busy={busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </>
    }
  >
    {children}
    {error && (
      <p className="inline-error" role="alert">
        {error.message}
      </p>
    )}
  </Dialog>
);

/** A horizontally scrollable table region that keyboard users can scroll too. */
export const TableRegion = ({ label, children }: { label: string; children: ReactNode }) => (
  <div className="table-region" role="region" aria-label={label} tabIndex={0}>
    {children}
  </div>
);

export const LoadMore = ({ hasMore, loading, error, onMore, what }: { hasMore: boolean; loading: boolean; error: Error | undefined; onMore: () => void; what: string }) => (
  <div className="load-more">
    {error && (
      <p className="inline-error" role="alert">
        Could not load more {what}: {error.message}
      </p>
    )}
    {hasMore && (
      <button type="button" className="button" onClick={onMore} disabled={loading} aria-busy={loading}>
        {loading ? 'Loading…' : `Load more ${what}`}
      </button>
    )}
  </div>
);
