/**
 * The most calls one tRPC request may carry. The server refuses a larger batch (400); the browser
 * client splits its batches at the same size, so only a hand-made request ever meets the limit.
 */
export const TRPC_MAX_BATCH = 20;
