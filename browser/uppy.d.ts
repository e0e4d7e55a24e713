/**
 * Types of `djamazing/browser/uppy` (uppy.js), for apps written in
 * TypeScript. Type imports only: Uppy stays the app's dependency
 * (`@uppy/core` and `@uppy/aws-s3` 6), never djamazing's.
 */
import type { AwsS3Options } from '@uppy/aws-s3'
import type { Body, Meta, Uppy, UppyFile } from '@uppy/core'

export type UppyS3Options<Confirmed = unknown> = {
  /**
   * The app's start route (POSTed as JSON `{ name, type, size }`; it
   * answers a multipart upload target, as for `directUpload`).
   */
  start: string
  /**
   * The multipart routes (POSTed as JSON). Default: `start` followed by
   * `/parts`, `/parts/list`, `/complete` and `/abort`.
   */
  multipart?: { sign?: string; list?: string; complete?: string; abort?: string }
  /**
   * Extra headers for the app's routes, e.g. `{ 'x-csrf-token': token }`.
   */
  headers?: Record<string, string>
  /**
   * The disk's `uploads.partSize`: Uppy cuts the file before the app
   * answers, so both must agree (a start answering another part size is
   * refused with a message saying so). Default 16 MiB, the server's.
   */
  partSize?: number
  /**
   * Times an upload that failed for the network is tried again (backing
   * off 1 s, 2 s, 4 s, ... up to 30 s, once the browser is online);
   * counted anew after each part stored. Default 5.
   */
  retries?: number
  /**
   * Called with the complete route's JSON answer once the app kept the
   * file, before Uppy's `upload-success`.
   */
  onComplete?: (file: UppyFile<Meta, Body>, answer: Confirmed) => void
}

/**
 * The Uppy instance the options listen on (resume, retry, abort).
 */
export type UppyForOptions = Pick<
  Uppy<Meta, Body>,
  'getFile' | 'getFiles' | 'setFileState' | 'retryUpload' | 'retryAll' | 'on'
>

/**
 * One request `@uppy/aws-s3` asks to have signed.
 */
export type SignedRequest = Parameters<
  Extract<AwsS3Options<Meta, Body>, { signRequest: unknown }>['signRequest']
>[0]

/**
 * The options of `@uppy/aws-s3` (its `signRequest` mode) for uploads through
 * the app's direct upload routes: `uppy.use(AwsS3, uppyS3Options(uppy, {
 * start: '/uploads' }))`.
 */
export declare function uppyS3Options<Confirmed = unknown>(
  // Any Uppy: `uppy.use(AwsS3, ...)` takes the options of `Meta` and
  // `Body` whatever the instance's own types.
  uppy: Uppy<any, any>,
  options: UppyS3Options<Confirmed>
): Extract<AwsS3Options<Meta, Body>, { signRequest: unknown }>
