import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';

/**
 * A hash of an image's decoded RGBA pixels. Blender's PNGs differ on every render (metadata
 * with dates and render times) while their pixels do not, so renders are compared by pixels.
 */
export function decodedPixelHash(file: string, ffmpegPath = process.env.FARMHAND_FFMPEG || 'ffmpeg'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const hash = createHash('sha256');
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0 || bytes === 0) reject(new Error(`ffmpeg could not decode ${file} (exit ${code}): ${stderr.trim() || 'no pixels'}`));
      else resolve(hash.digest('hex'));
    });
  });
}
