import { readFileSync } from 'node:fs'
import { test } from '@japa/runner'
import { appIamPolicy, awsSetupSteps, printableStep } from '../../src/aws_setup.ts'

const PAGE = readFileSync(new URL('../../docs/aws-setup.md', import.meta.url), 'utf8')

/**
 * The numbered steps of docs/aws-setup.md: title and first paragraph,
 * its lines joined.
 */
function stepsOfPage() {
  const steps: { title: string; text: string }[] = []
  const lines = PAGE.split('\n')
  lines.forEach((line, index) => {
    const opening = /^\d+\. \*\*(.+?)\.\*\* (.*)$/.exec(line)
    if (!opening) return
    const paragraph = [opening[2]]
    for (let next = index + 1; /^ {3}\S/.test(lines[next] ?? ''); next++) {
      paragraph.push(lines[next].trim())
    }
    steps.push({ title: opening[1], text: paragraph.join(' ') })
  })
  return steps
}

test.group('AWS set-up | one source for the commands and the docs', () => {
  test('docs/aws-setup.md has the steps, in order, each opening with the sentence the commands print', ({
    assert,
  }) => {
    const page = stepsOfPage()
    const steps = awsSetupSteps()
    assert.deepEqual(
      page.map((step) => step.title),
      steps.map((step) => step.title)
    )
    steps.forEach((step, index) => {
      assert.isTrue(
        page[index].text.startsWith(step.summary),
        `step ${index + 1} of docs/aws-setup.md does not open with: ${step.summary}`
      )
    })
  })

  test('the IAM policy of the docs is the one the steps name, with s3:AbortMultipartUpload', ({
    assert,
  }) => {
    const block = /```json\n([\s\S]*?)```/.exec(PAGE.slice(PAGE.indexOf('**App credentials.**')))!
    const policy = JSON.parse(block[1].replace(/^ {3}/gm, ''))
    assert.deepEqual(policy, appIamPolicy('my-bucket'))
    assert.include(policy.Statement[0].Action, 's3:AbortMultipartUpload')
    assert.include(awsSetupSteps()[1].summary, '`s3:AbortMultipartUpload`')
  })

  test('which behavior is restricted: the default one; public prefixes are open', ({ assert }) => {
    const steps = awsSetupSteps({ publicDisk: 'assets', protectedDisk: 'files' })
    assert.include(steps[3].summary, 'default behavior restricted to your key group')
    assert.include(steps[4].summary, 'unrestricted behavior for its prefix')
    assert.include(steps[4].summary, '`assets/*`')
    assert.include(steps[4].summary, '`files/*`')
  })

  test("a public disk's pending uploads are under a restricted behavior, matched first", ({
    assert,
  }) => {
    const summary = awsSetupSteps({ publicDisk: 'assets', protectedDisk: 'files' })[4].summary
    const pending = summary.indexOf(
      'restricted behavior for its pending uploads (`assets/pending-uploads/*`)'
    )
    assert.isAbove(pending, -1, summary)
    assert.isBelow(pending, summary.indexOf('unrestricted behavior for'), 'listed first')
  })

  test('printed steps are numbered, without markdown, names kept whole', ({ assert }) => {
    const [bucket, credentials] = awsSetupSteps().map(printableStep)
    assert.equal(
      bucket,
      '1. Bucket: Create an S3 bucket with ACLs disabled and all public access blocked; set S3_BUCKET and AWS_REGION.'
    )
    assert.include(credentials, 's3:AbortMultipartUpload')
    assert.notInclude(credentials, '`')
  })
})
