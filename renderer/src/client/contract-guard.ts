import type { AgentView, ApiEvent, ApiResult, JobDetail, JobSummary, TaskView } from '../../../electron/controller/api/contract.js';

/**
 * Compile-time guard: the contract's types reach Node-side files that the renderer's check
 * does not judge (see renderer/check-types.mjs). If one of them broke so that a type the UI
 * relies on decayed to `any`, every use would silently type-check; this makes it an error.
 */
type IsAny<T> = 0 extends 1 & T ? true : false;
type MustNotBeAny<T extends false> = T;

export type ContractTypesAreReal = [
  MustNotBeAny<IsAny<JobSummary>>,
  MustNotBeAny<IsAny<JobDetail>>,
  MustNotBeAny<IsAny<TaskView>>,
  MustNotBeAny<IsAny<AgentView>>,
  MustNotBeAny<IsAny<AgentView['blender']>>,
  MustNotBeAny<IsAny<ApiEvent>>,
  MustNotBeAny<IsAny<ApiResult<'jobs.list'>>>,
  MustNotBeAny<IsAny<ApiResult<'tasks.log'>>>,
];
