import type { Page } from '../../../electron/controller/api/contract.js';

/**
 * Reads a whole paged list (tasks.list, frames.list): the first page says how many there are,
 * the rest are asked for together (a few at a time), so a 10,000-item job costs about two
 * round trips instead of ten in a row. Items come back in order. Bounded: at most `maxPages`.
 */
export async function fetchAllPages<T>(
  fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
  o: { pageSize: number; maxPages: number; concurrent?: number },
): Promise<T[]> {
  const first = await fetchPage(0, o.pageSize);
  const total = Math.min(first.total, o.pageSize * o.maxPages);
  if (first.items.length === 0 || first.items.length >= total) return first.items;
  const offsets: number[] = [];
  for (let offset = first.items.length; offset < total; offset += o.pageSize) offsets.push(offset);
  const pages: T[][] = new Array(offsets.length);
  let next = 0;
  const worker = async () => {
    while (next < offsets.length) {
      const i = next++;
      pages[i] = (await fetchPage(offsets[i]!, o.pageSize)).items;
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrent ?? 4, offsets.length) }, worker));
  return first.items.concat(...pages);
}
