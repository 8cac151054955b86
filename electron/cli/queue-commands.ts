import type { Command } from 'commander';
import { print, withClient, withClientOptions, type ClientOptions } from './api-connection.js';

/**
 * `farmhand queue [pause|resume]`: the whole queue's hold, as the tray and the window's header
 * offer it. Paused, no new task starts anywhere and running ones finish; each job keeps its
 * own pause, so resuming picks up exactly what was going before.
 */

const PAUSED = 'The queue is paused: no new task starts until `farmhand queue resume`; running tasks finish.';
const RUNNING = 'The queue is running: tasks start as agents are free.';

export function registerQueueCommands(program: Command): void {
  const queue = withClientOptions(program.command('queue').description('say whether the queue of a running controller is paused (and pause or resume it)'))
    .enablePositionalOptions()
    .action(async (o: ClientOptions) => {
      const status = await withClient(o, (client) => client.call('farm.status', {}));
      print(o, { queuePaused: status.queuePaused }, () => (status.queuePaused ? PAUSED : RUNNING));
    });

  withClientOptions(queue.command('pause').description('start no new task on any agent until resumed; running tasks finish'))
    .action(async (o: ClientOptions) => {
      const result = await withClient(o, (client) => client.call('farm.pauseQueue', {}));
      print(o, result, () => PAUSED);
    });

  withClientOptions(queue.command('resume').description('start tasks again after queue pause'))
    .action(async (o: ClientOptions) => {
      const result = await withClient(o, (client) => client.call('farm.resumeQueue', {}));
      print(o, result, () => RUNNING);
    });
}
