// Plain aligned columns for `status` and `schedule describe` (no colours: output is often piped).
export function formatTable(headers: string[], rows: (string | number | undefined)[][]): string[] {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === undefined ? '' : String(cell))))];
  const widths = headers.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? '').length)));
  const render = (row: string[]) =>
    row
      .map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col])))
      .join('  ')
      .trimEnd();
  return [render(cells[0]), render(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(render)];
}
