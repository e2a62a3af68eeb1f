import { describe, expect, it } from 'vitest';
import { createRecordingLogger } from '../../src/testing/index.js';

describe('createRecordingLogger', () => {
  it('keeps every line with its level, the bindings of its children, and the message', () => {
    const logger = createRecordingLogger();
    logger.info('plain');
    const child = logger.child({ panelKind: 'fake' }).child({ operation: 'getClient' });
    child.warn({ attempt: 2 }, 'retrying');
    child.error({ error: new Error('boom') });
    expect(logger.lines).toEqual([
      { level: 'info', bindings: {}, message: 'plain' },
      { level: 'warn', bindings: { panelKind: 'fake', operation: 'getClient', attempt: 2 }, message: 'retrying' },
      { level: 'error', bindings: { panelKind: 'fake', operation: 'getClient', error: expect.any(Error) }, message: undefined },
    ]);
  });

  it('renders lines as searchable text, errors included', () => {
    const logger = createRecordingLogger();
    logger.child({ token: 'tok-123' }).debug({ error: new Error('the password was pw-456') }, 'failed');
    const [text] = logger.texts();
    expect(text).toContain('tok-123');
    expect(text).toContain('pw-456');
    expect(text).toContain('failed');
  });
});
