// A message on the wire. No imports: the client types of src/realtime/events.ts build on it, and an
// SDK imports those without the server's modules.

/** A message as clients see it (docs/contract.md "Messages"). */
export interface MessageView {
  id: string;
  chat_code: string;
  channel: 'main' | 'backroom';
  seq: number;
  version: number;
  username: string;
  username_is_reserved: boolean;
  user_id: string | null;
  content: string;
  message_type: 'normal' | 'host' | 'system';
  reply_to: string | null;
  is_pinned: boolean;
  pinned_until: string | null;
  pin_amount_cents: number | null;
  reactions: Record<string, number>;
  created_at: string;
  edited_at: string | null;
  deleted: boolean;
}

/** The newest main-channel message of a chat, shortened. */
export interface LastMessagePreview {
  id: string;
  seq: number;
  username: string;
  /** the start of the content; null when the message was deleted */
  preview: string | null;
  deleted: boolean;
  created_at: string;
}

/** The payload of `participant:renamed`, as clients receive it. */
export interface ParticipantRenamed {
  chat_code: string;
  participant_id: string;
  old_username: string;
  username: string;
}
