/**
 * Turns what a user calls a recipient into the JID to send to: a phone number in any usual
 * formatting, a phone JID, a LID or a group JID. People must be on WhatsApp (asked, not assumed),
 * and a LID is sent to through its phone JID when the store knows it.
 */

import { BridgeError } from "@whatsapp-mcp/core/api"
import { isJidGroup, isLidUser, isPnUser, jidDecode, jidNormalizedUser } from "@whiskeysockets/baileys"
import { Effect, Option } from "effect"
import type { BridgeSocket } from "../socket/BridgeSocket.js"
import type { StoreAccessShape } from "./StoreAccess.js"

export type ParsedRecipient =
  | { readonly _tag: "Phone"; readonly digits: string }
  | { readonly _tag: "PhoneJid"; readonly jid: string }
  | { readonly _tag: "Lid"; readonly jid: string }
  | { readonly _tag: "Group"; readonly jid: string }

const invalid = (message: string) =>
  new BridgeError({ code: "invalid_recipient", message, field: "recipient" })

const PhoneFormatting = /[\s\-.()/]/g

/** Parses without asking anyone; fails with `invalid_recipient` saying which form is expected. */
export const parseRecipient = (raw: string): Effect.Effect<ParsedRecipient, BridgeError> =>
  Effect.suspend((): Effect.Effect<ParsedRecipient, BridgeError> => {
    const input = raw.trim()
    if (input.includes("@")) {
      const jid = input.toLowerCase().replace(/@c\.us$/, "@s.whatsapp.net")
      const decoded = jidDecode(jid)
      // jidDecode splits at the last "@", so "1@g.us@lid" would pass as a LID whose user is "1@g.us".
      if (decoded === undefined || decoded.user === "" || jid.indexOf("@") !== jid.lastIndexOf("@")) {
        return Effect.fail(invalid(`"${raw}" is not a valid WhatsApp JID.`))
      }
      if (isJidGroup(jid)) {
        return /^[0-9-]+$/.test(decoded.user)
          ? Effect.succeed({ _tag: "Group", jid } as const)
          : Effect.fail(invalid(`"${raw}" is not a valid group JID (expected digits@g.us).`))
      }
      if (isLidUser(jid)) {
        return /^[0-9]{1,20}$/.test(decoded.user)
          ? Effect.succeed({ _tag: "Lid", jid: jidNormalizedUser(jid) } as const)
          : Effect.fail(invalid(`"${raw}" is not a valid LID (expected digits@lid).`))
      }
      if (isPnUser(jid)) {
        return /^[0-9]{5,15}$/.test(decoded.user)
          ? Effect.succeed({ _tag: "PhoneJid", jid: jidNormalizedUser(jid) } as const)
          : Effect.fail(invalid(`"${raw}" is not a valid phone JID (expected digits@s.whatsapp.net).`))
      }
      return Effect.fail(
        invalid(`"${raw}" cannot receive messages: use a phone number, a phone JID, a LID or a group JID.`),
      )
    }
    let digits = input.replace(PhoneFormatting, "")
    if (digits.startsWith("+")) digits = digits.slice(1)
    else if (digits.startsWith("00")) digits = digits.slice(2)
    if (!/^[0-9]+$/.test(digits)) {
      return Effect.fail(
        invalid(`"${raw}" is not a phone number: use digits with the country code, e.g. +1 555 123 4567.`),
      )
    }
    if (digits.length < 7 || digits.length > 15) {
      return Effect.fail(
        invalid(`"${raw}" has ${digits.length} digits; a phone number with its country code has 7 to 15.`),
      )
    }
    return Effect.succeed({ _tag: "Phone", digits } as const)
  })

const notOnWhatsApp = (who: string) =>
  new BridgeError({
    code: "not_on_whatsapp",
    message: `${who} is not on WhatsApp: check the number (with its country code) with the user.`,
    field: "recipient",
  })

/** Asks WhatsApp whether the number has an account; returns its JID. */
const lookUp = (socket: BridgeSocket, phoneOrJid: string, shown: string) =>
  Effect.tryPromise(() => socket.onWhatsApp(phoneOrJid)).pipe(
    Effect.mapError(
      () =>
        new BridgeError({
          code: "whatsapp_not_connected",
          message: "WhatsApp did not answer whether the number exists; try again in a moment.",
        }),
    ),
    Effect.flatMap((results) => {
      const hit = results?.find((r) => r.exists)
      return hit === undefined
        ? Effect.fail(notOnWhatsApp(shown))
        : Effect.succeed(jidNormalizedUser(hit.jid))
    }),
  )

/** The JID to send to. */
export const resolveRecipient = (raw: string, socket: BridgeSocket, store: StoreAccessShape) =>
  Effect.gen(function* () {
    const parsed = yield* parseRecipient(raw)
    switch (parsed._tag) {
      case "Group":
        return parsed.jid
      case "Phone":
        return yield* lookUp(socket, parsed.digits, `+${parsed.digits}`)
      case "PhoneJid":
        return yield* lookUp(socket, parsed.jid, parsed.jid)
      case "Lid": {
        // Sends to a bare LID can be accepted and never delivered: prefer the phone JID.
        const phone = yield* store.alternateJid(parsed.jid)
        if (Option.isSome(phone) && isPnUser(phone.value)) return jidNormalizedUser(phone.value)
        return parsed.jid
      }
    }
  })
