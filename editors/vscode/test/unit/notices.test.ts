// Error messages about the server, one of a kind open at a time (src/notices.ts).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { OpenNotices } from '../../src/notices';

test('a path typed into the settings stacks no second "not found" while the first is open', async () => {
  const notices = new OpenNotices();
  const shown: string[] = [];
  const answer: ((choice: string | undefined) => void)[] = [];
  const message = (text: string) => () => {
    shown.push(text);
    return new Promise<string | undefined>((resolve) => answer.push(resolve));
  };
  const first = notices.show('not found', message('/home/me/.v was not found'));
  assert.equal(await notices.show('not found', message('/home/me/.venv/bi was not found')), undefined);
  // Another kind of problem is said all the same.
  void notices.show('did not start', message('did not start'));
  assert.deepEqual(shown, ['/home/me/.v was not found', 'did not start']);
  // The open one's answer reaches its caller; once it is closed, the next one is shown.
  answer[0]('Retry');
  assert.equal(await first, 'Retry');
  void notices.show('not found', message('/home/me/.venv/bin/pythn was not found'));
  assert.equal(shown.length, 3);
});
