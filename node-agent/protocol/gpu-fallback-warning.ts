/**
 * The task warning an agent without a GPU gives when a scene set to render on the GPU rendered
 * on its CPU (its device step prints it). The controller says the same fact once on the job
 * (electron/controller/scheduler/gpu-scene-on-cpu.ts) and leaves this sentence off the task, so
 * the user reads one line per job, not one per chunk. Both ends name it through this constant.
 */
export const GPU_SCENE_ON_CPU_TASK_WARNING = 'The scene asks for GPU rendering but this agent has no GPU; frames were rendered on the CPU.';
