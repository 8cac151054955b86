/**
 * Puts focus back on a frame's thumbnail when the viewer closes. The grid is virtualised, so
 * the frame last shown may have no cell in the page: it is scrolled into view first, and its
 * button focused once the grid has drawn it (a few animation frames at most). If it never
 * appears (the job was deleted meanwhile), focus goes to the grid itself, not to the page.
 */
const MAX_TRIES = 20;

export function focusThumbnail(grid: HTMLElement | null, frame: number, scrollTo: (frame: number) => void): void {
  if (!grid) return;
  const find = () => grid.querySelector<HTMLElement>(`[data-frame="${frame}"] button`);
  if (!find()) scrollTo(frame);
  let tries = 0;
  const attempt = () => {
    const button = find();
    if (button) return button.focus();
    if (++tries < MAX_TRIES) requestAnimationFrame(attempt);
    else grid.focus();
  };
  // After the dialog's own clean-up has returned focus to the opener.
  requestAnimationFrame(attempt);
}
