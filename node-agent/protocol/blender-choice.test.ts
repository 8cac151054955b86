import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseBlender, compareVersions } from './blender-choice.js';

const at = (version: string) => ({ path: `/opt/blender-${version}/blender`, version, devices: [] });
const v34 = at('3.4.1');
const v41 = at('4.1.1');
const v43 = at('4.3.2');

test('an agent with 3.4 gets a 3.4 file and never a 4.1 file', () => {
  assert.equal(chooseBlender([v34], { atLeast: '3.4' }), v34);
  assert.equal(chooseBlender([v34], { atLeast: '4.1' }), null);
});

test('with several Blenders the same major.minor wins, else the nearest newer; an older one never', () => {
  assert.equal(chooseBlender([v43, v34, v41], { atLeast: '4.1' }), v41);
  assert.equal(chooseBlender([v43, v34], { atLeast: '4.0' }), v43);
  assert.equal(chooseBlender([v43, v34], { atLeast: '3.3' }), v34);
  assert.equal(chooseBlender([v34, v41], { atLeast: '4.2' }), null);
});

test('a pin takes only that major.minor (its highest patch), and never one older than the file', () => {
  assert.equal(chooseBlender([v34, v43], { pin: '4.3' }), v43);
  assert.equal(chooseBlender([v34, at('4.3.0'), v43], { pin: '4.3' })?.version, '4.3.2');
  assert.equal(chooseBlender([v34, v41], { pin: '4.3' }), null);
  assert.equal(chooseBlender([v34, v43], { pin: '3.4', atLeast: '4.1' }), null);
});

test('no requirement: the agent\'s first Blender; no Blender: none', () => {
  assert.equal(chooseBlender([v43, v34], undefined), v43);
  assert.equal(chooseBlender([], { atLeast: '3.0' }), null);
  assert.ok(compareVersions('4.10', '4.9') > 0);
});
