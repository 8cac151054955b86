import type { Command } from 'commander';
import type { JobState, TaskState } from '../controller/api/contract.js';
import { print, withClient, withClientOptions, type ClientOptions } from './api-connection.js';
import { formatTable } from './cli-table.js';
import { choiceList, integer } from './cli-options.js';
import { followJob, listAll } from './follow-job.js';
import { formatJob, jobColumns, reportJobEnd, taskColumns } from './job-report.js';

/**
 * The job commands of a running controller: list, look, follow, steer (pause, resume,
 * cancel, delete, retry, priority) and read a task's log. Each is one API call or a few.
 */

const JOB_STATES: JobState[] = ['queued', 'running', 'paused', 'succeeded', 'failed', 'canceled'];
const TASK_STATES: TaskState[] = ['queued', 'assigned', 'running', 'succeeded', 'failed', 'canceled'];

export function registerJobCommands(program: Command): void {
  withClientOptions(program.command('jobs').description('list the jobs of a running controller'))
    .option('--state <states>', `only jobs in these states: ${JOB_STATES.join(', ')} (comma-separated)`, choiceList('--state', JOB_STATES))
    .action(async (o: ClientOptions & { state?: JobState[] }) => {
      const jobs = await withClient(o, (client) => listAll((offset) => client.call('jobs.list', { ...(o.state ? { state: o.state } : {}), offset, limit: 1000 })));
      print(o, jobs, () => formatTable(jobs, jobColumns, 'No jobs.'));
    });

  withClientOptions(program.command('job').description('show one job').argument('<id>', 'the job id, as printed by farmhand jobs'))
    .action(async (jobId: string, o: ClientOptions) => {
      const job = await withClient(o, (client) => client.call('jobs.get', { jobId }));
      print(o, job, () => formatJob(job));
    });

  withClientOptions(program.command('tasks').description('list the tasks of a job').argument('<id>', 'the job id'))
    .option('--state <states>', `only tasks in these states: ${TASK_STATES.join(', ')} (comma-separated)`, choiceList('--state', TASK_STATES))
    .action(async (jobId: string, o: ClientOptions & { state?: TaskState[] }) => {
      const tasks = await withClient(o, (client) => listAll((offset) => client.call('tasks.list', { jobId, ...(o.state ? { state: o.state } : {}), offset, limit: 1000 })));
      print(o, tasks, () => formatTable(tasks, taskColumns, 'No tasks.'));
    });

  withClientOptions(program.command('watch').description('follow a job live until it ends; exit 0 if it succeeded').argument('<id>', 'the job id'))
    .action(async (jobId: string, o: ClientOptions) => {
      process.exitCode = await withClient(o, async (client) => reportJobEnd(o, await followJob(client, jobId, { stream: process.stderr })));
    });

  for (const [verb, command, done] of [
    ['pause', 'jobs.pause', 'is paused: no new task starts, running ones finish'],
    ['resume', 'jobs.resume', 'is resumed'],
    ['cancel', 'jobs.cancel', 'is canceled'],
  ] as const) {
    withClientOptions(program.command(verb).description(`${verb} a job`).argument('<id>', 'the job id'))
      .action(async (jobId: string, o: ClientOptions) => {
        const job = await withClient(o, (client) => client.call(command, { jobId }));
        print(o, job, () => `Job ${job.id} ${done} (state: ${job.state}).`);
      });
  }

  withClientOptions(program.command('delete').description('delete a job from the controller, canceling it first if it still runs (collected outputs stay on disk)').argument('<id>', 'the job id'))
    .action(async (jobId: string, o: ClientOptions) => {
      const result = await withClient(o, (client) => client.call('jobs.delete', { jobId }));
      print(o, result, () => `Job ${result.jobId} deleted.`);
    });

  withClientOptions(program.command('retry').description('queue the failed and canceled tasks of a job again').argument('<id>', 'the job id'))
    .action(async (jobId: string, o: ClientOptions) => {
      const job = await withClient(o, (client) => client.call('jobs.retry', { jobId }));
      print(o, job, () => `Job ${job.id}: ${job.requeued} task(s) queued again (state: ${job.state}).`);
    });

  withClientOptions(program.command('priority').description('change the priority of a job (higher runs first)').argument('<id>', 'the job id').argument('<n>', 'priority, 0-100', integer('priority', 0, 100)))
    .action(async (jobId: string, priority: number, o: ClientOptions) => {
      const job = await withClient(o, (client) => client.call('jobs.setPriority', { jobId, priority }));
      print(o, job, () => `Job ${job.id} now has priority ${job.priority}.`);
    });

  withClientOptions(program.command('logs').description('print the log of a task (its latest attempt unless told)').argument('<task-id>', 'the task id, as printed by farmhand tasks'))
    .option('--attempt <n>', 'which attempt (1 is the first)', integer('--attempt', 1, 1000))
    .action(async (taskId: string, o: ClientOptions & { attempt?: number }) => {
      const log = await withClient(o, (client) => client.call('tasks.log', { taskId, ...(o.attempt ? { attempt: o.attempt } : {}) }));
      if (!o.json) process.stderr.write(log.attempts === 0 ? `Task ${log.taskId} has not run yet.\n` : `Task ${log.taskId}, attempt ${log.attempt} of ${log.attempts}:\n`);
      print(o, log, () => log.lines.join('\n'));
    });
}
