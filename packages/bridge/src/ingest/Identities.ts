/**
 * One canonical JID per person: the phone JID once a LID↔phone mapping is known, else the LID.
 * Holds the known mappings in memory (loaded from `jid_aliases`) so resolving a JID costs no query.
 */

import { isLid, isPhoneJid } from "@whatsapp-mcp/core/jid"
import { AccountKeys } from "@whatsapp-mcp/core/store"
import type Database from "better-sqlite3"
import { normaliseJid } from "./Jids.js"

/** A user JID whose user part is all digits, as every phone JID and LID WhatsApp issues is. */
const isWellFormed = (jid: string): boolean => /^\d+@/.test(jid)

export class Identities {
  private phoneByLid = new Map<string, string>()
  private lidByPhone = new Map<string, string>()
  private self: { jid: string | undefined; lid: string | undefined } = { jid: undefined, lid: undefined }

  constructor(private readonly db: Database.Database) {
    this.reload()
  }

  /** Re-reads mappings and the account from the store (after a rolled-back batch). */
  reload(): void {
    const rows = this.db.prepare("SELECT lid, pn FROM jid_aliases").all() as ReadonlyArray<{
      lid: string
      pn: string
    }>
    this.phoneByLid = new Map(rows.map((row) => [row.lid, row.pn]))
    this.lidByPhone = new Map(rows.map((row) => [row.pn, row.lid]))
    const account = this.db.prepare("SELECT key, value FROM account").all() as ReadonlyArray<{
      key: string
      value: string
    }>
    const value = (key: string) => account.find((row) => row.key === key)?.value
    this.self = { jid: value(AccountKeys.selfJid), lid: value(AccountKeys.selfLid) }
  }

  /** The canonical form of a JID (normalised; a LID with a known phone JID becomes the phone JID). */
  canonical(jid: string | null | undefined): string | undefined {
    const normalised = normaliseJid(jid)
    if (normalised === undefined) return undefined
    return isLid(normalised) ? (this.phoneByLid.get(normalised) ?? normalised) : normalised
  }

  /**
   * Orders a pair of JIDs for the same person as {lid, pn}, or undefined when they are not one LID
   * and one phone JID (both normalised).
   */
  static pair(
    a: string | null | undefined,
    b: string | null | undefined,
  ): { lid: string; pn: string } | undefined {
    const first = normaliseJid(a)
    const second = normaliseJid(b)
    if (first === undefined || second === undefined) return undefined
    // Only well-formed identities are linked: a masked or damaged number (`62****11**`) would
    // otherwise become the person's phone and be shown and dialled.
    if (!isWellFormed(first) || !isWellFormed(second)) return undefined
    if (isLid(first) && isPhoneJid(second)) return { lid: first, pn: second }
    if (isLid(second) && isPhoneJid(first)) return { lid: second, pn: first }
    return undefined
  }

  /** True when this mapping is new (the caller then re-keys the store); records it either way. */
  learn(lid: string, pn: string): boolean {
    if (this.phoneByLid.get(lid) === pn) return false
    this.phoneByLid.set(lid, pn)
    this.lidByPhone.set(pn, lid)
    return true
  }

  /** The LID known for a phone JID. */
  lidOf(pn: string): string | undefined {
    return this.lidByPhone.get(pn)
  }

  /** The account's own canonical JID, when known. */
  selfJid(): string | undefined {
    return this.self.jid ?? (this.self.lid === undefined ? undefined : this.canonical(this.self.lid))
  }

  setSelf(jid: string | undefined, lid: string | undefined): void {
    this.self = { jid: jid ?? this.self.jid, lid: lid ?? this.self.lid }
  }

  /** True for a JID (normalised or not) that is the account itself. */
  isSelf(jid: string): boolean {
    const canonical = this.canonical(jid)
    return (
      canonical !== undefined && (canonical === this.self.jid || canonical === this.canonical(this.self.lid))
    )
  }
}
