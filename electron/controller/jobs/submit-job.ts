import type { AbleCapacity } from '../agents/able-capacity.js';
import type { JobRecord } from '../model/job-model.js';
import { jobCompilers, type InputOf } from './job-compilers.js';
import type { PreparedJob, RenderRequest, SubmitContext, SubmitRequest, TranscodeRequest } from './job-request.js';

/**
 * The one submit path. Every front end turns a `jobs.submit` request into a job here: the API
 * (and through it the desktop app, and a browser once its upload has given it a path) and the
 * one-shot `farmhand render` / `farmhand transcode`. The job type's submitter checks what needs
 * no file, reads and hashes the input, chooses the output and compiles; the record it returns
 * is what Controller.admit takes. Problems with the request or the input are InputErrors.
 */

export type { PreparedJob, SubmitContext, SubmitRequest } from './job-request.js';
export { API_WORDING, type SubmitWording } from './job-request.js';

/**
 * The request checked (a bad frame list, option or path throws here, before anything is read)
 * and ready to compile: a one-shot command starts its farm between the two steps.
 */
export function prepareJob(request: RenderRequest, ctx: SubmitContext): PreparedJob<InputOf['render']>;
export function prepareJob(request: TranscodeRequest, ctx: SubmitContext): PreparedJob<InputOf['transcode']>;
export function prepareJob(request: SubmitRequest, ctx: SubmitContext): PreparedJob<InputOf[SubmitRequest['type']]>;
export function prepareJob(request: SubmitRequest, ctx: SubmitContext): PreparedJob<InputOf[SubmitRequest['type']]> {
  // One case per entry of jobCompilers, whose type makes every job type of the contract have one.
  switch (request.type) {
    case 'render': return jobCompilers.render(request, ctx);
    case 'transcode': return jobCompilers.transcode(request, ctx);
  }
}

/** A request made into a job in one step, for `agentCount` able agents, or agents and slots (the API's submit). */
export async function submitJob(request: SubmitRequest, ctx: SubmitContext & { agentCount: number | AbleCapacity }): Promise<JobRecord> {
  const { job } = await prepareJob(request, ctx).compile(() => ctx.agentCount);
  return job;
}
