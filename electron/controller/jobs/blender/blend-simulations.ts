import type { SimulationKind } from '../../api/views.js';
import type { BlendBlock, BlendFile } from './blend-file.js';
import { simulationZonesUnbaked } from './blend-simulation-zones.js';
import type { LinkedFile, LinkedFiles } from './blend-linked-files.js';

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

export function unbakedSimulationsOf(shot: LinkedFile, scene: BlendBlock, libraryOf?: LinkedFiles['libraryOf']): UnbakedSimulation[] | undefined {
  const found = new Map<string, UnbakedSimulation>();
  const add = (kind: SimulationKind, owner: string) => found.set(`${kind}\u0000${owner}`, { kind, owner });
  const { blend } = shot;
  const world = at(blend, blend.pointer(scene, 'rigidbody_world'));
  if (world && !((blend.int(world, 'flag') ?? 0) & RBW_FLAG_MUTED) && blend.pointer(world, 'group') && unbaked(blend, sharedCache(blend, world))) add('rigid-body', name(blend, scene));
  for (const { file, object } of sceneObjects(shot, scene, libraryOf)) objectSimulations(file, object, add);
  const sorted = [...found.values()].sort((a, b) => (a.kind === b.kind ? (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0) : a.kind < b.kind ? -1 : 1));
  return sorted.length > 0 ? sorted.slice(0, MAX_SIMULATIONS) : undefined;
}

/** One object's simulations, read from the file that holds it (the shot, or the library it is linked from). */
function objectSimulations({ blend, path }: LinkedFile, object: BlendBlock, add: (kind: SimulationKind, owner: string) => void): void {
  const owner = name(blend, object);
  for (const modifier of list(blend, blend.pointer(object, 'modifiers.first'))) {
    if (!((blend.int(modifier, 'modifier.mode') ?? 0) & MODIFIER_RENDER)) continue;
    switch (modifier.struct?.type) {
      case 'ClothModifierData':
        if (unbaked(blend, at(blend, blend.pointer(modifier, 'point_cache')))) add('cloth', owner);
        break;
      case 'SoftbodyModifierData':
        if (unbaked(blend, sharedCache(blend, at(blend, blend.pointer(object, 'soft'))))) add('soft-body', owner);
        break;
      case 'FluidModifierData': {
        const domain = at(blend, blend.pointer(modifier, 'domain'));
        if ((blend.int(modifier, 'type') ?? 0) & FLUID_DOMAIN && domain && !((blend.int(domain, 'cache_flag') ?? 0) & FLUID_DOMAIN_BAKED_DATA)) add('fluid', owner);
        break;
      }
      case 'DynamicPaintModifierData': {
        const canvas = at(blend, blend.pointer(modifier, 'canvas'));
        for (const surface of canvas ? list(blend, blend.pointer(canvas, 'surfaces.first')) : []) {
          const active = ((blend.int(surface, 'flags') ?? 0) & DPAINT_ACTIVE) !== 0;
          if (active && blend.int(surface, 'format') === DPAINT_VERTEX && unbaked(blend, at(blend, blend.pointer(surface, 'pointcache')))) add('dynamic-paint', owner);
        }
        break;
      }
      case 'NodesModifierData':
        if (simulationZonesUnbaked(blend, modifier, path)) add('geometry-nodes', owner);
        break;
    }
  }
  for (const system of list(blend, blend.pointer(object, 'particlesystem.first'))) {
    const settings = at(blend, blend.pointer(system, 'part'));
    if (!settings || !unbaked(blend, at(blend, blend.pointer(system, 'pointcache')))) continue;
    const dynamic = blend.int(settings, 'type') === PART_HAIR
      ? ((blend.int(system, 'flag') ?? 0) & PSYS_HAIR_DYNAMICS) !== 0
      : DYNAMIC_PHYSICS.has(blend.int(settings, 'phystype') ?? 0);
    if (dynamic) add('particles', owner);
  }
}

function at(blend: BlendFile, address: bigint | undefined): BlendBlock | undefined {
  return address ? blend.byAddress.get(address) : undefined;
}

function unbaked(blend: BlendFile, cache: BlendBlock | undefined): boolean {
  return !!cache && ((blend.int(cache, 'flag') ?? 0) & PTCACHE_BAKED) === 0;
}

/** A struct's shared runtime part (2.8+) or, in older files, the struct itself holds the cache. */
function sharedCache(blend: BlendFile, owner: BlendBlock | undefined): BlendBlock | undefined {
  if (!owner) return undefined;
  const shared = at(blend, blend.pointer(owner, 'shared'));
  return at(blend, blend.pointer(shared ?? owner, 'pointcache'));
}

/**
 * The scene's objects: its master collection and every collection under it (as bpy's
 * `scene.objects`), following a linked object or collection (a placeholder `ID` block naming it)
 * into the library that holds it, when that was read.
 */
function sceneObjects(shot: LinkedFile, scene: BlendBlock, libraryOf?: LinkedFiles['libraryOf']): { file: LinkedFile; object: BlendBlock }[] {
  const objects = new Map<BlendBlock, { file: LinkedFile; object: BlendBlock }>();
  const seen = new Set<BlendBlock>();
  /** The block an address of `file` leads to, through a placeholder into its library. */
  const follow = (file: LinkedFile, address: bigint | undefined): { file: LinkedFile; block: BlendBlock } | undefined => {
    const block = at(file.blend, address);
    if (!block || block.code !== 'ID') return block ? { file, block } : undefined;
    const library = at(file.blend, file.blend.pointer(block, 'lib'));
    const linked = library && libraryOf ? libraryOf(file.blend, library) : undefined;
    const target = linked ? localIds(linked.blend).get(file.blend.string(block, 'name') ?? '') : undefined;
    return linked && target ? { file: linked, block: target } : undefined;
  };
  const queue = [follow(shot, shot.blend.pointer(scene, 'master_collection'))];
  for (let i = 0; i < queue.length && i < MAX_WALK; i++) {
    const item = queue[i];
    if (!item || seen.has(item.block)) continue;
    seen.add(item.block);
    const { blend } = item.file;
    for (const entry of list(blend, blend.pointer(item.block, 'gobject.first'))) {
      const object = follow(item.file, blend.pointer(entry, 'ob'));
      if (object?.block.code === 'OB') objects.set(object.block, { file: object.file, object: object.block });
    }
    for (const child of list(blend, blend.pointer(item.block, 'children.first'))) queue.push(follow(item.file, blend.pointer(child, 'collection')));
  }
  return [...objects.values()];
}

const localIdIndex = new WeakMap<BlendFile, Map<string, BlendBlock>>();

/** A library's own IDs by name with type prefix (`OBCloth`), as placeholders name them. */
function localIds(blend: BlendFile): Map<string, BlendBlock> {
  let ids = localIdIndex.get(blend);
  if (!ids) {
    ids = new Map();
    for (const block of blend.blocks) {
      if ((block.code !== 'OB' && block.code !== 'GR') || blend.pointer(block, 'id.lib')) continue;
      const idName = blend.string(block, 'id.name');
      if (idName) ids.set(idName, block);
    }
    localIdIndex.set(blend, ids);
  }
  return ids;
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
