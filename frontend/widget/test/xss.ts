export { corpus } from '../e2e/xss.mjs'
