import { pythonString, type PythonSnippet } from './blender-python-step.js';

/**
 * What a render saves besides `<name>_####.<ext>`, decided by the scene and reported by the
 * Python step before the render starts (one marked JSON line), so the agent can hold the
 * render to it afterwards. Facts measured with Blender 3.4.1 that shape it:
 * - Several renderable view layers and no compositor: the frame is the FIRST renderable view
 *   layer's image (not the window's active one; `use_single_layer` is ignored in background)
 *   and the other layers' images are not saved at all (only a multilayer EXR holds them all).
 *   So the step turns the compositor on with Render Layers(first) → Composite, which saves
 *   the very same pixels (RGBA decoded equal), and a File Output node per other layer writing
 *   `passes/<layer>/<name>_####.<ext>` in the task's format. Only when the compositor is off:
 *   a scene that composites decides itself what it saves.
 * - Multi-view on with two views or more rendered and the output's Views Format "Individual":
 *   one file per view, the view's suffix before the extension (`shot_0001_L.png`); the extra
 *   layers' File Output nodes do the same (`passes/<layer>/shot_0001_L.png`). Otherwise one file.
 * - A multilayer EXR holds every rendered view layer (`<layer>.<pass>.<channel>`) and, saved as
 *   one multi-view file, every view (`<layer>.<pass>.<view>.<channel>`, `multiView` attribute).
 */

export const RENDER_LAYOUT_MARKER = 'FARMHAND_RENDER_LAYOUT ';

export interface RenderLayout {
  /** Renderable view layers (`use`), in the scene's order; the first is the frame's. */
  layers: string[];
  /** Layers the step gave a File Output node: their images come back under `passes/<folder>/`. */
  extraLayers: { name: string; folder: string }[];
  /** Rendered views (multi-view on), in the scene's order; empty when mono. */
  views: { name: string; suffix: string }[];
  /** Whether each view is saved to its own file. */
  viewFiles: 'each' | 'one';
}

/** `shot_0001.png` + [`_L`, `_R`] → `shot_0001_L.png`, `shot_0001_R.png` (Blender's BLI_path_suffix); no suffixes → the name. */
export function viewFileNames(name: string, suffixes: readonly string[] | undefined): string[] {
  if (!suffixes || suffixes.length === 0) return [name];
  const slash = name.lastIndexOf('/');
  const dot = name.lastIndexOf('.');
  const at = dot > slash ? dot : name.length;
  return suffixes.map((suffix) => `${name.slice(0, at)}${suffix}${name.slice(at)}`);
}

/**
 * The step's part that reports the layout and, when the compositor is off and the frame's
 * format is not a multilayer EXR, adds the File Output nodes for the other view layers.
 * `format` is the task's format (the wire's names are Blender's own `file_format` names): `-F`
 * comes after the step on the command line, so the scene's own format is still set when it runs.
 */
export function renderLayoutSnippet(o: { outputDir: string; outputName: string; format: string }): PythonSnippet {
  const data = JSON.stringify({ out: o.outputDir.replace(/\/+$/, ''), name: o.outputName, format: o.format });
  return `import json as _j, re as _re
_d = _j.loads(${pythonString(data)})
_s = bpy.context.scene
_r = _s.render
_layers = [_v for _v in _s.view_layers if _v.use]
_views = [{"name": _v.name, "suffix": _v.file_suffix} for _v in _r.views
          if _r.use_multiview and _v.use and (_r.views_format == "MULTIVIEW" or _v.name in ("left", "right"))]
_each = len(_views) > 1 and _r.image_settings.views_format == "INDIVIDUAL"
_extra = []
if len(_layers) > 1 and not (_s.use_nodes and _r.use_compositing) and _d["format"] != "OPEN_EXR_MULTILAYER":
    _s.use_nodes = True
    _r.use_compositing = True
    _t = _s.node_tree
    _t.nodes.clear()
    _main = _t.nodes.new("CompositorNodeRLayers")
    _main.layer = _layers[0].name
    _comp = _t.nodes.new("CompositorNodeComposite")
    _t.links.new(_main.outputs["Image"], _comp.inputs["Image"])
    _used = set()
    def _copy(src, dst):
        for _p in src.bl_rna.properties:
            if _p.identifier in ("rna_type", "file_format") or _p.is_readonly:
                continue
            try:
                setattr(dst, _p.identifier, getattr(src, _p.identifier))
            except Exception:
                pass
    for _v in _layers[1:]:
        _f = _re.sub(r"[^A-Za-z0-9._-]+", "_", _v.name).strip("._-")[:60] or "layer"
        _base, _k = _f, 2
        while _f.lower() in _used:
            _f, _k = "%s_%d" % (_base, _k), _k + 1
        _used.add(_f.lower())
        _rl = _t.nodes.new("CompositorNodeRLayers")
        _rl.layer = _v.name
        _fo = _t.nodes.new("CompositorNodeOutputFile")
        _fo.base_path = _d["out"] + "/passes/" + _f + "/"
        _fo.file_slots[0].path = _d["name"] + "_"
        _fo.format.file_format = _d["format"]
        _copy(_r.image_settings, _fo.format)
        _copy(_r.image_settings.stereo_3d_format, _fo.format.stereo_3d_format)
        _t.links.new(_rl.outputs["Image"], _fo.inputs[0])
        _extra.append({"name": _v.name, "folder": _f})
print("${RENDER_LAYOUT_MARKER}" + _j.dumps({"layers": [_v.name for _v in _layers], "extraLayers": _extra,
      "views": _views, "viewFiles": "each" if _each else "one"}), flush=True)`;
}

/** The layout from the step's marked line, or null for any other line or a malformed one. */
export function parseRenderLayout(line: string): RenderLayout | null {
  if (!line.startsWith(RENDER_LAYOUT_MARKER)) return null;
  try {
    const raw = JSON.parse(line.slice(RENDER_LAYOUT_MARKER.length)) as Record<string, unknown>;
    const list = (v: unknown) => (Array.isArray(v) ? v.slice(0, 10_000) : []);
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    return {
      layers: list(raw.layers).map(text),
      extraLayers: list(raw.extraLayers).map((e: { name?: unknown; folder?: unknown }) => ({ name: text(e?.name), folder: text(e?.folder) })),
      views: list(raw.views).map((v: { name?: unknown; suffix?: unknown }) => ({ name: text(v?.name), suffix: text(v?.suffix) })),
      viewFiles: raw.viewFiles === 'each' ? 'each' : 'one',
    };
  } catch {
    return null;
  }
}
