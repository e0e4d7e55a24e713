import router from '@adonisjs/core/services/router'
import { middleware } from './kernel.ts'

const SessionController = () => import('../app/controllers/session_controller.ts')
const FilesController = () => import('../app/controllers/files_controller.ts')

router.get('/', ({ auth, response }) =>
  response.redirect(auth.isAuthenticated ? '/files' : '/login')
)

router.get('/login', [SessionController, 'create'])
router.post('/login', [SessionController, 'store'])
router.post('/logout', [SessionController, 'destroy'])

router
  .group(() => {
    router.get('/files', [FilesController, 'index'])
    router.post('/files', [FilesController, 'store'])
  })
  .use(middleware.auth())
