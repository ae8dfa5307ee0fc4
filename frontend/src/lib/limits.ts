/** A user message may hold at most this many characters (history-service rejects more). */
export const MAX_MESSAGE_LENGTH = 10_000;

/** When the counter under the composer starts showing. */
export const MESSAGE_LENGTH_WARNING = 9_000;
