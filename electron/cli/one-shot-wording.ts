import type { SubmitWording } from '../controller/jobs/submit-job.js';

/** How the submit path's error sentences speak to someone at this machine's shell: its flags, not the API's fields. */
export const ONE_SHOT_WORDING: SubmitWording = {
  machine: 'this machine',
  eitherChunks: 'Pass either --chunks or --chunk-seconds, not both.',
  otherOutput: 'pass --out with another file name',
};
