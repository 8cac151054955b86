import { useId, type ReactNode } from 'react';

/** A labelled input with its hint and its error tied to it for screen readers. */
export function FormField(p: { label: string; hint?: ReactNode; error?: string; children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: true }) => ReactNode }) {
  const id = useId();
  const described = [p.hint ? `${id}-hint` : null, p.error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{p.label}</label>
      {p.children({ id, 'aria-describedby': described, ...(p.error ? { 'aria-invalid': true as const } : {}) })}
      {p.hint ? <div id={`${id}-hint`} className="hint">{p.hint}</div> : null}
      {p.error ? <div id={`${id}-error`} className="field-error">{p.error}</div> : null}
    </div>
  );
}
