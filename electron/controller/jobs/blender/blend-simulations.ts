import type { SimulationKind } from '../../api/views.js';
import type { BlendBlock, BlendFile } from './blend-file.js';
import { simulationZonesUnbaked } from './blend-simulation-zones.js';

/**
 * Simulations of the active scene that are not baked, so Blender computes them frame after frame
 * while it renders: a chunk that starts mid-range starts them there, from the first frame's state.
 * Read from the file like this (the same rules in Python below, for the probe):
 * - cloth, soft body: the object's modifier (shown in renders), its point cache not baked
 *   (PointCache.flag PTCACHE_BAKED);
 * - fluid: a Mantaflow domain whose data is not baked (FluidDomainSettings.cache_flag
 *   FLUID_DOMAIN_BAKED_DATA; a Replay cache never is);
 * - rigid body: the scene's rigid body world, enabled, with a collection, its cache not baked;
 * - particles: Blender's own particles_are_dynamic (particle.cc): not baked, and Newtonian, boids
 *   or fluid physics, or hair with hair dynamics;
 * - dynamic paint: a canvas's active vertex surface not baked (an image-sequence surface is
 *   written by its own bake operator, never while rendering);
 * - Geometry Nodes: a simulation zone in a Nodes modifier's tree without a bake
 *   (blend-simulation-zones.ts).
 * The owner is the object's name (the scene's, for the rigid body world). Sorted, at most
 * MAX_SIMULATIONS.
 */

export interface UnbakedSimulation {
  kind: SimulationKind;
  owner: string;
}

export const MAX_SIMULATIONS = 50;
const PTCACHE_BAKED = 1 << 0;
/** ModifierData.mode: eModifierMode_Render. */
const MODIFIER_RENDER = 1 << 1;
/** FluidModifierData.type: MOD_FLUID_TYPE_DOMAIN. */
const FLUID_DOMAIN = 1 << 0;
const FLUID_DOMAIN_BAKED_DATA = 1 << 1;
/** RigidBodyWorld.flag: RBW_FLAG_MUTED (the world is switched off). */
const RBW_FLAG_MUTED = 1 << 0;
/** ParticleSettings.type PART_HAIR; .phystype PART_PHYS_NEWTON, BOIDS, FLUID; ParticleSystem.flag PSYS_HAIR_DYNAMICS. */
const PART_HAIR = 2;
const DYNAMIC_PHYSICS = new Set([1, 3, 4]);
const PSYS_HAIR_DYNAMICS = 1 << 2;
/** DynamicPaintSurface.format MOD_DPAINT_SURFACE_F_VERTEX; .flag MOD_DPAINT_ACTIVE. */
const DPAINT_VERTEX = 1;
const DPAINT_ACTIVE = 1 << 0;
/** Lists and collection trees are walked at most this far (a looping list in a damaged file). */
const MAX_WALK = 100_000;

export function unbakedSimulationsOf(blend: BlendFile, scene: BlendBlock, blendPath: string): UnbakedSimulation[] | undefined {
  const found = new Map<string, UnbakedSimulation>();
  const add = (kind: SimulationKind, owner: string) => found.set(`${kind}\u0000${owner}`, { kind, owner });
  const at = (address: bigint | undefined) => (address ? blend.byAddress.get(address) : undefined);
  const unbaked = (cache: BlendBlock | undefined) => !!cache && ((blend.int(cache, 'flag') ?? 0) & PTCACHE_BAKED) === 0;
  /** A struct's shared runtime part (2.8+) or, in older files, the struct itself holds the cache. */
  const sharedCache = (owner: BlendBlock | undefined) => {
    if (!owner) return undefined;
    const shared = at(blend.pointer(owner, 'shared'));
    return at(blend.pointer(shared ?? owner, 'pointcache'));
  };

  const world = at(blend.pointer(scene, 'rigidbody_world'));
  if (world && !((blend.int(world, 'flag') ?? 0) & RBW_FLAG_MUTED) && blend.pointer(world, 'group') && unbaked(sharedCache(world))) add('rigid-body', name(blend, scene));

  for (const object of sceneObjects(blend, scene)) {
    const owner = name(blend, object);
    for (const modifier of list(blend, blend.pointer(object, 'modifiers.first'))) {
      if (!((blend.int(modifier, 'modifier.mode') ?? 0) & MODIFIER_RENDER)) continue;
      switch (modifier.struct?.type) {
        case 'ClothModifierData':
          if (unbaked(at(blend.pointer(modifier, 'point_cache')))) add('cloth', owner);
          break;
        case 'SoftbodyModifierData':
          if (unbaked(sharedCache(at(blend.pointer(object, 'soft'))))) add('soft-body', owner);
          break;
        case 'FluidModifierData': {
          const domain = at(blend.pointer(modifier, 'domain'));
          if ((blend.int(modifier, 'type') ?? 0) & FLUID_DOMAIN && domain && !((blend.int(domain, 'cache_flag') ?? 0) & FLUID_DOMAIN_BAKED_DATA)) add('fluid', owner);
          break;
        }
        case 'DynamicPaintModifierData': {
          const canvas = at(blend.pointer(modifier, 'canvas'));
          for (const surface of canvas ? list(blend, blend.pointer(canvas, 'surfaces.first')) : []) {
            const active = ((blend.int(surface, 'flags') ?? 0) & DPAINT_ACTIVE) !== 0;
            if (active && blend.int(surface, 'format') === DPAINT_VERTEX && unbaked(at(blend.pointer(surface, 'pointcache')))) add('dynamic-paint', owner);
          }
          break;
        }
        case 'NodesModifierData':
          if (simulationZonesUnbaked(blend, modifier, blendPath)) add('geometry-nodes', owner);
          break;
      }
    }
    for (const system of list(blend, blend.pointer(object, 'particlesystem.first'))) {
      const settings = at(blend.pointer(system, 'part'));
      if (!settings || !unbaked(at(blend.pointer(system, 'pointcache')))) continue;
      const dynamic = blend.int(settings, 'type') === PART_HAIR
        ? ((blend.int(system, 'flag') ?? 0) & PSYS_HAIR_DYNAMICS) !== 0
        : DYNAMIC_PHYSICS.has(blend.int(settings, 'phystype') ?? 0);
      if (dynamic) add('particles', owner);
    }
  }
  const sorted = [...found.values()].sort((a, b) => (a.kind === b.kind ? (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0) : a.kind < b.kind ? -1 : 1));
  return sorted.length > 0 ? sorted.slice(0, MAX_SIMULATIONS) : undefined;
}

/** The scene's objects: its master collection and every collection under it (as bpy's `scene.objects`). */
function sceneObjects(blend: BlendFile, scene: BlendBlock): BlendBlock[] {
  const objects = new Set<BlendBlock>();
  const seen = new Set<bigint>();
  const queue = [blend.pointer(scene, 'master_collection')];
  for (let i = 0; i < queue.length && i < MAX_WALK; i++) {
    const address = queue[i];
    const collection = address && !seen.has(address) ? blend.byAddress.get(address) : undefined;
    if (!collection) continue;
    seen.add(address!);
    for (const entry of list(blend, blend.pointer(collection, 'gobject.first'))) {
      const object = blend.byAddress.get(blend.pointer(entry, 'ob') ?? 0n);
      if (object?.code === 'OB') objects.add(object);
    }
    for (const child of list(blend, blend.pointer(collection, 'children.first'))) queue.push(blend.pointer(child, 'collection'));
  }
  return [...objects];
}

function* list(blend: BlendFile, first: bigint | undefined): Generator<BlendBlock> {
  let at = first;
  for (let i = 0; at && i < MAX_WALK; i++) {
    const block = blend.byAddress.get(at);
    if (!block) return;
    yield block;
    // Modifiers keep `next` in their ModifierData header.
    at = blend.pointer(block, 'next') ?? blend.pointer(block, 'modifier.next');
  }
}

function name(blend: BlendFile, block: BlendBlock): string {
  return (blend.string(block, 'id.name') ?? '').slice(2);
}

/**
 * The same inside Blender (the probe's fallback), with bpy's names for the same flags; Geometry
 * Nodes zones by the same rule as blend-simulation-zones.ts (bakes by their node, with `meta/`
 * files on disk), except a bake packed into the .blend: bpy (4.3) does not say whether it holds
 * data, so it counts as unbaked (a warning too many rather than frames wrong in silence).
 */
export const SIMULATIONS_PY = `
def farmhand_simulations(scene):
    import os
    found = set()
    def unbaked(pc):
        return pc is not None and not pc.is_baked
    def has_files(folder):
        folder = bpy.path.abspath(folder) if folder else ""
        return bool(folder) and os.path.isdir(folder) and len(os.listdir(folder)) > 0
    def has_zone(tree, depth=0, seen=None):
        seen = set() if seen is None else seen
        if tree is None or depth > 32 or tree.as_pointer() in seen:
            return False
        seen.add(tree.as_pointer())
        for n in tree.nodes:
            if n.bl_idname == "GeometryNodeSimulationOutput":
                return True
            if n.bl_idname == "GeometryNodeGroup" and has_zone(n.node_tree, depth + 1, seen):
                return True
        return False
    def zones_unbaked(md):
        if not has_zone(md.node_group):
            return False
        folder = getattr(md, "bake_directory", getattr(md, "simulation_bake_directory", ""))
        bakes = getattr(md, "bakes", None)
        if bakes is None:
            return not has_files(folder)
        zones = 0
        for b in bakes:
            node = getattr(b, "node", None)
            if node is None or node.bl_idname != "GeometryNodeSimulationOutput":
                continue
            zones += 1
            target = b.bake_target if getattr(b, "bake_target", "DISK") != "INHERIT" else getattr(md, "bake_target", "DISK")
            if target == "PACKED":
                return True  # bpy (4.3) does not tell whether a packed bake holds data: warned rather than missed
            path = b.directory if b.use_custom_path else (os.path.join(bpy.path.abspath(folder), str(b.bake_id)) if folder else "")
            if not has_files(os.path.join(bpy.path.abspath(path), "meta") if path else ""):
                return True
        return zones == 0
    rbw = scene.rigidbody_world
    if rbw is not None and rbw.enabled and rbw.collection is not None and unbaked(rbw.point_cache):
        found.add(("rigid-body", scene.name))
    for ob in scene.objects:
        for md in ob.modifiers:
            if not md.show_render:
                continue
            if md.type == "CLOTH" and unbaked(md.point_cache):
                found.add(("cloth", ob.name))
            elif md.type == "SOFT_BODY" and unbaked(md.point_cache):
                found.add(("soft-body", ob.name))
            elif md.type == "FLUID" and md.fluid_type == "DOMAIN" and not md.domain_settings.has_cache_baked_data:
                found.add(("fluid", ob.name))
            elif md.type == "DYNAMIC_PAINT" and md.canvas_settings is not None:
                for sf in md.canvas_settings.canvas_surfaces:
                    if sf.is_active and sf.surface_format == "VERTEX" and unbaked(sf.point_cache):
                        found.add(("dynamic-paint", ob.name))
            elif md.type == "NODES" and zones_unbaked(md):
                found.add(("geometry-nodes", ob.name))
        for ps in ob.particle_systems:
            st = ps.settings
            dynamic = ps.use_hair_dynamics if st.type == "HAIR" else st.physics_type in ("NEWTON", "BOIDS", "FLUID")
            if dynamic and unbaked(ps.point_cache):
                found.add(("particles", ob.name))
    out = [{"kind": k, "owner": o} for k, o in sorted(found)][:${MAX_SIMULATIONS}]
    return out or None
`;
