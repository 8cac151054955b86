import { ModalDialog } from './modal-dialog.js';

/** Asks before something that cannot be undone; the safe choice is focused first. */
export function ConfirmDialog(p: { title: string; text: string; confirmLabel: string; onConfirm: () => void; onCancel: () => void }) {
  return (
    <ModalDialog title={p.title} onClose={p.onCancel}>
      <p>{p.text}</p>
      <div className="dialog-buttons">
        <button type="button" autoFocus onClick={p.onCancel}>Keep</button>
        <button type="button" className="danger" onClick={p.onConfirm}>{p.confirmLabel}</button>
      </div>
    </ModalDialog>
  );
}
