import type { z } from 'zod';
import { ApiCommands, ApiError, type ApiCommand, type FarmApi } from './contract.js';

/**
 * The one door into the service for every transport (WebSocket now, Electron IPC later):
 * look the command up, check its parameters against the contract, call the service. What
 * comes back is a result or an ApiError with a one-sentence message; nothing else (no stack,
 * no internal detail) ever reaches a client.
 */
export async function callCommand(api: FarmApi, command: string, params: unknown): Promise<unknown> {
  if (!isApiCommand(command)) {
    throw new ApiError('unknown-command', `There is no command "${clip(command, 64)}"; update the client or use one of ${Object.keys(ApiCommands).join(', ')}.`);
  }
  const parsed = ApiCommands[command].safeParse(params ?? {});
  if (!parsed.success) throw new ApiError('invalid-params', describeIssue(command, parsed.error.issues[0]));
  try {
    // The schema and the function come from the same command, which TypeScript cannot see through the union.
    return await (api[command] as (p: unknown) => Promise<unknown>)(parsed.data);
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('internal', oneLine((error as Error)?.message ?? String(error)));
  }
}

export function isApiCommand(command: string): command is ApiCommand {
  return Object.hasOwn(ApiCommands, command);
}

/** One sentence from the first zod issue: which field, what is wrong, what to give instead. */
export function describeIssue(command: string, issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return `Invalid params for ${command}; check them against the API contract.`;
  const field = fieldName(issue.path);
  return `Invalid params for ${command}: ${explain(field, issue)}.`;
}

function explain(field: string, issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (/received undefined$/.test(issue.message)) return `${field} is missing; give it as ${article(issue.expected)}`;
      return `${field} must be ${article(issue.expected)}`;
    case 'too_big':
      return `${field} must be at most ${issue.maximum}${unitOf(issue.origin)}`;
    case 'too_small':
      return `${field} must be at least ${issue.minimum}${unitOf(issue.origin)}`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      if ('options' in issue && Array.isArray(issue.options)) return `${field} must be one of ${issue.options.map((v: unknown) => JSON.stringify(v)).join(', ')}`;
      return `${field} does not match any allowed shape`;
    case 'invalid_format':
      return `${field} is not valid (${issue.message})`;
    case 'unrecognized_keys':
      return `${issue.keys.join(', ')} ${issue.keys.length === 1 ? 'is' : 'are'} not a known parameter; remove ${issue.keys.length === 1 ? 'it' : 'them'}`;
    default:
      return `${field} is not valid (${issue.message})`;
  }
}

function fieldName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'params';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function article(expected: string): string {
  if (expected === 'int') return 'a whole number';
  if (expected === 'object') return 'an object';
  if (expected === 'array') return 'an array';
  return `a ${expected}`;
}

function unitOf(origin: string): string {
  if (origin === 'string') return ' characters';
  if (origin === 'array' || origin === 'set') return ' items';
  return '';
}

function oneLine(message: string): string {
  return clip(message.split('\n')[0]!.trim() || 'The service failed without a message.', 500);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
