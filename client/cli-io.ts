// Where the CLI writes: real stdout/stderr in production, captured buffers in tests.
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Raw stream for the live progress bar (only used when isTTY). */
  stream: NodeJS.WritableStream;
  isTTY: boolean;
}

export function processIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    stream: process.stdout,
    isTTY: Boolean(process.stdout.isTTY),
  };
}

/** An io that records lines (tests, and commands that compose other commands' output). */
export function bufferIo(): CliIo & { lines: string[]; errors: string[]; text(): string } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
    stream: process.stdout,
    isTTY: false,
    text: () => [...lines, ...errors].join('\n'),
  };
}
