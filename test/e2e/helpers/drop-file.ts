import type { Page } from 'playwright-core';

/**
 * Drops a file on the page the way a user's drag does: a File built in the page from the given
 * bytes, carried by a DataTransfer through dragenter, dragover and drop on the main area.
 */
export async function dropFile(page: Page, o: { name: string; bytes: Buffer }): Promise<void> {
  await page.evaluate(({ name, base64 }) => {
    const raw = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([raw], name, { type: 'application/octet-stream' }));
    const target = document.querySelector('main') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }
  }, { name: o.name, base64: o.bytes.toString('base64') });
}
