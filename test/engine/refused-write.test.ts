// A result the database refuses for what it holds fails only its own run: the group commit splits
// the batch until the refused row is alone, writes that run as failed (without the refused output),
// and writes every other run of the batch as usual. The refusal is the database's own: a trigger
// that raises a data exception for one transient's output.
import t from 'tap'
import { join } from 'node:path'
import { startTestRuntime, waitFor } from '../helpers/runtime.ts'
import { FIXTURES, allRuns, sql } from '../fixtures/engine/harness.ts'

const runtime = await startTestRuntime(t, { manifest: join(FIXTURES, 'chain.yaml') })

t.test('one refused row fails its run; the rest of the batch is written', async t => {
  await sql(runtime, `CREATE FUNCTION {s}.refuse_poison () RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.transient = 'poison' AND NEW.output IS NOT NULL THEN
        RAISE EXCEPTION 'output refused for %', NEW.transient USING ERRCODE = '22023';
      END IF;
      RETURN NEW;
    END $$`)
  await sql(runtime, 'CREATE TRIGGER refuse_poison BEFORE INSERT ON {s}.run FOR EACH ROW EXECUTE FUNCTION {s}.refuse_poison()')
  const names = ['calm1', 'calm2', 'poison', 'calm3', 'calm4']
  // one call: Task A runs them in one batch, and its results go in one transition
  await runtime.createTransients(names.map((name, i) => ({ name, ra_deg: i, dec_deg: 0 })))
  await waitFor(async () => {
    for (const name of names) {
      const detail = await runtime.getTransient(name)
      if (detail.tasks.some(r => r.status === 'processing' || (r.task === 'Task A' && r.status === 'not processed'))) return false
    }
    return true
  }, { timeoutMs: 60000, what: 'every Task A written' })
  const poison = (await runtime.getTransient('poison')).tasks.find(r => r.task === 'Task A')!
  t.equal(poison.status, 'failed', 'the refused run ends in the failed status')
  t.match(poison.last_error, /^the run's result could not be written: output refused for poison/, 'with what the database said')
  t.equal(poison.output, null, 'without the refused output')
  for (const name of names.filter(name => name !== 'poison')) {
    const detail = await runtime.getTransient(name)
    t.equal(detail.processing_status, 'completed', `${name}: its runs were written and its pipeline went on`)
  }
  const runs = await allRuns(runtime, { transient: 'poison' })
  t.match(runs, [{ task: 'Task A', status: 'failed', output: null }], 'one history row for the refused run')
  t.equal(runs.length, 1)
})
