/**
 * Child process of the real-fault tests, run with the fault library preloaded:
 * `fault-child.ts <scenarios.json>`. For each scenario it sets the library's plan, opens a journal
 * in the scenario's directory, appends payload 0, 1, 2, ... with `concurrency` appends outstanding
 * until the journal fails or `records` were issued, and reports on stdout, in order:
 *
 *   begin <index>
 *   ack <id> <offset>               each acknowledged append, with its offset
 *   open-error <code/cause/errno>   Journal.open failed (nothing else follows but `end`)
 *   error <code/cause/errno>        the first rejected append
 *   durable <offset>                the journal's durable offset when that append was rejected
 *   probe <code/cause/errno>        one more append after the failure, which must be rejected
 *   close <ok | code/cause/errno>   unless the scenario abandons the journal
 *   end <index> <issued>
 *
 * The library's `fault ...` lines interleave at the moment each failure is injected. An abandoned
 * journal keeps its descriptors and lock until this process exits, as a killed process would.
 */
import fs from 'node:fs';
import { DurabilityLevel, Journal } from '../../src/index.js';
import type { FaultScenario } from './fault-workload.js';
import {
  FAULT_PLAN_ENV,
  describeError,
  enableDeliberateBugFromEnv,
  payloadFor,
  planOf,
  say,
} from './fault-workload.js';

const [scenariosPath] = process.argv.slice(2);
if (scenariosPath === undefined) throw new Error('usage: fault-child.ts <scenarios.json>');
const scenarios = JSON.parse(fs.readFileSync(scenariosPath, 'utf8')) as FaultScenario[];
enableDeliberateBugFromEnv();
const abandoned: Journal[] = [];

function levelOf(scenario: FaultScenario): DurabilityLevel {
  if (scenario.level === 'immediate') return DurabilityLevel.immediate();
  return DurabilityLevel.batched({
    maxWrites: scenario.batchMaxWrites,
    maxDelayMs: scenario.batchMaxDelayMs,
  });
}

/** Appends until the journal fails or the scenario's records are issued; returns ids issued. */
async function appendAll(journal: Journal, scenario: FaultScenario): Promise<number> {
  let next = 0;
  let failure: unknown;
  const appender = async (): Promise<void> => {
    while (failure === undefined && next < scenario.records) {
      const id = next++;
      try {
        const { offset } = await journal.append(payloadFor(scenario.sizeSeed, id));
        say(`ack ${id} ${offset}`);
      } catch (error) {
        if (failure === undefined) {
          say(`error ${describeError(error)}`);
          say(`durable ${journal.durableOffset}`);
        }
        failure ??= error;
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: scenario.concurrency }, appender));
  if (failure !== undefined) {
    const id = next++;
    try {
      await journal.append(payloadFor(scenario.sizeSeed, id));
      say(`ack ${id}`);
    } catch (error) {
      say(`probe ${describeError(error)}`);
    }
  }
  return next;
}

async function run(scenario: FaultScenario, index: number): Promise<void> {
  say(`begin ${index}`);
  process.env[FAULT_PLAN_ENV] = planOf(scenario);
  let issued = 0;
  try {
    let journal: Journal;
    try {
      journal = await Journal.open(scenario.directory, {
        durability: levelOf(scenario),
        maxSegmentBytes: scenario.maxSegmentBytes,
      });
    } catch (error) {
      say(`open-error ${describeError(error)}`);
      return;
    }
    issued = await appendAll(journal, scenario);
    if (scenario.abandon) {
      abandoned.push(journal);
    } else {
      try {
        await journal.close();
        say('close ok');
      } catch (error) {
        say(`close ${describeError(error)}`);
      }
    }
  } finally {
    delete process.env[FAULT_PLAN_ENV];
    say(`end ${index} ${issued}`);
  }
}

for (const [index, scenario] of scenarios.entries()) await run(scenario, index);
say(`abandoned ${abandoned.length}`);
