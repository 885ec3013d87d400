import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ob from './outbox.js';

const base = () => ob.newItem({ id: 'a', kind: 'finding', owner: 'u1', payload: { id: 'a' },
  photos: ['s1', 's2'], now: 1000 });

test('backoff doubles from 2 s with jitter between half and full, capped at 5 minutes', () => {
  assert.equal(ob.backoffDelay(1, 0), 1000);
  assert.equal(ob.backoffDelay(1, 1), 2000);
  assert.equal(ob.backoffDelay(3, 1), 8000);
  assert.equal(ob.backoffDelay(30, 1), ob.BACKOFF_CAP_MS);
  assert.ok(ob.backoffDelay(30, 0) >= ob.BACKOFF_CAP_MS / 2);
});

test('a network error keeps the item pending and schedules a retry', () => {
  const item = ob.onTransientError(base(), 5000, '网络不可用', 1);
  assert.equal(item.state, ob.PENDING);
  assert.equal(item.attempts, 1);
  assert.equal(item.nextAt, 7000);
  assert.equal(ob.isDue(item, 6999), false);
  assert.equal(ob.isDue(item, 7000), true);
  assert.match(ob.stateLabel(item), /待发送/);
  assert.equal(ob.stateLabel(item, false), '等待网络'); // no network: nothing is being tried
});

test('created with photos missing stays pending until every photo is in photos_held', () => {
  let item = ob.onResult(base(), { status: 'created', complete: false, photos_held: [],
    photos_missing: ['s1', 's2'] }, 2000);
  assert.equal(item.accepted, true);
  assert.equal(item.state, ob.PENDING);
  assert.deepEqual(ob.photosMissing(item), ['s1', 's2']);
  item = ob.onPhotoStored(item, 's1', { sha256: 's1', stored: true }, 3000);
  assert.equal(item.state, ob.PENDING);
  assert.match(ob.stateLabel(item), /照片待上传（1）/);
  item = ob.onPhotoStored(item, 's2', { sha256: 's2', stored: true }, 4000);
  assert.equal(item.state, ob.SENT);
  assert.equal(ob.stateLabel(item), '已发送');
});

test('complete:true alone does not count a photo as held: only photos_held does', () => {
  const item = ob.onResult(base(), { status: 'duplicate', complete: true, photos_held: ['s1'],
    photos_missing: [] }, 2000);
  assert.deepEqual(ob.photosMissing(item), ['s2']);
  assert.equal(item.state, ob.PENDING);
});

test('a photo answer that is not stored, or for another photo, changes nothing', () => {
  const item = base();
  assert.equal(ob.onPhotoStored(item, 's1', { sha256: 's2', stored: true }, 1), item);
  assert.equal(ob.onPhotoStored(item, 's1', null, 1), item);
});

test('invalid keeps the item, failed, with the server reason until the user retries', () => {
  let item = ob.onResult(base(), { status: 'invalid', code: 'compound_not_found',
    message: '小区不存在' }, 2000);
  assert.equal(item.state, ob.FAILED);
  assert.equal(ob.stateLabel(item), '失败：小区不存在');
  assert.equal(ob.isDue(item, 10 ** 12), false);
  item = ob.retry(item, 3000);
  assert.equal(item.state, ob.PENDING);
  assert.equal(ob.isDue(item, 3000), true);
});

test('editing after uuid_reused moves the item to a new id; otherwise the id stays', () => {
  const conflict = ob.onResult(base(), { status: 'conflict', code: 'uuid_reused', message: '冲突' }, 2);
  const moved = ob.edited(conflict, { description: 'x' }, 3, 'b');
  assert.equal(moved.id, 'b');
  assert.equal(moved.payload.id, 'b');
  const invalid = ob.onResult(base(), { status: 'invalid', code: 'catalog', message: '无' }, 2);
  assert.equal(ob.edited(invalid, { description: 'x' }, 3, 'b').id, 'a');
});

test('items are partitioned by owner', () => {
  const mine = base();
  const theirs = { ...base(), id: 'b', owner: 'u2' };
  assert.deepEqual(ob.ownedBy([mine, theirs], 'u1'), [mine]);
});

test('nextWake is the time to the earliest pending retry', () => {
  const a = { ...base(), nextAt: 5000 };
  const b = { ...base(), nextAt: 3000 };
  const c = { ...base(), nextAt: 0, state: ob.FAILED };
  assert.equal(ob.nextWake([a, b, c], 1000), 2000);
  assert.equal(ob.nextWake([c], 1000), null);
});
