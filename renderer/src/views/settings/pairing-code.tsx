import { useId, useState } from 'react';

/**
 * The farm key shown as the pairing code for agents, with a Copy button and the command that
 * uses it. Copying goes through the Clipboard API; where that is refused (an insecure page,
 * a denied permission) the code is selected instead, so Ctrl+C finishes the job.
 */
export function PairingCode({ farmKey }: { farmKey: string }) {
  const codeId = useId();
  const [status, setStatus] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(farmKey);
      setStatus('Copied the pairing code.');
    } catch {
      const code = document.getElementById(codeId);
      if (code) window.getSelection()?.selectAllChildren(code);
      setStatus('Copying was not allowed here; the code is selected, press Ctrl+C to copy it.');
    }
  };
  return (
    <div className="pairing">
      <p>Pairing code: start each render machine's agent with this key.</p>
      <div className="pairing-row">
        <code id={codeId} className="pairing-code">{farmKey}</code>
        <button type="button" onClick={() => void copy()}>Copy</button>
        <span role="status" className="muted">{status}</span>
      </div>
      <p className="muted">On a render machine: <code>farmhand-agent --farm-key {farmKey}</code> (or set <code>FARMHAND_FARM_KEY</code>). Keep it secret: anyone with it can pose as an agent of this farm.</p>
    </div>
  );
}
