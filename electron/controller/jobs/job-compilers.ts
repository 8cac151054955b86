import type { MediaInfo } from './transcode/media-probe.js';
import type { SceneInfo } from '../api/views.js';
import { prepareRender } from './blender/render-submission.js';
import type { PreparedJob, SubmitContext, SubmitRequest } from './job-request.js';
import { prepareTranscode } from './transcode/transcode-submission.js';

/**
 * Job type → the submitter that checks its request, reads its input and calls its compiler.
 * A new job type is a schema in the contract's `jobs.submit` union, an entry here, and its
 * compiler beside the others in jobs/<type>/; no front end changes.
 */

type RequestOf = { [T in SubmitRequest['type']]: Extract<SubmitRequest, { type: T }> };

/** What each job type's submitter reports of its input besides the job (the one-shot commands print it). */
export interface InputOf {
  render: SceneInfo;
  transcode: MediaInfo;
}

export const jobCompilers: { [T in keyof RequestOf]: (request: RequestOf[T], ctx: SubmitContext) => PreparedJob<InputOf[T]> } = {
  render: prepareRender,
  transcode: prepareTranscode,
};
