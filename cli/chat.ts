// `llm-orchestrator chat`: an interactive conversation in the terminal. Each line is one turn of a
// durable conversation workflow; leaving (/quit, Ctrl-D) keeps it running, so
// `chat --conversation-id <id>` picks it up again later, on any machine.
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Command } from 'commander';
import { OrchestratorClient } from '../client/client.js';
import {
  ConversationClient,
  type ConversationHandle,
  type StartConversationOptions,
} from '../client/conversation.js';
import { failureLine } from './run.js';

interface ChatOptions {
  conversationId?: string;
  task?: string;
  model?: string;
  summaryModel?: string;
  instructions?: string;
  caller?: string;
}

export interface ChatCommandOptions {
  /** Lines typed by the user; stdin by default (tests pass a stream). */
  input?: Readable;
  /** Where output goes; stdout by default. */
  stdout?: (text: string) => void;
  /** The client to use; OrchestratorClient.connect() (TEMPORAL_ADDRESS, LLM_TASK_QUEUE) by default. */
  connect?: () => Promise<OrchestratorClient>;
}

const HELP =
  'type a message; /transcript shows what the conversation keeps, /end ends it, /quit leaves it running';

async function printTranscript(handle: ConversationHandle, println: (text: string) => void): Promise<void> {
  const t = await handle.transcript();
  println(
    `conversation ${t.conversationId}: ${t.totalTurns} turns (run ${t.run}), ${t.summarizedTurns} summarised, $${t.costUsd.toFixed(6)}`,
  );
  if (t.summary) println(`summary: ${t.summary}`);
  for (const turn of t.turns)
    println(`#${turn.n} you: ${turn.user}\n#${turn.n} ${turn.model}: ${turn.assistant}`);
}

export function chatCommand(options: ChatCommandOptions = {}): Command {
  const println = (text: string): void => (options.stdout ?? ((s) => process.stdout.write(s)))(`${text}\n`);
  return new Command('chat')
    .description('talk to a model in a durable conversation; every line is one turn')
    .option('--conversation-id <id>', 'start, or rejoin, this conversation (default: a new id)')
    .option('--task <type>', 'task type the turns are routed by (default conversation)')
    .option('--model <id>', 'preferred model from the catalog')
    .option('--summary-model <id>', 'model that summarises older turns (default: the summarization route)')
    .option('--instructions <text>', 'extra system instructions for every turn')
    .option('--caller <name>', 'who is asking (for usage and search)')
    .action(async (flags: ChatOptions) => {
      const client = await (options.connect ?? (() => OrchestratorClient.connect()))();
      const start: StartConversationOptions = {
        conversationId: flags.conversationId ?? `chat-${randomUUID()}`,
        ...(flags.task ? { taskType: flags.task } : {}),
        ...(flags.model ? { model: flags.model } : {}),
        ...(flags.instructions ? { instructions: flags.instructions } : {}),
        ...(flags.caller ? { caller: flags.caller } : {}),
        ...(flags.summaryModel ? { summary: { model: flags.summaryModel } } : {}),
      };
      const handle = await new ConversationClient(client).start(start);
      println(`conversation ${handle.conversationId} — ${HELP}`);
      const lines = createInterface({ input: options.input ?? process.stdin, terminal: false });
      try {
        for await (const raw of lines) {
          const line = raw.trim();
          if (!line) continue;
          try {
            if (line === '/quit') break;
            if (line === '/help') println(HELP);
            else if (line === '/transcript') await printTranscript(handle, println);
            else if (line === '/end') {
              const final = await handle.end();
              println(`ended after ${final.totalTurns} turns, $${final.costUsd.toFixed(6)}`);
              break;
            } else {
              const reply = await handle.sendMessage(line);
              println(`${reply.model}: ${reply.reply}`);
            }
          } catch (error) {
            println(`error: ${failureLine(error)}`);
          }
        }
      } finally {
        lines.close();
        if (!options.connect) await client.temporal.connection.close();
      }
    });
}
