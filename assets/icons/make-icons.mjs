#!/usr/bin/env node
// Draws Farmhand's icons into this folder: the tray states and the app icon (PNG, plus the
// .ico and .icns electron-builder packs for Windows and macOS). Pure Node (zlib for PNG), no
// image tools, so anyone can change a colour here and regenerate:
//
//   node assets/icons/make-icons.mjs
//
// Tray (16 px and @2x 32 px, as Electron picks by scale factor):
//   tray-idle        grey ring                      nothing to do
//   tray-rendering-N green arc over a grey ring     rendering, N = 0…8 eighths done
//   tray-error       red disc with "!"              a job failed (until retried or deleted)
//   tray-no-agents   amber ring, struck through     no agent online: nothing can render
// App: app-icon.png (512), app-icon.ico (16–256), app-icon.icns (128–1024).
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const here = new URL('.', import.meta.url).pathname;

// ── shapes: coverage functions of a point in a unit square (0…1 both ways, y down) ─────────

const disc = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ring = (cx, cy, r, width) => (x, y) => {
  const d = Math.hypot(x - cx, y - cy);
  return d <= r && d >= r - width;
};
/** Part of a ring from 12 o'clock clockwise over `fraction` of the turn. */
const arc = (cx, cy, r, width, fraction) => (x, y) => {
  if (!ring(cx, cy, r, width)(x, y)) return false;
  const turn = (Math.atan2(x - cx, -(y - cy)) / (2 * Math.PI) + 1) % 1;
  return turn <= fraction;
};
/** A line from a to b with round ends. */
const stroke = (ax, ay, bx, by, width) => (x, y) => {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy)) <= width / 2;
};
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const qx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const qy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && qx * qx + qy * qy <= r * r;
};

// ── rasteriser: layers of [shape, rgba], 4×4 samples a pixel, painted over in order ────────

function render(size, layers) {
  const px = new Uint8Array(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let pxi = 0; pxi < size; pxi++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (pxi + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          let sr = 0, sg = 0, sb = 0, sa = 0; // premultiplied "over" compositing
          for (const [shape, [cr, cg, cb, ca]] of layers) {
            if (!shape(x, y)) continue;
            const al = ca / 255;
            sr = cr * al + sr * (1 - al);
            sg = cg * al + sg * (1 - al);
            sb = cb * al + sb * (1 - al);
            sa = al + sa * (1 - al);
          }
          r += sr; g += sg; b += sb; a += sa;
        }
      }
      const i = (py * size + pxi) * 4;
      const samples = n * n;
      const alpha = a / samples;
      px[i] = alpha ? Math.round(r / samples / alpha) : 0;
      px[i + 1] = alpha ? Math.round(g / samples / alpha) : 0;
      px[i + 2] = alpha ? Math.round(b / samples / alpha) : 0;
      px[i + 3] = Math.round(alpha * 255);
    }
  }
  return encodePng(size, px);
}

function encodePng(size, rgba) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'ascii');
    data.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** ICO whose images are PNGs (Windows Vista and later read them). */
function encodeIco(pngs) {
  const head = Buffer.alloc(6 + 16 * pngs.length);
  head.writeUInt16LE(0, 0);
  head.writeUInt16LE(1, 2);
  head.writeUInt16LE(pngs.length, 4);
  let offset = head.length;
  pngs.forEach(({ size, png }, i) => {
    const e = 6 + 16 * i;
    head[e] = size >= 256 ? 0 : size;
    head[e + 1] = size >= 256 ? 0 : size;
    head.writeUInt16LE(1, e + 4); // planes
    head.writeUInt16LE(32, e + 6); // bits per pixel
    head.writeUInt32LE(png.length, e + 8);
    head.writeUInt32LE(offset, e + 12);
    offset += png.length;
  });
  return Buffer.concat([head, ...pngs.map((p) => p.png)]);
}

/** ICNS with PNG entries: ic07 128, ic08 256, ic09 512, ic10 1024. */
function encodeIcns(pngs) {
  const types = { 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };
  const entries = pngs.map(({ size, png }) => {
    const head = Buffer.alloc(8);
    head.write(types[size], 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + entries.reduce((n, e) => n + e.length, 0), 4);
  return Buffer.concat([head, ...entries]);
}

// ── the icons ───────────────────────────────────────────────────────────────────────────

const GREY = [150, 156, 164, 255];
const TRACK = [150, 156, 164, 110];
const GREEN = [46, 184, 114, 255];
const RED = [222, 60, 60, 255];
const AMBER = [232, 160, 32, 255];
const WHITE = [255, 255, 255, 255];

const tray = {
  'tray-idle': [[ring(0.5, 0.5, 0.44, 0.14), GREY], [disc(0.5, 0.5, 0.12), GREY]],
  'tray-error': [[disc(0.5, 0.5, 0.47), RED], [stroke(0.5, 0.24, 0.5, 0.56, 0.15), WHITE], [disc(0.5, 0.76, 0.08), WHITE]],
  'tray-no-agents': [[ring(0.5, 0.5, 0.44, 0.13), AMBER], [stroke(0.26, 0.74, 0.74, 0.26, 0.13), AMBER]],
};
for (let eighths = 0; eighths <= 8; eighths++) {
  tray[`tray-rendering-${eighths}`] = [[ring(0.5, 0.5, 0.44, 0.18), TRACK], [arc(0.5, 0.5, 0.44, 0.18, eighths / 8), GREEN], [disc(0.5, 0.5, 0.12), GREEN]];
}
for (const [name, layers] of Object.entries(tray)) {
  writeFileSync(`${here}${name}.png`, render(16, layers));
  writeFileSync(`${here}${name}@2x.png`, render(32, layers));
}

// The app: a field at dusk, three furrows running to a green sun (the farm rendering away).
const app = [
  [roundRect(0.06, 0.06, 0.94, 0.94, 0.2), [32, 44, 58, 255]],
  [disc(0.68, 0.3, 0.14), GREEN],
  [stroke(0.2, 0.78, 0.8, 0.62, 0.075), [226, 232, 240, 255]],
  [stroke(0.2, 0.64, 0.62, 0.53, 0.065), [226, 232, 240, 210]],
  [stroke(0.2, 0.51, 0.46, 0.44, 0.055), [226, 232, 240, 160]],
];
const sizes = (list) => list.map((size) => ({ size, png: render(size, app) }));
writeFileSync(`${here}app-icon.png`, render(512, app));
writeFileSync(`${here}app-icon.ico`, encodeIco(sizes([16, 24, 32, 48, 64, 128, 256])));
writeFileSync(`${here}app-icon.icns`, encodeIcns(sizes([128, 256, 512, 1024])));
console.log(`icons written to ${here}`);
