import { useId, useState } from 'react';
import { errorMessage } from '../../client/farm-client.js';
import { useFarmClient } from '../../farm-client-context.js';
import { replaceAgents } from '../../stores/agents-store.js';
import { agentAddressProblem } from '../../model/agent-address.js';
import { pushNotice } from '../../stores/notices-store.js';

/** Adds an agent by address (HOST:PORT; wss:// optional), for machines mDNS cannot see (another subnet, a VPN). */
export function AddNodeForm() {
  const client = useFarmClient();
  const id = useId();
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="add-node"
      onSubmit={(e) => {
        e.preventDefault();
        const problem = agentAddressProblem(url);
        if (problem) return setError(problem);
        setBusy(true);
        setError(null);
        client.call('agents.add', { url: url.trim() })
          .then(async (r) => {
            setUrl('');
            pushNotice('info', `Added ${r.url}; it shows as online once it answers.`);
            replaceAgents(await client.call('agents.list', {}));
          })
          .catch((err) => setError(errorMessage(err)))
          .finally(() => setBusy(false));
      }}
    >
      <label htmlFor={id}>Add an agent by address</label>
      <input id={id} value={url} placeholder="192.168.1.20:7420" required aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} onChange={(e) => setUrl(e.target.value)} />
      <button type="submit" disabled={busy || !url.trim()}>Add agent</button>
      {error ? <p id={`${id}-error`} className="field-error" role="alert">{error}</p> : null}
    </form>
  );
}
