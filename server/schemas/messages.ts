// The message browser's query and answer, shared by the route (which validates with it) and the queue page.
import { z } from "zod";

const MESSAGE_PAGE_MAX = 200;
const MESSAGE_SCAN_MAX = 100_000;

export const messageQuerySchema = z.object({
  /** Opaque: where the previous page ended (see server/celery/browse.ts). Absent: the next message to run. */
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(MESSAGE_PAGE_MAX).default(50),
  /** Task name contains this (any case). */
  task: z.string().trim().min(1).max(255).optional(),
  /** Exactly this task id. */
  id: z.string().trim().min(1).max(255).optional(),
  /** Text in the argument representation; only honoured when task arguments may be shown. */
  text: z.string().min(1).max(255).optional(),
  /** How many messages a filtered page may look at before it answers with what it found. */
  scan: z.coerce.number().int().min(1).max(MESSAGE_SCAN_MAX).default(10_000),
});
export type MessageQuery = z.infer<typeof messageQuerySchema>;

/** A message as the browser lists it. Argument fields are present only when arguments may be shown. */
export interface BrowsedMessage {
  /** 0 is the next message a worker will take. */
  position: number;
  /** The priority step (sub-list) it sits in, and its offset from that list's consumer end. */
  step: number;
  offset: number;
  deliveryTag: string | null;
  task: string | null;
  id: string | null;
  priority: number | null;
  retries: number | null;
  eta: string | null;
  expires: string | null;
  redelivered: boolean | null;
  rootId: string | null;
  parentId: string | null;
  sizeBytes: number;
  /** When the console first saw this message at the queue's head (only for messages that were once next). */
  firstSeen: string | null;
  argsPreview?: string | null;
  /** Set when the message does not parse: it is listed anyway, with the reason. */
  parseError: string | null;
  /** headers, properties, delivery info and (when allowed) the decoded body; raw text when it does not parse. */
  envelope: {
    headers: Record<string, unknown> | null;
    properties: Record<string, unknown> | null;
    contentType: string | null;
    contentEncoding: string | null;
    body: unknown;
    /** Only for a message that does not parse, and only when arguments may be shown (it may hold them). */
    raw?: { encoding: "utf8" | "base64"; text: string };
  };
}

export interface MessagePageResponse {
  broker: string;
  queue: string;
  depth: number;
  /** LLEN per priority step, in the order workers take them. */
  byStep: { step: number; length: number }[];
  messages: BrowsedMessage[];
  /** Pass back as ?cursor= for the next page; null at the end of the queue. */
  nextCursor: string | null;
  /** How many messages this page looked at (more than it shows when filtered) and whether it reached the end. */
  searched: number;
  reachedEnd: boolean;
  /** Set when the queue moved under the cursor since the previous page (workers took messages, someone moved some). */
  cursorNote: string | null;
  args: { shown: boolean; reason: string | null };
  /** The text filter was given but arguments are hidden, so it was not applied. */
  textFilterIgnored: boolean;
}
