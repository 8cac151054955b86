import type { PathMap, WorkspaceFile } from '../../../node-agent/protocol/index.js';
import type { JobRecord } from '../model/job-model.js';

/**
 * Jobs saved before protocol 4 carry their workspace in every Blender task (`spec.files`,
 * `spec.pathMap`) and every dependency in every task's inputs: a 1,000-file shot made each task
 * ~245 KB of its page. At load the list moves once into the job (`workspace`, in job.json), each
 * such task names it (`spec.workspace: true`) and keeps the scene as its one input; the files
 * stay the job's inputFiles, so an agent's input.request for them is still served. Returns
 * whether the record changed (the store then rewrites the job).
 */
export function hoistJobWorkspace(record: JobRecord): boolean {
  let changed = false;
  for (const task of record.tasks) {
    if (task.spec.type !== 'blender') continue;
    const spec = task.spec as typeof task.spec & { files?: WorkspaceFile[]; pathMap?: PathMap[] };
    if (spec.files === undefined && spec.pathMap === undefined) continue;
    const { files = [], pathMap = [] } = spec;
    delete spec.files;
    delete spec.pathMap;
    changed = true;
    if (files.length === 0 && pathMap.length === 0) continue;
    // Every task of a job had the same list (one compile): the first one found is the job's.
    record.workspace ??= { scenePath: spec.scenePath ?? 'scene.blend', files, pathMap };
    spec.workspace = true;
    task.inputs = task.inputs.slice(0, 1);
  }
  return changed;
}
