import type { z } from 'zod';
import { InputError } from '../input-error.js';

/** A job setting a compiler cannot use; the message names the setting and what is wrong with it. */
export class SettingsError extends InputError {
  override name = 'SettingsError';
}

/**
 * A job type's settings read through its schema; the first problem becomes a SettingsError
 * (`Invalid chunkSize: …`), the same sentence whichever front end submitted the job.
 */
export function parseSettings<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new SettingsError(`Invalid ${issue?.path.join('.') || 'setting'}: ${issue?.message ?? 'not accepted'}.`);
}
