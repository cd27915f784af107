/**
 * Identities and re-keying: learns every LID↔phone pair the events carry (message keys, chats,
 * contacts, groups, the account itself) and, when a pair is new, has the store re-key what it
 * holds under the LID to the phone JID.
 */

import { isLid, isPhoneJid, phoneOf } from "@whatsapp-mcp/core/jid"
import { AccountKeys } from "@whatsapp-mcp/core/store"
import type { WAMessageKey } from "@whiskeysockets/baileys"
import type { BaileysEventData } from "../recording/BaileysEvent.js"
import type { IdentityWriter } from "../store/IdentityWriter.js"
import { Identities } from "./Identities.js"
import { normaliseJid } from "./Jids.js"
import { protoText } from "./ProtoValues.js"

/** Key fields of Baileys 6.7 that 7 replaced with `…Alt`; recordings from those versions still carry them. */
interface LegacyPnKey {
  readonly senderPn?: unknown
  readonly participantPn?: unknown
}

export class IdentityLearner {
  /**
   * @param directChats direct chats whose shown name may have changed in this batch; re-keying
   *   gives a person's chat a new key and so a name to recompute
   */
  constructor(
    private readonly writer: IdentityWriter,
    readonly identities: Identities,
    private readonly directChats: Set<string>,
  ) {}

  /** Records a LID↔phone pair if the two JIDs are one; re-keys the store when it is new. */
  learn(a: string | null | undefined, b: string | null | undefined): void {
    const pair = Identities.pair(a, b)
    if (pair === undefined) return
    if (this.identities.learn(pair.lid, pair.pn)) {
      this.writer.unifyIdentity(pair.lid, pair.pn)
      this.directChats.add(pair.pn)
    }
  }

  /**
   * Every LID↔phone pair a key carries: Baileys 7 sets `remoteJidAlt`/`participantAlt`, the 6.7
   * line set `senderPn` (direct chats) and `participantPn` (groups) beside the LID instead.
   */
  learnFromKey(key: WAMessageKey & LegacyPnKey): void {
    this.learn(key.remoteJid, key.remoteJidAlt)
    this.learn(key.participant, key.participantAlt)
    if (typeof key.senderPn === "string") this.learn(key.remoteJid, key.senderPn)
    if (typeof key.participantPn === "string") this.learn(key.participant, key.participantPn)
  }

  /** The lid/phone columns of a contact stored under `jid`. */
  contactKeys(jid: string): { lid?: string; phone?: string } {
    if (isLid(jid)) return { lid: jid }
    const phone = phoneOf(jid)
    const lid = this.identities.lidOf(jid)
    return { ...(phone === undefined ? {} : { phone }), ...(lid === undefined ? {} : { lid }) }
  }

  /** The linked account's own identity, and the sender of the messages it wrote before it was known. */
  applyCreds(data: BaileysEventData<"creds.update">): void {
    const me = data.me
    if (!me) return
    const jid = normaliseJid(me.id)
    const lid = normaliseJid(me.lid)
    this.learn(jid, lid)
    const selfJid = jid !== undefined && isPhoneJid(jid) ? jid : undefined
    const selfLid = lid !== undefined && isLid(lid) ? lid : undefined
    this.identities.setSelf(selfJid, selfLid)
    if (selfJid !== undefined) this.writer.putAccount(AccountKeys.selfJid, selfJid)
    if (selfLid !== undefined) this.writer.putAccount(AccountKeys.selfLid, selfLid)
    const name = protoText(me.name)
    if (name !== undefined) this.writer.putAccount(AccountKeys.selfName, name)
    const self = this.identities.selfJid()
    if (self !== undefined) this.writer.claimOwnMessages(self)
  }
}
