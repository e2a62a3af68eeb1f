import type { LogFn, Logger } from '../../ports/logger.js';

/** One line a {@link RecordingLogger} received, with the bindings of every `child` above it. */
export interface RecordedLogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly bindings: Record<string, unknown>;
  readonly message: string | undefined;
}

/** A pino-compatible logger that keeps every line, so a test can inspect what was logged. */
export interface RecordingLogger extends Logger {
  readonly lines: readonly RecordedLogLine[];
  /** Every line as text (bindings as JSON, then the message), for searching. */
  texts(): string[];
}

function safeJson(value: unknown): string {
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => {
        if (v instanceof Error) return { name: v.name, message: v.message, ...(v as unknown as Record<string, unknown>) };
        return typeof v === 'bigint' ? v.toString() : v;
      }) ?? ''
    );
  } catch {
    return String(value);
  }
}

/** Makes a {@link RecordingLogger}; children share the parent's lines. */
export function createRecordingLogger(): RecordingLogger {
  const lines: RecordedLogLine[] = [];
  const make = (inherited: Record<string, unknown>): RecordingLogger => {
    const at = (level: RecordedLogLine['level']): LogFn =>
      ((first: string | Record<string, unknown>, message?: string) => {
        if (typeof first === 'string') lines.push({ level, bindings: inherited, message: first });
        else lines.push({ level, bindings: { ...inherited, ...first }, message });
      }) as LogFn;
    return {
      lines,
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (bindings) => make({ ...inherited, ...bindings }),
      texts: () => lines.map((line) => `${safeJson(line.bindings)} ${line.message ?? ''}`),
    };
  };
  return make({});
}
