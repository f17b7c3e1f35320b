// Decides how one query is answered: from the network's own records, as an error, or by the upstreams. It works
// on decoded packets only and never touches a socket, so every rule here is plain data in, data out.
import {
  AUTHORITATIVE_ANSWER, RECURSION_AVAILABLE, RECURSION_DESIRED, TRUNCATED_RESPONSE, decode, encode,
  type Answer, type DecodedPacket, type Packet,
} from 'dns-packet';
import type { NetworkRecords } from './records.js';
import { reverseNameToIPv4 } from './records.js';

/** Container addresses change whenever a container restarts: clients must not keep them. */
export const LOCAL_TTL = 0;

/** The classic DNS-over-UDP limit; larger local answers are sent truncated so the client retries over TCP. */
const UDP_ANSWER_LIMIT = 512;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export type Decision =
  | { kind: 'reply'; response: Packet }
  | { kind: 'forward' };

/** The decoded query, or undefined for bytes that are not a DNS query at all (those are dropped unanswered). */
export function parseQuery(message: Buffer): DecodedPacket | undefined {
  try {
    const packet = decode(message);
    // A response sent to us is never answered: answering it could start a loop between two responders.
    return packet.flag_qr ? undefined : packet;
  } catch {
    return undefined;
  }
}

export function decide(query: DecodedPacket, records: NetworkRecords | undefined, searchDomains: readonly string[]): Decision {
  const flags = query.flags ?? 0;
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== 0) return { kind: 'reply', response: errorResponse(query, RCODE.NOTIMP) };
  const questions = query.questions ?? [];
  if (questions.length !== 1) return { kind: 'reply', response: errorResponse(query, RCODE.FORMERR) };
  const [question] = questions;
  if (!records || (question.class !== undefined && question.class !== 'IN')) return { kind: 'forward' };

  const ptrAddress = question.type === 'PTR' ? reverseNameToIPv4(question.name) : undefined;
  if (ptrAddress !== undefined) {
    const target = records.nameOf(ptrAddress);
    if (target === undefined) return { kind: 'forward' };
    return { kind: 'reply', response: localResponse(query, [{ type: 'PTR', name: question.name, ttl: LOCAL_TTL, data: target }]) };
  }

  const addresses = records.lookup(question.name, searchDomains);
  if (!addresses) return { kind: 'forward' };
  // A known name owns every type: AAAA and the rest get an empty NOERROR, so a resolver does not go on to ask
  // the upstreams (or the next search domain) and pick up some unrelated host of the same name.
  const wantsA = question.type === 'A' || (question.type as string) === 'ANY';
  const answers: Answer[] = wantsA
    ? addresses.map((address) => ({ type: 'A', name: question.name, ttl: LOCAL_TTL, data: address }))
    : [];
  return { kind: 'reply', response: localResponse(query, answers) };
}

export function errorResponse(query: DecodedPacket, rcode: number): Packet {
  return {
    type: 'response',
    id: query.id ?? 0,
    flags: ((query.flags ?? 0) & (0xf << 11 | RECURSION_DESIRED)) | RECURSION_AVAILABLE | rcode,
    questions: query.questions ?? [],
  };
}

function localResponse(query: DecodedPacket, answers: Answer[]): Packet {
  return {
    type: 'response',
    id: query.id ?? 0,
    flags: ((query.flags ?? 0) & RECURSION_DESIRED) | AUTHORITATIVE_ANSWER | RECURSION_AVAILABLE | RCODE.NOERROR,
    questions: query.questions,
    answers,
  };
}

/** Encodes a response; over UDP one too large for a datagram goes out empty and truncated (TC). */
export function encodeResponse(response: Packet, overUdp: boolean): Buffer {
  const wire = encode(response);
  if (!overUdp || wire.length <= UDP_ANSWER_LIMIT) return wire;
  return encode({ ...response, flags: (response.flags ?? 0) | TRUNCATED_RESPONSE, answers: [] });
}

/** The response code of an upstream's reply, or undefined when the bytes are not a reply to `id`. */
export function replyRcode(message: Buffer, id: number): number | undefined {
  if (message.length < 12 || message.readUInt16BE(0) !== id || (message[2] & 0x80) === 0) return undefined;
  return message[3] & 0xf;
}
