import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitToken } from '../../renderer/src/client/page-token.js';
import { DEFAULT_JOBS_QUERY } from '../../renderer/src/model/find-jobs.js';
import { DEFAULT_ROUTE, formatRoute, isNewPlace, parseRoute, type Route } from '../../renderer/src/routing/route.js';

// The window's address: every view as a URL fragment, read back to the same view; the token
// of the printed link taken out without losing the view a link names.

const route = (over: Partial<Route>): Route => ({ ...DEFAULT_ROUTE, ...over });

describe('routes: parse and format', () => {
  test('each view has its fragment, and reads back to itself', () => {
    const cases: [Route, string][] = [
      [DEFAULT_ROUTE, '#/jobs'],
      [route({ view: 'failed' }), '#/failed'],
      [route({ view: 'nodes' }), '#/nodes'],
      [route({ view: 'settings' }), '#/settings'],
      [route({ jobId: 'jmf1x2k3a1b2c3' }), '#/jobs/jmf1x2k3a1b2c3'],
      [route({ jobId: 'j1', taskId: 'j1.7' }), '#/jobs/j1/tasks/j1.7'],
      [route({ jobId: 'j1', taskId: 'j1.7', attempt: 2 }), '#/jobs/j1/tasks/j1.7/attempts/2'],
      [route({ jobId: 'j1', taskId: 'j1.7', attempt: 2, line: 41 }), '#/jobs/j1/tasks/j1.7/attempts/2/log/41'],
      [route({ jobId: 'j1', taskId: 'j1.7', line: 41 }), '#/jobs/j1/tasks/j1.7/log/41'],
      [route({ jobId: 'j1', tasks: 'failed' }), '#/jobs/j1?tasks=failed'],
      [route({ jobs: { search: 'shot gpu', state: 'failed', sort: 'name', dir: 'asc' } }), '#/jobs?q=shot+gpu&state=failed&sort=name&dir=asc'],
      [route({ jobs: { ...DEFAULT_JOBS_QUERY, sort: 'frames' } }), '#/jobs?sort=frames&dir=desc'],
    ];
    for (const [r, hash] of cases) {
      assert.equal(formatRoute(r), hash);
      assert.deepEqual(parseRoute(hash), r, hash);
    }
  });

  test('ids with characters a path cannot hold are escaped, and read back', () => {
    const r = route({ jobId: 'a/b c', taskId: 'a:b#1' });
    assert.equal(formatRoute(r), '#/jobs/a%2Fb%20c/tasks/a%3Ab%231');
    assert.deepEqual(parseRoute(formatRoute(r)), r);
  });

  test('an empty fragment is the jobs list; a fragment that is not a route is none (the skip link, the token)', () => {
    assert.deepEqual(parseRoute(''), DEFAULT_ROUTE);
    assert.deepEqual(parseRoute('#'), DEFAULT_ROUTE);
    assert.deepEqual(parseRoute('#/'), DEFAULT_ROUTE);
    assert.equal(parseRoute('#main'), null);
    assert.equal(parseRoute('#token=abc'), null);
    assert.equal(parseRoute('#/nowhere'), null);
    assert.equal(parseRoute('#/nodes/extra'), null);
    assert.equal(parseRoute('#/jobs/j1/tasks'), null);
    assert.equal(parseRoute('#/jobs/j1/tasks/t/log/0'), null, 'lines count from 1');
    assert.equal(parseRoute('#/jobs/j1/tasks/t/log/x'), null);
    assert.equal(parseRoute('#/jobs/%E0%A4%A'), null, 'a broken escape');
  });

  test('unknown filter values fall back to the defaults instead of hiding everything', () => {
    assert.deepEqual(parseRoute('#/jobs?state=bogus&sort=colour&dir=up'), DEFAULT_ROUTE);
    assert.deepEqual(parseRoute('#/jobs/j1?tasks=bogus'), route({ jobId: 'j1' }));
  });

  test('a new place (view, job, task) is a history entry; a filter or a log line within it is not', () => {
    assert.equal(isNewPlace(DEFAULT_ROUTE, route({ view: 'nodes' })), true);
    assert.equal(isNewPlace(DEFAULT_ROUTE, route({ jobId: 'j1' })), true);
    assert.equal(isNewPlace(route({ jobId: 'j1' }), route({ jobId: 'j1', taskId: 't' })), true);
    assert.equal(isNewPlace(route({ jobId: 'j1', taskId: 't' }), route({ jobId: 'j1', taskId: 't', line: 5 })), false);
    assert.equal(isNewPlace(DEFAULT_ROUTE, route({ jobs: { ...DEFAULT_JOBS_QUERY, search: 'x' } })), false);
  });
});

describe('the token in a link', () => {
  test('the printed link leaves no fragment; a link to a view keeps the view and loses only the token', () => {
    assert.deepEqual(splitToken('#token=abc%2Bdef'), { token: 'abc+def', rest: '' });
    assert.deepEqual(splitToken('#/jobs/j1/tasks/t1?token=abc'), { token: 'abc', rest: '#/jobs/j1/tasks/t1' });
    assert.deepEqual(splitToken('#/jobs?q=shot&token=abc'), { token: 'abc', rest: '#/jobs?q=shot' });
    assert.deepEqual(splitToken('#/jobs/j1'), { token: null, rest: '#/jobs/j1' });
    assert.deepEqual(splitToken(''), { token: null, rest: '' });
  });
});
