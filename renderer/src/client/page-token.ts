/**
 * The API token arrives in the page's URL fragment (`http://HOST:7400/#token=…`, as
 * `farmhand controller` prints it). A fragment never goes to the server or into logs. Once
 * read, it is taken out of the address bar (so it is not shown or bookmarked by accident) and
 * kept in sessionStorage, so reloading the tab keeps working and closing it forgets it.
 */
const STORAGE_KEY = 'farmhand.apiToken';

export function takePageToken(location: Location, history: History, storage: Storage | null): string | null {
  const fromFragment = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  if (fromFragment) {
    try {
      storage?.setItem(STORAGE_KEY, fromFragment);
    } catch {
      // storage may be disabled; the token still works for this page's life
    }
    history.replaceState(history.state, '', `${location.pathname}${location.search}`);
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
