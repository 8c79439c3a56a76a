// npm's install hook. From the packed tarball the addon and dist/ are already there: nothing to
// do (no Rust toolchain needed). From a repository checkout it builds them (scripts/build.js).
'use strict'

const fs = require('node:fs')
const path = require('node:path')
const { addonFile } = require('./platform')

const here = path.resolve(__dirname, '..')
const built = fs.existsSync(path.join(here, addonFile())) && fs.existsSync(path.join(here, 'dist', 'index.js'))
const inRepo = fs.existsSync(path.join(here, 'Cargo.toml'))
if (built) process.exit(0)
if (!inRepo) {
  console.error(`ferrokafka: no prebuilt addon for this platform (${addonFile()}); supported: linux-x64-gnu`)
  process.exit(1)
}
require('./build.js')
