import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFields, formatTable, percent } from './cli-table.js';

test('tables align columns, right-align numbers and clip long cells to one line', () => {
  const rows = [{ id: 'j1', name: 'short', n: 3 }, { id: 'j22', name: 'a very long name\nwith a break that goes on', n: 120 }];
  const text = formatTable(rows, [
    { header: 'ID', value: (r) => r.id },
    { header: 'NAME', value: (r) => r.name, max: 12 },
    { header: 'N', value: (r) => r.n, right: true },
  ]);
  assert.deepEqual(text.split('\n'), [
    'ID   NAME            N',
    'j1   short           3',
    'j22  a very long…  120',
  ]);
  assert.equal(formatTable([], [{ header: 'ID', value: () => '' }], 'No jobs.'), 'No jobs.');
});

test('fields line up and percentages are clamped whole numbers', () => {
  assert.equal(formatFields([['Job', 'j1'], ['Priority', 50]]), 'Job       j1\nPriority  50');
  assert.deepEqual([percent(0.999), percent(1.5), percent(-1)], ['99%', '100%', '0%']);
});
