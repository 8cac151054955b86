import type { BlendFile } from './blend-file.js';

/**
 * Which Blender saved a .blend and the oldest one that can open it: the header's version
 * (`BLENDER-v304` → 3.4, `BLENDER17-01v0500` → 5.0) and the file's global block (FileGlobal
 * `minversion`, BLENDER_FILE_MIN_VERSION of the Blender that wrote it). A task must run on a
 * Blender at least as new as `saved`: an older one opens the file "with loss of data", or not
 * at all (3.4.1 segfaults on a 4.3 file).
 */

export interface BlendFileVersion {
  saved: string;
  minimum: string | null;
}

export function fileVersionOf(blend: BlendFile): BlendFileVersion {
  const global = blend.blocks.find((b) => b.code === 'GLOB');
  const minversion = global ? blend.int(global, 'minversion') : undefined;
  return { saved: versionName(blend.version), minimum: minversion !== undefined && minversion > 0 ? versionName(minversion) : null };
}

/**
 * Blender's three-digit version number as it names it: `304` → `3.4`, `500` → `5.0`; before
 * 3.0 the minor part had two digits (`280` → `2.80`, `279` → `2.79`).
 */
export function versionName(version: number): string {
  const major = Math.floor(version / 100);
  const minor = version % 100;
  return major < 3 ? `${major}.${String(minor).padStart(2, '0')}` : `${major}.${minor}`;
}

/**
 * The same facts inside Blender, for a file the reader above cannot read (the probe's fallback):
 * bpy does not expose FileGlobal's minversion, so this reads the header and walks the first
 * block headers to the global block (written right after the render and thumbnail blocks),
 * whose `minversion` sits at byte 6 (FileGlobal: char subvstr[4]; short subversion, minversion).
 * zstd files go through the `zstandard` module or, without it (Debian's Blender), the `zstd`
 * tool, read as a stream and stopped at the global block. Without either, the saved version is
 * bpy's (`bpy.data.version`, the file's) and the minimum unknown.
 */
export const FILE_VERSION_PY = `
def farmhand_file_version(path):
    import gzip, struct, subprocess
    def name(v):
        return "%d.%02d" % (v // 100, v % 100) if v < 300 else "%d.%d" % (v // 100, v % 100)
    raw, proc = open(path, "rb"), None
    try:
        head = raw.read(4)
        raw.seek(0)
        f = raw
        if head[:2] == b"\\x1f\\x8b":
            f = gzip.open(raw, "rb")
        elif head == b"\\x28\\xb5\\x2f\\xfd":
            try:
                import zstandard
                f = zstandard.open(raw, "rb")
            except ImportError:
                proc = subprocess.Popen(["zstd", "-d", "-c", "-q", "--", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                f = proc.stdout
        h = f.read(12)
        if h[7:8] in (b"-", b"_"):
            # SmallBHead8 / BHead4 {code, len, old, SDNAnr, nr}
            e = "<" if h[8:9] == b"v" else ">"
            saved, bhead, at_len = int(h[9:12]), e + ("4siQii" if h[7:8] == b"-" else "4siIii"), 1
        else:
            # Blender 5: BLENDER17-01v0500, LargeBHead8 {code, SDNAnr, old, int64 len, int64 nr}
            h += f.read(5)
            e, saved, bhead, at_len = "<", int(h[13:17]), "<4siQqq", 3
        size = struct.calcsize(bhead)
        minimum = None
        for _ in range(100000):
            b = f.read(size)
            if len(b) < size:
                break
            parts = struct.unpack(bhead, b)
            code, length = parts[0].rstrip(b"\\0"), parts[at_len]
            if code == b"ENDB" or length < 0:
                break
            body = f.read(length)
            if code == b"GLOB":
                v = struct.unpack_from(e + "h", body, 6)[0]
                minimum = name(v) if v > 0 else None
                break
        return {"saved": name(saved), "minimum": minimum}
    except Exception:
        v = bpy.data.version
        return {"saved": name(v[0] * 100 + v[1]), "minimum": None}
    finally:
        if proc:
            proc.kill()
            proc.wait()
        raw.close()
`;
