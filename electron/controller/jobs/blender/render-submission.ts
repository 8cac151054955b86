import { basename, extname, join } from 'node:path';
import { describeFile } from '../../../../node-agent/protocol/index.js';
import type { SceneInfo } from '../../api/views.js';
import { readFrameList } from '../frame-list.js';
import { requireAbsolute, type PreparedJob, type RenderRequest, type SubmitContext } from '../job-request.js';
import { rememberedSceneFrameMs } from '../chunk-plan/planning-memory.js';
import { asCapacity } from '../../agents/able-capacity.js';
import { canEncodeToVideo, compileBlenderJob } from './blender-job.js';
import { sharedBlendReads } from './blend-reads.js';
import { scanSceneDependencies } from './dependency-manifest.js';
import { findBlender } from './find-blender.js';
import { MissingFilesError, missingFilesWarning } from './missing-files-error.js';
import { readSceneInfo } from './scene-probe.js';

/**
 * A render request on its way to a Blender job: the frame list is parsed here, once, before
 * anything is read (a bad list fails before a one-shot farm starts), and the parsed list goes
 * on to the compiler; a request without one renders the scene's own range.
 */
export function prepareRender(p: RenderRequest, ctx: SubmitContext): PreparedJob<SceneInfo> {
  requireAbsolute(p.scenePath, 'scene', ctx);
  const frames = p.frames === undefined ? undefined : readFrameList(p.frames);
  return {
    taskType: 'blender',
    async compile(able) {
      const hashing = describeFile(p.scenePath, basename(p.scenePath));
      hashing.catch(() => undefined); // a missing or broken scene is reported by the reader, in its words
      const blenderPath = findBlender(ctx.blenderPath);
      const scratchHome = join(ctx.home, 'scratch-home');
      // The scene and its libraries are read and parsed once for both its settings and its dependency scan.
      const reads = sharedBlendReads();
      const sceneInfo = await readSceneInfo(p.scenePath, { blenderPath, scratchHome, reads });
      // Every file the scene names, hashed (cached in the data folder); missing ones refuse the submit unless allowed.
      const dependencies = await scanSceneDependencies(p.scenePath, { home: ctx.home, pathMap: p.pathMap ?? [], blenderPath, scratchHome, reads });
      if (dependencies.missingCount > 0 && !p.allowMissing) throw new MissingFilesError(p.scenePath, dependencies);
      const scene = await hashing;
      const outputDir = p.outputDir ?? join(ctx.outputRoot, basename(p.scenePath, extname(p.scenePath)));
      requireAbsolute(outputDir, 'output folder', ctx);
      const pngForVideo = ctx.pngFramesForVideo && p.video && !p.format && !canEncodeToVideo(sceneInfo.fileFormat);
      const format = pngForVideo ? 'PNG' : p.format;
      // What an earlier job of this scene measured per frame sizes the first plan (chunk-plan/planning-memory.ts).
      const [capacity, frameMsEstimate] = await Promise.all([Promise.resolve(able()).then(asCapacity), p.chunkSize === undefined ? rememberedSceneFrameMs(ctx.home, scene.sha256, p.scenePath) : null]);
      const job = compileBlenderJob({
        scenePath: p.scenePath,
        ...(frames ? { frames } : {}),
        chunkSize: p.chunkSize,
        ...(p.targetChunkMinutes !== undefined ? { targetChunkMinutes: p.targetChunkMinutes } : {}),
        outputDir,
        priority: p.priority,
        tags: p.tags,
        ...(format ? { format } : {}),
        ...(p.engine ? { engine: p.engine } : {}),
        ...(p.taskTimeoutSeconds ? { taskTimeoutMs: p.taskTimeoutSeconds * 1000 } : {}),
        video: p.video,
        ...(p.device ? { device: p.device } : {}),
        ...(p.blenderVersion ? { blenderVersion: p.blenderVersion } : {}),
        ...(p.trustScripts ? { trustScripts: true } : {}),
        ...(p.previewFirst ? { previewFirst: true } : {}),
        ...(p.tiles ? { tiles: p.tiles } : {}),
      }, { scene, scenePath: p.scenePath, sceneInfo, agentCount: capacity.agents, slotCount: capacity.slots, manifest: dependencies, allowMissing: p.allowMissing ?? false, frameMsEstimate });
      if (dependencies.missingCount > 0) job.warnings = [...(job.warnings ?? []), missingFilesWarning(dependencies)];
      return { job, input: sceneInfo, agentCount: capacity.agents, dependencies };
    },
  };
}
