import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BlendBlock, BlendFile } from './blend-file.js';

/**
 * Whether a Geometry Nodes modifier runs a simulation zone that is not baked (Blender 3.6+).
 * The zone is found by its output node (`GeometryNodeSimulationOutput`) in the modifier's tree
 * or a group inside it. Since 4.1 each zone has a bake record (NodesModifierBake, by the id of
 * the tree's nested node reference, bNestedNodeRef, whose path leads through group nodes to the
 * zone's output node); a zone counts as baked when its bake is packed into the .blend (4.3+,
 * `packed`) or its folder holds the bake's `meta/` files (`<modifier folder>/<bake id>/meta`, or
 * `<custom folder>/meta`; measured with 4.3, see blend-nodes-bakes.ts). Before 4.1 (one cache per
 * modifier) the modifier's folder must hold files. A zone without a bake record is unbaked.
 */

const SIMULATION_OUTPUT = 'GeometryNodeSimulationOutput';
const GROUP_NODE = 'GeometryNodeGroup';
/** NodesModifierBake.flag: NODES_MODIFIER_BAKE_CUSTOM_PATH. */
const BAKE_CUSTOM_PATH = 1 << 1;
/** Node groups nest a few levels; the walk stops here (a group that contains itself in a damaged file). */
const MAX_DEPTH = 32;
const MAX_NODES = 100_000;

export function simulationZonesUnbaked(blend: BlendFile, modifier: BlendBlock, blendPath: string): boolean {
  const tree = at(blend, blend.pointer(modifier, 'node_group'));
  if (!tree || !hasSimulationZone(blend, tree, 0, new Set())) return false;
  const folder = pathField(blend, modifier, 'bake_directory', 'simulation_bake_directory') ?? '';
  const bakesAddress = blend.pointer(modifier, 'bakes');
  if (bakesAddress === undefined) return !hasFiles(resolve(folder, blendPath)); // 3.6, 4.0
  const bakes = at(blend, bakesAddress);
  let zones = 0;
  for (const bake of bakes ? structArray(bakes) : []) {
    const id = blend.int(bake, 'id');
    if (id === undefined || resolveNestedNode(blend, tree, id, 0)?.idname !== SIMULATION_OUTPUT) continue;
    zones++;
    if (blend.pointer(bake, 'packed')) continue;
    const custom = ((blend.int(bake, 'flag') ?? 0) & BAKE_CUSTOM_PATH) !== 0;
    const bakeFolder = custom ? pathField(blend, bake, 'directory') ?? '' : folder ? join(resolve(folder, blendPath), String(id)) : '';
    if (!hasFiles(join(resolve(bakeFolder, blendPath), 'meta'))) return true;
  }
  return zones === 0;
}

function hasSimulationZone(blend: BlendFile, tree: BlendBlock, depth: number, seen: Set<BlendBlock>): boolean {
  if (depth > MAX_DEPTH || seen.has(tree)) return false;
  seen.add(tree);
  for (const node of nodes(blend, tree)) {
    const idname = blend.string(node, 'idname');
    if (idname === SIMULATION_OUTPUT) return true;
    const group = idname === GROUP_NODE ? at(blend, blend.pointer(node, 'id')) : undefined;
    if (group && hasSimulationZone(blend, group, depth + 1, seen)) return true;
  }
  return false;
}

/** The node a nested node reference leads to: through group nodes, by each tree's own references. */
function resolveNestedNode(blend: BlendFile, tree: BlendBlock, refId: number, depth: number): { idname: string } | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const refs = at(blend, blend.pointer(tree, 'nested_node_refs'));
  for (const ref of refs ? structArray(refs) : []) {
    if (blend.int(ref, 'id') !== refId) continue;
    const nodeId = blend.int(ref, 'path.node_id');
    const node = [...nodes(blend, tree)].find((n) => blend.int(n, 'identifier') === nodeId);
    if (!node) return undefined;
    const idname = blend.string(node, 'idname') ?? '';
    if (idname !== GROUP_NODE) return { idname };
    const group = at(blend, blend.pointer(node, 'id'));
    return group ? resolveNestedNode(blend, group, blend.int(ref, 'path.id_in_node') ?? -1, depth + 1) : undefined;
  }
  return undefined;
}

function* nodes(blend: BlendFile, tree: BlendBlock): Generator<BlendBlock> {
  let address = blend.pointer(tree, 'nodes.first');
  for (let i = 0; address && i < MAX_NODES; i++) {
    const node = blend.byAddress.get(address);
    if (!node || node.struct?.type !== 'bNode') return;
    yield node;
    address = blend.pointer(node, 'next');
  }
}

function at(blend: BlendFile, address: bigint | undefined): BlendBlock | undefined {
  return address ? blend.byAddress.get(address) : undefined;
}

/** `//x` relative to the .blend's folder; empty stays empty (no folder). */
function resolve(path: string, blendPath: string): string {
  if (path === '') return '';
  return path.startsWith('//') ? join(dirname(blendPath), path.slice(2)) : path;
}

function hasFiles(folder: string): boolean {
  if (folder === '' || !existsSync(folder)) return false;
  try {
    return readdirSync(folder).length > 0;
  } catch {
    return false;
  }
}

/** A `char *` path or a `char[N]` one, by the first field name the struct has. */
function pathField(blend: BlendFile, block: BlendBlock, ...fields: string[]): string | undefined {
  for (const field of fields) {
    const inline = blend.string(block, field);
    if (inline !== undefined) return inline;
    const address = blend.pointer(block, field);
    if (address === undefined) continue;
    const chars = at(blend, address);
    if (!chars) return '';
    const bytes = blend.bytesOf(chars);
    const end = bytes.indexOf(0);
    return bytes.subarray(0, end < 0 ? bytes.length : end).toString('utf8');
  }
  return undefined;
}

/** A DATA block holding an array of its struct: each element as a block of its own. */
function* structArray(block: BlendBlock): Generator<BlendBlock> {
  const size = block.struct?.size ?? 0;
  if (size <= 0) return;
  for (let offset = 0; offset + size <= block.length; offset += size) yield { ...block, offset: block.offset + offset, length: size };
}
