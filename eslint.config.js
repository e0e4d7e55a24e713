import { configPkg } from '@adonisjs/eslint-config'

export default configPkg({
  ignores: [
    'build/**',
    'tests/fixtures/starter_kits/**',
    'demo/tmp/**',
    'demo/.adonisjs/**',
    'tmp/**',
    'test-output/**',
    'tests/fixtures/e2e_web_app/**',
    'tests/fixtures/newcomer_app/**',
  ],
})
