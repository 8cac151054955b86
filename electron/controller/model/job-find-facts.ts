import type { JobRecord } from './job-model.js';
import type { JobSummary } from '../api/views.js';

/**
 * What the jobs list shows and searches beside the counts: the tags, where the output goes
 * and which frames the job renders. In the summary (not only in jobs.get) so a list of many
 * jobs can be searched by tag and two jobs of one scene told apart without a call per job.
 * Each field is absent when it has nothing to say, as the summary's other optional fields.
 */
export function jobFindFacts(job: JobRecord): Pick<JobSummary, 'tags' | 'output' | 'frames' | 'frameCount'> {
  const settings = job.settings ?? {};
  const frames = typeof settings.frames === 'string' && settings.frames !== '' ? settings.frames : undefined;
  const frameCount = typeof settings.frameCount === 'number' ? settings.frameCount : undefined;
  const output = typeof settings.outputPath === 'string' ? settings.outputPath : job.outputDir;
  return {
    ...(job.tags.length ? { tags: job.tags } : {}),
    ...(output ? { output } : {}),
    ...(frames !== undefined ? { frames } : {}),
    ...(frameCount !== undefined ? { frameCount } : {}),
  };
}
