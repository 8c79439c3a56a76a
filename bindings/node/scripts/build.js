// Builds the package from the repository: the native addon with cargo (release, the workspace's
// target/ so the core is compiled once for every binding) copied to napi's per-platform file
// name, then the TypeScript layer with tsc. `napi build --platform --release` (npm run
// build:napi) does the same native step and also regenerates index.d.ts.
'use strict'

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { addonFile, cargoLibName } = require('./platform')

const here = path.resolve(__dirname, '..')
const root = path.resolve(here, '..', '..')
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: 'inherit' })

const profile = process.argv.includes('--debug') ? 'debug' : 'release'
// The whole workspace, not `-p ferrokafka-node`: cargo unifies features over the packages it
// builds, so only a workspace build reuses the core compiled by `cargo build --workspace`.
const cargoArgs = ['build', '--workspace']
if (profile === 'release') cargoArgs.push('--release')
if (process.env.CI) cargoArgs.push('--locked')
run('cargo', cargoArgs, root)
const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, 'target')
fs.copyFileSync(path.join(targetDir, profile, cargoLibName()), path.join(here, addonFile()))
run(process.execPath, [path.join(here, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], here)
console.log(`built ${addonFile()} (${profile}) and dist/`)
