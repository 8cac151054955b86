import { useFarmInfo } from '../../stores/farm-info-store.js';

/**
 * How agents join, under the empty nodes list. It must not promise that agents appear by
 * themselves when the controller does not look for them (`--no-discover`): a user would wait
 * for nothing. A controller that does not report it (older) gets the sentence with its condition.
 */
export function DiscoveryHint() {
  const discovery = useFarmInfo().info?.discovery;
  if (discovery === false) return <p data-discovery="off">Discovery is off (the controller was started with <code>--no-discover</code>), so agents do not appear by themselves: add each one by address above.</p>;
  if (discovery === true) return <p data-discovery="on">Agents on this network appear by themselves; others can be added by address above.</p>;
  return <p>Agents on this network appear by themselves when the controller looks for them (it does unless started with <code>--no-discover</code>); others can be added by address above.</p>;
}
