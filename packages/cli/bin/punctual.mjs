#!/usr/bin/env node
// The `punctual` command. It runs the CLI's bundle (plain JavaScript: starts in a fraction of what a
// TypeScript loader takes), built by scripts/bundle.mjs on first use and again whenever a source changed.
import { pathToFileURL } from 'node:url'
import { ensureBundle } from '../../../scripts/bundle.mjs'

const out = await ensureBundle('packages/cli/src/bin.ts', 'packages/cli/dist/punctual.js')
await import(pathToFileURL(out).href)
