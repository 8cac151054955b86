/**
 * The add-agent form's check of a typed address, before anything is sent: `HOST:PORT` as people
 * type it (`127.0.0.1:7521`, `render-3:7420`), or with its scheme (`wss://HOST:PORT`). The
 * controller makes it `wss://HOST:PORT` (agents speak TLS) and checks it again. Anything else is
 * one sentence naming the fix.
 */
const ADDRESS = /^(wss?:\/\/)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?\/?$/;

export function agentAddressProblem(typed: string): string | null {
  const text = typed.trim();
  const port = /:(\d+)\/?$/.exec(text)?.[1];
  if (ADDRESS.test(text) && (port === undefined || Number(port) <= 65_535)) return null;
  return `"${text}" is not an agent address; type HOST:PORT, e.g. 192.168.1.20:7420 (wss:// in front is optional).`;
}
