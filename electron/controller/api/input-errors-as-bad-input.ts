import { InputError } from '../input-error.js';
import { ApiError } from './api-errors.js';
import type { FarmApi } from './contract.js';

/**
 * The one place where user errors meet the API: any InputError a command throws (a bad scene or
 * video, a frame list, a setting, a disk too small for the job) becomes `bad-input` with its own
 * sentence, whichever command and module raised it. The decision is by class, never by wording.
 */
export function asApiError(error: unknown): unknown {
  return error instanceof InputError ? new ApiError('bad-input', error.message) : error;
}

/** `api` with every command's InputErrors answered as bad-input ApiErrors. */
export function inputErrorsAsBadInput(api: FarmApi): FarmApi {
  const wrapped: Record<string, (p: unknown) => Promise<unknown>> = {};
  for (const [command, run] of Object.entries(api) as [string, (p: unknown) => Promise<unknown>][]) {
    wrapped[command] = async (p) => {
      try {
        return await run(p);
      } catch (error) {
        throw asApiError(error);
      }
    };
  }
  return wrapped as FarmApi;
}
