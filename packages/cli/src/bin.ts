// The `punctual` command's entry (bundled by bin/punctual.mjs through scripts/bundle.mjs).
import { main } from './main.ts'

process.exitCode = await main(process.argv)
