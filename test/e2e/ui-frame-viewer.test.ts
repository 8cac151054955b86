import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { makeTestScene } from '../fixtures/test-scene.js';
import { describeViolations, launchBrowser, seriousA11yViolations, type TestBrowser } from './helpers/browser.js';
import { eventually, startUiController, type UiController } from './helpers/ui-controller.js';

// The frame viewer in Chromium against a real `farmhand controller` whose local agent renders a
// real 64 × 48 scene with Blender: a PNG job stopped part way (so some frames exist and some do
// not), then finished, and a small EXR job. What is judged is what a user sees: the picture's
// real size, the frame number, the marks, the rate frames are shown at, where focus goes.

const WIDTH = 64;
const HEIGHT = 48;

describe('the frame viewer in a browser against farmhand controller', { timeout: 300_000 }, () => {
  let dir: string;
  let scene: string;
  let controller: UiController;
  let browser: TestBrowser;
  let page: Page;
  let pngJobId: string;
  let pngJobName: string;

  const expectAccessible = async (view: string) => {
    const violations = await seriousA11yViolations(page);
    assert.equal(violations.length, 0, describeViolations(view, violations));
  };
  const viewer = () => page.getByRole('dialog', { name: /^Frames of / });
  const frameShown = async () => (await viewer().locator('output.frame-viewer-number').innerText()).trim();
  const renderedFrames = async (jobId: string) => {
    const list = await controller.api.call('frames.list', { jobId, limit: 1000 });
    return list.items.filter((f) => f.rendered).map((f) => f.frame);
  };
  const openJob = async (jobId: string, name: string) => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Jobs' }).click();
    await page.locator(`tr[data-job-id="${jobId}"]`).getByRole('button', { name, exact: true }).click();
    await page.locator(`section.job-detail[data-job-id="${jobId}"]`).waitFor({ timeout: 10_000 });
  };
  /** Records every frame number the viewer shows, with the time, from now on (in the page). */
  const recordShown = () =>
    page.evaluate(() => {
      const w = window as unknown as { shown: [number, string][] };
      w.shown = [];
      const output = document.querySelector('dialog output.frame-viewer-number')!;
      new MutationObserver(() => w.shown.push([performance.now(), output.textContent ?? ''])).observe(output, { childList: true, characterData: true, subtree: true });
      return performance.now();
    });
  const shownSoFar = () => page.evaluate(() => (window as unknown as { shown: [number, string][] }).shown);
  /** Waits until the flipbook has shown `frame` and stopped (its button reads Play again). */
  const playedTo = async (frame: number) => {
    await page.waitForFunction((text) => (window as unknown as { shown: [number, string][] }).shown.some(([, t]) => t === text), `Frame ${frame}`, { timeout: 15_000 });
    await viewer().getByRole('button', { name: 'Play', exact: true }).waitFor({ timeout: 5000 });
  };
  /** "1–12" or "1–8, 13–16": runs of frame numbers, as the scrubber's legend writes them. */
  const runs = (frames: number[]) => frames.reduce<number[][]>((all, f) => {
    const last = all[all.length - 1];
    if (last && last[1] === f - 1) last[1] = f;
    else all.push([f, f]);
    return all;
  }, []).map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fh-e2e-viewer-'));
    // One after another: on a busy machine, Blender making the scene beside the controller's start-up can pass the helper's 20 s.
    scene = await makeTestScene(dir, { frames: 24, width: WIDTH, height: HEIGHT, samples: 1 });
    controller = await startUiController(dir);
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(controller.uiUrl);
    await page.getByRole('heading', { name: 'Jobs' }).waitFor({ timeout: 10_000 });
  });

  after(async () => {
    await browser?.close();
    await controller?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a render stopped part way: a thumbnail opens its frame full size, the arrows step, the scrubber marks what exists', async () => {
    // 24 frames in chunks of 4, paused once a few chunks are done: some frames exist, the rest do not.
    const job = await controller.api.call('jobs.submit', { type: 'render', scenePath: scene, frames: '1-24', chunkSize: 4, outputDir: join(dir, 'out-png'), format: 'PNG' });
    pngJobId = job.id;
    pngJobName = job.name;
    await eventually('two chunks to be rendered', 120_000, async () => ((await controller.api.call('jobs.get', { jobId: pngJobId })).succeededCount >= 2 ? true : undefined));
    await controller.api.call('jobs.pause', { jobId: pngJobId });
    await eventually('the paused job to have nothing running', 60_000, async () => ((await controller.api.call('jobs.get', { jobId: pngJobId })).runningCount === 0 ? true : undefined));
    const rendered = await renderedFrames(pngJobId);
    assert.ok(rendered.length >= 8 && rendered.length < 24, `some frames rendered, not all: ${rendered.join(',')}`);

    await openJob(pngJobId, pngJobName);
    const grid = page.getByRole('region', { name: 'Frames (24)' });
    await grid.getByRole('button', { name: 'Frame 1', exact: true }).click();
    await viewer().waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('dialog .frame-viewer-image');
      return img !== null && img.complete && img.naturalWidth > 0;
    }, null, { timeout: 15_000 });
    const size = await viewer().getByRole('img', { name: 'Frame 1' }).evaluate((img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]);
    assert.deepEqual(size, [WIDTH, HEIGHT], 'the frame at its own resolution, not the 160 px thumbnail');
    assert.equal(await frameShown(), 'Frame 1');
    await viewer().getByText(`${WIDTH} × ${HEIGHT} · PNG, as rendered · test-scene_0001.png`).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('frame-viewer-stage')), true, 'focus starts on the picture, where the keys work');

    await page.keyboard.press('ArrowRight');
    assert.equal(await frameShown(), 'Frame 2');
    await page.keyboard.press('ArrowRight');
    assert.equal(await frameShown(), 'Frame 3');
    await page.keyboard.press('ArrowLeft');
    assert.equal(await frameShown(), 'Frame 2');
    await viewer().getByRole('img', { name: 'Frame 2' }).waitFor();
    await page.keyboard.press('End');
    assert.equal(await frameShown(), 'Frame 24');
    await viewer().getByText('Frame 24 is not rendered yet (queued).').waitFor();

    // One mark per frame, tall and filled where the API says the frame exists.
    const marks = await viewer().locator('.scrubber-mark').evaluateAll((list) => list.map((m) => (m as HTMLElement).dataset.state));
    assert.deepEqual(marks, Array.from({ length: 24 }, (_, i) => (rendered.includes(i + 1) ? 'rendered' : 'missing')));
    await viewer().getByText(`rendered (${rendered.length} of 24): ${runs(rendered)}`).waitFor();
    // The scrubber seeks (a range input: Home is its first frame) and says whether the frame exists.
    const seek = viewer().getByRole('slider', { name: 'Seek frame' });
    await seek.focus();
    await page.keyboard.press('Home');
    assert.equal(await frameShown(), 'Frame 1');
    assert.equal(await seek.getAttribute('aria-valuetext'), 'frame 1, rendered');
    await seek.fill('22');
    assert.equal(await frameShown(), 'Frame 23');
    assert.equal(await seek.getAttribute('aria-valuetext'), 'frame 23, not rendered yet');
    await expectAccessible('frame viewer on a frame not rendered yet');
  });

  test('space plays the rendered frames at the scene\'s fps and stops after the last one; Escape closes with focus on its thumbnail', async () => {
    const rendered = await renderedFrames(pngJobId);
    await viewer().getByRole('button', { name: 'First' }).click();
    await viewer().locator('.frame-viewer-stage').focus();
    await viewer().getByText('24 fps (the scene\'s rate)').waitFor();
    const started = await recordShown();
    await page.keyboard.press(' ');
    await playedTo(rendered[rendered.length - 1]!);
    const shown = await shownSoFar();
    const frames = shown.map(([, text]) => text).filter((t, i, all) => t !== all[i - 1]);
    // Every rendered frame after the first, in order, none of the others.
    assert.deepEqual(frames, rendered.slice(1).map((f) => `Frame ${f}`));
    const withinASecond = shown.filter(([t]) => t - started <= 1000).length;
    assert.ok(withinASecond >= 5, `${withinASecond} frames shown in the first second`);
    const span = shown[shown.length - 1]![0] - shown[0]![0];
    const rate = ((shown.length - 1) * 1000) / span;
    const said = await viewer().locator('.frame-viewer-pace').innerText();
    console.log(`# flipbook of ${shown.length + 1} rendered ${WIDTH}×${HEIGHT} PNG frames at 24 fps: shown at ${rate.toFixed(1)} fps (${shown.length - 1} intervals over ${span.toFixed(0)} ms); the viewer says "${said}"`);
    assert.ok(rate > 18 && rate < 30, `played at ${rate.toFixed(1)} fps, expected about 24`);
    assert.match(said, /last played at \d+(\.\d)? fps/);
    assert.equal(await frameShown(), `Frame ${rendered[rendered.length - 1]}`, 'it stops on the last rendered frame');
    await expectAccessible('frame viewer after playing');

    // Escape closes, and focus is on the thumbnail of the frame shown last.
    const last = rendered[rendered.length - 1]!;
    await page.keyboard.press('Escape');
    await viewer().waitFor({ state: 'detached' });
    await page.waitForFunction((frame) => document.activeElement?.closest('[data-frame]')?.getAttribute('data-frame') === String(frame), last, { timeout: 5000 });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('title')), `Open frame ${last} full size`);
  });

  test('the finished render plays all 24 frames; space stops it part way', async () => {
    await controller.api.call('jobs.resume', { jobId: pngJobId });
    await eventually('the PNG job to succeed', 180_000, async () => ((await controller.api.call('jobs.get', { jobId: pngJobId })).state === 'succeeded' ? true : undefined));
    const grid = page.getByRole('region', { name: 'Frames (24)' });
    await grid.getByRole('button', { name: 'Frame 1', exact: true }).click();
    await viewer().getByRole('img', { name: 'Frame 1' }).waitFor({ timeout: 15_000 });
    await viewer().getByText('rendered (24 of 24): 1–24').waitFor({ timeout: 10_000 });
    assert.deepEqual(new Set(await viewer().locator('.scrubber-mark').evaluateAll((list) => list.map((m) => (m as HTMLElement).dataset.state))), new Set(['rendered']));

    // A whole second of play, measured.
    await recordShown();
    await page.keyboard.press(' ');
    await playedTo(24);
    const shown = await shownSoFar();
    assert.equal(shown.length, 23, 'frames 2 to 24, each once');
    const span = shown[shown.length - 1]![0] - shown[0]![0];
    const rate = ((shown.length - 1) * 1000) / span;
    console.log(`# flipbook of 24 rendered ${WIDTH}×${HEIGHT} PNG frames at 24 fps: ${rate.toFixed(1)} fps over ${span.toFixed(0)} ms`);
    assert.ok(rate > 18 && rate < 30, `played at ${rate.toFixed(1)} fps`);

    // Space again (from the last frame) starts over at frame 1; space once more stops it there.
    await page.keyboard.press(' ');
    await page.waitForTimeout(300);
    await page.keyboard.press(' ');
    await viewer().getByRole('button', { name: 'Play', exact: true }).waitFor();
    const stoppedAt = Number((await frameShown()).replace('Frame ', ''));
    assert.ok(stoppedAt > 2 && stoppedAt < 24, `stopped part way, at frame ${stoppedAt}`);
    await page.waitForTimeout(200);
    assert.equal(await frameShown(), `Frame ${stoppedAt}`, 'and stays there');
    await page.keyboard.press('Escape');
    await viewer().waitFor({ state: 'detached' });
  });

  test('an EXR frame is shown through the controller\'s ffmpeg at its size, and its exposure control quarters the light at −2 stops', async () => {
    const job = await controller.api.call('jobs.submit', { type: 'render', scenePath: scene, frames: '1-2', chunkSize: 2, outputDir: join(dir, 'out-exr'), format: 'OPEN_EXR' });
    await eventually('the EXR job to succeed', 120_000, async () => ((await controller.api.call('jobs.get', { jobId: job.id })).state === 'succeeded' ? true : undefined));
    await openJob(job.id, job.name);
    await page.getByRole('region', { name: 'Frames (2)' }).getByRole('button', { name: 'Frame 1', exact: true }).click();
    await viewer().getByRole('img', { name: 'Frame 1' }).waitFor({ timeout: 20_000 });
    await viewer().getByText(`${WIDTH} × ${HEIGHT} · EXR, shown at 0 stops · test-scene_0001.exr`).waitFor();
    /** The shown picture's R, G, B values, 0–255, as the page decoded them. */
    const channels = () =>
      viewer().getByRole('img', { name: 'Frame 1' }).evaluate((img: HTMLImageElement) => {
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d')!;
        context.drawImage(img, 0, 0);
        return [...context.getImageData(0, 0, canvas.width, canvas.height).data].filter((_, i) => i % 4 !== 3);
      });
    const [w, h] = await viewer().getByRole('img', { name: 'Frame 1' }).evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    assert.deepEqual([w, h], [WIDTH, HEIGHT]);
    const before = await channels();
    const exposure = viewer().getByRole('slider', { name: 'Exposure' });
    await exposure.focus();
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowLeft');
    assert.equal(await frameShown(), 'Frame 1', 'arrows on the exposure slider move the slider, not the frame');
    await viewer().getByText(`${WIDTH} × ${HEIGHT} · EXR, shown at −2 stops`).waitFor({ timeout: 20_000 });
    const after = await channels();
    // Two stops down is a quarter of the light: in linear terms, value by value (mid-tones, clear of 8-bit steps and clipping).
    const linear = (v: number) => (v / 255 <= 0.04045 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
    const ratios = before.map((v, i) => [v, after[i]!]).filter(([v]) => v! >= 100 && v! <= 250).map(([v, a]) => linear(a!) / linear(v!)).sort((a, b) => a - b);
    assert.ok(ratios.length > 100, `${ratios.length} mid-tone values to compare`);
    const median = ratios[Math.floor(ratios.length / 2)]!;
    console.log(`# EXR frame at −2 stops: median linear ratio ${median.toFixed(3)} over ${ratios.length} values (expected 0.25)`);
    assert.ok(Math.abs(median - 0.25) < 0.25 * 0.1, `−2 stops: light × ${median.toFixed(3)}, expected × 0.25`);
    await expectAccessible('frame viewer on an EXR frame');
    await page.keyboard.press('Escape');
    await viewer().waitFor({ state: 'detached' });
  });

  test('the page reached nothing but the controller and broke no CSP rule', () => {
    assert.deepEqual(browser.problems, []);
  });
});
