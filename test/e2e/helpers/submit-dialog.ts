import type { Locator, Page } from 'playwright-core';

/**
 * Opens the "Submit job…" dialog and, given a file, chooses it with the dialog's own picker (the
 * page uploads it, as a user's choice does): the first steps of every browser test that submits.
 * Gives the dialog; what the controller then reads of the file is each test's to wait for.
 */
export async function openSubmitDialog(page: Page, file?: string): Promise<Locator> {
  await page.getByRole('button', { name: 'Submit job…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Submit a job' });
  await dialog.waitFor();
  if (file !== undefined) await dialog.locator('input[type="file"]').setInputFiles(file);
  return dialog;
}
