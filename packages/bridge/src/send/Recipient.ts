/**
 * Turns what a user calls a recipient into the JID to send to: a phone number in any usual
 * formatting, a phone JID, a LID or a group JID. People must be on WhatsApp (asked, not assumed),
 * and a LID is sent to through its phone JID when the store knows it.
 */

import { BridgeError } from "@whatsapp-mcp/core/api"
import * as Jid from "@whatsapp-mcp/core/jid"
import { jidNormalizedUser } from "@whiskeysockets/baileys"
import { Effect, Either, Option } from "effect"
import type { BridgeSocket } from "../socket/BridgeSocket.js"
import type { StoreAccessShape } from "../store/StoreAccess.js"

const invalid = (message: string) =>
  new BridgeError({ code: "invalid_recipient", message, field: "recipient" })

/**
 * Reads the recipient with the same parser the MCP side checked it with, without asking anyone;
 * fails with `invalid_recipient` saying what was wrong and which form is expected.
 */
export const parseRecipient = (raw: string): Effect.Effect<Jid.Identifier, BridgeError> =>
  Either.match(Jid.parse(raw), {
    onLeft: (problem) => Effect.fail(invalid(`recipient: ${problem}`)),
    onRight: (identifier) =>
      Jid.canReceiveMessages(identifier)
        ? Effect.succeed(identifier)
        : Effect.fail(
            invalid(
              `"${raw.trim()}" is a ${identifier.kind} JID, which cannot receive messages: use a phone number with its country code, a phone JID, a LID or a group JID.`,
            ),
          ),
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
    switch (parsed.kind) {
      case "phone":
        return yield* lookUp(socket, parsed.jid, parsed.phone === undefined ? parsed.jid : `+${parsed.phone}`)
      case "lid": {
        // Sends to a bare LID can be accepted and never delivered: prefer the phone JID.
        const phone = yield* store.alternateJid(parsed.jid)
        if (Option.isSome(phone) && Jid.isPhoneJid(phone.value)) return jidNormalizedUser(phone.value)
        return parsed.jid
      }
      default:
        return parsed.jid
    }
  })
