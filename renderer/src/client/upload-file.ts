/**
 * Sends a dropped or picked file to the controller (`POST /api/uploads`), for a browser, which
 * has no path for it. XMLHttpRequest rather than fetch: only it reports upload progress. The
 * controller answers with the file's path on its machine, which is then probed and submitted
 * like any other path. Its refusals (no token, too large) are one sentence each, shown as is.
 */

export type UploadProgress = (sentBytes: number, totalBytes: number) => void;

/** http://HOST/api/uploads for the API socket at ws://HOST/api (https for wss). */
export function uploadUrlFor(apiUrl: string): string {
  const url = new URL(apiUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = `${url.pathname.replace(/\/$/, '')}/uploads`;
  url.search = '';
  url.hash = '';
  return url.href;
}

export function uploadFile(o: { url: string; token: string; file: File; onProgress?: UploadProgress }): Promise<{ path: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${o.url}?name=${encodeURIComponent(o.file.name)}`);
    xhr.setRequestHeader('Authorization', `Bearer ${o.token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => o.onProgress?.(e.loaded, e.lengthComputable ? e.total : o.file.size);
    xhr.onload = () => {
      if (xhr.status === 201) {
        try {
          const { path } = JSON.parse(xhr.responseText) as { path?: unknown };
          if (typeof path === 'string') return resolve({ path });
        } catch {
          // fall through to the error below
        }
        return reject(new Error(`The controller stored "${o.file.name}" but gave no readable path for it; try again.`));
      }
      reject(new Error(xhr.responseText.trim() || `The controller refused the upload of "${o.file.name}" (HTTP ${xhr.status}); try again.`));
    };
    xhr.onerror = () => reject(new Error(`The upload of "${o.file.name}" broke off; check that the controller is running and the file is not larger than it accepts, then try again.`));
    xhr.onabort = () => reject(new Error(`The upload of "${o.file.name}" was stopped.`));
    xhr.send(o.file);
  });
}
