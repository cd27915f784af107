/**
 * Chats, contacts and groups: a chat's settings and unread count, a person's names, a group's
 * subject, settings and members. Each entry also says which LID and phone JID are one person.
 */

import { chatKindOf, isLid, isPhoneJid, phoneOf } from "@whatsapp-mcp/core/jid"
import type { ParticipantRole } from "@whatsapp-mcp/core/store"
import type { BaileysEventData } from "../recording/BaileysEvent.js"
import type { ChatWriter } from "../store/ChatWriter.js"
import { UnusableInput } from "./EventState.js"
import type { Identities } from "./Identities.js"
import type { IdentityLearner } from "./IdentityLearner.js"
import { normaliseJid } from "./Jids.js"
import { protoInteger, protoText, unixSeconds, unixSecondsLoose } from "./ProtoValues.js"

/** A participant or contact entry: an object in Baileys 7, a bare JID in older payloads. */
type ParticipantEntry =
  | string
  | {
      readonly id?: string | null
      readonly lid?: string | null
      readonly phoneNumber?: string | null
      readonly admin?: string | null
      readonly isAdmin?: boolean
      readonly isSuperAdmin?: boolean
      readonly name?: string | null
      readonly notify?: string | null
      readonly verifiedName?: string | null
    }

const roleOf = (participant: {
  admin?: string | null
  isAdmin?: boolean
  isSuperAdmin?: boolean
}): ParticipantRole =>
  participant.admin === "superadmin" || participant.isSuperAdmin === true
    ? "superadmin"
    : participant.admin === "admin" || participant.isAdmin === true
      ? "admin"
      : "member"

export class ChatApplier {
  private readonly identities: Identities

  /** @param directChats direct chats whose shown name may have changed in this batch */
  constructor(
    private readonly writer: ChatWriter,
    private readonly learner: IdentityLearner,
    private readonly directChats: Set<string>,
  ) {
    this.identities = learner.identities
  }

  applyChats(chats: BaileysEventData<"chats.upsert">, mode: "absolute" | "update"): void {
    for (const chat of chats) this.applyChat(chat, mode)
  }

  applyContacts(contacts: BaileysEventData<"contacts.update">): void {
    for (const contact of contacts) this.applyContact(contact)
  }

  applyGroups(groups: BaileysEventData<"groups.update">): void {
    for (const group of groups) this.applyGroup(group)
  }

  /** `chats.delete`: the chats, with their messages and reactions. */
  deleteChats(ids: BaileysEventData<"chats.delete">): void {
    for (const id of ids) {
      const jid = this.identities.canonical(id)
      if (jid !== undefined) this.writer.deleteChat(jid)
    }
  }

  applyChat(chat: BaileysEventData<"chats.update">[number], mode: "absolute" | "update"): void {
    this.learner.learn(chat.id, chat.pnJid)
    this.learner.learn(chat.id, chat.lidJid)
    const jid = this.identities.canonical(chat.id)
    if (jid === undefined) throw new UnusableInput("a chat without a valid id")
    if (jid === "status@broadcast") return
    const kind = chatKindOf(jid)
    const writer = this.writer
    writer.ensureChat(jid, kind)
    if (kind === "direct") this.directChats.add(jid)

    const name = protoText(chat.name) ?? protoText(chat.displayName)
    if (name !== undefined) {
      if (kind === "direct")
        writer.upsertContact(jid, { ...this.learner.contactKeys(jid), addressBookName: name })
      else writer.setChatName(jid, name, kind === "group" ? "subject" : "chat")
    }
    if (Object.hasOwn(chat, "description"))
      writer.setChatField(jid, "description", protoText(chat.description) ?? null)
    if (typeof chat.archived === "boolean") writer.setChatField(jid, "archived", chat.archived ? 1 : 0)
    if (typeof chat.readOnly === "boolean") writer.setChatField(jid, "read_only", chat.readOnly ? 1 : 0)
    if (Object.hasOwn(chat, "pinned")) {
      const pinned = unixSecondsLoose(chat.pinned)
      writer.setChatField(jid, "pinned_at", pinned !== undefined && pinned > 0 ? pinned : null)
    }
    if (Object.hasOwn(chat, "muteEndTime")) {
      const until = unixSecondsLoose(chat.muteEndTime)
      writer.setChatField(
        jid,
        "muted_until",
        until === undefined || until === 0 ? null : until < 0 ? -1 : until,
      )
    }
    if (Object.hasOwn(chat, "ephemeralExpiration")) {
      const seconds = protoInteger(chat.ephemeralExpiration)
      writer.setChatField(jid, "ephemeral_seconds", seconds !== undefined && seconds > 0 ? seconds : null)
    }
    const createdAt = unixSeconds(chat.createdAt)
    if (createdAt !== undefined) writer.setChatField(jid, "created_at", createdAt)
    const activity = unixSeconds(chat.conversationTimestamp)
    if (activity !== undefined) writer.touchChat(jid, kind, activity)

    if (chat.markedAsUnread === true) writer.markUnread(jid)
    const unread = protoInteger(chat.unreadCount)
    if (unread === undefined || chat.unreadCount === null) return
    if (mode === "absolute") {
      if (unread >= 0) writer.setUnread(jid, unread, activity ?? null)
      else writer.markUnread(jid)
    } else if (unread > 0) {
      // a new message's increment: counted once per arrival time, so a replay adds nothing
      if (activity !== undefined) writer.addUnread(jid, unread, activity)
    } else if (unread === 0) writer.markRead(jid)
    else writer.markUnread(jid)
  }

  applyContact(contact: BaileysEventData<"contacts.update">[number] | ParticipantEntry): void {
    const entry = typeof contact === "string" ? { id: contact } : contact
    this.learner.learn(entry.id, entry.lid)
    this.learner.learn(entry.id, entry.phoneNumber)
    this.learner.learn(entry.lid, entry.phoneNumber)
    const jid = this.identities.canonical(entry.id)
    if (jid === undefined) throw new UnusableInput("a contact without a valid id")
    if (!isPhoneJid(jid) && !isLid(jid)) return
    const lid = [normaliseJid(entry.id), normaliseJid(entry.lid)].find(
      (candidate) => candidate && isLid(candidate),
    )
    const phoneJid = [jid, normaliseJid(entry.phoneNumber)].find(
      (candidate) => candidate && isPhoneJid(candidate),
    )
    const phone = phoneJid === undefined ? undefined : phoneOf(phoneJid)
    const fields = {
      lid,
      phone,
      addressBookName: protoText(entry.name),
      verifiedName: protoText(entry.verifiedName),
      pushName: protoText(entry.notify),
      username: "username" in entry ? protoText(entry.username) : undefined,
    }
    this.writer.upsertContact(jid, fields)
    // an address-book name set to "" (or null) is a contact removed from the address book
    if (Object.hasOwn(entry, "name") && (entry.name === "" || entry.name === null))
      this.writer.clearAddressBookName(jid)
    this.directChats.add(jid)
  }

  /** A group participant's canonical JID, learning the pair the entry carries. */
  private participantJid(entry: ParticipantEntry): string | undefined {
    if (typeof entry === "string") return this.identities.canonical(entry)
    this.learner.learn(entry.id, entry.phoneNumber)
    this.learner.learn(entry.id, entry.lid)
    if (protoText(entry.name) ?? protoText(entry.notify) ?? protoText(entry.verifiedName))
      this.applyContact(entry)
    return this.identities.canonical(entry.id)
  }

  private applyGroup(group: BaileysEventData<"groups.update">[number]): void {
    this.learner.learn(group.owner, group.ownerPn)
    this.learner.learn(group.subjectOwner, group.subjectOwnerPn)
    this.learner.learn(group.descOwner, group.descOwnerPn)
    this.learner.learn(group.author, group.authorPn)
    const jid = this.identities.canonical(group.id)
    if (jid === undefined) throw new UnusableInput("a group without a valid id")
    const writer = this.writer
    writer.ensureChat(jid, chatKindOf(jid))
    const subject = protoText(group.subject)
    if (subject !== undefined) writer.setChatName(jid, subject, "subject")
    if (Object.hasOwn(group, "desc")) writer.setChatField(jid, "description", protoText(group.desc) ?? null)
    const created = unixSeconds(group.creation)
    if (created !== undefined) writer.setChatField(jid, "created_at", created)
    if (Object.hasOwn(group, "ephemeralDuration")) {
      const seconds = protoInteger(group.ephemeralDuration)
      writer.setChatField(jid, "ephemeral_seconds", seconds !== undefined && seconds > 0 ? seconds : null)
    }
    if (Array.isArray(group.participants)) {
      writer.clearParticipants(jid)
      for (const participant of group.participants as ReadonlyArray<ParticipantEntry>) {
        const member = this.participantJid(participant)
        if (member !== undefined) {
          writer.putParticipant(jid, member, typeof participant === "string" ? "member" : roleOf(participant))
        }
      }
    }
  }

  applyParticipantsUpdate(data: BaileysEventData<"group-participants.update">): void {
    this.learner.learn(data.author, data.authorPn)
    const group = this.identities.canonical(data.id)
    if (group === undefined) throw new UnusableInput("a participants update without a valid group id")
    this.writer.ensureChat(group, chatKindOf(group))
    for (const participant of data.participants as ReadonlyArray<ParticipantEntry>) {
      const member = this.participantJid(participant)
      if (member === undefined) continue
      switch (data.action) {
        case "add":
          this.writer.putParticipant(
            group,
            member,
            typeof participant === "string" ? "member" : roleOf(participant),
          )
          break
        case "remove":
          this.writer.removeParticipant(group, member)
          break
        case "promote":
          this.writer.putParticipant(group, member, "admin")
          break
        case "demote":
          this.writer.putParticipant(group, member, "member")
          break
        case "modify":
          break
      }
    }
  }
}
