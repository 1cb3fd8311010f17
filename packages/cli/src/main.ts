import { Command, CommanderError } from 'commander'
import { adminCommands } from './commands/admin.ts'
import { executionsCommand } from './commands/executions.ts'
import { miscCommands } from './commands/misc.ts'
import { optimizerCommand } from './commands/optimizer.ts'
import { schedulesCommand } from './commands/schedules.ts'
import { triggersCommand } from './commands/triggers.ts'
import { workflowsCommand } from './commands/workflows.ts'
import { createContext } from './context.ts'
import { CliError, EXIT, type Output } from './output.ts'

/**
 * `punctual <command>`: the API from a terminal, on the typed client. Tables by default, `--json` for scripts;
 * exit codes in output.ts (EXIT). Returns the exit code.
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const json = argv.includes('--json')
  const out: Output = { json, write: (line) => process.stdout.write(`${line}\n`) }
  const ctx = createContext(out, env)
  const program = new Command('punctual')
    .description('Punctual: workflows on cron schedules, events and webhooks')
    .option('--json', 'print JSON (for scripts) instead of tables')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
  workflowsCommand(program, ctx)
  schedulesCommand(program, ctx)
  executionsCommand(program, ctx)
  triggersCommand(program, ctx)
  optimizerCommand(program, ctx)
  adminCommands(program, ctx)
  miscCommands(program, ctx)
  for (const command of allCommands(program)) command.exitOverride().allowExcessArguments(false)
  try {
    await program.parseAsync(argv as string[])
    return EXIT.OK
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`${err.message}\n`)
      return err.exitCode
    }
    if (err instanceof CommanderError) {
      // Help and version are not errors; anything else commander refused is a usage error (already printed).
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`)
    return EXIT.REFUSED
  }
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)]
}
