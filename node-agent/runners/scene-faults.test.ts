import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseBlenderError, sceneFault } from './scene-faults.js';

test('a scene without a camera is a scene fault: Blender\'s line, and one sentence with the fix', () => {
  assert.deepEqual(sceneFault(['Cannot render, no camera'], 'nocam.blend'), {
    fault: 'Cannot render, no camera',
    sentence: 'Blender cannot render "nocam.blend": no camera is set for the scene; add a camera, make it the scene\'s camera (Scene properties), save the scene and submit it again.',
  });
});

test('"Image too small" names both causes Blender 3.4.1 gives it for: a resolution too small at its percentage, and an empty render region', () => {
  assert.equal(sceneFault(['Image too small'], 'tiny.blend')?.sentence, 'Blender cannot render "tiny.blend": its output image is too small (the resolution at its percentage, or an empty render region); raise the resolution or its percentage, or turn off Render Region, save the scene and submit it again.');
});

test('the class: pipeline checks about the scene itself, normalised so two agents\' lines compare equal', () => {
  for (const [line, fault] of [
    ['  Cannot render,  no camera. ', 'Cannot render, no camera'],
    ['No camera found in scene "Shot 2"', 'No camera found in scene "Shot 2"'],
    ['No camera found in scene "Shot 2" (used in compositing)', 'No camera found in scene "Shot 2" (used in compositing)'],
    ['All render layers are disabled', 'All render layers are disabled'],
    ['No border area selected', 'No border area selected'],
    ['No node tree in scene', 'No node tree in scene'],
    ['No render output node in scene', 'No render output node in scene'],
    ['Border rendering is not supported by sequencer', 'Border rendering is not supported by sequencer'],
    ['Image too small', 'Image too small'],
  ]) {
    const found = sceneFault(['Python: Traceback (most recent call last):', line!], 'a.blend');
    assert.equal(found?.fault, fault, line);
    assert.match(found!.sentence, /^Blender cannot render "a\.blend": [^.]*; [^.]*\.$/, 'one sentence: the problem; the fix');
  }
  assert.equal(normaliseBlenderError(' All  render layers are disabled.'), 'All render layers are disabled');
});

test('what depends on the agent is not a scene fault: retried as before', () => {
  for (const line of [
    "Cannot read file '/x/tex.png': No such file or directory",
    'Python: Traceback (most recent call last):',
    "engine not found 'OCTANE'",
    'Out of memory in CUDA queue enqueue (integrator_shade_surface)',
    'Not freed memory blocks: 3, total unfreed memory 0.001 MB',
    'Cannot render, no camera in the dark', // not Blender's line, only like it
  ]) assert.equal(sceneFault([line], 'a.blend'), null, line);
  assert.equal(sceneFault([], 'a.blend'), null);
});
