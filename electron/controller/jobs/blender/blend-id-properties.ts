import type { BlendBlock, BlendFile } from './blend-file.js';

/**
 * ID properties (custom properties, and add-on settings such as Cycles' `scene.cycles`) as the
 * file stores them: an IDProperty struct per property, a group's children linked through its
 * `data.group` list, an int's value in `data.val` (DNA_ID.h: IDP_INT 1, IDP_GROUP 6).
 */

const IDP_INT = 1;
const IDP_GROUP = 6;
/** A group holds a few hundred properties at most; the walk stops here whatever the file says (a looping list). */
const MAX_CHILDREN = 10_000;

export interface IdPropertyRef {
  block: BlendBlock;
  address: bigint;
}

/** The child named `name` of the group at `groupAddress`, if that is a group and has one. */
export function idPropertyChild(blend: BlendFile, groupAddress: bigint | undefined, name: string): IdPropertyRef | undefined {
  const group = groupAddress ? blend.byAddress.get(groupAddress) : undefined;
  if (!group || group.struct?.type !== 'IDProperty' || blend.int(group, 'type') !== IDP_GROUP) return undefined;
  let at = blend.pointer(group, 'data.group.first');
  for (let i = 0; at && i < MAX_CHILDREN; i++) {
    const child = blend.byAddress.get(at);
    if (!child || child.struct?.type !== 'IDProperty') return undefined;
    if (blend.string(child, 'name') === name) return { block: child, address: at };
    at = blend.pointer(child, 'next');
  }
  return undefined;
}

/** An int property's value; undefined for another type or no property. */
export function idPropertyInt(blend: BlendFile, property: IdPropertyRef | undefined): number | undefined {
  if (!property || blend.int(property.block, 'type') !== IDP_INT) return undefined;
  return blend.int(property.block, 'data.val');
}
