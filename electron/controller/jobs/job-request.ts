import { isAbsolute } from 'node:path';
import type { ApiParsedParams } from '../api/contract.js';
import type { DependencyManifest } from '../api/views.js';
import type { JobRecord } from '../model/job-model.js';
import { SettingsError } from './settings-error.js';
import type { AbleCapacity } from '../agents/able-capacity.js';

/**
 * What every front end hands the one submit path (submit-job.ts), and what each job type's
 * submitter (job-compilers.ts) gives back. The request is the API contract's own `jobs.submit`
 * parameters, so a one-shot command, the API, the desktop app and the browser after an upload
 * all describe a job in the same words and a new job option lands in the contract alone.
 */

export type SubmitRequest = ApiParsedParams<'jobs.submit'>;
export type RenderRequest = Extract<SubmitRequest, { type: 'render' }>;
export type TranscodeRequest = Extract<SubmitRequest, { type: 'transcode' }>;

/**
 * How error sentences name things for the front end that submitted: a one-shot command speaks
 * of this machine and its flags, the API of the controller's machine and its fields. Only the
 * words differ; the checks are the same.
 */
export interface SubmitWording {
  /** Whose machine the paths and tools are on. */
  machine: string;
  /** The two ways to size transcode chunks, as the sentence refusing both names them. */
  eitherChunks: string;
  /** How to give an output that is not the input. */
  otherOutput: string;
}

export const API_WORDING: SubmitWording = {
  machine: 'the controller\'s machine',
  eitherChunks: 'Give either chunks or chunkSeconds, not both.',
  otherOutput: 'choose another output file',
};

export interface SubmitContext {
  /** Where default outputs go: `<outputRoot>/<scene name>/`, `<outputRoot>/<video name>.mp4`. */
  outputRoot: string;
  /** The data folder: scratch space for reading scenes. */
  home: string;
  blenderPath?: string;
  ffprobePath?: string;
  wording?: SubmitWording;
  /**
   * With --video and no format given, render PNG frames when the scene's own format cannot be
   * encoded, instead of refusing the job. The one-shot `farmhand render` does; the API leaves
   * the choice to the user and says why.
   */
  pngFramesForVideo?: boolean;
}

/** A request that passed every check needing no file (paths, options, its frame list parsed once). */
export interface PreparedJob<Input> {
  /** The task type the job's agents must take, for a one-shot farm to wait for. */
  taskType: string;
  /**
   * Reads and hashes the input side by side (a missing or broken one is reported in the
   * reader's words), chooses the output, and compiles the job for the able agents `able()`
   * gives (a count of agents, one slot each, or agents and their slots), asked only once the
   * input is read so a one-shot farm starts meanwhile. Gives back the agent count too, for a
   * one-shot command to print.
   */
  compile(able: () => number | AbleCapacity | Promise<number | AbleCapacity>): Promise<{ job: JobRecord; input: Input; agentCount: number; dependencies?: DependencyManifest }>;
}

/** Paths reach the controller from another machine's shell or a browser: only absolute ones mean one file. */
export function requireAbsolute(path: string, what: string, ctx: SubmitContext): void {
  const { machine } = ctx.wording ?? API_WORDING;
  if (!isAbsolute(path)) throw new SettingsError(`The ${what} "${path}" must be an absolute path on ${machine}.`);
}
