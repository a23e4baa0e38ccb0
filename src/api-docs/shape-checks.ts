// Compile-time checks that the server's output types and the documents' schemas are one shape:
// a field added to a response type without its schema (or the other way round) fails the build.
import type { z } from 'zod';
import type { AuthService, UserView } from '../auth';
import type { ChatService, ChatView, ParticipantView, RepairStats } from '../chat';
import type { ErrorCode } from '../errors';
import type { MonitoringView, SharedSettings } from '../monitoring';
import type { responses as rest } from '../http';
import type { errorCodeSchema, JoinPayload, LeavePayload, ReactPayload, SendPayload, socketInputs } from '../realtime';
import type { ConversationView, OpenedConversation, PartnerView, ReadMarkerView } from '../users';

type Input<K extends keyof typeof socketInputs> = z.input<(typeof socketInputs)[K]>;

/** true when A and B have the same keys and each is assignable to the other. */
type Same<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? [keyof A] extends [keyof B]
      ? [keyof B] extends [keyof A]
        ? true
        : false
      : false
    : false
  : false;
type Expect<T extends true> = T;
type Out<S extends z.ZodType> = z.output<S>;

export type ShapeChecks = [
  Expect<Same<ErrorCode, z.output<typeof errorCodeSchema>>>,
  Expect<Same<UserView, Out<typeof rest.userView>>>,
  Expect<Same<Awaited<ReturnType<AuthService['register']>>, Out<typeof rest.authResult>>>,
  Expect<Same<ChatView, Out<typeof rest.chatView>>>,
  Expect<Same<ParticipantView, Out<typeof rest.participantView>>>,
  Expect<Same<Awaited<ReturnType<ChatService['join']>>, Out<typeof rest.joinResult>>>,
  Expect<Same<PartnerView, Out<typeof rest.partnerView>>>,
  Expect<Same<OpenedConversation, Out<typeof rest.openedConversation>>>,
  Expect<Same<ConversationView, Out<typeof rest.conversationView>>>,
  Expect<Same<ReadMarkerView, Out<typeof rest.readMarker>>>,
  Expect<Same<RepairStats, Out<typeof rest.repairStats>>>,
  Expect<Same<SharedSettings, Out<typeof rest.sharedSettings>>>,
  // the dashboard's data: its top level (its parts are described loosely)
  Expect<Same<keyof MonitoringView, keyof Out<typeof rest.monitoringView>>>,
  // what socket clients send, as events.ts declares it and the gateway parses it
  Expect<Same<JoinPayload, Input<'joinPayload'>>>,
  Expect<Same<SendPayload, Input<'sendPayload'>>>,
  Expect<Same<ReactPayload, Input<'reactPayload'>>>,
  Expect<Same<LeavePayload, Input<'leavePayload'>>>,
];
