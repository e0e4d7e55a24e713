/*
 * The demo's Uppy page (pages/uppy.edge): Uppy's Dashboard uploading
 * through the same routes as the built-in module, with no Companion
 * server. Bundled by the demo on first request (demo/app/uppy_bundle.ts);
 * docs/uploads.md shows this file.
 */
import Uppy from '@uppy/core'
import Dashboard from '@uppy/dashboard'
import AwsS3 from '@uppy/aws-s3'
import { uppyS3Options } from 'djamazing/browser/uppy'
import '@uppy/core/css/style.min.css'
import '@uppy/dashboard/css/style.min.css'

// The CSRF token @adonisjs/shield puts in the page with csrfMeta() (the
// demo has no CSRF check: its page has none).
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? ''

const uppy = new Uppy()
uppy.use(Dashboard, { target: '#uppy', inline: true, proudlyDisplayPoweredByUppy: false })
// Every part hashed here and signed by the app's routes: /uploads, then
// /uploads/parts, /parts/list, /complete and /abort.
uppy.use(AwsS3, uppyS3Options(uppy, { start: '/uploads', headers: { 'x-csrf-token': csrfToken } }))

uppy.on('complete', ({ successful = [], failed = [] }) => {
  if (successful.length > 0 && failed.length === 0) location.assign('/files')
})
