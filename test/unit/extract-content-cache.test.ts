// The content cache: least recently used evicted first, bounded by bytes, big entries not cached.
import { ContentCache } from '../../activities/extract/content-cache';

test('evicts the least recently used entries beyond the byte budget', () => {
  const cache = new ContentCache(30, 20);
  cache.set('a', Buffer.alloc(10));
  cache.set('b', Buffer.alloc(10));
  cache.get('a');
  cache.set('c', Buffer.alloc(15));
  expect(cache.get('b')).toBeUndefined();
  expect(cache.get('a')).toBeDefined();
  expect(cache.get('c')).toBeDefined();
  expect(cache.size.bytes).toBe(25);
});

test('does not cache entries above maxEntryBytes', () => {
  const cache = new ContentCache(100, 10);
  cache.set('big', Buffer.alloc(11));
  expect(cache.get('big')).toBeUndefined();
});

test('getOrFetch fetches a message once', async () => {
  const cache = new ContentCache();
  let fetches = 0;
  const fetch = async () => {
    fetches++;
    return Buffer.from('raw');
  };
  await cache.getOrFetch('m1', fetch);
  expect((await cache.getOrFetch('m1', fetch)).toString()).toBe('raw');
  expect(fetches).toBe(1);
  expect(cache.hits).toBe(1);
});

test('caches an empty message', () => {
  const cache = new ContentCache(100, 10);
  cache.set('empty', Buffer.alloc(0));
  expect(cache.get('empty')?.length).toBe(0);
});
