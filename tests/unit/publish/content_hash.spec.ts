import { test } from '@japa/runner'
import { hasContentHash } from '../../../src/publish/folder.ts'

test.group('Publish | which names carry a content hash', () => {
  test('bundler output: Vite/Rollup, esbuild, webpack', ({ assert }) => {
    for (const name of [
      'app-W1erjkBN.js',
      'app-Doqr3Ol6.css',
      'index-D-q3Ol6x.js',
      'vendor-a_b1c2d3.js',
      'app-5HKJ3JQL.js',
      'main.3f2a9c1d.css',
      'chunk.0e4b2f9a7c1d.js',
      'pattern-BzTrCxQk.svg',
    ]) {
      assert.isTrue(hasContentHash(name), name)
    }
  })

  test('plain names stay short-lived: a year of a stale file is worse than a revalidation', ({
    assert,
  }) => {
    for (const name of [
      'robots.txt',
      'favicon.ico',
      'my-document.pdf',
      'photo-20240101.jpg',
      'jquery-3.7.1.min.js',
      'manifest.json',
      'about-ourteams.html',
      'main.deadbeef',
    ]) {
      assert.isFalse(hasContentHash(name), name)
    }
  })
})
