// Where the CLI writes: real stdout/stderr in production, captured buffers in tests.
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Raw stream for the live progress bar (only used when isTTY). */
  stream: NodeJS.WritableStream;
  isTTY: boolean;
}

/**
 * A reader that goes away (`| head`, a closed pipe) ends the output quietly: the stream's EPIPE
 * error is swallowed and later lines are dropped, instead of an uncaught error and a stack trace.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw err;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

export function processIo(): CliIo {
  const stdout = quietOnClosedPipe(process.stdout);
  const stderr = quietOnClosedPipe(process.stderr);
  return {
    out: (line) => stdout(`${line}\n`),
    err: (line) => stderr(`${line}\n`),
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
