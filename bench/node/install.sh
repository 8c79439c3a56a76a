#!/usr/bin/env bash
# Installs the Node benchmark's peers (package.json here). @confluentinc/kafka-javascript's
# install downloads a prebuilt addon from github.com, and failing that builds librdkafka with
# `--install-deps`, which downloads zlib/OpenSSL/zstd/curl sources from their sites; where only
# package registries are reachable (this project's machines) both fail. So it is installed
# without scripts and its addon built here from the librdkafka source in the npm tarball,
# linked dynamically against the system's OpenSSL and zlib (CKJS_LINKING=dynamic), with the
# Node headers of the installed node (--nodedir; node-gyp would otherwise download them).
# One make job: the generated Makefile races librdkafka's configure step under -j.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm install --ignore-scripts --no-audit --no-fund --loglevel=error
NODEDIR="${NODEDIR:-$(dirname "$(dirname "$(command -v node)")")}"
if [[ ! -f "$NODEDIR/include/node/node_api.h" ]]; then
  echo "no Node headers under $NODEDIR/include/node: set NODEDIR to a Node install with headers" >&2
  exit 1
fi
(cd node_modules/@confluentinc/kafka-javascript &&
  CKJS_LINKING=dynamic node "$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js" \
    rebuild --nodedir="$NODEDIR" -j 1)
node -e "require('@confluentinc/kafka-javascript'); require('@platformatic/kafka'); require('kafkajs'); console.log('bench peers installed')"
