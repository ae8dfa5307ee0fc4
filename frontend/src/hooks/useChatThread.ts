"use client";

import { useCallback, useEffect, useLayoutEffect, useReducer, useRef } from "react";

import { ChatKitClient, ChatKitRequestError } from "@/lib/chatkit/client";
import { chatReducer, initialChatState, lastUserMessageId, type ChatState } from "@/lib/chatkit/reducer";
import { requests, type StreamingRequest } from "@/lib/chatkit/requests";
import { itemsPageSchema, type ThreadItem, type WidgetAction } from "@/lib/chatkit/schemas";

const client = new ChatKitClient("/chatkit");
const HISTORY_LIMIT = 100;

type Callbacks = {
  /** A new conversation got its id from the server. */
  onThreadCreated: (threadId: string) => void;
  /** A reply finished (or failed): conversations and tasks may have changed. */
  onTurnFinished: () => void;
};

export type ChatThread = ChatState & {
  send: (text: string) => void;
  retry: () => void;
  /** Sends a widget's action (a confirm/cancel card's button) and streams its answer like a reply. */
  act: (itemId: string, action: WidgetAction) => void;
  dismissError: () => void;
};

/** One conversation over the ChatKit protocol: its history, the streaming reply, retry. */
export function useChatThread(threadId: string | null, callbacks: Callbacks): ChatThread {
  const [state, dispatch] = useReducer(chatReducer, initialChatState);
  // The latest state and callbacks, for the stream and the actions that outlive a render.
  const stateRef = useRef(state);
  const callbacksRef = useRef(callbacks);
  useLayoutEffect(() => {
    stateRef.current = state;
    callbacksRef.current = callbacks;
  });
  const streamAbort = useRef<AbortController | null>(null);
  const lastSentText = useRef<string | null>(null);

  useEffect(() => {
    if (threadId === stateRef.current.threadId) return;
    streamAbort.current?.abort();
    dispatch({ type: "thread.opened", threadId });
    if (threadId === null) return;
    const abort = new AbortController();
    loadHistory(threadId, abort.signal)
      .then((items) => dispatch({ type: "history.loaded", threadId, items }))
      .catch((error: unknown) => {
        if (!abort.signal.aborted) dispatch({ type: "history.failed", message: messageOf(error) });
      });
    return () => abort.abort();
  }, [threadId]);

  useEffect(() => () => streamAbort.current?.abort(), []);

  const runStream = useCallback(async (request: StreamingRequest) => {
    const abort = new AbortController();
    streamAbort.current = abort;
    try {
      for await (const event of client.stream(request, abort.signal)) {
        dispatch({ type: "stream.event", event });
        if (event.type === "thread.created") callbacksRef.current.onThreadCreated(event.thread.id);
      }
      dispatch({ type: "stream.ended" });
    } catch (error) {
      if (abort.signal.aborted) return;
      const retryable = error instanceof ChatKitRequestError ? error.retryable : true;
      dispatch({ type: "stream.failed", message: messageOf(error), allowRetry: retryable });
    } finally {
      if (streamAbort.current === abort) streamAbort.current = null;
      if (!abort.signal.aborted) callbacksRef.current.onTurnFinished();
    }
  }, []);

  const send = useCallback(
    (text: string) => {
      const current = stateRef.current;
      if (current.status === "streaming") return;
      lastSentText.current = text;
      dispatch({ type: "send.started", text });
      void runStream(current.threadId ? requests.addUserMessage(current.threadId, text) : requests.createThread(text));
    },
    [runStream],
  );

  const retry = useCallback(() => {
    const current = stateRef.current;
    const userItemId = lastUserMessageId(current.items);
    if (current.threadId && userItemId) {
      dispatch({ type: "retry.started", afterItemId: userItemId });
      void runStream(requests.retryAfterItem(current.threadId, userItemId));
    } else if (lastSentText.current) {
      send(lastSentText.current);
    }
  }, [runStream, send]);

  const act = useCallback(
    (itemId: string, action: WidgetAction) => {
      const current = stateRef.current;
      if (current.status === "streaming" || !current.threadId) return;
      dispatch({ type: "action.started" });
      void runStream(requests.customAction(current.threadId, itemId, action));
    },
    [runStream],
  );

  const dismissError = useCallback(() => dispatch({ type: "error.dismissed" }), []);

  return { ...state, send, retry, act, dismissError };
}

async function loadHistory(threadId: string, signal: AbortSignal): Promise<ThreadItem[]> {
  const request = requests.listItems(threadId, { order: "desc", limit: HISTORY_LIMIT });
  const page = await client.call(request, itemsPageSchema, signal);
  return [...page.data].reverse();
}

function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong.";
}
