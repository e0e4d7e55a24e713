import { fileURLToPath } from 'node:url'
import router from '@adonisjs/core/services/router'
import { middleware } from './kernel.ts'
import { uppyBundle } from '../app/uppy_bundle.ts'

const SessionController = () => import('#controllers/session_controller')
const FilesController = () => import('#controllers/files_controller')
const UploadsController = () => import('#controllers/uploads_controller')

// The browser module of direct uploads, served as it is shipped.
const browserModule = fileURLToPath(import.meta.resolve('djamazing/browser'))
router.get('/assets/direct_upload.js', ({ response }) => response.download(browserModule))
// hls.js, the player of the sample stream, as its package ships it.
const hlsPlayer = fileURLToPath(import.meta.resolve('hls.js/dist/hls.min.js'))
router.get('/assets/hls.js', ({ response }) => response.download(hlsPlayer))

// Uppy's Dashboard, beside the direct upload module: bundled with Vite on its
// first request (app/uppy_bundle.ts).
router.get('/assets/uppy.js', async ({ response }) => {
  const { js } = await uppyBundle()
  return response.header('content-type', 'text/javascript').send(js)
})
router.get('/assets/uppy.css', async ({ response }) => {
  const { css } = await uppyBundle()
  return response.header('content-type', 'text/css').send(css)
})

router.get('/', ({ auth, response }) =>
  response.redirect(auth.isAuthenticated ? '/files' : '/login')
)

router.get('/login', [SessionController, 'create'])
router.post('/login', [SessionController, 'store'])
router.post('/logout', [SessionController, 'destroy'])

router
  .group(() => {
    router.get('/files', [FilesController, 'index'])
    router.get('/files/uppy', ({ auth, view }) => view.render('pages/uppy', { user: auth.user }))
    router.post('/uploads', [UploadsController, 'start'])
    router.post('/uploads/confirm', [UploadsController, 'confirm'])
    router.post('/uploads/parts', [UploadsController, 'signPart'])
    router.post('/uploads/parts/list', [UploadsController, 'listParts'])
    router.post('/uploads/complete', [UploadsController, 'complete'])
    router.post('/uploads/abort', [UploadsController, 'abort'])
  })
  .use(middleware.auth())
