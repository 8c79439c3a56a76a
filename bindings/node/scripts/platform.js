// The napi-rs platform suffix of this machine (linux-x64-gnu, darwin-arm64, win32-x64-msvc, ...)
// and the file name cargo gives the addon here. Shared by build.js and install.js.
'use strict'

function isMusl() {
  if (process.platform !== 'linux') return false
  const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null
  return !(report && report.header && report.header.glibcVersionRuntime)
}

function suffix() {
  const { platform, arch } = process
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

function cargoLibName() {
  if (process.platform === 'win32') return 'ferrokafka_node.dll'
  if (process.platform === 'darwin') return 'libferrokafka_node.dylib'
  return 'libferrokafka_node.so'
}

module.exports = { suffix, cargoLibName, addonFile: () => `ferrokafka.${suffix()}.node` }
