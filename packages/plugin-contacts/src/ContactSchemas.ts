/** The contact as the contacts tools return it, assembled from its store row, and its one-line rendering. */
import { Render } from "@whatsapp-mcp/runtime"
import { Schema } from "effect"
import type { ContactRow } from "./ContactQueries.js"

export const Contact = Schema.Struct({
  jid: Schema.String.annotations({
    description: "Canonical JID: the phone JID when known, else the LID. Pass it to the other tools.",
  }),
  name: Schema.String.annotations({
    description:
      "Best known name: address-book name, then business name, then push name, then the phone number.",
  }),
  phone_number: Schema.NullOr(Schema.String).annotations({ description: "With + and country code." }),
  lid: Schema.NullOr(Schema.String),
  address_book_name: Schema.NullOr(Schema.String).annotations({
    description: "The name in the user's phone book.",
  }),
  push_name: Schema.NullOr(Schema.String).annotations({
    description: "The name the person set for themselves.",
  }),
  business_name: Schema.NullOr(Schema.String).annotations({ description: "Verified business name." }),
  is_business: Schema.Boolean,
})
export type Contact = typeof Contact.Type

export const toContact = (row: ContactRow): Contact => {
  const phone = row.phone === null ? null : `+${row.phone}`
  return {
    jid: row.jid,
    name: row.display_name ?? phone ?? row.jid,
    phone_number: phone,
    lid: row.lid ?? (row.jid.endsWith("@lid") ? row.jid : null),
    address_book_name: row.address_book_name,
    push_name: row.push_name,
    business_name: row.verified_name,
    is_business: row.verified_name !== null,
  }
}

/** Names are what people chose to call themselves: quoted through `Render`, so they read as data. */
export const renderContact = (c: Contact): string => {
  const also = [
    c.push_name !== null && c.push_name !== c.name ? `push name ${Render.quote(c.push_name, 80)}` : undefined,
    c.is_business ? "business" : undefined,
  ].filter((part) => part !== undefined)
  return `${Render.quote(c.name, 80)} ${c.phone_number ?? "no phone number known"} jid ${Render.token(c.jid)}${
    c.lid !== null && c.lid !== c.jid ? ` lid ${Render.token(c.lid)}` : ""
  }${also.length > 0 ? ` (${also.join(", ")})` : ""}`
}

/** Said first: names are what other people wrote. */
export const untrustedNote = Render.untrustedNote
