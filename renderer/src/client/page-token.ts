/**
 * The API token arrives in the page's URL fragment (`http://HOST:7400/#token=…`, as
 * `farmhand controller` prints it). A fragment never goes to the server or into logs. Once
 * read, it is taken out of the address bar (so it is not shown or bookmarked by accident) and
 * kept in sessionStorage, so reloading the tab keeps working and closing it forgets it.
 */
const STORAGE_KEY = 'farmhand.apiToken';

export function takePageToken(location: Location, history: History, storage: Storage | null): string | null {
  const { token: fromFragment, rest } = splitToken(location.hash);
  if (fromFragment) {
    try {
      storage?.setItem(STORAGE_KEY, fromFragment);
    } catch {
      // storage may be disabled; the token still works for this page's life
    }
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest}`);
    return fromFragment;
  }
  try {
    return storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/** ws://HOST/api for a page served by the controller at http://HOST/ (wss for https). */
export function apiUrlFor(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`;
}

/**
 * The token in a fragment, and the fragment without it: `#token=T` (as printed) leaves
 * nothing; a link to a view with the token, `#/jobs/ID?token=T` (routing/route.ts), leaves
 * `#/jobs/ID`, so the view opens once the token is put away.
 */
export function splitToken(hash: string): { token: string | null; rest: string } {
  const fragment = hash.replace(/^#/, '');
  if (!fragment.startsWith('/')) return { token: new URLSearchParams(fragment).get('token'), rest: '' };
  const at = fragment.indexOf('?');
  if (at < 0) return { token: null, rest: hash };
  const params = new URLSearchParams(fragment.slice(at + 1));
  const token = params.get('token');
  if (!token) return { token: null, rest: hash };
  params.delete('token');
  const query = params.toString();
  return { token, rest: `#${fragment.slice(0, at)}${query ? `?${query}` : ''}` };
}
