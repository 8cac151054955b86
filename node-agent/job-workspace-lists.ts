import type { JobWorkspace } from './protocol/index.js';

/**
 * The `job.workspace` lists the controller sent: one per job (a newer one replaces it), each
 * tied to the connection that sent it. A list can be thousands of files, so it is kept only
 * while it can still be used: it is forgotten when the job ends (`job.ended`) and when its
 * connection closes, since a controller sends the list again on every new connection before the
 * job's first task there. It is kept while the directory is removed on idle: the controller sends
 * it once per connection, so a later task of the job on the same connection still needs it.
 */
export class JobWorkspaceLists {
  private readonly lists = new Map<string, { workspace: JobWorkspace; from: object }>();

  /** `from`: the connection that sent it (compared by identity only). */
  set(jobId: string, workspace: JobWorkspace, from: object): void {
    this.lists.set(jobId, { workspace, from });
  }

  get(jobId: string): JobWorkspace | undefined {
    return this.lists.get(jobId)?.workspace;
  }

  forget(jobId: string): void {
    this.lists.delete(jobId);
  }

  /** The connection closed: what it sent goes (a list a newer connection sent for the same job stays). */
  forgetFrom(from: object): void {
    for (const [jobId, entry] of this.lists) if (entry.from === from) this.lists.delete(jobId);
  }

  /** Job ids with a list (for tests and logs). */
  jobs(): string[] {
    return [...this.lists.keys()];
  }
}
