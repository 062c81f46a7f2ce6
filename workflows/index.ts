// The workflow bundle's entry point: every workflow type the worker registers.
export { crawlArchive } from './crawl-archive';
export { crawlMailbox } from './crawl-mailbox';
export { deleteMailbox } from './delete-mailbox';
